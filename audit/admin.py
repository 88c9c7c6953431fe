"""The audit journal for staff (A3): read-only, filterable by action, target type, actor and
date. Seeing it needs `audit.view_auditentry` (the Administrator role)."""

from django.apps import apps
from django.contrib import admin

from config.admin import ReadOnlyAdminMixin
from config.paginators import EstimatedCountPaginator

from .models import AuditEntry


class TargetTypeFilter(admin.SimpleListFilter):
    title = "target type"
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        # Every model, not a DISTINCT over the journal: that would scan the whole table.
        return [(label, label) for label in sorted(m._meta.label_lower for m in apps.get_models())]

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ts", "actor_name", "action", "target_type", "target_id", "ip"]
    list_filter = ["action", TargetTypeFilter, ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=target_id", "=actor_name", "=ip"]
    date_hierarchy = "ts"
    ordering = ["-ts", "-id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["ts", "actor", "actor_name", "action", "target_type", "target_id", "ip", "changes"]
    readonly_fields = fields
