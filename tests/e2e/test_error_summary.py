"""After a failed form the error summary takes the focus (so a screen reader reads it and
the page scrolls to it), and each of its links moves the focus to its field (GOV.UK)."""

import pytest
from playwright.sync_api import expect

from tests.factories.projects import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_ID = "document.activeElement && document.activeElement.id"
# Whether the element's top is on the screen, give or take a pixel of rounding (a long
# summary may run below it).
IN_VIEW = """(id) => {
    const box = document.getElementById(id).getBoundingClientRect();
    return box.top > -2 && box.top < window.innerHeight;
}"""


def test_the_summary_takes_the_focus_and_its_links_move_it_to_each_field(page, audit):
    page.goto("/accounts/signup/")
    audit()
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator("#error-summary")).to_be_visible()
    audit()
    assert page.evaluate(FOCUSED_ID) == "error-summary"

    page.locator("#error-summary").get_by_role("link", name="Enter a password").click()
    assert page.evaluate(FOCUSED_ID) == "id_password1"
    page.locator("#error-summary").get_by_role("link", name="Enter your email address").click()
    assert page.evaluate(FOCUSED_ID) == "id_email"


def test_on_a_phone_a_link_to_a_radio_question_shows_the_question_and_focuses_its_first_answer(
    page, audit
):
    project = ProjectFactory(slug="crisis-care", name="Better crisis care")
    page.set_viewport_size({"width": 390, "height": 700})
    # Bootstrap scrolls smoothly unless a person asks for less motion; asking for less makes
    # each scroll finish at once, so where things end up can be checked.
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"/join/{project.slug}/")
    audit()
    page.get_by_label("Your name").fill("Kim Keys")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#error-summary")).to_be_visible()
    audit()
    assert page.evaluate(FOCUSED_ID) == "error-summary"
    assert page.evaluate(IN_VIEW, "error-summary"), "the summary was not scrolled into view"
    # What was typed is kept.
    expect(page.get_by_label("Your name")).to_have_value("Kim Keys")

    page.locator("#error-summary a[href='#id_stakeholder_group_0']").click()
    assert page.evaluate(FOCUSED_ID) == "id_stakeholder_group_0"
    # The question above the answers is in sight, not scrolled off the top.
    page.evaluate(
        "document.getElementById('id_stakeholder_group_0').closest('fieldset')"
        ".querySelector('legend').id = 'question'"
    )
    assert page.evaluate(IN_VIEW, "question"), "the question is scrolled out of sight"
