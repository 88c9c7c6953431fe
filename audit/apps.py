from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit journal (A3): who changed, exported, imported or deleted what, when and from
    which IP. Written only by `audit.services.record_action`."""

    name = "audit"
