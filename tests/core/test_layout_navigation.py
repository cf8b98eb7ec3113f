"""The layout's navigation bar shows each kind of visitor their own links, though it is
rendered once per process for each role ({% fixed_include %}); each visitor's log-out form
carries their own CSRF token, and nothing of the page but the values given reaches it."""

import re

import pytest
from django.middleware.csrf import CSRF_TOKEN_LENGTH
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse, set_script_prefix

from coprod.core.context_processors import navigation

NAV_LINK = re.compile(r'<a class="nav-link" href="([^"]+)">([^<]+)</a>')
TOKEN = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')


def _navigation(response) -> str:
    html = response.content.decode()
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def _links(response) -> list[tuple[str, str]]:
    return [(name, href) for href, name in NAV_LINK.findall(_navigation(response))]


STAFF_LINKS = [
    ("Dashboard", "pages:dashboard"),
    ("Projects", "projects:list"),
    ("People", "projects:people"),
    ("Learning", "evidence:learning"),
    ("Reports", "evidence:reports"),
    ("Personal data", "stakeholders:erasure_requests"),
    ("Admin", "admin:index"),
    ("Account", "stakeholders:account"),
]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", STAFF_LINKS),
        ("participant", [("My page", "pages:me"), ("Account", "stakeholders:account")]),
        (
            "commissioner",
            [("Reports", "evidence:reports"), ("Account", "stakeholders:account")],
        ),
    ],
)
def test_each_role_sees_its_own_links_and_a_log_out_button(client, personas, role, expected):
    client.force_login(personas.by_role()[role])

    response = client.get(reverse("pages:home"))

    assert _links(response) == [(name, reverse(url)) for name, url in expected]
    assert f'<form method="post" action="{reverse("account_logout")}">' in _navigation(response)
    assert "Log in" not in _navigation(response)


def test_a_visitor_not_signed_in_sees_only_log_in(client, personas):
    response = client.get(reverse("pages:home"))

    assert _links(response) == [("Log in", reverse("account_login"))]
    assert "Log out" not in _navigation(response)
    assert not TOKEN.search(_navigation(response))


def test_each_visitor_gets_their_own_csrf_token_in_the_log_out_form(personas):
    tokens = []
    for user in (personas.participant, personas.other_participant):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("pages:home"))
        token = TOKEN.search(_navigation(response)).group(1)
        assert len(token) == CSRF_TOKEN_LENGTH
        tokens.append((token, response.cookies["csrftoken"].value))
    assert tokens[0][0] != tokens[1][0]
    # Each token is the one that visitor's own CSRF cookie accepts.
    for token, cookie in tokens:
        client = Client(enforce_csrf_checks=True)
        client.cookies["csrftoken"] = cookie
        response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302


def test_logging_out_with_the_layouts_form_works(client, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.staff)
    token = TOKEN.search(_navigation(client.get(reverse("pages:home")))).group(1)

    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})

    assert _links(client.get(reverse("pages:home"))) == [("Log in", reverse("account_login"))]


FIXED = Template(
    "{% load coprod_tags %}"
    '{% fixed_include "includes/main_navigation.html" signed_in=signed_in role=role %}'
)


def test_fixed_include_gives_the_template_only_the_values_given(tmp_path, settings):
    (tmp_path / "who.html").write_text("[{{ user }}|{{ colour }}|{{ csrf_token }}]")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    shown = Template('{% load coprod_tags %}{% fixed_include "who.html" colour=colour %}')

    html = shown.render(Context({"user": "Dev Ahmed", "colour": "red", "csrf_token": "abc"}))

    assert "Dev Ahmed" not in html
    assert html.startswith("[|red|")


def test_fixed_include_is_rendered_again_for_other_values():
    staff = FIXED.render(Context({"signed_in": True, "role": "staff", "csrf_token": "t" * 64}))
    participant = FIXED.render(
        Context({"signed_in": True, "role": "participant", "csrf_token": "u" * 64})
    )

    assert "Dashboard" in staff and "Dashboard" not in participant
    assert "My page" in participant
    assert 'value="' + "t" * 64 in staff and 'value="' + "u" * 64 in participant


def test_fixed_include_without_a_csrf_token_leaves_the_field_out_as_csrf_token_does():
    html = FIXED.render(Context({"signed_in": True, "role": "staff"}))

    assert "Log out" in html
    assert "csrfmiddlewaretoken" not in html


def test_fixed_include_follows_the_prefix_coprod_is_served_under():
    FIXED.render(Context({"signed_in": False, "role": ""}))
    set_script_prefix("/coprod/")
    try:
        assert 'href="/coprod/accounts/login/"' in FIXED.render(
            Context({"signed_in": False, "role": ""})
        )
    finally:
        set_script_prefix("/")


def test_fixed_include_refuses_values_that_are_not_plain(personas):
    with pytest.raises(TypeError):
        FIXED.render(Context({"signed_in": True, "role": personas.staff}))


@pytest.mark.parametrize(
    "tag",
    [
        "{% fixed_include %}",
        "{% fixed_include includes/main_navigation.html %}",
        '{% fixed_include "includes/main_navigation.html" role %}',
    ],
)
def test_fixed_include_takes_a_quoted_name_and_named_values(tag):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load coprod_tags %}" + tag)


def test_home_url_is_each_roles_home_and_none_when_not_signed_in(rf, personas):
    request = rf.get("/")
    for role, page in [
        ("staff", "pages:dashboard"),
        ("participant", "pages:me"),
        ("commissioner", "evidence:reports"),
    ]:
        request.user = personas.by_role()[role]
        assert str(navigation(request)["home_url"]) == reverse(page)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    assert navigation(request) == {"home_url": None}


def test_home_urls_proxy_class_is_made_once_not_on_every_page(rf, personas):
    request = rf.get("/")
    request.user = personas.staff
    # The lazy proxy's class is made once, not on every page (that cost 0.2 ms a page).
    assert type(navigation(request)["home_url"]) is type(navigation(request)["home_url"])
