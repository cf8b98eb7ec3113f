import re

import pytest
from playwright.sync_api import expect

from tests.factories.people import PASSWORD, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_participant_logs_in_and_lands_on_my_page(page, screenshot):
    participant = ParticipantFactory(email="participant@example.org", name="Pat Participant")

    page.goto("/")
    page.get_by_role("link", name="Log in").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    screenshot("login")

    page.get_by_label("Email").fill(participant.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My page")
    expect(page.get_by_text("Hello Pat Participant")).to_be_visible()
    screenshot("my-page")


def test_a_wrong_password_shows_an_error_and_keeps_the_email(page):
    ParticipantFactory(email="participant@example.org")

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("participant@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.locator("#error-summary")).to_contain_text(
        "That email address and password do not match."
    )
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_label("Email")).to_have_value("participant@example.org")
