"""A project's navigation ({% project_nav %}): a link to each section with the page's own
marked for screen readers, the project's name escaped, links under the site's script
prefix, and the archived notice on the day in UK time."""

from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string
from django.urls import set_script_prefix

from projects.models import Project
from projects.templatetags.project_nav import SECTIONS


def _nav(project: Project, section: str = "") -> str:
    return render_to_string("projects/_project_nav.html", {"project": project, "section": section})


@pytest.mark.parametrize("section", [own for own, _, _ in SECTIONS])
def test_only_the_pages_own_section_is_marked_as_current(section):
    html = _nav(Project(name="Crisis support", slug="crisis-support"), section)

    label = {own: label for own, _, label in SECTIONS}[section]
    assert html.count('aria-current="page"') == 1
    assert html.count(" active") == 1
    assert 'active" aria-current="page" href="' in html
    assert f">{label}</a></li>" in html.split('aria-current="page"')[1].split("\n")[0]


def test_every_section_links_to_its_page_of_this_project():
    html = _nav(Project(name="Crisis support", slug="crisis-support"))

    for href in [
        "/projects/",
        "/projects/crisis-support/",
        "/projects/crisis-support/roster/",
        "/projects/crisis-support/meetings/",
        "/projects/crisis-support/payments/",
        "/reports/crisis-support/",
    ]:
        assert f'href="{href}"' in html
    assert "aria-current" not in html


def test_the_name_is_escaped():
    html = _nav(Project(name='<script>"x"</script> & co', slug="p"))

    assert "<script>" not in html
    assert 'aria-label="Project: &lt;script&gt;&quot;x&quot;&lt;/script&gt; &amp; co"' in html


def test_links_follow_the_script_prefix():
    _nav(Project(name="P", slug="p"))  # the links made for the prefix "/" first
    set_script_prefix("/coprod/")
    try:
        html = _nav(Project(name="P", slug="p"))
    finally:
        set_script_prefix("/")

    assert 'href="/coprod/projects/p/roster/"' in html
    assert 'href="/projects/p/roster/"' not in html


def test_an_archived_project_says_so_on_the_uk_day():
    # 23:30 UTC on 31 July is 00:30 on 1 August in the UK.
    html = _nav(Project(name="P", slug="p", archived_at=datetime(2026, 7, 31, 23, 30, tzinfo=UTC)))

    assert "This project was archived on 1 August 2026." in html
    assert "archived" not in _nav(Project(name="P", slug="p"))
