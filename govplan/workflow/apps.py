from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "govplan.workflow"
    label = "workflow"
    verbose_name = _("Submission and appraisal")

    def ready(self) -> None:
        from govplan.documents import panels
        from govplan.workflow.panel import editor_panel

        panels.register("workflow", editor_panel)
