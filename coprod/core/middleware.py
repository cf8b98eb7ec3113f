from django.utils.cache import patch_cache_control


class NoStoreWhenSignedInMiddleware:
    """Pages and downloads seen by a signed-in person hold personal data (their own, or
    for staff everyone's): no browser or proxy may keep a copy, so a shared computer or a
    cache in between never shows them to the next person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
