"""The pages participants read are written for a reading age of about 11 to 12, and use
none of the words staff use about them."""

import re

import pytest
import textstat
from playwright.sync_api import expect

from tests.e2e.test_commissioner_journey import log_in_as
from tests.factories.projects import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Flesch-Kincaid gives a US school grade; a reader's age is about the grade plus 5, so grade 7
# is age 12. Short pages of labels can score oddly, so a reading ease of 60 or more ("plain
# English") also passes.
MAX_GRADE = 7
MIN_READING_EASE = 60
JARGON = re.compile(
    r"stakeholder|co-?production|coproduc|GRIPP|GDPR|data subject|cohort|service user",
    re.IGNORECASE,
)

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
    "/me/consent/equality/withdraw/",
    "/me/consent/involvement/withdraw/",
]


def sentences_of(page) -> str:
    """The visible words of the page's main part. Each line (a heading, a label, a list item)
    counts as a sentence of its own, as a reader takes it."""
    lines = [line.strip() for line in page.locator("main").inner_text().splitlines()]
    return " ".join(line if line[-1] in ".?!:" else f"{line}." for line in lines if line)


def check_plain_english(page, path: str) -> tuple[float, float]:
    text = sentences_of(page)
    jargon = sorted({match.lower() for match in JARGON.findall(text)})
    assert not jargon, f"{path} shows participants the words {jargon}"
    grade = textstat.flesch_kincaid_grade(text)
    ease = textstat.flesch_reading_ease(text)
    assert grade <= MAX_GRADE or ease >= MIN_READING_EASE, (
        f"{path} reads at US grade {grade} (reading ease {ease}): use shorter sentences and words"
    )
    return grade, ease


def test_sign_up_and_my_pages_are_in_plain_english(page, audit, personas):
    project = ProjectFactory(
        name="Better crisis care",
        slug="crisis-care",
        summary="Help us change what happens when someone is in a mental health crisis.",
        time_commitment="Two hours a month",
        payment_offer="£25 an hour, plus travel",
        contact_name="Jo Bloggs",
        contact_email="jo@example.org",
    )
    scores = {}

    page.goto(f"/join/{project.slug}/")
    audit()
    scores["join"] = check_plain_english(page, "/join/")

    log_in_as(page, audit, personas.participant, lands_on="/me/")
    for path in MY_PAGES:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        audit()
        scores[path] = check_plain_english(page, path)
    print("Flesch-Kincaid grade and reading ease:", scores)
