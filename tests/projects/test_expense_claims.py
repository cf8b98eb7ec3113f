"""A participant claims expenses from /me/, with a receipt checked by its content."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from coprod.core.uploads import PDF, RECEIPT_KINDS, RECEIPT_MAX_BYTES, upload_check
from projects.models import ClaimStatus, ExpenseClaim
from projects.services.meetings import attendance_record
from projects.services.payments import ClaimError, expense_claim_submit, payment_policy_for
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import MembershipFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
HEIC_BYTES = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
NOT_A_PDF = b"MZ\x90\x00\x03\x00\x00\x00 this is a program, not a receipt"


@pytest.fixture
def private_storage(tmp_path):
    """Where this test's uploads are kept (the conftest points file storage there)."""
    return tmp_path


def receipt(content: bytes = PDF_BYTES, name: str = "bus ticket.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def claim_data(personas, **overrides) -> dict:
    data = {
        "project": personas.project.slug,
        "meeting": "",
        "spent_on": timezone.localdate().isoformat(),
        "category": "travel",
        "miles": "",
        "amount": "4.50",
        "note": "The number 12 bus there and back",
        "receipt": receipt(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_claim(client, personas, **overrides):
    return client.post(reverse("projects:claim_new"), claim_data(personas, **overrides))


def field_errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def test_a_claim_with_a_pdf_receipt_is_saved_under_a_random_private_name(
    participant_client, personas, private_storage
):
    response = post_claim(participant_client, personas, receipt=receipt(name="../../etc/me.pdf"))

    assert response.status_code == 302
    assert response["Location"] == reverse("projects:my_payments")
    claim = ExpenseClaim.objects.get()
    assert claim.person == personas.participant.person
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.amount == Decimal("4.50")
    assert re.fullmatch(r"receipts/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", claim.receipt.name)
    stored = private_storage / claim.receipt.name
    assert stored.read_bytes() == PDF_BYTES
    assert "etc" not in claim.receipt.name and "me" not in stored.name
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        "Thank you. We have sent your claim for £4.50. "
        "We will tell you when staff have looked at it."
    ]


def test_a_claim_with_a_png_or_heic_photo_receipt_is_accepted(participant_client, personas):
    for content in [PNG_BYTES, HEIC_BYTES]:
        response = post_claim(
            participant_client, personas, receipt=receipt(content, name="photo.jpg")
        )
        assert response.status_code == 302

    names = sorted(claim.receipt.name.rsplit(".", 1)[1] for claim in ExpenseClaim.objects.all())
    assert names == ["heic", "png"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            NOT_A_PDF,
            "We cannot open this file. It must be a photo or a document saved as JPEG, "
            "PNG, HEIC or PDF.",
        ),
        (b"<html><script>alert(1)</script></html>", "We cannot open this file."),
        (b"", "This file is empty. Choose another one."),
        (b"%PDF-" + b"0" * RECEIPT_MAX_BYTES, "This file is too big. It must be 5 MB or smaller."),
    ],
    ids=["program-named-pdf", "html-named-pdf", "empty", "too-big"],
)
def test_a_claim_with_a_bad_receipt_is_refused_beside_the_field_and_nothing_saved(
    participant_client, personas, private_storage, content, message
):
    response = post_claim(participant_client, personas, receipt=receipt(content, "receipt.pdf"))

    assert response.status_code == 200
    errors = field_errors(response, "receipt")
    assert len(errors) == 1 and errors[0].startswith(message)
    beside_the_field = re.search(
        r'id="div_id_receipt".*?</div> </div>', response.content.decode(), re.DOTALL
    )
    assert message in beside_the_field.group()
    assert not ExpenseClaim.objects.exists()
    assert not any(private_storage.rglob("*.*"))


