"""Issue 17's whole journey for someone with a phone and no email: staff add them, they get
a text (through a local stand-in for GOV.UK Notify that checks each request as Notify
does), follow its link on their phone and, without ever setting a password, see the
meeting, answer it, vote, claim an expense and give their bank details."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions.models import Decision, DecisionMethod, LadderRung, Vote
from decisions.services import decision_create, voting_open
from projects.models import ExpenseClaim, Response
from projects.services.meetings import meeting_create, meeting_invite
from stakeholders.models import PaymentMethod, Person
from tests.e2e.conftest import PHONE, SCREENSHOTS, PageAudit
from tests.e2e.test_participant_journey import tiny_png
from tests.factories.people import PASSWORD, StaffFactory
from tests.factories.projects import ProjectFactory
from tests.notify_stub import EMAIL_TEMPLATE_ID, SMS_TEMPLATE_ID, NotifyStub

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST = {"width": 320, "height": 720}


@pytest.fixture
def notify(settings):
    """Texts (and emails) go through coprod's Notify backends to the local stand-in."""
    with NotifyStub() as stub:
        settings.COPROD_NOTIFY_API_KEY = stub.api_key
        settings.COPROD_NOTIFY_BASE_URL = stub.url
        settings.COPROD_NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE_ID
        settings.COPROD_NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE_ID
        settings.COPROD_SMS_BACKEND = "coprod.core.notify.NotifySmsBackend"
        yield stub


def _texts_to(stub: NotifyStub, number: str) -> list[str]:
    return [
        request.body["personalisation"]["body"]
        for request in stub.accepted
        if request.body.get("phone_number") == number
    ]


def _short_link_path(text: str) -> str:
    link = re.search(r"https?://\S+/l/[\w-]+/", text).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def screenshot_phone(page, name: str) -> None:
    folder = SCREENSHOTS / "test_a_phone_only_person_takes_part_from_a_text_without_a_password"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}-phone.png", full_page=True)


def _fits(page, size) -> None:
    page.set_viewport_size(size)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], f"{page.url} is {width}px wide at {size['width']}px"


