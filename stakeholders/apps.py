from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "People"

    def ready(self) -> None:
        from stakeholders import (  # noqa: F401  (signal handlers; tasks)
            adapters,
            authenticators,
            people_count,
            sessions,
            tasks,
        )
