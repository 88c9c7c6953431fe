from rest_framework.pagination import CursorPagination, PageNumberPagination


class KeysetPagination(CursorPagination):
    """Keyset pagination by id: constant cost on any page, even with millions of rows."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 1000


class SmallListPagination(PageNumberPagination):
    """For lists bounded by a rule (a profile's subscriptions: at most 200), which keep the
    order their selector gives instead of a keyset on id."""

    page_size = 200
    page_size_query_param = "limit"
    max_page_size = 200
