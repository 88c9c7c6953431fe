import django_filters
from rest_framework.exceptions import ValidationError

from .. import selectors
from ..contacts import normalize_phone
from ..fields import Invalid
from ..models import Profile, Status


class ProfileFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    is_test = django_filters.BooleanFilter()
    email = django_filters.CharFilter(method="filter_email")
    phone = django_filters.CharFilter(method="filter_phone")
    q = django_filters.CharFilter(method="filter_q", label="Quick search (P15)")

    class Meta:
        model = Profile
        fields = ["status", "is_test", "email", "phone", "q"]

    def filter_email(self, queryset, name, value):
        return selectors.with_email(queryset, value)

    def filter_phone(self, queryset, name, value):
        try:
            return queryset.filter(selectors.phone_query(normalize_phone(value)))
        except Invalid as error:
            raise ValidationError({"phone": [str(error)]}) from None

    def filter_q(self, queryset, name, value):
        try:
            # the view under /databases/{id}/ that owns this filter knows its database
            database = self.request.parser_context["view"].database
            return selectors.search_profiles(queryset, value, database=database)
        except Invalid as error:
            raise ValidationError({"q": [str(error)]}) from None
