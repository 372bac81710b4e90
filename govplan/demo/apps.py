from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "govplan.demo"
    label = "demo"
    verbose_name = "Demo"
