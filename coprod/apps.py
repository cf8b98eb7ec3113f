from django.apps import AppConfig


class CoprodConfig(AppConfig):
    """The project package itself: settings, root urls, the Celery app and seed_demo."""

    name = "coprod"
    verbose_name = "coprod"
