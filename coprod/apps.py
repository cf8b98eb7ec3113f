from django.apps import AppConfig


class CoprodConfig(AppConfig):
    name = "coprod"
    verbose_name = "coprod"

    def ready(self) -> None:
        from coprod import (  # noqa: F401  (connect their signal handlers)
            pagecache,
            sessions,
        )
