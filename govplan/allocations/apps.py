from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationsConfig(AppConfig):
    name = "govplan.allocations"
    label = "allocations"
    verbose_name = _("Central budget pool")
