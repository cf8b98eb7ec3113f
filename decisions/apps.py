from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # Names this app's personal data for the export and erasure (stakeholders.privacy).
        from decisions import privacy  # noqa: F401
