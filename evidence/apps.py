from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence and reports"

    def ready(self) -> None:
        # privacy: names this app's personal data for the export and erasure
        # (stakeholders.privacy). signals: answers what happens to people
        # (stakeholders.signals). tasks: the services queue them by name
        # (coprod.core.queue), so they must be registered in every process.
        from evidence import privacy, signals, tasks  # noqa: F401
