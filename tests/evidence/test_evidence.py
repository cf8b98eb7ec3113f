"""A project's evidence: each kind with its own questions, outcome values over time, the
GRIPP2 impact summary, the cost–benefit view, and staff-only access."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from decisions.services import decision_create
from evidence.models import (
    BetterDirection,
    EvidenceKind,
    EvidenceRecord,
    ImpactSummary,
    OutcomeValue,
)
from evidence.selectors import cost_benefit
from projects.models import ClaimStatus, ExpenseClaim, Payment, PaymentKind, PaymentStatus
from tests.factories.evidence import EvidenceRecordFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% minutes of the March workshop\n"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Uploaded documents are written to a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def assert_error_beside(response, field: str, message: str) -> None:
    """The message is shown in the error block that belongs to the field."""
    html = response.content.decode()
    assert f'<p id="error_1_id_{field}"><strong>{escape(message)}</strong></p>' in html, (
        f"{message!r} is not beside {field}"
    )


def add_url(personas, kind: str = "") -> str:
    url = reverse("evidence:evidence_add", kwargs={"slug": personas.project.slug})
    return f"{url}?kind={kind}" if kind else url


def detail_url(record: EvidenceRecord) -> str:
    return reverse(
        "evidence:evidence",
        kwargs={"slug": record.project.slug, "evidence_id": record.public_id},
    )


def common(**fields) -> dict:
    return {"title": "Waiting times", "recorded_on": "2026-03-02", "source": "Audit"} | fields


def make_decision(project, staff, title: str = "Open on Saturdays"):
    return decision_create(
        project=project,
        created_by=staff,
        title=title,
        question="Should the drop-in open on Saturdays?",
        method="consensus",
        ladder_rung="co_design",
    )


# Each kind of evidence ---------------------------------------------------------------------


def test_an_outcome_is_saved_with_its_unit_direction_baseline_and_decisions(staff_client, personas):
    decision = make_decision(personas.project, personas.staff)

    response = staff_client.post(
        add_url(personas, "outcome"),
        common(
            title="Days waiting for a first appointment",
            unit="days",
            better="lower",
            baseline_value="42",
            baseline_on="05/01/2026",
            decisions=[str(decision.public_id)],
        ),
    )

    record = EvidenceRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(record)
    assert (record.kind, record.unit, record.better) == ("outcome", "days", "lower")
    assert record.baseline_value == Decimal("42.00")
    assert record.baseline_on == date(2026, 1, 5)
    assert record.created_by == personas.staff
    assert list(record.decisions.all()) == [decision]


def test_an_outcome_without_unit_direction_or_baseline_is_refused_beside_each_field(
    staff_client, personas
):
    response = staff_client.post(
        add_url(personas, "outcome"), common(title="Days waiting", source="Booking system")
    )

    assert response.status_code == 200
    assert_error_beside(response, "unit", "Enter the unit, for example days, people or %.")
    assert_error_beside(response, "better", "Choose which way is better: higher or lower.")
    assert_error_beside(
        response, "baseline_value", "Enter the baseline: the measure before the work began."
    )
    assert_error_beside(response, "baseline_on", "Enter the date of the baseline.")
    assert 'value="Days waiting"' in response.content.decode()
    assert 'value="Booking system"' in response.content.decode()
    assert not EvidenceRecord.objects.exists()


def test_a_cost_needs_an_amount(staff_client, personas):
    response = staff_client.post(add_url(personas, "cost"), common(title="Room hire"))

    assert_error_beside(response, "amount", "Enter the cost in pounds, like 1250.00.")
    assert not EvidenceRecord.objects.exists()


def test_a_saving_needs_an_amount_and_how_it_was_estimated(staff_client, personas):
    response = staff_client.post(add_url(personas, "saving"), common(title="Fewer missed visits"))

    assert_error_beside(response, "amount", "Enter the saving in pounds, like 1250.00.")
    assert_error_beside(
        response, "text", "Say how the saving was estimated, so that others can check it."
    )
    assert not EvidenceRecord.objects.exists()


def test_an_amount_typed_with_a_pound_sign_and_commas_is_read_to_the_penny(staff_client, personas):
    staff_client.post(
        add_url(personas, "saving"),
        common(title="Fewer missed visits", amount="£1,250.50", text="40 visits × £31.26"),
    )

    record = EvidenceRecord.objects.get()
    assert record.amount == Decimal("1250.50")
    assert record.text == "40 visits × £31.26"


def test_an_amount_with_fractions_of_a_penny_is_refused(staff_client, personas):
    response = staff_client.post(add_url(personas, "cost"), common(amount="12.345"))

    assert_error_beside(response, "amount", "Enter pounds and pence only, like 1250.50.")
    assert 'value="12.345"' in response.content.decode()
    assert not EvidenceRecord.objects.exists()


@pytest.mark.parametrize("kind", ["feedback", "story"])
def test_feedback_and_stories_ask_whether_the_person_agreed_to_publication(
    staff_client, personas, kind
):
    typed = "The evening sessions meant I could come after my shift."

    refused = staff_client.post(add_url(personas, kind), common(text=typed))
    agreed = staff_client.post(
        add_url(personas, kind), common(text=typed, consent_to_publish="yes")
    )
    not_agreed = staff_client.post(
        add_url(personas, kind), common(title="Second", text=typed, consent_to_publish="no")
    )

    assert_error_beside(
        refused, "consent_to_publish", "Say whether the person agreed to this being published."
    )
    assert typed in refused.content.decode()
    assert agreed.status_code == not_agreed.status_code == 302
    assert dict(EvidenceRecord.objects.values_list("title", "consent_to_publish")) == {
        "Waiting times": True,
        "Second": False,
    }


def test_feedback_needs_the_words_people_said(staff_client, personas):
    response = staff_client.post(add_url(personas, "feedback"), common(consent_to_publish="no"))

    assert_error_beside(response, "text", "Write down the feedback, in the person's own words.")
    assert not EvidenceRecord.objects.exists()


def test_the_form_shows_only_the_fields_of_the_chosen_kind(staff_client, personas):
    cost = staff_client.get(add_url(personas, "cost")).content.decode()
    outcome = staff_client.get(add_url(personas, "outcome")).content.decode()
    story = staff_client.get(add_url(personas, "story")).content.decode()

    assert 'name="amount"' in cost and 'name="unit"' not in cost
    assert 'name="unit"' in outcome and 'name="amount"' not in outcome
    assert 'name="consent_to_publish"' in story and 'name="consent_to_publish"' not in cost


def test_without_a_kind_the_page_asks_which_kind_first(staff_client, personas):
    response = staff_client.get(add_url(personas))

    assert b"What kind of evidence are you adding?" in response.content
    for kind in EvidenceKind.values:
        assert f"?kind={kind}".encode() in response.content


def test_a_made_up_kind_is_asked_again_and_nothing_is_saved(staff_client, personas):
    response = staff_client.post(add_url(personas, "rumour"), common(), follow=True)

    assert b"Choose what kind of evidence you are adding." in response.content
    assert not EvidenceRecord.objects.exists()


def test_only_the_projects_own_decisions_can_be_linked(staff_client, personas):
    make_decision(personas.project, personas.staff)
    elsewhere = make_decision(personas.other_project, personas.staff, "Another project's")

    response = staff_client.post(
        add_url(personas, "cost"), common(amount="10", decisions=[str(elsewhere.public_id)])
    )

    assert_error_beside(
        response,
        "decisions",
        "One of the decisions you ticked is no longer in this project. Tick again.",
    )
    assert not EvidenceRecord.objects.exists()


def test_a_document_is_checked_by_what_it_contains_not_its_name(staff_client, personas):
    fake = SimpleUploadedFile("minutes.pdf", b"just some text", content_type="application/pdf")

    response = staff_client.post(
        add_url(personas, "document"), common(title="Workshop minutes", document=fake)
    )

    assert_error_beside(
        response,
        "document",
        "We cannot open this file. It must be a photo or a document saved as PDF, PNG or JPEG.",
    )
    assert not EvidenceRecord.objects.exists()


def test_a_document_is_stored_privately_and_downloaded_by_staff(staff_client, personas):
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF_BYTES, content_type="text/plain")

    staff_client.post(
        add_url(personas, "document"), common(title="Workshop minutes", document=upload)
    )
    record = EvidenceRecord.objects.get()
    download = staff_client.get(
        reverse(
            "evidence:evidence_document",
            kwargs={"slug": personas.project.slug, "evidence_id": record.public_id},
        )
    )

    assert record.document.name.startswith("evidence/")
    assert "passwd" not in record.document.name
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="workshop-minutes.pdf"'
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_editing_a_document_without_a_new_file_keeps_the_file(staff_client, personas):
    upload = SimpleUploadedFile("minutes.pdf", PDF_BYTES)
    staff_client.post(add_url(personas, "document"), common(document=upload))
    record = EvidenceRecord.objects.get()
    stored = record.document.name

    response = staff_client.post(
        reverse(
            "evidence:evidence_edit",
            kwargs={"slug": personas.project.slug, "evidence_id": record.public_id},
        ),
        common(title="Minutes, March"),
    )

    record.refresh_from_db()
    assert response.status_code == 302
    assert record.title == "Minutes, March"
    assert record.document.name == stored
    assert record.document.storage.exists(stored)


def test_a_new_document_replaces_the_old_file_which_is_deleted(
    staff_client, personas, django_capture_on_commit_callbacks
):
    staff_client.post(
        add_url(personas, "document"), common(document=SimpleUploadedFile("a.pdf", PDF_BYTES))
    )
    record = EvidenceRecord.objects.get()
    old = record.document.name
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse(
                "evidence:evidence_edit",
                kwargs={"slug": personas.project.slug, "evidence_id": record.public_id},
            ),
            common(document=SimpleUploadedFile("flipchart.png", png)),
        )

    record.refresh_from_db()
    assert record.document.name.endswith(".png")
    assert record.document.read() == png
    assert not record.document.storage.exists(old)


def test_editing_keeps_the_kind_and_saves_the_changes(staff_client, personas):
    record = EvidenceRecordFactory(project=personas.project)

    staff_client.post(
        reverse(
            "evidence:evidence_edit",
            kwargs={"slug": personas.project.slug, "evidence_id": record.public_id},
        ),
        common(
            title="Days waiting",
            unit="weeks",
            better="lower",
            baseline_value="6",
            baseline_on="2026-01-05",
            kind="saving",
        ),
    )

    record.refresh_from_db()
    assert (record.kind, record.title, record.unit) == ("outcome", "Days waiting", "weeks")
    assert record.baseline_value == Decimal("6.00")


def test_evidence_of_another_project_is_not_found(staff_client, personas):
    record = EvidenceRecordFactory(project=personas.other_project)

    response = staff_client.get(
        reverse(
            "evidence:evidence",
            kwargs={"slug": personas.project.slug, "evidence_id": record.public_id},
        )
    )

    assert response.status_code == 404


def test_deleting_asks_first_then_deletes_the_record_and_its_values(staff_client, personas):
    record = EvidenceRecordFactory(project=personas.project)
    OutcomeValue.objects.create(record=record, value=Decimal("30"), measured_on=date(2026, 3, 1))
    url = reverse(
        "evidence:evidence_delete",
        kwargs={"slug": personas.project.slug, "evidence_id": record.public_id},
    )

    asked = staff_client.get(url)
    assert b"It cannot be undone." in asked.content
    assert EvidenceRecord.objects.exists()

    deleted = staff_client.post(url)

    assert deleted["Location"] == reverse(
        "evidence:project_evidence", kwargs={"slug": personas.project.slug}
    )
    assert not EvidenceRecord.objects.exists()
    assert not OutcomeValue.objects.exists()


# Outcome values ----------------------------------------------------------------------------


def value_url(record: EvidenceRecord) -> str:
    return reverse(
        "evidence:outcome_value_add",
        kwargs={"slug": record.project.slug, "evidence_id": record.public_id},
    )


def test_later_outcome_values_are_added_and_shown_after_the_baseline(staff_client, personas):
    record = EvidenceRecordFactory(project=personas.project, title="Days waiting")

    response = staff_client.post(value_url(record), {"value": "31.5", "measured_on": "2026-04-01"})
    staff_client.post(value_url(record), {"value": "28", "measured_on": "2026-02-01"})
    page = staff_client.get(detail_url(record)).content.decode()

    assert response["Location"] == f"{detail_url(record)}#values"
    assert list(record.values.values_list("value", "measured_on")) == [
        (Decimal("28.00"), date(2026, 2, 1)),
        (Decimal("31.50"), date(2026, 4, 1)),
    ]
    assert page.index("5 Jan 2026 (baseline)") < page.index("1 Feb 2026") < page.index("1 Apr 2026")
    assert "31.5" in page


def test_a_value_before_the_baseline_is_refused_and_what_was_typed_is_kept(staff_client, personas):
    record = EvidenceRecordFactory(project=personas.project)

    response = staff_client.post(value_url(record), {"value": "17.25", "measured_on": "2025-12-01"})

    assert response.status_code == 200
    assert_error_beside(
        response,
        "measured_on",
        "A later value must be measured on or after the baseline date, 5 January 2026.",
    )
    assert 'value="17.25"' in response.content.decode()
    assert not OutcomeValue.objects.exists()


def test_a_value_in_the_future_is_refused(staff_client, personas):
    record = EvidenceRecordFactory(project=personas.project)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = staff_client.post(
        value_url(record), {"value": "3", "measured_on": tomorrow.isoformat()}
    )

    assert_error_beside(response, "measured_on", "The date cannot be in the future.")
    assert not OutcomeValue.objects.exists()


def test_only_an_outcome_measure_takes_values(staff_client, personas):
    record = EvidenceRecordFactory(project=personas.project, kind="cost", amount=Decimal("5"))

    response = staff_client.post(
        value_url(record), {"value": "3", "measured_on": "2026-02-01"}, follow=True
    )

    assert b"Only an outcome measure has values over time." in response.content
    assert not OutcomeValue.objects.exists()


# The list of evidence ----------------------------------------------------------------------


def test_the_evidence_list_filters_by_kind(staff_client, personas):
    EvidenceRecordFactory(project=personas.project, title="Waiting days")
    EvidenceRecordFactory(project=personas.project, kind="cost", title="Room hire", amount=9)
    EvidenceRecordFactory(project=personas.other_project, kind="cost", title="Someone else's")
    url = reverse("evidence:project_evidence", kwargs={"slug": personas.project.slug})

    everything = staff_client.get(url).content.decode()
    costs = staff_client.get(f"{url}?kind=cost").content.decode()

    assert "Waiting days" in everything and "Room hire" in everything
    assert "Room hire" in costs and "Waiting days" not in costs
    assert "Someone else&#x27;s" not in everything


def test_the_evidence_list_runs_the_same_number_of_queries_for_3_or_30_records(
    staff_client, personas
):
    decision = make_decision(personas.project, personas.staff)
    url = reverse("evidence:project_evidence", kwargs={"slug": personas.project.slug})

    def queries_with(count: int) -> int:
        EvidenceRecord.objects.all().delete()
        for number in range(count):
            record = EvidenceRecordFactory(project=personas.project, title=f"Measure {number}")
            record.decisions.add(decision)
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url)
        assert response.status_code == 200
        return len(captured)

    assert queries_with(3) == queries_with(30)


def test_the_dashboard_shows_recent_evidence_across_projects(staff_client, personas):
    EvidenceRecordFactory(project=personas.project, title="Waiting days")
    EvidenceRecordFactory(project=personas.other_project, title="Repairs on time")

    page = staff_client.get(reverse("pages:dashboard")).content.decode()

    assert "Recent evidence" in page
    assert "Waiting days" in page and "Repairs on time" in page
    assert "No evidence has been added yet." not in page


# The GRIPP2 impact summary -----------------------------------------------------------------


def test_the_gripp2_impact_summary_is_saved_under_its_five_headings(staff_client, personas):
    url = reverse("evidence:impact_summary", kwargs={"slug": personas.project.slug})
    guidance = staff_client.get(url).content.decode()
    answers = {
        "aim": "To shape the crisis line with people who have used it.",
        "methods": "Twelve people with lived experience met monthly.",
        "results": "A new out-of-hours callback.",
        "influence": "The callback hours were chosen by participants.",
        "reflections": "We started too late in design.",
    }

    response = staff_client.post(url, answers)

    summary = ImpactSummary.objects.get(project=personas.project)
    assert response.status_code == 302
    assert {name: getattr(summary, name) for name in answers} == answers
    for heading in ["Aim", "Methods", "Results", "Influence", "Reflections"]:
        assert re.search(rf"<label[^>]*>\s*{heading}\s*</label>", guidance), heading
    assert "What changed in the service or the project because of it." in guidance


def test_saving_the_impact_summary_again_changes_the_same_summary(staff_client, personas):
    url = reverse("evidence:impact_summary", kwargs={"slug": personas.project.slug})
    staff_client.post(url, {"aim": "First aim"})

    staff_client.post(url, {"aim": "Better aim", "results": "Some"})

    assert list(ImpactSummary.objects.values_list("aim", "results")) == [("Better aim", "Some")]


# Cost–benefit ------------------------------------------------------------------------------


def fee(personas, amount: str, status: str, project=None, **fields) -> Payment:
    return Payment.objects.create(
        person=personas.participant.person,
        project=project or personas.project,
        activity="Planning session",
        amount=Decimal(amount),
        status=status,
        **fields,
    )


def claim(personas, amount: str, status: str, project=None) -> ExpenseClaim:
    return ExpenseClaim.objects.create(
        person=personas.participant.person,
        project=project or personas.project,
        spent_on=date(2026, 3, 1),
        category="travel",
        amount=Decimal(amount),
        status=status,
    )


def test_cost_benefit_counts_fees_paid_net_of_reversals_and_expenses_paid_to_the_penny(
    staff_client, personas
):
    fee(personas, "20.00", PaymentStatus.PAID)
    reversed_fee = fee(personas, "15.50", PaymentStatus.PAID)
    fee(personas, "15.50", PaymentStatus.PAID, kind=PaymentKind.REVERSAL, reverses=reversed_fee)
    fee(personas, "30.00", PaymentStatus.OWED)
    fee(personas, "25.00", PaymentStatus.APPROVED)
    fee(personas, "40.00", PaymentStatus.CANCELLED)
    fee(personas, "99.99", PaymentStatus.PAID, project=personas.other_project)
    claim(personas, "4.35", ClaimStatus.PAID)
    claim(personas, "10.00", ClaimStatus.APPROVED)
    claim(personas, "7.00", ClaimStatus.SUBMITTED)
    claim(personas, "3.00", ClaimStatus.REJECTED)
    for title, amount in [("Fewer missed visits", "100.00"), ("Fewer admissions", "23.45")]:
        EvidenceRecordFactory(
            project=personas.project, kind="saving", title=title, amount=Decimal(amount)
        )
    EvidenceRecordFactory(project=personas.project, kind="cost", amount=Decimal("12.10"))
    EvidenceRecordFactory(project=personas.other_project, kind="saving", amount=Decimal("500"))

    figures = cost_benefit(personas.project)
    page = staff_client.get(
        reverse("evidence:cost_benefit", kwargs={"slug": personas.project.slug})
    ).content.decode()

    assert figures["fees_paid"] == Decimal("20.00")
    assert figures["expenses_paid"] == Decimal("4.35")
    assert figures["involvement_costs"] == Decimal("24.35")
    assert figures["recorded_costs"] == Decimal("12.10")
    assert figures["total_costs"] == Decimal("36.45")
    assert figures["savings"] == Decimal("123.45")
    assert figures["net"] == Decimal("87.00")
    # 123.45 / 36.45 = 3.3868…
    assert figures["ratio"] == Decimal("3.39")
    assert (figures["saving_records"], figures["cost_records"]) == (2, 1)
    assert "£3.39 saved for each £1 spent" in page
    assert "£36.45" in page and "£123.45" in page


def test_cost_benefit_says_not_enough_data_when_nothing_was_spent(staff_client, personas):
    fee(personas, "30.00", PaymentStatus.OWED)
    EvidenceRecordFactory(project=personas.project, kind="saving", amount=Decimal("250.00"))

    figures = cost_benefit(personas.project)
    page = staff_client.get(
        reverse("evidence:cost_benefit", kwargs={"slug": personas.project.slug})
    ).content.decode()

    assert figures["total_costs"] == Decimal("0.00")
    assert figures["savings"] == Decimal("250.00")
    assert figures["ratio"] is None
    assert "Not enough data" in page
    assert "saved for each £1 spent" not in page


def test_the_cost_benefit_note_says_what_it_does_not_show(staff_client, personas):
    page = staff_client.get(
        reverse("evidence:cost_benefit", kwargs={"slug": personas.project.slug})
    ).content.decode()

    assert "The savings are estimates" in page
    assert "None of these figures is audited." in page
    assert "does not prove" in page
    assert "Savings often come later" in page


# Who may use these pages -------------------------------------------------------------------

STAFF_PAGES = [
    ("evidence:project_evidence", {}),
    ("evidence:evidence_add", {}),
    ("evidence:impact_summary", {}),
    ("evidence:cost_benefit", {}),
    ("evidence:evidence", {"evidence_id": True}),
    ("evidence:evidence_edit", {"evidence_id": True}),
    ("evidence:evidence_delete", {"evidence_id": True}),
    ("evidence:evidence_document", {"evidence_id": True}),
    ("evidence:outcome_value_add", {"evidence_id": True}),
]


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
@pytest.mark.parametrize(("name", "needs"), STAFF_PAGES)
def test_participants_and_commissioners_are_refused_every_evidence_page_and_change_nothing(
    client, personas, visitor, name, needs
):
    record = EvidenceRecordFactory(project=personas.project, title="Untouched")
    kwargs = {"slug": personas.project.slug}
    if needs:
        kwargs["evidence_id"] = record.public_id
    client.force_login(getattr(personas, visitor))
    url = reverse(name, kwargs=kwargs)

    looked = client.get(url)
    posted = client.post(
        f"{url}?kind=cost",
        common(title="Changed", amount="5", aim="Changed", value="1", measured_on="2026-02-01"),
    )

    assert looked.status_code == posted.status_code == 403
    assert list(EvidenceRecord.objects.values_list("title", flat=True)) == ["Untouched"]
    assert not OutcomeValue.objects.exists()
    assert not ImpactSummary.objects.exists()


def test_the_project_page_links_to_the_evidence_pages(staff_client, personas):
    page = staff_client.get(personas.project.get_absolute_url()).content.decode()

    for name in ["project_evidence", "impact_summary", "cost_benefit", "grants"]:
        assert reverse(f"evidence:{name}", kwargs={"slug": personas.project.slug}) in page
    for label in ["Evidence", "Impact summary", "Cost–benefit", "Commissioner access"]:
        assert f">{label}</a>" in page


def test_the_outcome_form_offers_both_directions(staff_client, personas):
    page = staff_client.get(add_url(personas, "outcome")).content.decode()

    for direction in BetterDirection:
        assert f'value="{direction.value}"' in page
    assert 'name="better" value=""' not in page


@pytest.mark.parametrize(
    ("kind", "fields", "shown"),
    [
        ("outcome", {}, "Lower is better"),
        ("feedback", {"text": "It helped.", "consent_to_publish": True}, "agreed to it being"),
        ("story", {"text": "My year.", "consent_to_publish": False}, "It stays private."),
        ("cost", {"amount": Decimal("1234.5")}, "£1,234.50"),
        ("saving", {"amount": Decimal("80"), "text": "4 × £20"}, "How the saving was estimated"),
        ("document", {}, "No file"),
    ],
)
def test_each_kind_of_evidence_shows_what_matters_for_it(
    staff_client, personas, kind, fields, shown
):
    record = EvidenceRecordFactory(project=personas.project, kind=kind, **fields)

    page = staff_client.get(detail_url(record)).content.decode()

    assert shown in page
    assert page.count("<h1") == 1
    assert ("Add a later value" in page) == (kind == "outcome")
