from django.apps import AppConfig


class CoprodConfig(AppConfig):
    name = "coprod"
    verbose_name = "coprod"

    def ready(self) -> None:
        from coprod import sessions  # noqa: F401  (connects the session signal handlers)
