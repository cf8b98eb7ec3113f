"""{% fixed_url %} and {% fixed_static %} give what {% url %} and {% static %} give, though
each works its answer out once per process."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix

LINKS = Template(
    "{% load coprod_tags %}{% fixed_url 'projects:list' %} {% fixed_static 'css/coprod.css' %}"
)


def test_they_give_what_url_and_static_give():
    assert LINKS.render(Context()) == f"{reverse('projects:list')} {static('css/coprod.css')}"


def test_they_follow_the_prefix_coprod_is_served_under():
    LINKS.render(Context())
    set_script_prefix("/coprod/")
    try:
        assert LINKS.render(Context()).startswith("/coprod/projects/ ")
    finally:
        set_script_prefix("/")
    assert LINKS.render(Context()).startswith("/projects/ ")


def test_they_follow_a_change_of_static_url(settings):
    LINKS.render(Context())
    settings.STATIC_URL = "/assets/"
    assert LINKS.render(Context()).endswith(" /assets/css/coprod.css")


def test_they_take_one_quoted_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load coprod_tags %}{% fixed_url projects:list %}")


def test_with_an_id_it_gives_what_url_gives_for_each_id():
    links = Template("{% load coprod_tags %}{% fixed_url 'projects:roster' slug %}")
    for slug in ["crisis-support", "housing-repairs"]:
        assert links.render(Context({"slug": slug})) == reverse("projects:roster", args=[slug])
    set_script_prefix("/coprod/")
    try:
        assert links.render(Context({"slug": "a"})) == "/coprod/projects/a/roster/"
    finally:
        set_script_prefix("/")
