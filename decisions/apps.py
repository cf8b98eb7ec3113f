from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # privacy: names this app's personal data for the export and erasure
        # (stakeholders.privacy). tasks: the services queue them by name
        # (coprod.core.queue), so they must be registered in every process.
        from decisions import privacy, tasks  # noqa: F401
