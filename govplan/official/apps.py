from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficialConfig(AppConfig):
    name = "govplan.official"
    label = "official"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from govplan.documents import panels
        from govplan.official.models import RenderedFile
        from govplan.official.panel import editor_panel
        from govplan.official.rendering import delete_stored_file

        panels.register("official", editor_panel)
        post_delete.connect(delete_stored_file, sender=RenderedFile)
