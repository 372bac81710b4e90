from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UserSessionsConfig(AppConfig):
    name = "govplan.usersessions"
    label = "usersessions"
    verbose_name = _("Sessions")

    def ready(self) -> None:
        from govplan.usersessions import signals  # noqa: F401  (tracks logins and logouts)
