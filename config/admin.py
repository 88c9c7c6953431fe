"""Admin pieces shared by the apps."""

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """A journal the admin only shows: its rows are written by its app's services alone
    (history events, the audit journal)."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
