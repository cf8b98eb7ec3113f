"""HTML made once for everyone, with each visitor's own csrf token put in.

A form rendered once per process (the sign-up form, the navigation's log-out form), kept in
the page cache, or built row by row in Python (the roster) is made with `CSRF_SLOT`
standing in for the token; each response then puts the visitor's own token in its place
with `with_csrf_token`, which gives what `{% csrf_token %}` would have given."""

from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string

# Kept as it was when only the page cache used it, so parts already in the cache still
# have their token put in.
CSRF_SLOT = "pagecache0csrf0token0placeholder"
# What `{% csrf_token %}` writes when the token is the slot.
CSRF_FIELD = str(CsrfTokenNode().render(Context({"csrf_token": CSRF_SLOT})))
# Django's marker for a page rendered without its request's token.
_NO_TOKEN = "NOTPROVIDED"  # noqa: S105 - a marker, not a secret


def render_with_csrf_slot(template_name: str, context: dict) -> str:
    """`template_name` rendered with `context`, any `{% csrf_token %}` in it left as the
    slot: the same HTML for every visitor, to be finished by `with_csrf_token`."""
    return render_to_string(template_name, {**context, "csrf_token": CSRF_SLOT})


def with_csrf_token(html: str, token) -> str:
    """`html` with this visitor's token in each slot; where there is no token (a page
    rendered without its request), each hidden field is left out, as `{% csrf_token %}`
    does."""
    if CSRF_SLOT not in html:
        return html
    if token and str(token) != _NO_TOKEN:
        # Tokens are letters and digits only (Django makes and checks them so), so the
        # token needs no escaping.
        return html.replace(CSRF_SLOT, str(token))
    return html.replace(CSRF_FIELD, "").replace(CSRF_SLOT, "")
