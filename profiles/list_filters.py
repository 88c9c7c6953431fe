"""The filters of the staff's profile list (issue 6 item 1): search box, status, test flag,
segment and sort order, as one django-filter FilterSet.

Segments belong to the `interactions` app. It plugs its segment filter in through
`set_segment_source` from its AppConfig.ready; until one is set the list simply has no segment
filter, and nothing here imports that app.
"""

from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.db.models import QuerySet

from . import fields as registry
from .models import Profile, ProfileDatabase, Status
from .selectors import search_profiles

ORDERINGS = {
    "-id": "Newest first",
    "id": "Oldest first",
    "email": "Email A-Z",
    "last_name": "Last name A-Z",
    "-updated_at": "Recently updated",
}


@dataclass(frozen=True)
class SegmentSource:
    choices: Callable[[ProfileDatabase], list[tuple[int, str]]]  # the database's segments
    members: Callable[[QuerySet[Profile], int], QuerySet[Profile]]  # narrow to one segment


_segment_source: SegmentSource | None = None


def set_segment_source(source: SegmentSource | None) -> None:
    global _segment_source
    _segment_source = source


class AnyYesNo(django_filters.widgets.BooleanWidget):
    """The test flag's select: "Any" rather than django-filter's "Unknown" for no choice."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", "Any"), ("true", "Yes"), ("false", "No"))


class ProfileListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="search", help_text="Email, phone, name, id, md5/xxh or field:value"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    is_test = django_filters.BooleanFilter(
        label="Test subscribers",
        widget=AnyYesNo(),
    )
    order = django_filters.ChoiceFilter(
        label="Sort by", choices=list(ORDERINGS.items()), method="sort", empty_label=None
    )

    class Meta:
        model = Profile
        fields = ["q", "status", "is_test"]

    def __init__(self, *args, database: ProfileDatabase, **kwargs):
        self.database = database
        super().__init__(*args, **kwargs)
        if _segment_source is not None:
            self.filters["segment"] = django_filters.ChoiceFilter(
                label="Segment", choices=_segment_source.choices(database),
                method="in_segment", empty_label="Any segment",
            )  # fmt: skip
            self.filters["segment"].parent = self

    def search(self, queryset: QuerySet[Profile], name: str, value: str) -> QuerySet[Profile]:
        try:
            return search_profiles(queryset, value, database=self.database)
        except registry.Invalid as error:
            self.search_error = str(error)
            return queryset.none()

    def sort(self, queryset: QuerySet[Profile], name: str, value: str) -> QuerySet[Profile]:
        tie_breaker = () if value.lstrip("-") == "id" else ("id",)  # stable pages
        return queryset.order_by(value, *tie_breaker)

    def in_segment(self, queryset: QuerySet[Profile], name: str, value: str) -> QuerySet[Profile]:
        return _segment_source.members(queryset, int(value))

    @property
    def qs(self) -> QuerySet[Profile]:
        queryset = super().qs
        if not self.form.cleaned_data.get("order"):
            queryset = queryset.order_by("-id")
        return queryset
