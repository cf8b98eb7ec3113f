from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The pages that gather every app: home, the staff dashboard and the /me/ overview."""

    name = "coprod.pages"
    label = "pages"
    verbose_name = "coprod pages"
