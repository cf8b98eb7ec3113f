"""The account pages, walked in the browser and audited (axe, strict HTML, no sideways
scrolling): signing up, a link that has run out, asking for a new one, and the account
page with what it links to."""

import re
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from playwright.sync_api import expect

from tests.e2e.conftest import link_in
from tests.factories.people import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expired_link_leads_to_a_new_one_that_works(page, audit, screenshot, outbox):
    user = UserFactory(email="late.reader@example.org")
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save(update_fields=["verified"])
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        key = EmailConfirmationHMAC(address).key

    page.goto(f"/accounts/confirm-email/{key}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work any more")
    audit()
    screenshot("link-run-out")
    page.get_by_role("button", name="Send a new link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("We have sent an email to late.reader@example.org")).to_be_visible()
    audit()

    page.goto(link_in(outbox[-1], "/accounts/confirm-email/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    audit()
    page.get_by_role("button", name="Confirm my email address").click()
    # Confirmed in another browser than the one that signed up: now log in.
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(
        page.get_by_text("Thank you. Your email address late.reader@example.org")
    ).to_be_visible()
    audit()
    assert EmailAddress.objects.get(pk=address.pk).verified

    page.goto(f"/accounts/confirm-email/{key}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has been used already")
    audit()


def test_a_broken_link_asks_for_the_address(page, audit, screenshot):
    page.goto("/accounts/confirm-email/cut-short/")
    audit()
    page.get_by_role("button", name="Send a new link").click()
    expect(page.locator("#error-summary")).to_be_focused()
    audit()
    screenshot("new-link-error")
    page.get_by_label("Your email address").fill("someone@example.org")
    page.get_by_role("button", name="Send a new link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    audit()


def test_the_account_page_and_what_it_links_to(page, audit, screenshot, personas):
    page.goto("/accounts/login/")
    audit()
    page.locator("#id_login").fill(personas.participant.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My page")
    audit()
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    audit()
    screenshot("account")

    page.get_by_role("link", name="Change my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    audit()
    page.get_by_role("button", name="Change my password").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("Enter your current password")
    audit()
    screenshot("password-errors")

    page.goto("/account/")
    page.get_by_role("link", name="Change my email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change my email address")
    audit()

    page.goto("/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log out")
    audit()
    page.locator("main").get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    audit()