def test_a_claim_with_an_error_keeps_what_was_typed_and_asks_for_the_receipt_again(
    participant_client, personas
):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = post_claim(
        participant_client, personas, spent_on=tomorrow, amount="£12.30", note="Taxi, no bus"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert field_errors(response, "spent_on") == ["The date cannot be in the future."]
    assert f'value="{tomorrow}"' in html
    assert 'value="£12.30"' in html
    assert "Taxi, no bus" in html
    assert "Please choose your receipt file again" in html
    assert not ExpenseClaim.objects.exists()


def test_a_claim_for_more_than_a_year_ago_is_refused(participant_client, personas):
    long_ago = (timezone.localdate() - timedelta(days=366)).isoformat()

    response = post_claim(participant_client, personas, spent_on=long_ago)

    assert field_errors(response, "spent_on") == [
        "You can only claim for money spent in the last 12 months."
    ]
    assert not ExpenseClaim.objects.exists()


def test_a_mileage_claim_is_worked_out_from_miles_times_the_rate_to_the_penny(
    participant_client, personas
):
    policy = payment_policy_for(personas.project)
    policy.mileage_rate = Decimal("0.45")
    policy.save()

    response = post_claim(
        participant_client, personas, category="mileage", miles="12.3", amount="999", receipt=None
    )

    assert response.status_code == 302
    claim = ExpenseClaim.objects.get()
    assert claim.miles == Decimal("12.3")
    assert claim.amount == Decimal("5.54")  # 12.3 × £0.45 = £5.535, rounded half up
    assert not claim.receipt
    message = str(next(iter(response.wsgi_request._messages)))
    assert "12.3 miles at £0.45 a mile, which comes to £5.54" in message


def test_a_mileage_claim_without_miles_is_refused(participant_client, personas):
    response = post_claim(participant_client, personas, category="mileage", miles="")

    assert field_errors(response, "miles") == ["Enter how many miles you drove."]
    assert not ExpenseClaim.objects.exists()


def test_the_claim_form_shows_the_mileage_rate_and_only_covered_categories(
    participant_client, personas
):
    policy = payment_policy_for(personas.project)
    policy.mileage_rate = Decimal("0.30")
    policy.covers_care = False
    policy.save()

    html = participant_client.get(reverse("projects:claim_new")).content.decode()

    assert "mileage at £0.30 a mile" in html
    assert 'value="travel"' in html and 'value="mileage"' in html
    assert 'value="care"' not in html and 'value="food"' not in html


def test_a_claim_for_an_expense_the_project_does_not_cover_is_refused(participant_client, personas):
    MembershipFactory(project=personas.other_project, person=personas.participant.person)
    other_policy = payment_policy_for(personas.other_project)
    other_policy.covers_food = True
    other_policy.save()

    response = post_claim(participant_client, personas, category="food")

    assert field_errors(response, "category") == [
        "Crisis support does not pay for food. It pays for: travel (fares), "
        "mileage at £0.45 a mile, carer or childcare costs."
    ]
    assert not ExpenseClaim.objects.exists()


def test_a_claim_for_someone_elses_project_or_meeting_is_refused(participant_client, personas):
    stranger_meeting = MeetingFactory(project=personas.other_project)

    response = post_claim(
        participant_client,
        personas,
        project=personas.other_project.slug,
        meeting=str(stranger_meeting.public_id),
    )

    assert field_errors(response, "project") == ["Choose one of your projects."]
    assert field_errors(response, "meeting") == ["Choose one of your meetings."]
    assert not ExpenseClaim.objects.exists()


def test_a_claim_for_a_meeting_attended_is_linked_to_it(participant_client, personas):
    meeting = MeetingFactory(
        project=personas.project, starts_at=timezone.now() - timedelta(days=2), title="Drop-in"
    )
    attendance_record(
        meeting=meeting,
        person=personas.participant.person,
        status="attended",
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )
    form_page = participant_client.get(
        reverse("projects:claim_new") + f"?meeting={meeting.public_id}"
    )
    assert re.search(
        rf'<option value="{meeting.public_id}" selected>Drop-in', form_page.content.decode()
    )

    response = post_claim(participant_client, personas, meeting=str(meeting.public_id))

    assert response.status_code == 302
    assert ExpenseClaim.objects.get().meeting == meeting


def test_expense_claim_submit_checks_the_policy_and_the_receipt_itself(personas, private_storage):
    person = personas.participant.person
    today = timezone.localdate()
    with pytest.raises(ClaimError, match="does not pay for this") as refused:
        expense_claim_submit(
            person=person,
            project=personas.project,
            category="food",
            spent_on=today,
            amount=Decimal("3"),
            receipt=receipt(),
        )
    assert refused.value.field == "category"
    with pytest.raises(ClaimError, match="We cannot open this file") as refused:
        expense_claim_submit(
            person=person,
            project=personas.project,
            category="travel",
            spent_on=today,
            amount=Decimal("3"),
            receipt=receipt(NOT_A_PDF),
        )
    assert refused.value.field == "receipt"
    assert not ExpenseClaim.objects.exists()


def test_claim_receipt_check_reads_the_content_not_the_name():
    assert upload_check(receipt(PDF_BYTES, "photo.png"), kinds=RECEIPT_KINDS, max_bytes=100) == PDF
    with pytest.raises(ValidationError) as refused:
        upload_check(receipt(NOT_A_PDF, "receipt.pdf"), kinds=RECEIPT_KINDS, max_bytes=100)
    assert refused.value.code == "wrong_type"
    with pytest.raises(ValidationError) as refused:
        upload_check(receipt(PDF_BYTES, "receipt.pdf"), kinds=RECEIPT_KINDS, max_bytes=10)
    assert refused.value.code == "too_big"


# The receipt page -------------------------------------------------------------------


@pytest.fixture
def claim(participant_client, personas):
    post_claim(participant_client, personas)
    participant_client.logout()
    return ExpenseClaim.objects.get()


def receipt_url(claim) -> str:
    return reverse("projects:claim_receipt", args=[claim.public_id])


def test_the_claim_receipt_is_served_to_its_owner_as_an_attachment(client, personas, claim):
    client.force_login(personas.participant)

    response = client.get(receipt_url(claim))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="receipt-{claim.spent_on:%Y-%m-%d}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_can_download_a_claim_receipt(client, personas, claim):
    client.force_login(personas.staff)

    response = client.get(receipt_url(claim))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_claim_receipt_is_hidden_from_other_participants_and_commissioners(
    client, personas, claim
):
    client.force_login(personas.other_participant)
    assert client.get(receipt_url(claim)).status_code == 404
    client.force_login(personas.commissioner)
    assert client.get(receipt_url(claim)).status_code == 403
    client.logout()
    response = client.get(receipt_url(claim))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_claim_without_a_receipt_has_no_receipt_to_download(client, personas):
    claim = expense_claim_submit(
        person=personas.participant.person,
        project=personas.project,
        category="mileage",
        spent_on=timezone.localdate(),
        miles=Decimal("10"),
    )
    client.force_login(personas.participant)

    assert client.get(receipt_url(claim)).status_code == 404


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=200).map(lambda tail: b"%PDF" + tail),
        st.binary(max_size=200).map(lambda tail: b"\x89PN" + tail),
    ),
    name=st.sampled_from(["receipt.pdf", "photo.png", "photo.jpg", "x", "../../x.pdf"]),
)
def test_an_expense_receipt_of_random_bytes_never_gives_a_500_or_saves_a_claim(
    participant_client, personas, content, name
):
    assume(not any(kind.matches(content[:16]) for kind in RECEIPT_KINDS))

    response = post_claim(participant_client, personas, receipt=receipt(content, name))

    assert response.status_code == 200
    assert field_errors(response, "receipt")
    assert not ExpenseClaim.objects.exists()


# An archived project is read-only --------------------------------------------------------

ENDED = "This project has ended and its records are kept as they are, so nothing can be changed."


def archive(project) -> None:
    project.archived_at = timezone.now()
    project.save(update_fields=["archived_at"])


def test_an_archived_project_is_not_offered_and_a_claim_for_it_is_refused_and_not_saved(
    participant_client, personas
):
    MembershipFactory(project=personas.other_project, person=personas.participant.person)
    archive(personas.project)

    page = participant_client.get(reverse("projects:claim_new")).content.decode()
    response = post_claim(participant_client, personas)

    assert 'value="housing-repairs"' in page
    assert 'value="crisis-support"' not in page
    assert response.status_code == 200
    assert field_errors(response, "project") == [ENDED]
    assert not ExpenseClaim.objects.exists()


def test_the_claim_service_refuses_a_claim_for_an_archived_project(personas):
    archive(personas.project)

    with pytest.raises(ClaimError, match="This project has ended") as refused:
        expense_claim_submit(
            person=personas.participant.person,
            project=personas.project,
            category="mileage",
            spent_on=timezone.localdate(),
            miles=Decimal("10"),
        )

    assert refused.value.field == "project"
    assert not ExpenseClaim.objects.exists()
