"""The roster's rows with the visitor's csrf token in each row's form."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from projects.views.roster import CSRF_SLOT

register = template.Library()


@register.filter
def with_csrf_token(rows, token) -> SafeString:
    """`{{ rows|with_csrf_token:csrf_token }}`: the hidden field `{% csrf_token %}` writes,
    put in once for the whole table rather than by a tag per row. Inside a page cache part
    `csrf_token` is its stand-in, which each response replaces with the visitor's own."""
    field = ""
    if token and token != "NOTPROVIDED":  # noqa: S105 - Django's "no token" marker
        field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
    return SafeString(str(rows).replace(CSRF_SLOT, field))
