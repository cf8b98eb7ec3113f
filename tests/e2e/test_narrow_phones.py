"""No page a participant sees makes them scroll sideways on a small phone (WCAG 1.4.10,
reflow): every page of /me/, signing up, answering an invitation or a vote, and the
account pages, at 320 px (the narrowest phones, and 1280 px zoomed to 400 %) and 390 px."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from coprod.management.commands.seed_demo import DEMO_PASSWORD
from decisions.ballot import ballot_token
from decisions.models import Decision
from decisions.services import decision_create, voting_open
from projects.models import Invitation, Project
from projects.rsvp import RsvpAction, rsvp_token
from stakeholders.models import Person
from tests.e2e.conftest import WIDEST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 390]
PARTICIPANT = "participant@example.org"

MY_PAGES = [
    "/me/",
    "/me/details/",
    "/me/equality/",
    "/me/payments/",
    "/me/payments/choices/",
    "/me/payments/bank-details/",
    "/me/claims/new/",
    "/me/decisions/",
    "/me/data/",
    "/me/erase/",
    "/me/consent/equality/withdraw/",
    "/me/consent/involvement/withdraw/",
    "/account/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
]
SIGNED_OUT_PAGES = [
    "/accounts/login/",
    "/signin/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/cut-short/",
    "/account/new-confirmation-link/",
]


def sideways(page, path: str) -> list[str]:
    """What is too wide on `path`, at each width: [] when nothing is."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(path)
        assert response.status < 400, f"{path} answered {response.status}"
        scroll, client, wide = page.evaluate(WIDEST)
        if scroll > width:
            problems.append(f"{path} at {width}px is {scroll}px wide: {wide}")
    return problems


def _tokens(person: Person) -> list[str]:
    """An RSVP page and a ballot page of the participant's own."""
    invitation = (
        Invitation.objects.filter(person=person, meeting__starts_at__gt=timezone.now())
        .select_related("meeting")
        .first()
    )
    project = invitation.meeting.project
    open_vote = Decision.objects.filter(project=project, voting_open=True).first() or voting_open(
        decision=decision_create(
            project=project,
            created_by=invitation.meeting.created_by,
            title="Where should we meet in the winter?",
            question="Which of these places would you rather meet in from November?",
            method="vote",
            ladder_rung="co_design",
        )
    )
    return [
        f"/rsvp/{rsvp_token(invitation, RsvpAction.ACCEPT)}/",
        f"/vote/{ballot_token(open_vote, person)}/",
    ]


def test_no_participant_page_scrolls_sideways_at_320_or_390_px(page):
    call_command("seed_demo", force=True, verbosity=0)
    person = Person.objects.get(user__email=PARTICIPANT)
    join = Project.objects.open_to_join().first()
    tokens = _tokens(person)
    problems = []

    for path in [*SIGNED_OUT_PAGES, f"/join/{join.slug}/", *tokens]:
        problems += sideways(page, path)
    # A sign-up sent back with every problem shown: the longest the form gets.
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"/join/{join.slug}/")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#error-summary")).to_be_visible()
    scroll, _, wide = page.evaluate(WIDEST)
    if scroll > 320:
        problems.append(f"the join page with its errors is {scroll}px wide at 320px: {wide}")

    page.goto("/accounts/login/")
    page.locator("#id_login").fill(PARTICIPANT)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/me/$"))
    ladder = [
        f"/me/ladder/{p.slug}/" for p in Project.objects.filter(memberships__person=person)[:1]
    ]
    for path in [*MY_PAGES, *ladder, f"/join/{join.slug}/", *tokens]:
        problems += sideways(page, path)

    assert not problems, "\n".join(problems)