def test_a_phone_only_person_takes_part_from_a_text_without_a_password(
    page, browser, live_server, audit, screenshot, notify, tmp_path
):
    staff = StaffFactory(email="lead@example.org", name="Lee Lead")
    project = ProjectFactory(name="Safer streets", slug="safer-streets")

    # Staff add Morag, who has a mobile and no email, to the project's roster.
    page.goto("/accounts/login/")
    audit()
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    audit()
    page.goto(f"/projects/{project.slug}/roster/add/")
    audit()
    page.get_by_label("Their name").fill("Morag Mobile")
    page.get_by_label("Phone number").fill("07911 123456")
    page.get_by_label("Text message").check()
    page.get_by_label("Person with lived experience").check()
    page.get_by_label(re.compile("They agreed to this")).check()
    page.get_by_label("By phone, recorded by staff").check()
    screenshot("staff-add-phone-only")
    page.get_by_role("button", name=re.compile("Add")).click()
    audit()
    person = Person.objects.get(full_name="Morag Mobile")
    assert person.email == "" and person.message_channel == "text"

    # Staff send Morag a link to her own area; Notify's stand-in takes the text.
    page.goto(f"/people/{person.public_id}/")
    page.get_by_role("button", name="Send Morag Mobile a link to their own area").click()
    expect(page.get_by_text(re.compile("Last link sent .* by text message"))).to_be_visible()
    audit()
    (signin_text,) = _texts_to(notify, "+447911123456")
    assert not notify.refused

    # A meeting and a vote, both of which reach Morag by text too.
    project.memberships.filter(person=person).update(status="active")
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=2), time(10))
    )
    meeting = meeting_create(
        project=project,
        created_by=staff,
        title="Walkabout on the high street",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place="Market Cross",
    )
    meeting_invite(meeting=meeting, people=[person], invited_by=staff)
    decision = decision_create(
        project=project,
        created_by=staff,
        title="Street lights on Mill Lane",
        question="Should the council light Mill Lane all night?",
        method=DecisionMethod.VOTE,
        ladder_rung=LadderRung.CO_PRODUCTION,
    )
    voting_open(decision=decision)
    texts = _texts_to(notify, "+447911123456")
    assert len(texts) == 3, texts
    assert any("Walkabout on the high street" in text for text in texts)
    assert any("/l/" in text and "voting is open" in text for text in texts[1:])
    for text in texts:
        assert len(text) <= 306, f"more than two text messages long: {text}"

    # Morag, on her own phone: a browser that has never seen coprod.
    phone = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        morag = phone.new_page()
        morag.set_default_timeout(15_000)
        her_audit = PageAudit(morag)
        morag.goto(_short_link_path(signin_text))
        her_audit()
        screenshot_phone(morag, "signin-link")
        morag.get_by_role("button", name="Go to my page").click()
        expect(morag.get_by_role("heading", level=1)).to_have_text("My page")
        her_audit()
        _fits(morag, NARROWEST)
        _fits(morag, PHONE)

        # She sees the meeting and says she is coming.
        card = morag.get_by_role("listitem").filter(has_text="Walkabout on the high street")
        expect(card).to_be_visible()
        expect(card).to_contain_text("Your answer: Not answered yet")
        card.get_by_role("button", name="I can come").click()
        her_audit()
        card = morag.get_by_role("listitem").filter(has_text="Walkabout on the high street")
        expect(card).to_contain_text("Your answer: Coming")
        screenshot_phone(morag, "my-page-coming")
        assert meeting.invitations.get(person=person).response == Response.ACCEPTED

        # She votes.
        morag.goto("/me/decisions/")
        her_audit()
        _fits(morag, NARROWEST)
        _fits(morag, PHONE)
        vote = morag.locator(f"#decision-{decision.public_id}")
        expect(vote).to_contain_text("You have not voted yet.")
        vote.get_by_role("radio", name=re.compile(r"^For\b")).check()
        vote.get_by_role("button", name=re.compile("Save my vote")).click()
        her_audit()
        expect(morag.locator(f"#decision-{decision.public_id}")).to_contain_text(
            "Your vote now: For"
        )
        assert Vote.objects.filter(decision=decision).count() == 1

        # She claims her bus fare, with a photo of the ticket.
        morag.goto("/me/payments/")
        her_audit()
        morag.get_by_role("link", name="Claim expenses").click()
        her_audit()
        morag.get_by_label("When did you spend the money?").fill(timezone.localdate().isoformat())
        morag.get_by_label("Travel (fares)").check()
        morag.get_by_label("How much did you spend? (£)").fill("3.20")
        morag.get_by_label("Your receipt").set_input_files(tiny_png(tmp_path / "ticket.png"))
        _fits(morag, NARROWEST)
        _fits(morag, PHONE)
        morag.get_by_role("button", name="Send my claim").click()
        expect(morag.get_by_text("We have sent your claim for £3.20")).to_be_visible()
        her_audit()
        assert ExpenseClaim.objects.filter(person=person).count() == 1

        # She chooses a bank transfer and gives her account.
        morag.goto("/me/payments/")
        morag.get_by_role("link", name=re.compile("how .*paid", re.I)).first.click()
        her_audit()
        morag.get_by_label("Bank transfer").check()
        morag.get_by_role("button", name=re.compile("Save|Continue", re.I)).click()
        her_audit()
        morag.get_by_label(re.compile("Name on the account")).fill("Morag Mobile")
        morag.get_by_label(re.compile("Sort code")).fill("30-94-57")
        morag.get_by_label(re.compile("Account number")).fill("12345678")
        _fits(morag, NARROWEST)
        _fits(morag, PHONE)
        morag.get_by_role("button", name=re.compile("Save", re.I)).click()
        her_audit()
        expect(morag.get_by_text("••••5678").first).to_be_visible()
        screenshot_phone(morag, "bank-details-saved")
        assert not her_audit.unaudited()
    finally:
        phone.close()

    person.refresh_from_db()
    assert person.payment_method == PaymentMethod.BANK_TRANSFER
    assert person.bank_account_number == "12345678"
    assert not person.user.has_usable_password()
    assert not Decision.objects.filter(pk=decision.pk, voting_open=False).exists()
