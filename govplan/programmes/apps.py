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
