from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "govplan.programmes"
    label = "programmes"
    verbose_name = _("National programmes")

    def ready(self) -> None:
        # The task list fills the framework tables that say rows_from: programme_tasks.
        from govplan.programmes.task_rows import register_source

        register_source()
        # A task's evidence files count in the lead agency's quota, as its documents' do.
        from govplan.documents.actions import register_unit_files
        from govplan.programmes.queries import evidence_bytes

        register_unit_files("task_evidence", evidence_bytes)
