from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactsConfig(AppConfig):
    name = "govplan.facts"
    label = "facts"
    verbose_name = _("Facts")
