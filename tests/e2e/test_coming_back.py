"""Coming back in a real browser: a pool member says yes to an invitation to a project not
open for sign-up from the link in their email, and a participant who withdrew their consent
gives it again from their page. Every page fits a 390 px and a 320 px wide phone."""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Membership, MembershipStatus, PoolAnswer, ProjectInvitation
from projects.services.pool import pool_invite
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import ConsentKind, ConsentRecord
from tests.e2e.conftest import WIDEST, link_in
from tests.factories.people import PASSWORD, ParticipantFactory, StaffFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_small_phones(page) -> None:
    """Nothing makes a person scroll sideways at 390 px or at 320 px."""
    walking_at = page.viewport_size
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        scroll, _client, wide = page.evaluate(WIDEST)
        assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px: {wide}"
    page.set_viewport_size(walking_at)


def log_in(page, audit, email: str) -> None:
    page.goto("/accounts/login/")
    audit()
    page.locator("#id_login").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/me/$"))


def test_a_pool_member_says_yes_to_a_project_not_open_for_sign_up_from_the_email(
    page, audit, screenshot, outbox
):
    project = ProjectFactory(
        name="Leaving hospital",
        slug="leaving-hospital",
        summary="Making the day you leave hospital less frightening.",
        is_open_to_join=False,
        time_commitment="Two hours a month",
        place="Civic Centre, Market Square",
        payment_offer="£20 an hour, plus travel",
        access_support="Step-free rooms and BSL interpreters.",
        contact_name="Jo Bloggs",
        contact_email="jo@example.org",
        contact_phone="01632 960 001",
    )
    asha = PersonFactory(full_name="Asha Patel", email="asha@example.org", in_pool=True)
    pool_invite(project=project, people=[asha], invited_by=StaffFactory())

    assert [message.to for message in outbox] == [["asha@example.org"]]
    page.goto(link_in(outbox[0], "/invitation/"))
    audit()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Would you like to take part in Leaving hospital?"
    )
    expect(page.get_by_text("£20 an hour, plus travel")).to_be_visible()
    expect(page.get_by_role("button", name="Not now")).to_be_visible()
    fits_small_phones(page)
    screenshot("invitation")

    page.get_by_role("button", name="Yes, I’d like to take part").click()

    audit()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for saying yes")
    expect(page.get_by_text("Jo Bloggs will get in touch with you")).to_be_visible()
    fits_small_phones(page)
    screenshot("said-yes")
    membership = Membership.objects.get(person=asha, project=project)
    assert membership.status == MembershipStatus.INTERESTED
    assert ProjectInvitation.objects.get(person=asha).answer == PoolAnswer.YES


def test_a_participant_withdraws_consent_then_gives_it_again_from_their_page(
    page, audit, screenshot
):
    user = ParticipantFactory(email="pat@example.org", name="Pat Participant")
    person = PersonFactory(user=user, email=user.email, full_name="Pat Participant")
    MembershipFactory(person=person, project=ProjectFactory(name="Crisis support"))

    log_in(page, audit, user.email)
    audit()
    page.get_by_role("link", name="Withdraw this").first.click()
    audit()
    expect(page.get_by_text("Fees and expense claims we owe you are still paid")).to_be_visible()
    expect(page.get_by_role("link", name="ask us to erase your details")).to_be_visible()
    fits_small_phones(page)
    screenshot("withdraw")
    page.get_by_role("button", name="Yes, withdraw my consent").click()

    audit()
    panel = page.get_by_role("region", name=re.compile("Changed your mind?"))
    expect(panel).to_be_visible()
    fits_small_phones(page)
    screenshot("me-after-withdrawing")
    panel.get_by_role("link", name="Agree again to take part").click()

    audit()
    expect(page.get_by_text(CONSENT_TEXTS[ConsentKind.INVOLVEMENT][1])).to_be_visible()
    fits_small_phones(page)
    screenshot("agree-again")
    page.get_by_label("Also put me back in the involvement pool").check()
    page.get_by_role("button", name="I agree").click()

    audit()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_text("Thank you. You have agreed again")).to_be_visible()
    expect(page.get_by_text("Changed your mind?")).to_have_count(0)
    fits_small_phones(page)
    screenshot("me-after-agreeing")
    person.refresh_from_db()
    assert person.involvement_consent_given and person.in_pool
    assert ConsentRecord.objects.filter(person=person, kind=ConsentKind.INVOLVEMENT).count() == 2
