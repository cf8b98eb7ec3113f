"""Links for each row of a long list, without a `reverse()` or `{% url %}` per row."""

from collections.abc import Callable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Stands in for the row's own identifier while the URL is reversed once: it matches both
# the <uuid:...> and the <slug:...> path converters.
_SOME_ID = "00000000-0000-0000-0000-000000000000"


def link_maker(name: str, *args) -> Callable[[object], str]:
    """`reverse(name, args=[*args, row_id])` for any row_id (a UUID or a slug), reversing once: each
    reverse() costs tens of microseconds, which adds up over a page of rows."""
    pattern = reverse(name, args=[*args, _SOME_ID])
    return lambda row_id: pattern.replace(_SOME_ID, str(row_id))


# fixed_link_makers' makers: by (names, URL configuration, script prefix).
_makers: dict[tuple, tuple] = {}


@receiver(setting_changed, dispatch_uid="coprod_links_makers_reset")
def _forget_makers(**kwargs) -> None:
    _makers.clear()


def fixed_link_makers(*names: str) -> tuple[Callable[[object], str], ...]:
    """link_maker(name) for each name, made once per process for each URL configuration
    and script prefix (looked up once a call: each lookup costs microseconds): for links
    every page shows, such as a project's navigation. For a page that takes no id, call
    its maker with None."""
    key = (names, get_urlconf(), get_script_prefix())
    makers = _makers.get(key)
    if makers is None:
        makers = _makers[key] = tuple(_maker(name) for name in names)
    return makers


def _maker(name: str) -> Callable[[object], str]:
    try:
        return link_maker(name)
    except NoReverseMatch:
        url = reverse(name)
        return lambda row_id: url
