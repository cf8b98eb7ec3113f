from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every app builds on; it imports no app of coprod's."""

    name = "coprod.core"
    label = "core"
    verbose_name = "coprod kernel"

    def ready(self) -> None:
        from coprod.core import pagecache  # noqa: F401  (connects its signal handlers)
