"""The roster's rows with the visitor's csrf token in each row's form."""

from django import template
from django.utils.safestring import SafeString

from coprod.core.csrf_slot import with_csrf_token as _with_csrf_token

register = template.Library()


@register.filter
def with_csrf_token(rows, token) -> SafeString:
    """`{{ rows|with_csrf_token:csrf_token }}`: the hidden field `{% csrf_token %}` writes,
    put in once for the whole table rather than by a tag per row. Inside a page cache part
    `csrf_token` is its stand-in, which each response replaces with the visitor's own."""
    # The rows are our own HTML, escaped as they were made; the token is letters and digits.
    return SafeString(_with_csrf_token(str(rows), token))
