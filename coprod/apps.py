from django.apps import AppConfig


class CoprodConfig(AppConfig):
    name = "coprod"
    verbose_name = "coprod"
