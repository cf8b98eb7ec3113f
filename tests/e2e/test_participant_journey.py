"""A person with lived experience finds a project, signs up, answers an invitation, claims
expenses, downloads their data and withdraws a consent, all in a real browser."""

import json
import re
import struct
import zlib
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import ExpenseClaim, Response
from projects.services.meetings import meeting_create, meeting_invite
from stakeholders.models import ConsentKind, Person
from stakeholders.selectors import standing_consents
from tests.e2e.conftest import exactly, link_in
from tests.factories.people import StaffFactory
from tests.factories.projects import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-1234"


def tiny_png(path):
    """A valid one-pixel PNG, as a phone photo of a receipt would be (much smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def open_project():
    return ProjectFactory(
        name="Better crisis care",
        slug="crisis-care",
        summary="Help us change what happens when someone is in a mental health crisis.",
        time_commitment="Two hours a month",
        place="Town Hall, High Street",
        payment_offer="£25 an hour, plus travel",
        access_support="BSL interpreters and step-free rooms.",
        contact_name="Jo Bloggs",
        contact_email="jo@example.org",
    )


def meeting_tomorrow(project, staff):
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time(10))
    )
    return meeting_create(
        project=project,
        created_by=staff,
        title="Planning session",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place="Town Hall, High Street",
    )


def test_a_participant_signs_up_answers_an_invitation_claims_and_withdraws_consent(
    page, audit, screenshot, outbox, tmp_path
):
    project = open_project()
    staff = StaffFactory()

    page.goto("/")
    audit()
    screenshot("home")
    page.get_by_role("link", name="Better crisis care", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Better crisis care")
    audit()
    screenshot("join")
    page.get_by_label("Your name").fill("Sam Taylor")
    page.get_by_label("What should we call you?").fill("Sam")
    page.get_by_label("Email address").fill("sam.taylor@example.org")
    page.get_by_label(exactly("Password")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("Person with lived experience").check()
    page.get_by_label(re.compile("I agree that the organisation may keep my name")).check()
    page.get_by_label(re.compile("I agree that the organisation may keep the equality")).check()
    page.get_by_label("Age", exact=True).select_option(index=2)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your email")
    audit()
    screenshot("check-your-email")
    (confirmation,) = outbox
    page.goto(link_in(confirmation, "/accounts/confirm-email/"))
    audit()
    screenshot("confirm-email")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing up")
    audit()
    page.get_by_role("link", name="Go to my page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My page")
    audit()

    # Staff invite Sam to a meeting; the invitation arrives by email with RSVP links.
    person = Person.objects.get(email="sam.taylor@example.org")
    meeting = meeting_tomorrow(project, staff)
    meeting_invite(meeting=meeting, people=[person], invited_by=staff)
    invitation_email = outbox[-1]
    assert invitation_email.to == ["sam.taylor@example.org"]

    page.reload()
    audit()
    card = page.get_by_role("listitem").filter(has_text="Planning session")
    expect(card).to_contain_text("Your answer: Not answered yet")
    screenshot("my-page-invited")

    page.goto(link_in(invitation_email, "/rsvp/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Say you can come")
    audit()
    screenshot("rsvp")
    page.get_by_role("button", name="Yes, I can come").click()
    expect(page.get_by_text("You are coming.")).to_be_visible()
    audit()
    screenshot("rsvp-done")
    assert meeting.invitations.get(person=person).response == Response.ACCEPTED

    page.get_by_role("link", name="Go to my page").click()
    audit()
    page.get_by_role("link", name="My payments and expenses").click()
    audit()
    screenshot("my-payments")
    page.get_by_role("link", name="Claim expenses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim expenses")
    audit()
    page.get_by_label("When did you spend the money?").fill(timezone.localdate().isoformat())
    page.get_by_label("Travel (fares)").check()
    page.get_by_label("How much did you spend? (£)").fill("4.50")
    page.get_by_label("Anything we should know?").fill("The bus to the meeting and back.")
    page.get_by_label("Your receipt").set_input_files(tiny_png(tmp_path / "bus-ticket.png"))
    screenshot("claim-form")
    page.get_by_role("button", name="Send my claim").click()

    expect(page.get_by_text("We have sent your claim for £4.50")).to_be_visible()
    audit()
    screenshot("claim-sent")
    claim = ExpenseClaim.objects.get(person=person)
    assert claim.receipt.name.endswith(".png")

    page.get_by_role("link", name="My page").first.click()
    audit()
    page.get_by_role("link", name="See or download everything we keep about me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything we keep about you")
    audit()
    screenshot("my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download it as a file (JSON)").click()
    assert download.value.suggested_filename.endswith(".json")
    my_data = Path(download.value.path()).read_text()
    assert "sam.taylor@example.org" in json.dumps(json.loads(my_data))

    page.get_by_role("link", name="My page").first.click()
    audit()
    page.get_by_role("link", name="withdraw this and delete my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw consent")
    audit()
    screenshot("withdraw-equality")
    page.get_by_role("button", name="Yes, withdraw my consent").click()

    expect(page.get_by_text("Your equality answers have been deleted.")).to_be_visible()
    audit()
    screenshot("my-page-after-withdrawing")
    expect(page.get_by_text("Equality monitoring: not agreed.")).to_be_visible()
    assert ConsentKind.EQUALITY not in standing_consents(person)
    assert ConsentKind.INVOLVEMENT in standing_consents(person)
