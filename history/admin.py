"""Read-only history for staff: events are written only by `history.services`."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from config.admin import ReadOnlyAdminMixin
from config.paginators import EstimatedCountPaginator

from .models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "ts", "type", "channel", "profile_link", "resource_id", "actor"]
    list_filter = ["type", "channel"]
    search_fields = ["=profile__id", "=visitor", "=key"]
    list_select_related = ["actor"]
    ordering = ["-ts", "-id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["id", "ts", "type", "channel", "profile", "database_id", "resource_id",
              "subscription_id", "object_type", "object_id", "actor", "visitor", "key",
              "data", "created_at"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="profile", ordering="profile_id")
    def profile_link(self, event: Event) -> str:
        if event.profile_id is None:
            return format_html("visitor {}", event.visitor or "?")
        url = reverse("admin:profiles_profile_change", args=[event.profile_id])
        return format_html('<a href="{}">#{}</a>', url, event.profile_id)
