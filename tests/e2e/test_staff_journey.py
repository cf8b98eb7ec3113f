"""A co-production lead runs a project from start to evidence, in a real browser, with the
authenticator app that staff must use, and never the Django admin. Every page is audited
(axe, strict HTML, and no sideways scrolling at 390 px)."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.utils import timezone
from playwright.sync_api import expect

from decisions.models import Decision
from decisions.services import vote_cast
from evidence.models import EvidenceRecord, LearningEntry, ReportGrant
from projects.models import Meeting, Payment, PaymentStatus, Project
from projects.services.memberships import membership_express_interest
from stakeholders.models import StakeholderGroup
from tests.e2e.conftest import exactly
from tests.factories.people import PASSWORD, CommissionerFactory, StaffFactory
from tests.factories.roster import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret: str) -> str:
    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def local_input(moment) -> str:
    """A datetime as a datetime-local field takes it, in UK time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_run_a_project_from_sign_up_to_evidence_with_mfa(
    page, audit, screenshot, outbox, settings, width
):
    page.set_viewport_size({"width": width, "height": 900})
    settings.COPROD_STAFF_MFA_REQUIRED = True
    staff = StaffFactory(email="lead@example.org", name="Lee Lead")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    commissioner = CommissionerFactory(email="commissioner@example.org")
    ada = PersonFactory(
        full_name="Ada Pool", in_pool=True, email="ada@example.org", receives_benefits=True
    )
    PersonFactory(
        full_name="Carl Carer",
        in_pool=True,
        stakeholder_group=StakeholderGroup.CARER,
        email="carl@example.org",
    )

    # Log in with password, then the code from the authenticator app.
    page.goto("/accounts/login/")
    audit()
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    audit()
    screenshot("authenticator-code")
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    audit()
    screenshot("dashboard")

    page.goto("/projects/")
    audit()
    page.get_by_role("link", name="New project", exact=True).click()
    audit()
    screenshot("new-project")
    page.get_by_label("What is the project called?").fill("Better discharge")
    page.get_by_label("What is the project for?").fill(
        "Leaving hospital well: planning discharge together."
    )
    page.get_by_label("Open for sign-up: show the public sign-up page").check()
    page.get_by_role("button", name="Create the project").click()
    audit()
    project = Project.objects.get(slug="better-discharge")
    assert "/admin/" not in page.url

    page.goto(f"/projects/{project.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Better discharge")
    audit()
    screenshot("project")

    page.goto(f"/projects/{project.slug}/targets/")
    audit()
    page.get_by_label("Person with lived experience").fill("3")
    page.get_by_label("Carer or family member").fill("2")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("The coverage targets have been saved.")).to_be_visible()
    audit()
    screenshot("roster-with-targets")

    page.goto(f"/projects/{project.slug}/payments/policy/")
    audit()
    page.get_by_label("Rate (£)").fill("25")
    page.get_by_role("button", name="Save the payment policy").click()
    audit()

    # The rapid-response finder: people with lived experience from the standing pool.
    page.goto(f"/projects/{project.slug}/finder/")
    audit()
    page.get_by_role("group", name=re.compile("Who are you looking for")).get_by_label(
        "Person with lived experience"
    ).check()
    page.get_by_role("button", name="Find people").click()
    audit()
    expect(page.get_by_role("row", name=re.compile("Ada Pool"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Carl Carer"))).to_have_count(0)
    screenshot("finder")
    page.get_by_label("Choose Ada Pool").check()
    page.get_by_role("button", name="Invite the chosen people").click()
    audit()
    expect(page.get_by_role("row", name=re.compile("Ada Pool"))).to_contain_text("Already invited")
    assert outbox[-1].to == ["ada@example.org"]

    # Ada says yes from her email; the lead makes her an active member on the roster.
    membership_express_interest(person=ada, project=project)
    page.goto(f"/projects/{project.slug}/roster/")
    audit()
    page.get_by_label("New status for Ada Pool").select_option(label="Active")
    page.get_by_role("button", name="Save").first.click()
    audit()

    page.goto(f"/projects/{project.slug}/meetings/add/")
    audit()
    starts_at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=7)
    page.get_by_label("Title").fill("First planning meeting")
    page.get_by_label("Starts").fill(local_input(starts_at))
    page.get_by_label("Ends").fill(local_input(starts_at + timedelta(hours=2)))
    page.get_by_label("Where", exact=True).fill("Room 4, Civic Centre")
    screenshot("meeting-form")
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("First planning meeting")
    audit()
    page.get_by_role("link", name="Invite people").first.click()
    audit()
    page.get_by_label("All active members of the project").check()
    page.get_by_role("button", name="Check who will be invited").click()
    expect(page.locator("#preview-heading")).to_contain_text("This will invite 1 person")
    page.get_by_role("button", name="Send the invitations to 1 person").click()
    audit()
    screenshot("meeting-invited")
    assert outbox[-1].to == ["ada@example.org"]
    assert "First planning meeting" in outbox[-1].subject

    # A week later the meeting has happened.
    meeting = Meeting.objects.get(project=project)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    page.goto(f"/projects/{project.slug}/meetings/{meeting.public_id}/attendance/")
    audit()
    page.get_by_role("button", name=re.compile(r"^Came\W+Ada Pool")).click()
    expect(page.locator(f"#person-{ada.public_id}")).to_contain_text("Came (2 hours)")
    audit()
    screenshot("attendance")

    payment = Payment.objects.get(person=ada)
    page.goto(f"/projects/{project.slug}/payments/{payment.public_id}/")
    audit()
    page.get_by_role("button", name="Approve this fee").click()
    # Ada receives benefits, so the lead is asked to check with her first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before approving this fee")
    audit()
    screenshot("benefits-check")
    page.get_by_label("I have checked this with them").check()
    page.get_by_role("button", name="Approve the fee").click()
    expect(page.get_by_text("Approved Ada Pool's fee of £50.00.")).to_be_visible()
    audit()
    page.get_by_label("Payment reference").fill("BACS-0001")
    page.get_by_role("button", name="Mark as paid").click()
    audit()
    screenshot("fee-paid")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID

    # A decision put to a vote, with "you said, we did".
    page.goto(f"/projects/{project.slug}/decisions/add/")
    audit()
    page.get_by_label("Title").fill("Where to meet")
    page.get_by_label("The question").fill("Should we meet in the community centre?")
    page.get_by_label("Options considered").fill("Community centre\nHospital")
    page.get_by_label("How it was decided").select_option(label="Vote for one of the options")
    page.get_by_label("Quorum (per cent of active members)").fill("50")
    page.get_by_label(exactly("Date")).fill(timezone.localdate().isoformat())
    page.get_by_label(re.compile(r"^\s*Co-design")).check()
    page.get_by_label("You said").fill("The hospital is hard to get to by bus.")
    page.get_by_label("We did").fill("We moved the meetings to the community centre.")
    screenshot("decision-form")
    page.get_by_role("button", name="Add the decision").click()
    audit()
    page.get_by_role("button", name="Open voting").click()
    audit()
    decision = Decision.objects.get(project=project)
    centre = decision.option_rows.get(label="Community centre")
    vote_cast(decision=decision, person=ada, ranking=[centre.pk])
    page.reload()
    audit()
    page.get_by_role("button", name="Close voting and apply the rule").click()
    audit()
    expect(page.get_by_text("Community centre").first).to_be_visible()
    screenshot("decision")
    decision.refresh_from_db()
    assert decision.status != "open"

    page.goto(f"/projects/{project.slug}/evidence/add/")
    audit()
    page.get_by_role("link", name="Feedback or a quote").click()
    audit()
    page.get_by_label("Title").fill("What Ada said about the new venue")
    page.get_by_label(exactly("Date")).fill(timezone.localdate().isoformat())
    page.get_by_label(exactly("Source")).fill("A person with lived experience, at the meeting")
    page.get_by_label("The feedback or quote").fill("I could get there on one bus this time.")
    page.get_by_label("Yes, they agreed").check()
    page.get_by_label(re.compile("Where to meet")).check()
    page.get_by_role("button", name="Add the evidence").click()
    audit()
    screenshot("evidence")
    assert EvidenceRecord.objects.filter(project=project).count() == 1

    page.goto("/learning/add/")
    audit()
    page.get_by_label("Title").fill("Meet where people can get to")
    page.get_by_label("What we tried").fill("Meeting at the hospital.")
    page.get_by_label("What happened").fill("Few people came.")
    page.get_by_label("What we learned").fill("Ask people where they can get to first.")
    page.get_by_role("button", name="Add to the library").click()
    audit()
    screenshot("learning")
    assert LearningEntry.objects.filter(title="Meet where people can get to").exists()

    page.goto(f"/projects/{project.slug}/grants/")
    audit()
    page.get_by_label(exactly("Commissioner")).select_option(
        label=f"{commissioner.name} ({commissioner.email})"
    )
    page.get_by_role("button", name="Give access").click()
    audit()
    screenshot("grants")
    assert ReportGrant.objects.filter(project=project, commissioner=commissioner).exists()
