from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet

from config.exceptions import InvalidInput

from .. import selectors
from ..contacts import normalize_phone
from ..fields import Invalid
from ..models import Profile, ProfileDatabase, Status


class ProfileFilter(django_filters.FilterSet):
    """The profile list's filters, shared by the list, the exports (X3) and bulk updates (X5):
    a filter added here is offered by all of them. Bad values raise InvalidInput naming the
    filter (400 in the API)."""

    status = django_filters.ChoiceFilter(choices=Status.choices)
    is_test = django_filters.BooleanFilter()
    email = django_filters.CharFilter(method="filter_email")
    phone = django_filters.CharFilter(method="filter_phone")
    q = django_filters.CharFilter(method="filter_q", label="Quick search (P15)")

    class Meta:
        model = Profile
        fields = ["status", "is_test", "email", "phone", "q"]

    def __init__(self, *args, database: ProfileDatabase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.database = database

    def filter_email(self, queryset, name, value):
        return selectors.with_email(queryset, value)

    def filter_phone(self, queryset, name, value):
        try:
            return queryset.filter(selectors.phone_query(normalize_phone(value)))
        except Invalid as error:
            raise InvalidInput({"phone": [str(error)]}) from None

    def filter_q(self, queryset, name, value):
        # given, or known to the view under /databases/{id}/ that owns this filter
        database = self.database or self.request.parser_context["view"].database
        try:
            return selectors.search_profiles(queryset, value, database=database)
        except Invalid as error:
            raise InvalidInput({"q": [str(error)]}) from None


def matching_profiles(database: ProfileDatabase, filters: Mapping[str, Any]) -> QuerySet[Profile]:
    """The profiles of `database` the list would show with `filters` (its query parameters;
    other keys are ignored). Raises InvalidInput naming a bad filter."""
    filterset = ProfileFilter(
        filters, queryset=selectors.database_profiles(database), database=database
    )
    if not filterset.is_valid():
        raise InvalidInput({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs
