"""The valuation pages for staff, the unit values and their import, and the valuation in the
commissioner report with small numbers withheld."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coprod.core.suppression import WITHHELD
from evidence import services_valuation
from evidence.models import (
    QuantitySource,
    StaffTime,
    UnitValue,
    ValuationOutcome,
    ValuationSettings,
)
from evidence.selectors.valuation import report_valuation, valuation_csv_rows
from projects.models import Payment, PaymentStatus
from tests.factories.measures import (
    MeasureQuestionFactory,
    MeasureRoundFactory,
    ProjectMeasureFactory,
    answer_round,
)
from tests.factories.roster import PersonFactory
from tests.factories.valuation import wellby

pytestmark = pytest.mark.django_db


def _entered(project, name="Nights not spent in A&E", quantity="12", **fields):
    return ValuationOutcome.objects.create(
        project=project,
        name=name,
        unit_value=fields.pop("unit_value", None) or wellby(),
        quantity_source=QuantitySource.ENTERED,
        quantity=Decimal(quantity),
        quantity_note="From the hospital's figures",
        **fields,
    )


def _from_measure(project, people: int, *, rise: int = 2) -> ValuationOutcome:
    """A life-satisfaction question answered by `people` at baseline and follow-up, each
    `rise` points higher at the follow-up."""
    project_measure = ProjectMeasureFactory(project=project)
    question = MeasureQuestionFactory(measure=project_measure.measure, short_name="Life")
    baseline = MeasureRoundFactory(
        project_measure=project_measure,
        kind="baseline",
        name="Baseline",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    follow_up = MeasureRoundFactory(project_measure=project_measure)
    for _ in range(people):
        person = PersonFactory()
        answer_round(baseline, person, {question: 5})
        answer_round(follow_up, person, {question: 5 + rise})
    return ValuationOutcome.objects.create(
        project=project,
        name="Life satisfaction",
        unit_value=wellby(),
        quantity_source=QuantitySource.MEASURE,
        question=question,
    )


def test_the_valuation_page_shows_each_outcome_and_how_it_was_worked_out(staff_client, personas):
    _entered(personas.project, quantity="2")
    StaffTime.objects.create(
        project=personas.project,
        worked_on=date(2026, 3, 1),
        what="Planning",
        hours=Decimal(4),
        hourly_cost=Decimal("25.00"),
    )
    page = staff_client.get(reverse("evidence:valuation", args=[personas.project.slug]))
    text = page.content.decode()
    assert "Nights not spent in A&amp;E" in text
    assert "How this was worked out" in text
    assert "One unit is valued at £13,000.00 in 2019 prices." in text
    assert "Brought to 2024 prices with the GDP deflator" in text
    assert "£100.00" in text  # 4 hours × £25


def test_the_valuation_page_runs_the_same_queries_for_one_outcome_or_many(
    staff_client, personas, django_assert_max_num_queries
):
    url = reverse("evidence:valuation", args=[personas.project.slug])
    _from_measure(personas.project, people=6)
    _entered(personas.project)
    staff_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for number in range(5):
        _entered(personas.project, name=f"Outcome {number}")
        StaffTime.objects.create(
            project=personas.project,
            worked_on=date(2026, 3, 1),
            what=f"Work {number}",
            hours=Decimal(1),
            hourly_cost=Decimal(20),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)


def test_an_outcome_with_a_percentage_over_100_is_refused_and_nothing_typed_is_lost(
    staff_client, personas
):
    url = reverse("evidence:valuation_outcome_add", args=[personas.project.slug])
    page = staff_client.post(
        url,
        {
            "name": "Fewer nights in hospital",
            "unit_value": wellby().pk,
            "quantity_source": "entered",
            "quantity": "30",
            "quantity_note": "Hospital figures",
            "deadweight": "120",
            "attribution": "10",
            "displacement": "0",
            "drop_off": "0",
            "duration": "3",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Enter a percentage from 0 to 100, like 25 or 12.5." in text
    assert 'value="Fewer nights in hospital"' in text
    assert 'value="120"' in text
    assert not ValuationOutcome.objects.exists()


def test_an_entered_outcome_needs_how_it_was_counted(staff_client, personas):
    url = reverse("evidence:valuation_outcome_add", args=[personas.project.slug])
    fields = {
        "name": "Fewer nights in hospital",
        "unit_value": wellby().pk,
        "quantity_source": "entered",
        "quantity": "30",
        "quantity_note": "",
        "deadweight": "10",
        "attribution": "10",
        "displacement": "0",
        "drop_off": "20",
        "duration": "3",
    }
    page = staff_client.post(url, fields)
    assert "Say how the quantity was counted." in page.content.decode()
    assert not ValuationOutcome.objects.exists()
    fields["quantity_note"] = "From the ward's records"
    assert staff_client.post(url, fields).status_code == 302
    outcome = ValuationOutcome.objects.get()
    assert (outcome.quantity, outcome.deadweight, outcome.duration) == (Decimal(30), 10, 3)


def test_an_outcome_from_a_measure_takes_the_total_change(personas):
    _from_measure(personas.project, people=6, rise=2)
    section = report_valuation(personas.project)
    assert section["outcomes"][0]["quantity"] == Decimal(12)


def test_a_change_resting_on_fewer_than_5_people_is_withheld_with_every_total_it_gives_away(
    personas,
):
    _from_measure(personas.project, people=4)
    _entered(personas.project)
    section = report_valuation(personas.project)
    small = next(o for o in section["outcomes"] if o["name"] == "Life satisfaction")
    assert small["quantity"] == WITHHELD
    assert small["present_value"]["central"] == WITHHELD
    assert small["workings"] == []
    assert section["present_value"]["central"] == WITHHELD
    assert section["ratio"]["central"] == WITHHELD
    rows = valuation_csv_rows(section)
    assert ["Life satisfaction: quantity", "", WITHHELD, ""] in rows


def test_a_change_resting_on_5_people_is_shown(personas):
    _from_measure(personas.project, people=5)
    section = report_valuation(personas.project)
    assert section["outcomes"][0]["quantity"] == Decimal(10)
    assert section["present_value"]["central"] != WITHHELD


def test_money_paid_to_fewer_than_5_people_withholds_the_inputs_and_the_ratio(personas):
    _entered(personas.project)
    Payment.objects.create(
        person=personas.participant.person,
        project=personas.project,
        activity="Meeting",
        amount=Decimal("40.00"),
        status=PaymentStatus.PAID,
        paid_on=date(2026, 3, 1),
    )
    section = report_valuation(personas.project)
    assert section["fees_paid"] == WITHHELD
    assert section["inputs"] == WITHHELD
    assert section["ratio"]["central"] == WITHHELD
    assert section["present_value"]["central"] != WITHHELD


def test_staff_time_is_added_and_removed(staff_client, personas):
    add = reverse("evidence:staff_time_add", args=[personas.project.slug])
    page = staff_client.post(
        add, {"worked_on": "2026-03-01", "what": "Planning", "hours": "0", "hourly_cost": "£28.50"}
    )
    assert "Enter at least a quarter of an hour (0.25)." in page.content.decode()
    assert not StaffTime.objects.exists()
    staff_client.post(
        add, {"worked_on": "2026-03-01", "what": "Planning", "hours": "3", "hourly_cost": "£28.50"}
    )
    entry = StaffTime.objects.get()
    assert entry.cost == Decimal("85.50")
    staff_client.post(
        reverse("evidence:staff_time_remove", args=[personas.project.slug, entry.public_id])
    )
    assert not StaffTime.objects.exists()


def test_optimism_bias_is_saved_between_0_and_100(staff_client, personas):
    url = reverse("evidence:optimism_bias", args=[personas.project.slug])
    page = staff_client.post(url, {"optimism_bias": "-5"})
    assert "Enter a percentage from 0 to 100" in page.content.decode()
    assert not ValuationSettings.objects.exists()
    staff_client.post(url, {"optimism_bias": "15"})
    assert ValuationSettings.objects.get(project=personas.project).optimism_bias == 15


TEMPLATE_HEADINGS = (
    "name,unit,value,low,high,price_year,beneficiary,confidence,source,source_url,licence\n"
)


def _upload(staff_client, text: str):
    return staff_client.post(
        reverse("evidence:unit_values_import"),
        {"file": SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")},
    )


def test_a_good_file_of_unit_values_is_imported(staff_client, personas):
    page = _upload(
        staff_client,
        TEMPLATE_HEADINGS
        + "Night in a hostel,one night,45,,,2023,fiscal,medium,GM unit costs,,Our licence\n"
        + 'A&E visit,one visit,"1,250.50",1000,1500,2023,Fiscal,High,GM unit costs,,\n',
    )
    assert page.status_code == 302
    assert UnitValue.objects.filter(shipped=False).count() == 2
    assert UnitValue.objects.get(name="A&E visit").value == Decimal("1250.50")


def test_a_file_with_bad_lines_saves_nothing_and_says_what_is_wrong_on_each(staff_client, personas):
    page = _upload(
        staff_client,
        TEMPLATE_HEADINGS
        + "Night in a hostel,one night,45,,,2023,fiscal,medium,GM unit costs,,\n"
        + "Bad money,one,=1+2,,,2023,fiscal,medium,GM,,\n"
        + "Bad year,one,10,,,last year,someone,sure,GM,,\n"
        + "Night in a hostel,one night,45,,,2023,fiscal,medium,GM unit costs,,\n",
    )
    text = page.content.decode()
    assert "Line 3: The value value is not an amount of money" in text
    assert "Line 4: The price year must be a year" in text
    assert "who benefits must be fiscal, economic or social" in text
    assert "Line 5: Line 2 has the same name." in text
    assert not UnitValue.objects.filter(shipped=False).exists()


def test_a_file_too_big_is_refused_with_a_clear_message(staff_client, personas):
    page = _upload(staff_client, TEMPLATE_HEADINGS + "x" * (1024 * 1024 + 1))
    assert "The file is larger than 1 MB" in page.content.decode()


def test_the_template_csv_makes_formula_cells_safe(staff_client, personas, monkeypatch):
    monkeypatch.setitem(services_valuation.IMPORT_EXAMPLE, "name", "=HYPERLINK(1)")
    body = staff_client.get(reverse("evidence:unit_values_template")).content.decode()
    assert body.startswith(TEMPLATE_HEADINGS.replace("\n", "\r\n"))
    assert "'=HYPERLINK(1)" in body


def test_the_unit_values_page_lists_the_shipped_wellby_value(staff_client, personas):
    text = staff_client.get(reverse("evidence:unit_values")).content.decode()
    assert "Wellbeing (WELLBY)" in text
    assert "£13,000.00" in text
    assert "Open Government Licence" in text


def test_the_report_section_runs_a_fixed_number_of_queries(personas, django_assert_num_queries):
    _from_measure(personas.project, people=6)
    _entered(personas.project)
    # The payment totals (fees, claims and budget) are one query.
    with django_assert_num_queries(9):
        report_valuation(personas.project)
    for number in range(4):
        _entered(personas.project, name=f"Outcome {number}")
    _from_measure(personas.project, people=5)
    with django_assert_num_queries(9):
        report_valuation(personas.project)


def test_the_report_partial_shows_the_marker_never_the_withheld_figure(personas):
    from django.template.loader import render_to_string

    _from_measure(personas.project, people=3, rise=7)
    html = render_to_string(
        "evidence/report_valuation.html", {"valuation": report_valuation(personas.project)}
    )
    assert "not shown (small numbers)" in html
    assert ">21<" not in html  # 3 people × 7 points
    assert "How this was worked out" in html


def test_an_outcome_changed_to_come_from_a_measure_drops_the_counted_quantity(
    staff_client, personas
):
    outcome = _entered(personas.project)
    question = _from_measure(personas.project, people=5).question
    fields = {
        "name": "Nights not spent in A&E",
        "unit_value": wellby().pk,
        "quantity_source": "measure",
        "quantity": "12",
        "quantity_note": "From the hospital's figures",
        "question": question.pk,
        "deadweight": "0",
        "attribution": "0",
        "displacement": "0",
        "drop_off": "0",
        "duration": "1",
    }
    url = reverse(
        "evidence:valuation_outcome_edit", args=[personas.project.slug, outcome.public_id]
    )
    assert staff_client.post(url, fields).status_code == 302
    outcome.refresh_from_db()
    assert (outcome.quantity, outcome.quantity_note, outcome.question) == (None, "", question)


def test_an_outcome_is_removed_after_asking(staff_client, personas):
    outcome = _entered(personas.project)
    url = reverse(
        "evidence:valuation_outcome_remove", args=[personas.project.slug, outcome.public_id]
    )
    assert "Remove Nights not spent in A&amp;E" in staff_client.get(url).content.decode()
    assert ValuationOutcome.objects.filter(pk=outcome.pk).exists()
    staff_client.post(url)
    assert not ValuationOutcome.objects.filter(pk=outcome.pk).exists()


def test_another_projects_outcome_cannot_be_changed(staff_client, personas):
    outcome = _entered(personas.other_project)
    url = reverse(
        "evidence:valuation_outcome_remove", args=[personas.project.slug, outcome.public_id]
    )
    assert staff_client.post(url).status_code == 404
    assert ValuationOutcome.objects.filter(pk=outcome.pk).exists()


def test_the_commissioner_report_shows_each_outcome_step_by_step_unless_it_is_withheld(
    client, personas
):
    _from_measure(personas.project, people=4)
    _entered(personas.project)
    client.force_login(personas.commissioner)

    page = client.get(reverse("evidence:report", args=[personas.project.slug])).content.decode()

    assert "Nights not spent in A&amp;E, step by step" in page
    assert "Brought to" in page
    # Resting on 4 people: neither its figures nor its steps are shown.
    assert "Life satisfaction, step by step" not in page
