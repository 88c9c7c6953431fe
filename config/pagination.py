from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset pagination by id: constant cost on any page, even with millions of rows."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 1000
