"""The rules every piece of evidence keeps, whichever form or service writes it: no date in
the future, no later value before the baseline, no value outside the measure's range."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from evidence.models import EvidenceRecord, OutcomeValue
from evidence.services import evidence_create, evidence_update, outcome_value_add
from tests.factories.evidence import EvidenceRecordFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)


def assert_error_beside(response, field: str, message: str) -> None:
    html = response.content.decode()
    assert f'<p id="error_1_id_{field}"><strong>{escape(message)}</strong></p>' in html, (
        f"{message!r} is not beside {field}"
    )


def add_url(project) -> str:
    return reverse("evidence:evidence_add", kwargs={"slug": project.slug}) + "?kind=outcome"


def edit_url(record) -> str:
    return reverse(
        "evidence:evidence_edit",
        kwargs={"slug": record.project.slug, "evidence_id": record.public_id},
    )


def value_url(record) -> str:
    return reverse(
        "evidence:outcome_value_add",
        kwargs={"slug": record.project.slug, "evidence_id": record.public_id},
    )


def outcome(**fields) -> dict:
    return {
        "title": "Wellbeing score",
        "recorded_on": "2026-03-02",
        "source": "Survey",
        "unit": "points",
        "better": "higher",
        "minimum": "0",
        "maximum": "10",
        "baseline_value": "4",
        "baseline_on": "2026-01-05",
    } | fields


def scored(project, **fields) -> EvidenceRecord:
    """A score from 0 to 10, with its baseline of 4 on 5 January 2026."""
    return EvidenceRecordFactory(
        project=project,
        title="Wellbeing score",
        unit="points",
        minimum=Decimal("0"),
        maximum=Decimal("10"),
        baseline_value=Decimal("4"),
        **fields,
    )


# The first form ---------------------------------------------------------------------------


def test_a_measure_is_saved_with_its_range_and_the_range_is_shown(staff_client, personas):
    response = staff_client.post(add_url(personas.project), outcome(minimum="0", maximum="10.5"))

    record = EvidenceRecord.objects.get()
    page = staff_client.get(response["Location"]).content.decode()
    assert (record.minimum, record.maximum) == (Decimal("0.00"), Decimal("10.50"))
    assert "Possible values" in page and "From 0 to 10.5." in page


def test_a_measure_may_have_no_range_or_only_one_end(staff_client, personas):
    staff_client.post(add_url(personas.project), outcome(minimum="", maximum=""))
    staff_client.post(
        add_url(personas.project),
        outcome(title="Days", minimum="0", maximum="", baseline_value="90"),
    )

    assert list(EvidenceRecord.objects.order_by("pk").values_list("minimum", "maximum")) == [
        (None, None),
        (Decimal("0.00"), None),
    ]


def test_evidence_cannot_be_dated_in_the_future(staff_client, personas):
    response = staff_client.post(
        add_url(personas.project), outcome(recorded_on=TOMORROW.isoformat())
    )

    assert response.status_code == 200
    assert_error_beside(response, "recorded_on", "The date cannot be in the future.")
    assert "Please check the form" in response.content.decode()
    assert not EvidenceRecord.objects.exists()


def test_a_baseline_cannot_be_dated_in_the_future(staff_client, personas):
    response = staff_client.post(
        add_url(personas.project), outcome(baseline_on=TOMORROW.isoformat())
    )

    assert_error_beside(response, "baseline_on", "The date cannot be in the future.")
    assert not EvidenceRecord.objects.exists()


def test_evidence_dated_today_is_accepted(staff_client, personas):
    today = timezone.localdate().isoformat()

    staff_client.post(add_url(personas.project), outcome(recorded_on=today, baseline_on=today))

    assert EvidenceRecord.objects.get().recorded_on == timezone.localdate()


def test_a_baseline_outside_the_measures_range_is_refused(staff_client, personas):
    response = staff_client.post(add_url(personas.project), outcome(baseline_value="11"))

    assert_error_beside(
        response, "baseline_value", "Enter a value from 0 to 10, the range of this measure."
    )
    assert 'value="11"' in response.content.decode()
    assert not EvidenceRecord.objects.exists()


def test_a_baseline_below_the_lowest_possible_value_is_refused(staff_client, personas):
    response = staff_client.post(
        add_url(personas.project), outcome(minimum="1", maximum="", baseline_value="0.5")
    )

    assert_error_beside(
        response, "baseline_value", "Enter a value of 1 or more, the lowest this measure can be."
    )
    assert not EvidenceRecord.objects.exists()


def test_the_highest_possible_value_must_be_more_than_the_lowest(staff_client, personas):
    response = staff_client.post(add_url(personas.project), outcome(minimum="10", maximum="10"))

    assert_error_beside(
        response, "maximum", "The highest possible value must be more than the lowest, 10."
    )
    assert not EvidenceRecord.objects.exists()


def test_a_range_typed_wrongly_gets_a_plain_message(staff_client, personas):
    response = staff_client.post(
        add_url(personas.project), outcome(minimum="none", maximum="1" * 20)
    )

    assert_error_beside(response, "minimum", "Enter a number, like 42 or 12.5.")
    assert_error_beside(response, "maximum", "This number is too big. Check it and enter it again.")
    assert not EvidenceRecord.objects.exists()


# Changing a measure -----------------------------------------------------------------------


def test_a_range_that_would_leave_out_a_value_already_recorded_is_refused(staff_client, personas):
    record = scored(personas.project)
    OutcomeValue.objects.create(record=record, value=Decimal("9"), measured_on=date(2026, 2, 1))

    response = staff_client.post(edit_url(record), outcome(maximum="8"))

    record.refresh_from_db()
    assert_error_beside(
        response, "maximum", "A later value of 9 has been recorded. Enter 9 or more."
    )
    assert record.maximum == Decimal("10")


def test_a_baseline_date_after_a_value_already_recorded_is_refused(staff_client, personas):
    record = scored(personas.project)
    OutcomeValue.objects.create(record=record, value=Decimal("6"), measured_on=date(2026, 2, 1))

    response = staff_client.post(edit_url(record), outcome(baseline_on="2026-02-02"))

    record.refresh_from_db()
    assert_error_beside(
        response,
        "baseline_on",
        "A later value was measured on 1 February 2026. Enter a baseline date on or before it.",
    )
    assert record.baseline_on == date(2026, 1, 5)


def test_a_number_typed_wrongly_on_a_change_gets_one_message_not_two(staff_client, personas):
    record = scored(personas.project)

    response = staff_client.post(edit_url(record), outcome(baseline_value="four", maximum="3"))

    page = response.content.decode()
    assert_error_beside(response, "baseline_value", "Enter a number, like 42 or 12.5.")
    assert 'id="error_2_id_baseline_value"' not in page
    assert "the range of this measure" not in page


# Adding a later value ---------------------------------------------------------------------


def test_a_later_value_outside_the_measures_range_is_refused_and_nothing_is_added(
    staff_client, personas
):
    record = scored(personas.project)

    response = staff_client.post(value_url(record), {"value": "10.01", "measured_on": "2026-02-01"})

    page = response.content.decode()
    assert response.status_code == 200
    assert_error_beside(response, "value", "Enter a value from 0 to 10, the range of this measure.")
    assert "Please check the form" in page and 'href="#id_value"' in page
    assert 'value="10.01"' in page
    assert not OutcomeValue.objects.exists()


def test_a_later_value_at_either_end_of_the_range_is_added(staff_client, personas):
    record = scored(personas.project)

    staff_client.post(value_url(record), {"value": "0", "measured_on": "2026-02-01"})
    staff_client.post(value_url(record), {"value": "10", "measured_on": "2026-03-01"})

    assert list(record.values.values_list("value", flat=True)) == [Decimal("0"), Decimal("10")]


def test_the_form_for_a_later_value_says_the_range(staff_client, personas):
    record = scored(personas.project)

    page = staff_client.get(
        reverse(
            "evidence:evidence",
            kwargs={"slug": record.project.slug, "evidence_id": record.public_id},
        )
    ).content.decode()

    assert "From 0 to 10." in page


# The services keep the same rules, whatever calls them ------------------------------------


def test_the_services_refuse_a_date_in_the_future(personas):
    with pytest.raises(ValidationError) as refused:
        evidence_create(
            project=personas.project,
            kind="feedback",
            created_by=personas.staff,
            title="Said at the workshop",
            source="A carer",
            text="Much better.",
            recorded_on=TOMORROW,
        )
    record = scored(personas.project)
    with pytest.raises(ValidationError) as refused_value:
        outcome_value_add(record=record, value=Decimal("5"), measured_on=TOMORROW)

    assert refused.value.message_dict == {"recorded_on": ["The date cannot be in the future."]}
    assert refused_value.value.message_dict == {
        "measured_on": ["The date cannot be in the future."]
    }
    assert EvidenceRecord.objects.count() == 1
    assert not OutcomeValue.objects.exists()


def test_the_services_refuse_a_value_before_the_baseline_or_outside_the_range(personas):
    record = scored(personas.project)

    with pytest.raises(ValidationError) as refused:
        outcome_value_add(record=record, value=Decimal("-1"), measured_on=date(2026, 1, 4))

    assert refused.value.message_dict == {
        "measured_on": [
            "A later value must be measured on or after the baseline date, 5 January 2026."
        ],
        "value": ["Enter a value from 0 to 10, the range of this measure."],
    }
    assert not OutcomeValue.objects.exists()


def test_the_services_refuse_a_range_or_baseline_that_does_not_fit(personas):
    with pytest.raises(ValidationError) as refused:
        evidence_create(
            project=personas.project,
            kind="outcome",
            created_by=personas.staff,
            title="Score",
            source="Survey",
            unit="points",
            better="higher",
            minimum=Decimal("0"),
            maximum=Decimal("5"),
            baseline_value=Decimal("6"),
            baseline_on=date(2026, 1, 5),
        )
    record = scored(personas.project)
    with pytest.raises(ValidationError) as refused_update:
        evidence_update(record=record, minimum=Decimal("5"))

    record.refresh_from_db()
    assert refused.value.message_dict == {
        "baseline_value": ["Enter a value from 0 to 5, the range of this measure."]
    }
    assert refused_update.value.message_dict == {
        "baseline_value": ["Enter a value from 5 to 10, the range of this measure."]
    }
    assert record.minimum == Decimal("0")


def test_only_an_outcome_measure_takes_values_whatever_calls_the_service(personas):
    cost = EvidenceRecordFactory(project=personas.project, kind="cost", amount=Decimal("5"))

    with pytest.raises(ValidationError, match="Only an outcome measure has values over time."):
        outcome_value_add(record=cost, value=Decimal("1"), measured_on=date(2026, 2, 1))

    assert not OutcomeValue.objects.exists()
