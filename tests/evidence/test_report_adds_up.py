"""Every engagement and payment figure on the commissioner report, in each of its forms (the
web page, the CSV files, the PDF), is the figure worked out here by hand from the rows: a
commissioner once saw "Meetings held 0" beside "Attendance 80%, 9.5 hours"."""

import shutil
import statistics
import subprocess
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from defusedxml import ElementTree as safe_xml
from django.utils import timezone

from projects.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    Membership,
    MembershipStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from stakeholders.models import StakeholderGroup
from tests.evidence.report_pdf_helpers import get_report_pdf, pdf_bytes
from tests.evidence.test_reports import (
    _attend,
    _csv_files,
    _held_meeting,
    _members,
    _pay,
    _report_url,
    _row,
    _tables,
)
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import CoverageTargetFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
SMALL = "fewer than 5"
WITHHELD = "not shown (small numbers)"


def _meeting_at(project, *, days_from_now: int, cancelled: bool = False) -> Meeting:
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=days_from_now), time(10))
    )
    meeting = MeetingFactory(
        project=project, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
    if cancelled:
        meeting.cancelled_at = timezone.now()
        meeting.save(update_fields=["cancelled_at"])
    return meeting


@pytest.fixture
def awkward_project(personas):
    """A project with every kind of row that has made a figure wrong: attendance made by
    bulk_create for a meeting still to come, a cancelled meeting with attendance, no-shows,
    groups of 5 or more and a group under 5, targets met, missed and exceeded, and fees paid
    after different waits."""
    project = personas.project  # with its two participants and tomorrow's meeting
    lived = _members(project, 6)  # 8 people with lived experience with the personas
    carers = _members(project, 3, StakeholderGroup.CARER)
    commissioners = _members(project, 6, StakeholderGroup.COMMISSIONER)
    CoverageTargetFactory(
        project=project, stakeholder_group=StakeholderGroup.LIVED_EXPERIENCE, target=10
    )
    CoverageTargetFactory(project=project, stakeholder_group=StakeholderGroup.CARER, target=3)
    CoverageTargetFactory(
        project=project, stakeholder_group=StakeholderGroup.COMMISSIONER, target=6
    )
    CoverageTargetFactory(
        project=project, stakeholder_group=StakeholderGroup.PRACTITIONER, target=2
    )

    first = _held_meeting(project, days_ago=20)
    for days, somebody in enumerate(lived):
        _pay(_attend(first, somebody, hours="1.50"), days_after=days + 2)
    for somebody in commissioners[:5]:
        _attend(first, somebody, AttendanceStatus.NO_SHOW)
    second = _held_meeting(project, days_ago=4)
    for somebody in [*lived[:3], *carers]:
        _attend(second, somebody, hours="2.25")
    _attend(second, commissioners[5], AttendanceStatus.NO_SHOW)

    # Rows nobody should count: made in bulk (no save(), no checks) for tomorrow's meeting,
    # and for a meeting that was called off.
    Attendance.objects.bulk_create(
        Attendance(
            meeting=personas.meeting,
            person=somebody,
            status=AttendanceStatus.ATTENDED,
            hours=Decimal("3.00"),
            stakeholder_group=somebody.stakeholder_group,
        )
        for somebody in [*lived, *commissioners]
    )
    called_off = _meeting_at(project, days_from_now=-2, cancelled=True)
    for somebody in lived:
        _attend(called_off, somebody, hours="2.00")
    _meeting_at(project, days_from_now=9)
    return project


# Worked out by hand from the rows, without the report's selectors ----------------------------


def _by_hand(project) -> dict:
    now = timezone.now()
    meetings = list(Meeting.objects.filter(project=project))
    held = {
        meeting.pk for meeting in meetings if not meeting.cancelled_at and meeting.starts_at <= now
    }
    rows = [
        row for row in Attendance.objects.filter(meeting__project=project) if row.meeting_id in held
    ]
    came = [row for row in rows if row.status == AttendanceStatus.ATTENDED]
    missed = [row for row in rows if row.status == AttendanceStatus.NO_SHOW]
    came_people = {row.person_id for row in came}
    missed_people = {row.person_id for row in missed}

    active = Counter(
        membership.person.stakeholder_group
        for membership in Membership.objects.filter(project=project).select_related("person")
        if membership.status == MembershipStatus.ACTIVE
    )
    targets = {target.stakeholder_group: target.target for target in project.coverage_targets.all()}
    groups = {}
    for group in StakeholderGroup:
        if group not in active and group not in targets:
            continue
        count, target = active[group], targets.get(group, 0)
        small = 0 < count < 5
        groups[group.label] = {
            "active": SMALL if small else str(count),
            "drawn": None if small else count,
            "target": target,
            "met": WITHHELD if small and target else ("Yes" if count >= target else "Not yet"),
        }

    fees = [
        payment
        for payment in Payment.objects.filter(project=project).select_related("attendance__meeting")
        if payment.kind == PaymentKind.FEE
        and payment.status == PaymentStatus.PAID
        and payment.attendance_id
    ]
    waits = sorted(
        (payment.paid_on - timezone.localtime(payment.attendance.meeting.starts_at).date()).days
        for payment in fees
    )
    return {
        "meetings_held": len(held),
        "attended": len(came),
        "people_attended": len(came_people),
        "no_show": len(missed),
        "no_show_people": len(missed_people),
        "rate": round(100 * len(came) / (len(came) + len(missed))),
        "hours": sum((row.hours for row in came), Decimal("0")),
        "groups": groups,
        "fees_paid": sum((payment.amount for payment in fees), Decimal("0")),
        "fees_paid_count": len(fees),
        "median_wait": statistics.median(waits),
        "p90_wait": waits[-(-len(waits) * 90 // 100) - 1],
    }


def test_the_hand_count_is_of_the_awkward_rows_it_means_to_be(awkward_project):
    """The figures below would pass by luck if the rows did not say what the names claim."""
    figures = _by_hand(awkward_project)

    assert figures["meetings_held"] == 2
    assert (figures["attended"], figures["people_attended"]) == (12, 9)
    assert (figures["no_show"], figures["no_show_people"]) == (6, 6)
    assert figures["hours"] == Decimal("22.50")
    assert figures["groups"]["Carer or family member"]["active"] == SMALL
    assert figures["groups"]["Commissioner"]["active"] == "6"
    assert figures["groups"]["Frontline practitioner"]["active"] == "0"
    assert Attendance.objects.filter(meeting__project=awkward_project).count() == 18 + 12 + 6


def _hours_on_page(hours: Decimal) -> str:
    return str(int(hours)) if hours == hours.to_integral_value() else f"{hours:.2f}"


def test_every_engagement_figure_on_the_web_page_is_the_hand_count(
    commissioner_client, awkward_project
):
    figures = _by_hand(awkward_project)

    response = commissioner_client.get(_report_url(awkward_project))

    table = _tables(response)["Meetings and attendance so far"]
    assert _row(table, "Meetings held")[1] == str(figures["meetings_held"])
    assert _row(table, "Times people came to a meeting")[1] == str(figures["attended"])
    assert _row(table, "People who came at least once")[1] == str(figures["people_attended"])
    assert _row(table, "Times people were expected but did not come")[1] == str(figures["no_show"])
    assert _row(table, "Attendance rate")[1] == f"{figures['rate']}%"
    assert _row(table, "Hours of involvement")[1] == _hours_on_page(figures["hours"])
    groups = _tables(response)["Active people in each stakeholder group, against the target"]
    assert len(groups) - 1 == len(figures["groups"])
    for label, group in figures["groups"].items():
        assert _row(groups, label)[1:] == [
            group["active"],
            str(group["target"]),
            group["met"],
        ], label


def test_the_chart_on_the_web_page_draws_every_group_at_its_hand_counted_size(
    commissioner_client, awkward_project
):
    figures = _by_hand(awkward_project)
    page = commissioner_client.get(_report_url(awkward_project)).content.decode()
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" class="svg-chart"')
    chart = safe_xml.fromstring(page[start : page.index("</svg>", start) + len("</svg>")])
    gridlines = [line for line in chart.iter(f"{SVG}line") if line.get("class") == "gridline"]
    numbers = [
        float("".join(text.itertext()))
        for text in chart.iter(f"{SVG}text")
        if text.get("class") == "tick"
    ]
    assert len(gridlines) == len(numbers) > 1
    zero = float(gridlines[0].get("x1"))
    end, top = float(gridlines[-1].get("x1")), numbers[-1]
    rows = {
        "".join(row.find(f"{SVG}text").itertext()).split(" (target")[0]: row
        for row in chart.iter(f"{SVG}g")
        if row.get("class") == "chart-row"
    }

    assert set(rows) == set(figures["groups"])
    assert top >= max(max(g["drawn"] or 0, g["target"]) for g in figures["groups"].values())
    for label, group in figures["groups"].items():
        bar, marker = rows[label].find(f"{SVG}rect"), rows[label].find(f"{SVG}line")
        if group["drawn"] is None:
            assert bar is None, label
        else:
            assert float(bar.get("width")) / (end - zero) == pytest.approx(
                group["drawn"] / top, abs=1e-4
            ), label
        if group["target"]:
            at = (float(marker.get("x1")) - zero) / (end - zero) * top
            assert at == pytest.approx(group["target"], abs=1e-3), label


def test_every_engagement_figure_in_the_csv_is_the_hand_count(commissioner_client, awkward_project):
    figures = _by_hand(awkward_project)

    rows = _csv_files(commissioner_client.get(_report_url(awkward_project, "csv")))[
        "engagement.csv"
    ]

    def value(measure: str, group: str = "") -> str:
        return next(row[2] for row in rows if row[:2] == [measure, group])

    assert value("Meetings held") == str(figures["meetings_held"])
    assert value("Times people came to a meeting") == str(figures["attended"])
    assert value("People who came at least once") == str(figures["people_attended"])
    assert value("Times people were expected but did not come") == str(figures["no_show"])
    assert value("Attendance rate (%)") == str(figures["rate"])
    assert value("Hours of involvement") == f"{figures['hours']:.2f}"
    for label, group in figures["groups"].items():
        assert value("Active people", label) == group["active"]
        assert value("Target", label) == str(group["target"])
        met = {"Not yet": "No"}.get(group["met"], group["met"]) if group["target"] else "No"
        assert value("Target met", label) == met, label


def test_days_to_pay_on_the_web_page_and_in_the_csv_are_the_hand_count(
    commissioner_client, awkward_project
):
    figures = _by_hand(awkward_project)

    page = _tables(commissioner_client.get(_report_url(awkward_project)))[
        "Involvement payments and expenses paid"
    ]
    files = _csv_files(commissioner_client.get(_report_url(awkward_project, "csv")))

    median = f"{figures['median_wait']:g}"
    assert _row(page, "Typical wait from the meeting to payment (median)")[1] == f"{median} days"
    assert _row(page, "9 in 10 fees paid within (90th percentile)")[1] == (
        f"{figures['p90_wait']} days"
    )
    assert _row(page, "Fees paid for coming to a meeting")[1] == str(figures["fees_paid_count"])
    assert _row(page, "Fees paid, less any reversed")[1] == f"£{figures['fees_paid']:,.2f}"
    payments = {row[0]: row[1] for row in files["payments.csv"][1:]}
    assert float(payments["Median days from the meeting to payment"]) == figures["median_wait"]
    assert payments["Days within which 9 in 10 fees were paid (90th percentile)"] == str(
        figures["p90_wait"]
    )


def _pdf_words(response, tmp_path) -> str:
    """The PDF's text as poppler's pdftotext reads it, one space between words."""
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_bytes(response))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_every_figure_in_the_pdf_is_the_hand_count_and_the_charts_are_in_it(
    commissioner_client, awkward_project, tmp_path
):
    figures = _by_hand(awkward_project)

    response = get_report_pdf(commissioner_client, _report_url(awkward_project, "pdf"))
    text = _pdf_words(response, tmp_path)

    for label, figure in [
        ("Meetings held", figures["meetings_held"]),
        ("Times people came to a meeting", figures["attended"]),
        ("People who came at least once", figures["people_attended"]),
        ("Times people were expected but did not come", figures["no_show"]),
        ("Attendance rate", f"{figures['rate']}%"),
        ("Hours of involvement", _hours_on_page(figures["hours"])),
        ("Fees paid for coming to a meeting", figures["fees_paid_count"]),
        ("Fees paid, less any reversed", f"£{figures['fees_paid']:,.2f}"),
    ]:
        assert f"{label} {figure}" in text, label
    assert f"(median) {figures['median_wait']:g} days" in text
    assert f"(90th percentile) {figures['p90_wait']} days" in text
    for label, group in figures["groups"].items():
        assert f"{label} {group['active']} {group['target']} {group['met']}" in text, label
    # The chart's own words: its key, each row's label with its target, its scale.
    for label, group in figures["groups"].items():
        assert f"{label} (target {group['target']})" in text, label
    assert "People" in text.split("(target")[-1]  # the scale's title, under the last row
