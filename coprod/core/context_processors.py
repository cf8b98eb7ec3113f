from django.utils.functional import lazy


def navigation(request) -> dict:
    """The signed-in person's home, so every page can link back to it. Worked out only on
    the few pages that show it: this runs for every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"home_url": None}
    return {"home_url": lazy(lambda: user.home_url, str)()}
