from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence and reports"

    def ready(self) -> None:
        # Names this app's personal data for the export and erasure (stakeholders.privacy).
        from evidence import privacy  # noqa: F401
