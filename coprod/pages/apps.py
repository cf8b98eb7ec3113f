from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The pages that gather every app: home, the staff dashboard and the /me/ overview."""

    name = "coprod.pages"
    label = "pages"
    verbose_name = "coprod pages"

    def ready(self) -> None:
        # The services queue the tasks by name (coprod.core.queue), so they must be
        # registered in every process.
        from coprod.pages import tasks  # noqa: F401
