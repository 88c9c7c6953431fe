"""Back-office set-up of static segments, triggers and scenarios, and read-only lists of
sends, participations and relations. Writes go through the services (ServiceForm)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from profiles.admin import ServiceFormAdmin

from . import forms, selectors
from .models import Participation, Relation, Scenario, Segment, Trigger, TriggerSend
from .services import relations, segments


@admin.register(Segment)
class SegmentAdmin(ServiceFormAdmin):
    form = forms.SegmentForm
    list_display = ("name", "database", "members", "created_at")
    list_filter = ("database",)
    list_select_related = ("database",)
    search_fields = ("name",)
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.segments_with_counts()

    @admin.display(ordering="members")
    def members(self, segment: Segment) -> int:
        return segment.members

    def delete_model(self, request: HttpRequest, obj: Segment) -> None:
        segments.delete_segment(segment=obj)


@admin.register(Trigger)
class TriggerAdmin(ServiceFormAdmin):
    form = forms.TriggerForm
    list_display = ("name", "resource", "channel", "event_type", "is_marketing", "is_active")
    list_filter = ("channel", "is_marketing", "is_active")
    list_select_related = ("resource",)
    search_fields = ("name",)
    actions = None


@admin.register(Scenario)
class ScenarioAdmin(ServiceFormAdmin):
    form = forms.ScenarioForm
    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    actions = None


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: listed and looked at here, never edited."""

    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TriggerSend)
class TriggerSendAdmin(ReadOnlyAdmin):
    list_display = ("id", "trigger", "profile", "status", "contact", "reason", "created_at")
    list_filter = ("status", "trigger")
    list_select_related = ("trigger", "profile")
    raw_id_fields = ("profile",)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("id", "scenario", "profile", "status", "current_step", "result",
                    "entered_at", "finished_at")  # fmt: skip
    list_filter = ("status", "scenario")
    list_select_related = ("scenario", "profile")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Relation)
class RelationAdmin(ReadOnlyAdmin):
    list_display = ("id", "from_profile", "type", "to_profile", "created_at")
    list_filter = ("type",)
    list_select_related = ("from_profile", "to_profile")
    search_fields = ("type",)

    def delete_model(self, request: HttpRequest, obj: Relation) -> None:
        relations.delete_relation(relation=obj)
