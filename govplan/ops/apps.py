from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backup and restore, and the node fingerprint (docs/operations.md)."""

    name = "govplan.ops"
    label = "ops"
