"""'A letter for the Jobcentre': the PDF a person gets from /me/payments/ and staff get from
the person page, read back as text."""

import io
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coprod.core import ratelimit
from projects.models import FeeChoice, Payment, PaymentKind, PaymentStatus
from projects.selectors.fee_benefits import tax_year
from projects.views import jobcentre_letter as letter_views
from stakeholders.models import PaymentMethod

pytestmark = pytest.mark.django_db

MY_LETTER = reverse("projects:my_jobcentre_letter")


def _person_letter_url(person) -> str:
    return reverse("projects:person_jobcentre_letter", kwargs={"person_id": person.public_id})


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def fee(person, project, *, activity, amount, on, **fields) -> Payment:
    fields.setdefault("method", PaymentMethod.BANK_TRANSFER)
    return Payment.objects.create(
        person=person,
        project=project,
        activity=activity,
        amount=Decimal(amount),
        offered_on=on,
        **fields,
    )


@pytest.fixture
def fees(personas):
    """The participant's fees: two to list (one paid, one owed), and one of each kind that
    is not their income, plus one from last tax year."""
    person, project = personas.participant.person, personas.project
    starts, _ = tax_year(timezone.localdate())
    project.summary = "Redesigning the crisis line with people who have used it."
    project.time_commitment = "Two hours a month"
    project.save()
    paid = fee(person, project, activity="Planning workshop", amount="25.00", on=starts)
    Payment.objects.filter(pk=paid.pk).update(status=PaymentStatus.PAID, paid_on=starts)
    fee(person, project, activity="Menu tasting", amount="17.50", on=starts + timedelta(days=1))
    fee(
        person,
        project,
        activity="Declined session",
        amount="91.00",
        on=starts,
        status=PaymentStatus.DECLINED,
    )
    fee(
        person,
        project,
        activity="Charity session",
        amount="92.00",
        on=starts,
        choice=FeeChoice.CHARITY,
        charity_name="Mind",
    )
    fee(
        person,
        project,
        activity="Cancelled session",
        amount="93.00",
        on=starts,
        status=PaymentStatus.CANCELLED,
    )
    mistake = fee(person, project, activity="Paid twice", amount="94.00", on=starts)
    Payment.objects.filter(pk=mistake.pk).update(status=PaymentStatus.PAID, paid_on=starts)
    Payment.objects.create(
        person=person,
        project=project,
        kind=PaymentKind.REVERSAL,
        activity="Paid twice",
        amount=Decimal("94.00"),
        reverses=mistake,
    )
    fee(person, project, activity="Last year", amount="95.00", on=starts - timedelta(days=1))
    return SimpleNamespace(starts=starts)


def test_the_person_gets_their_own_letter_as_a_dated_pdf(participant_client, personas, fees):
    response = participant_client.get(MY_LETTER)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="letter-for-the-jobcentre-{today:%Y-%m-%d}.pdf"'
    )
    text = _pdf_text(response)
    assert f"{today:%-d %B %Y}" in text
    assert "To whom it may concern" in text
    assert personas.participant.person.full_name in text
    assert "Crisis support" in text
    assert "Redesigning the crisis line with people who have used it." in text
    assert "Two hours a month" in text
    assert "service-user involvement" in text
    assert "not employment" in text
    assert "can stop at any time" in text
    assert "expenses" in text.lower() and "not earnings" in text


def test_the_letter_lists_this_tax_years_fees_with_dates_and_leaves_out_what_is_not_income(
    participant_client, fees
):
    text = _pdf_text(participant_client.get(MY_LETTER))
    starts = fees.starts
    second = starts + timedelta(days=1)

    assert f"{starts:%-d %B %Y} to 5 April {starts.year + 1}" in text
    assert f"{starts:%-d %B %Y} Planning workshop (Crisis support) £25.00 Paid on" in text
    assert f"{second:%-d %B %Y} Menu tasting (Crisis support) £17.50 Not paid yet" in text
    assert "Total this tax year £42.50 £25.00 paid, £17.50 owed" in text
    for not_income in ("Declined", "Charity session", "Cancelled session", "Paid twice"):
        assert not_income not in text
    for amount in ("£91", "£92", "£93", "£94", "£95"):
        assert amount not in text
    assert "1 fee where they chose not to be paid" in text
    assert "1 fee where they asked for it to be paid to a charity" in text
    assert "1 fee where it was cancelled" in text
    assert "1 fee where it was paid by mistake and taken back" in text


def test_staff_get_the_same_letter_from_the_person_page(staff_client, personas, fees):
    page = staff_client.get(
        reverse("projects:person", kwargs={"person_id": personas.participant.person.public_id})
    )
    url = _person_letter_url(personas.participant.person)
    assert url in page.content.decode()

    text = _pdf_text(staff_client.get(url))

    assert personas.participant.person.full_name in text
    assert "Total this tax year £42.50" in text


def test_my_payments_offers_the_letter_and_says_what_it_is_for(participant_client):
    page = participant_client.get(reverse("projects:my_payments")).content.decode()

    assert MY_LETTER in page
    assert "your work coach may ask about the money you get for taking part" in page


def test_a_participant_can_never_get_someone_elses_letter(participant_client, personas, fees):
    other = personas.other_participant.person

    refused = participant_client.get(_person_letter_url(other))
    own = participant_client.get(MY_LETTER)

    assert refused.status_code == 403
    assert refused["Content-Type"] != "application/pdf"
    assert other.full_name not in _pdf_text(own)
    assert personas.participant.person.full_name in _pdf_text(own)


def test_a_commissioner_gets_no_letter(commissioner_client, personas):
    assert commissioner_client.get(MY_LETTER).status_code == 403
    assert (
        commissioner_client.get(_person_letter_url(personas.participant.person)).status_code == 403
    )


def test_staff_are_told_there_is_no_letter_for_an_erased_person(staff_client, personas):
    person = personas.other_participant.person
    person.erased_at = timezone.now()
    person.save(update_fields=["erased_at"])

    response = staff_client.get(_person_letter_url(person), follow=True)

    assert response.redirect_chain[-1][0].endswith(f"/people/{person.public_id}/")
    assert "there is no letter to make for them" in response.content.decode()


def test_a_seventh_letter_in_a_minute_is_refused(participant_client, monkeypatch):
    made = []

    def html_to_pdf(html, *, base_url):
        made.append(html)
        return b"%PDF-1.7 made in the test"

    monkeypatch.setattr(letter_views, "html_to_pdf", html_to_pdf)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))

    statuses = [participant_client.get(MY_LETTER).status_code for _ in range(6)]
    refused = participant_client.get(MY_LETTER)

    assert statuses == [200] * 6
    assert refused.status_code == 429
    assert len(made) == 6
