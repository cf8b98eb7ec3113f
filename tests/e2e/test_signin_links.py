"""Someone staff added with only a mobile number gets into their own page from a text
message, on a phone, without ever having a password."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, PageAudit
from tests.factories.people import PASSWORD, StaffFactory
from tests.factories.roster import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_text_a_link_and_the_person_opens_their_page_on_a_phone(
    page, browser, live_server, screenshot, audit, text_outbox
):
    staff = StaffFactory(email="staff@example.org")
    person = PersonFactory(full_name="Morag Mobile", email="", phone="07911123456")

    page.goto("/accounts/login/")
    audit()
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    audit()

    page.goto(f"/people/{person.public_id}/")
    audit()
    expect(page.get_by_text("By text message to 07911 123456")).to_be_visible()
    page.get_by_role("button", name="Send Morag Mobile a link to their own area").click()
    expect(
        page.get_by_text("A link to their own area is on its way to Morag Mobile")
    ).to_be_visible()
    expect(page.get_by_text(re.compile("Last link sent .* by text message"))).to_be_visible()
    audit()
    screenshot("person-page-link-sent")

    (text,) = text_outbox
    assert text["to"] == "+447911123456"
    short_link = re.search(r"https?://\S+/l/[\w-]+/", text["body"]).group(0)
    short_path = short_link.split("://", 1)[1].split("/", 1)[1]

    # The person, on their own phone: a browser that has never seen coprod.
    phone = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        their_page = phone.new_page()
        their_audit = PageAudit(their_page)
        their_page.goto(f"/{short_path}")
        their_audit()
        expect(their_page.get_by_role("heading", level=1)).to_have_text("Hello Morag Mobile")
        their_page.get_by_role("button", name="Go to my page").click()
        expect(their_page).to_have_url(re.compile(r"/me/$"))
        expect(their_page.get_by_role("heading", level=1)).to_have_text("My page")
        expect(their_page.get_by_text("You logged in with a link")).to_be_visible()
        their_audit()
        width = their_page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]

        # The same link again, pressed a second time: used up, with a way to get a new one.
        their_page.goto(f"/{short_path}")
        expect(their_page.get_by_role("heading", level=1)).to_have_text(
            "This link has expired or has already been used"
        )
        expect(their_page.get_by_role("button", name="Send me a link")).to_be_visible()
        their_audit()
        assert not their_audit.unaudited()
    finally:
        phone.close()

    person.refresh_from_db()
    assert not person.user.has_usable_password()
