"""Measures in a real browser: a participant answers ONS4 from their page on a phone and
sees their answers saved; staff type in someone's answers from a paper form."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evidence.models import MeasureResponse, RoundKind
from tests.e2e.conftest import PHONE
from tests.e2e.test_coming_back import fits_small_phones, log_in
from tests.factories.measures import MeasureRoundFactory, ProjectMeasureFactory, ons4
from tests.factories.people import PASSWORD, ParticipantFactory, StaffFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_baseline():
    project = ProjectFactory(name="Crisis support", slug="crisis-support")
    today = timezone.localdate()
    return MeasureRoundFactory(
        project_measure=ProjectMeasureFactory(project=project, measure=ons4()),
        kind=RoundKind.BASELINE,
        name="Baseline",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=20),
    )


def test_a_participant_answers_ons4_from_their_page_on_a_phone(
    page, audit, screenshot, open_baseline
):
    user = ParticipantFactory(email="pat@example.org", name="Pat Participant")
    person = PersonFactory(user=user, email=user.email, full_name="Pat Participant")
    MembershipFactory(project=open_baseline.project_measure.project, person=person)
    page.set_viewport_size(PHONE)

    log_in(page, audit, "pat@example.org")
    audit()
    expect(
        page.get_by_role("heading", name="Questions for Crisis support: Baseline")
    ).to_be_visible()
    page.get_by_role("link", name=re.compile("^Answer the questions")).click()

    audit()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Questions for Crisis support: Baseline"
    )
    satisfied = page.get_by_role(
        "group", name="Overall, how satisfied are you with your life nowadays?"
    )
    expect(satisfied.get_by_label(re.compile(r"^0\s*Not at all$"))).to_be_visible()
    expect(satisfied.get_by_label(re.compile(r"^10\s*Completely$"))).to_be_visible()
    fits_small_phones(page)
    screenshot("questions")
    for question, answer in [
        ("Overall, how satisfied are you with your life nowadays?", "6"),
        (
            "Overall, to what extent do you feel that the things you do in your life are "
            "worthwhile?",
            "7",
        ),
        ("Overall, how happy did you feel yesterday?", "5"),
    ]:
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Save my answers").click()

    audit()
    expect(page.locator("#error-summary")).to_contain_text(
        "Choose an answer from 0 (Not at all) to 10 (Completely)."
    )
    expect(
        page.get_by_role("group", name="Overall, how happy did you feel yesterday?").get_by_label(
            "5", exact=True
        )
    ).to_be_checked()
    page.get_by_role("group", name="Overall, how anxious did you feel yesterday?").get_by_label(
        "3", exact=True
    ).check()
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Save my answers").click()

    audit()
    expect(page.get_by_text("Thank you. Your answers are saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("My answers about how I am")
    fits_small_phones(page)
    screenshot("saved")
    answers = MeasureResponse.objects.get(person=person).answers.order_by("question__position")
    assert [answer.value for answer in answers] == [6, 7, 5, 3]
    page.get_by_role("link", name="Back to my page").click()
    audit()
    expect(
        page.get_by_role("heading", name="Questions for Crisis support: Baseline")
    ).to_have_count(0)


def test_staff_type_in_answers_from_a_paper_form(page, audit, screenshot, settings, open_baseline):
    settings.COPROD_STAFF_MFA_REQUIRED = False
    project = open_baseline.project_measure.project
    StaffFactory(email="sam@example.org", name="Sam Staff")
    person = PersonFactory(full_name="Ola Paper", email="")
    MembershipFactory(project=project, person=person)

    log_in_staff(page, audit)
    page.goto(f"/projects/{project.slug}/measures/")
    audit()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Measures people answer: Crisis support"
    )
    screenshot("project-measures")
    page.get_by_role("link", name=re.compile("^Type in paper answers")).click()

    audit()
    page.get_by_label("Whose answers are these?").select_option(label="Ola Paper")
    for group in page.get_by_role("group").filter(has_text="Overall").all():
        group.get_by_label("4", exact=True).check()
    page.get_by_label("On paper, recorded by staff").check()
    page.get_by_label("They agree to the words above").check()
    screenshot("paper-answers")
    page.get_by_role("button", name="Save their answers").click()

    audit()
    expect(page.get_by_text("marked as entered by staff from a paper form")).to_be_visible()
    expect(page.get_by_role("cell", name="1 (1 from paper)")).to_be_visible()
    saved = MeasureResponse.objects.get(person=person)
    assert saved.on_their_behalf and saved.entered_by.email == "sam@example.org"


def log_in_staff(page, audit) -> None:
    page.goto("/accounts/login/")
    audit()
    page.locator("#id_login").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    audit()
