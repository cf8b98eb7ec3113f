from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "People"

    def ready(self) -> None:
        from stakeholders import adapters, sessions, tasks  # noqa: F401  (signal handlers; tasks)
