def navigation(request) -> dict:
    """The signed-in person's home, so every page can link back to it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"home_url": None}
    return {"home_url": user.home_url}
