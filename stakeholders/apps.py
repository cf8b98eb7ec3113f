from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "People"

    def ready(self) -> None:
        from stakeholders import sessions, tasks  # noqa: F401  (signal handlers; tasks by name)
