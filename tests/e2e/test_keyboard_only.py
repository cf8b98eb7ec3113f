"""Signing up and answering an invitation with the keyboard alone: Tab, typing, Space and
Enter, never the mouse. Every stop on the way must show where the focus is."""

import pytest
from playwright.sync_api import expect

from projects.models import Response
from projects.services.meetings import meeting_invite
from stakeholders.models import Person
from tests.e2e.conftest import link_in
from tests.e2e.test_participant_journey import PASSWORD, meeting_tomorrow, open_project
from tests.factories.people import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80

FOCUSED = """() => {
    const el = document.activeElement;
    const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
    const style = getComputedStyle(el);
    return {
        name: (label || el.innerText || el.value || "").replace(/\\s+/g, " ").trim(),
        visible: style.outlineStyle !== "none" || style.boxShadow !== "none",
    };
}"""


def tab_to(page, name: str) -> None:
    """Press Tab until the element whose label (or text) starts with `name` has the focus."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused["name"])
        if focused["name"].startswith(name):
            assert focused["visible"], f"the focus on {name!r} cannot be seen"
            return
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def test_a_participant_signs_up_and_accepts_an_invitation_with_the_keyboard_only(
    page, audit, screenshot, outbox
):
    project = open_project()
    staff = StaffFactory()

    page.goto("/")
    audit()
    tab_to(page, "Skip to main content")
    tab_to(page, "Better crisis care")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Better crisis care")
    audit()

    for label, text in [
        ("Your name", "Kim Keys"),
        ("Email address", "kim.keys@example.org"),
        ("Password*", PASSWORD),
        ("Password (again)", PASSWORD),
    ]:
        tab_to(page, label)
        page.keyboard.type(text)
    # A radio group is one Tab stop; Space chooses the first option.
    tab_to(page, "Person with lived experience")
    page.keyboard.press("Space")
    tab_to(page, "I agree that the organisation may keep my name")
    page.keyboard.press("Space")
    tab_to(page, "Sign up")
    screenshot("join-filled")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your email")
    audit()
    page.goto(link_in(outbox[0], "/accounts/confirm-email/"))
    audit()
    tab_to(page, "Confirm")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing up")
    audit()

    person = Person.objects.get(email="kim.keys@example.org")
    assert person.full_name == "Kim Keys"
    assert person.stakeholder_group == "lived_experience"
    meeting = meeting_tomorrow(project, staff)
    meeting_invite(meeting=meeting, people=[person], invited_by=staff)

    page.goto(link_in(outbox[-1], "/rsvp/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Say you can come")
    audit()
    tab_to(page, "Yes, I can come")
    screenshot("rsvp-focused")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are coming.")).to_be_visible()
    audit()
    assert meeting.invitations.get(person=person).response == Response.ACCEPTED
