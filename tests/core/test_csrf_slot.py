"""HTML made once for everyone gets each visitor's own csrf token, as {% csrf_token %} would
have written it (coprod.core.csrf_slot)."""

from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import RequestFactory

from coprod.core.csrf_slot import CSRF_SLOT, render_with_csrf_slot, with_csrf_token

FORM = Template("<form>{% csrf_token %}<button>Go</button></form>")


def _as_csrf_token_writes(token) -> str:
    return FORM.render(Context({} if token is None else {"csrf_token": token}))


def test_the_slot_becomes_what_csrf_token_writes_for_a_visitor():
    token = get_token(RequestFactory().get("/"))
    made_once = FORM.render(Context({"csrf_token": CSRF_SLOT}))

    assert with_csrf_token(made_once, token) == _as_csrf_token_writes(token)


def test_two_visitors_get_their_own_tokens_from_the_same_html():
    made_once = FORM.render(Context({"csrf_token": CSRF_SLOT}))

    first, second = with_csrf_token(made_once, "a" * 64), with_csrf_token(made_once, "b" * 64)

    assert "a" * 64 in first and "b" * 64 not in first
    assert "b" * 64 in second and "a" * 64 not in second


def test_without_a_token_the_field_is_left_out_as_csrf_token_does():
    made_once = FORM.render(Context({"csrf_token": CSRF_SLOT}))

    for token in (None, "", "NOTPROVIDED"):
        assert with_csrf_token(made_once, token) == _as_csrf_token_writes(token)
        assert CSRF_SLOT not in with_csrf_token(made_once, token)


def test_html_without_a_slot_is_given_back_unchanged():
    assert with_csrf_token("<p>Hello</p>", "a" * 64) == "<p>Hello</p>"


def test_a_template_rendered_with_the_slot_has_no_token_of_its_own(tmp_path, settings):
    (tmp_path / "form.html").write_text("{{ who }}:{% csrf_token %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    html = render_with_csrf_slot("form.html", {"who": "everyone", "csrf_token": "mine"})

    assert html.startswith("everyone:") and CSRF_SLOT in html and "mine" not in html
