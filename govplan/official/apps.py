from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficialConfig(AppConfig):
    name = "govplan.official"
    label = "official"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from govplan.documents import panels
        from govplan.official.panel import editor_panel

        panels.register("official", editor_panel)
