"""After a meeting, in a real browser: a participant answers "how did it go?" from their
page on a phone, and staff see everyone's answers together, without names, on the
meeting's page."""

import re

import pytest
from playwright.sync_api import expect

from evidence.models import MeetingFeedback
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_coming_back import fits_small_phones, log_in
from tests.evidence.feedback_helpers import came, past_meeting, said
from tests.factories.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_says_how_a_meeting_went_and_staff_see_it(page, audit, screenshot, personas):
    meeting = past_meeting(project=personas.project, title="Menu planning")
    came(meeting, personas.participant.person)
    for listened in (5, 4, 4, 2, 3):
        said(meeting, listened=listened, influence=3, accessible=5)
    page.set_viewport_size(PHONE)

    log_in(page, audit, personas.participant.email)
    audit()
    expect(page.get_by_role("heading", name="How did Menu planning go?")).to_be_visible()
    fits_small_phones(page)
    screenshot("my-page-asks")
    page.get_by_role("link", name="Answer the questions about Menu planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How did Menu planning go for you?")
    audit()
    fits_small_phones(page)
    screenshot("questions")

    # Nothing chosen and nothing written: asked for something, nothing kept.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Answer at least one question, or write a comment."
    )
    audit()
    assert not MeetingFeedback.objects.filter(person=personas.participant.person).exists()

    page.get_by_role("group", name="Did you feel listened to?").get_by_label("Mostly").check()
    page.get_by_role("group", name="Was the meeting easy for you to take part in?").get_by_label(
        "Completely"
    ).check()
    page.get_by_label("Anything else you want to tell us? (optional)").fill(
        "The hearing loop made it easy to follow."
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_url(re.compile(r"/feedback/sent/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    audit()
    fits_small_phones(page)
    screenshot("thank-you")
    mine = MeetingFeedback.objects.get(person=personas.participant.person)
    assert (mine.listened, mine.influence, mine.accessible) == (4, None, 5)

    page.get_by_role("link", name="Back to my page").click()
    audit()
    expect(page.get_by_role("heading", name="How did Menu planning go?")).to_have_count(0)

    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/login/")
    audit()
    page.get_by_label("Email").fill(personas.staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    audit()
    page.goto(meeting.get_absolute_url())
    audit()
    summary = page.locator("section", has=page.locator("#feedback-heading"))
    expect(summary).to_contain_text("6 of the 6 people who came have answered.")
    expect(summary).to_contain_text("The hearing loop made it easy to follow.")
    expect(summary).not_to_contain_text("Pat Participant")
    expect(
        summary.get_by_role("table", name="Answers to: Did you feel listened to?")
    ).to_contain_text("Mostly")
    screenshot("staff-meeting-page")
