from http import HTTPStatus

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the header of a response that used no nonce and no
    per-view policy worked out once per process.

    django-csp builds the policy afresh for every response (merging the settings with
    the defaults, copying each directive), about 70 microseconds of every request; with
    no nonce and no view changing the policy it is the same string every time. Any other
    response is left to django-csp as it is.
    """

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_VIEW_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_PAGE_CODES and settings.DEBUG:
            return response
        for header, setting_name, exempt in _HEADERS:
            policy = _default_policy(setting_name)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(_excluded_prefixes(setting_name))
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written would not be
        # in it, so asking raises an error instead.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


# What a view's @csp_update, @csp_replace or @csp_override leave on its response.
_PER_VIEW_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_DEBUG_PAGE_CODES = (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND)
_HEADERS = (
    (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
    (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
)
_policies: dict[str, str] = {}


def _default_policy(setting_name: str) -> str:
    policy = _policies.get(setting_name)
    if policy is None:
        policy = _policies[setting_name] = build_policy(
            report_only=setting_name.endswith("REPORT_ONLY")
        )
    return policy


def _excluded_prefixes(setting_name: str) -> tuple[str, ...]:
    policy = getattr(settings, setting_name, None) or {}
    return tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())


@receiver(setting_changed, dispatch_uid="coprod_csp_policies_reset")
def _forget_policies(**kwargs) -> None:
    _policies.clear()
