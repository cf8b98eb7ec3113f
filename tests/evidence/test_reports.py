"""The read-only commissioner report: who may read it, what it shows (no personal data, small
counts suppressed), its CSV and PDF forms, and a fixed number of queries whatever the size."""

import csv
import io
import json
import re
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from defusedxml import ElementTree as safe_xml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coprod.core import pdf as pdf_helper
from coprod.core import ratelimit
from coprod.core.suppression import SUPPRESSED, WITHHELD
from decisions.models import Decision, DecisionMethod, DecisionParticipant, Progress, Vote
from evidence import services_report_pdfs
from evidence.models import (
    BetterDirection,
    EvidenceKind,
    EvidenceRecord,
    ImpactSummary,
    LearningEntry,
    OutcomeValue,
    ReportPdf,
    ReportPdfStatus,
)
from evidence.selectors import report_for_project
from projects.models import (
    Attendance,
    AttendanceStatus,
    ClaimStatus,
    CoverageTarget,
    ExpenseCategory,
    ExpenseClaim,
    Payment,
    PaymentKind,
    PaymentStatus,
    Project,
)
from stakeholders.models import StakeholderGroup
from tests.evidence.report_pdf_helpers import get_report_pdf, pdf_bytes
from tests.factories.meetings import MeetingFactory
from tests.factories.people import CommissionerFactory
from tests.factories.projects import ProjectFactory, ReportGrantFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
SECRET_NAME = "Zebedee Quillfeather"
SECRET_EMAIL = "zebedee.quillfeather@hidden.example"
SECTION_HEADINGS = [
    "Engagement: who is involved",
    "Power sharing: who decided",
    "Payments: paying people for their time",
    "Outcomes: what changed",
    "You said, we did",
    "Learning highlights",
    "Impact summary (GRIPP2 short form)",
    "Cost and benefit",
    "Sharing power: what participants said",
    "Measures people answered themselves",
    "Valuation",
]
CSV_FILES = {
    "engagement.csv",
    "power_sharing.csv",
    "payments.csv",
    "outcomes.csv",
    "outcome_readings.csv",
    "you_said_we_did.csv",
    "what_people_told_us.csv",
    "learning.csv",
    "impact_summary.csv",
    "cost_benefit.csv",
    "measures.csv",
    "meeting_feedback.csv",
    "valuation.csv",
}


# Reading the pages ---------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every table on a page by its caption: rows of cell texts, header cells included."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._caption, self._rows = [], []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[" ".join("".join(self._caption).split())] = self._rows

    def handle_data(self, data):
        if self._in_caption:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def _tables(response) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def _row(table: list[list[str]], heading: str) -> list[str]:
    return next(row for row in table if row and row[0] == heading)


def _svg(response, chart_id: str) -> ET.Element:
    match = re.search(
        rf'<svg [^>]*aria-labelledby="{chart_id}-title.*?</svg>',
        response.content.decode(),
        re.DOTALL,
    )
    return safe_xml.fromstring(match.group(0))


def _svg_class(svg: ET.Element, css: str) -> list[ET.Element]:
    return [element for element in svg.iter() if css in element.get("class", "").split()]


def _svg_text(element: ET.Element) -> str:
    return "".join(element.itertext())


def _csv_files(response) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
    }


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(pdf_bytes(response)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _report_url(project, output: str | None = None) -> str:
    url = reverse("evidence:report", kwargs={"slug": project.slug})
    return f"{url}?format={output}" if output else url


# Making a project with something to report --------------------------------------------------


def _held_meeting(project, *, days_ago: int):
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(10))
    )
    return MeetingFactory(
        project=project, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )


def _members(project, count: int, group=StakeholderGroup.LIVED_EXPERIENCE, **person) -> list:
    people = PersonFactory.create_batch(count, stakeholder_group=group, **person)
    for somebody in people:
        MembershipFactory(project=project, person=somebody)
    return people


def _attend(meeting, person, status=AttendanceStatus.ATTENDED, hours="2.00") -> Attendance:
    return Attendance.objects.create(
        meeting=meeting,
        person=person,
        status=status,
        hours=Decimal(hours) if status == AttendanceStatus.ATTENDED else Decimal("0"),
        stakeholder_group=person.stakeholder_group,
    )


def _pay(attendance, *, amount="40.00", days_after=7) -> Payment:
    return Payment.objects.create(
        person=attendance.person,
        project=attendance.meeting.project,
        attendance=attendance,
        activity=f"Came to {attendance.meeting.title}",
        amount=Decimal(amount),
        status=PaymentStatus.PAID,
        paid_on=timezone.localtime(attendance.meeting.starts_at).date()
        + timedelta(days=days_after),
    )


def _decision(project, *, people=(), **fields) -> Decision:
    decision = Decision.objects.create(
        project=project,
        **{
            "title": "Saturday opening",
            "question": "Should the drop-in open on Saturdays?",
            "method": DecisionMethod.VOTE,
            "ladder_rung": "co_design",
            "decided_on": date(2026, 2, 10),
            **fields,
        },
    )
    for somebody in people:
        DecisionParticipant.objects.create(
            decision=decision,
            person=somebody,
            stakeholder_group=somebody.stakeholder_group,
            proposed=True,
        )
        Vote.objects.create(
            decision=decision,
            person=somebody,
            choice="for",
            stakeholder_group=somebody.stakeholder_group,
        )
    return decision


def _outcome(project, name="Days waiting for a first call", readings=(), **fields):
    record = EvidenceRecord.objects.create(
        project=project,
        kind=EvidenceKind.OUTCOME,
        title=name,
        source="Service waiting list",
        **{
            "unit": "days",
            "better": BetterDirection.LOWER,
            "baseline_value": Decimal("40"),
            "baseline_on": date(2026, 1, 5),
            **fields,
        },
    )
    for measured_on, value in readings:
        OutcomeValue.objects.create(record=record, measured_on=measured_on, value=Decimal(value))
    return record


def _fill(project, *, people: int, meetings: int, decisions: int, outcomes: int) -> None:
    """A project with every kind of thing a report counts, in proportion to `people`."""
    members = _members(project, people)
    CoverageTarget.objects.create(
        project=project, stakeholder_group=StakeholderGroup.LIVED_EXPERIENCE, target=10
    )
    for number in range(meetings):
        meeting = _held_meeting(project, days_ago=30 + number)
        for index, somebody in enumerate(members):
            attendance = _attend(
                meeting,
                somebody,
                AttendanceStatus.NO_SHOW if index % 5 == 0 else AttendanceStatus.ATTENDED,
            )
            if attendance.status == AttendanceStatus.ATTENDED:
                _pay(attendance, days_after=index % 9)
            ExpenseClaim.objects.create(
                person=somebody,
                project=project,
                meeting=meeting,
                spent_on=meeting.starts_at.date(),
                category=ExpenseCategory.TRAVEL,
                amount=Decimal("4.50"),
                status=ClaimStatus.PAID,
                paid_on=timezone.localdate(),
            )
    for number in range(decisions):
        _decision(
            project,
            people=members[:3],
            title=f"Decision {number}",
            you_said=f"Asked for change {number}",
            we_did=f"Made change {number}",
            decided_on=date(2026, 1 + number % 12, 1),
        )
    for number in range(outcomes):
        _outcome(
            project,
            name=f"Measure {number}",
            readings=[(date(2026, 2 + month, 1), 40 - month) for month in range(4)],
        )
    for number in range(outcomes):
        EvidenceRecord.objects.create(
            project=project,
            kind=EvidenceKind.FEEDBACK,
            title=f"Quote {number}",
            source="Workshop",
            text=f"It helped me {number}",
            consent_to_publish=True,
        )
        EvidenceRecord.objects.create(
            project=project,
            kind=EvidenceKind.SAVING,
            title=f"Saving {number}",
            source="Finance",
            amount=Decimal("500.00"),
        )
        LearningEntry.objects.create(
            project=project,
            title=f"Lesson {number}",
            tried="Evening meetings",
            happened="More carers came",
            learned=f"Ask people when they are free {number}",
        )
    ImpactSummary.objects.create(project=project, aim="Shorter waits", results="Waits fell")


# Who may read a report ----------------------------------------------------------------------


def test_a_granted_commissioner_reads_the_report(commissioner_client, personas):
    response = commissioner_client.get(_report_url(personas.project))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Report: Crisis support" in content
    for heading in SECTION_HEADINGS:
        assert heading in content


@pytest.mark.parametrize("output", [None, "html", "csv", "pdf"])
def test_an_ungranted_commissioner_is_refused_every_format(client, personas, output):
    client.force_login(personas.ungranted_commissioner)

    response = client.get(_report_url(personas.project, output))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("output", [None, "csv", "pdf"])
def test_participants_are_refused_the_report(client, personas, output):
    for participant in (personas.participant, personas.other_participant):
        client.force_login(participant)
        assert client.get(_report_url(personas.project, output)).status_code == 403
    assert client.get(reverse("evidence:reports")).status_code == 403


def test_a_commissioner_is_refused_a_project_granted_to_someone_else(commissioner_client, personas):
    ReportGrantFactory(project=personas.other_project)

    for output in (None, "csv", "pdf"):
        assert (
            commissioner_client.get(_report_url(personas.other_project, output)).status_code == 403
        )


def test_the_list_of_reports_shows_only_the_granted_projects(client, personas):
    client.force_login(personas.commissioner)
    commissioner_page = client.get(reverse("evidence:reports")).content.decode()
    client.force_login(personas.ungranted_commissioner)
    ungranted_page = client.get(reverse("evidence:reports")).content.decode()
    client.force_login(personas.staff)
    staff_page = client.get(reverse("evidence:reports")).content.decode()

    assert "Crisis support" in commissioner_page
    assert "Housing repairs" not in commissioner_page
    assert "Crisis support" not in ungranted_page
    assert "not been given access to any project" in ungranted_page
    assert "Crisis support" in staff_page and "Housing repairs" in staff_page


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_under_reports_accepts_a_change(commissioner_client, personas, method):
    send = getattr(commissioner_client, method)

    assert send(reverse("evidence:reports")).status_code == 405
    assert send(_report_url(personas.project)).status_code == 405
    assert send(_report_url(personas.project, "csv")).status_code == 405


def test_a_head_request_is_answered(commissioner_client, personas):
    assert commissioner_client.head(_report_url(personas.project)).status_code == 200


def test_an_unknown_format_gets_a_plain_400_page(commissioner_client, personas):
    response = commissioner_client.get(_report_url(personas.project, "xlsx"))

    assert response.status_code == 400
    assert "We cannot make the report in that format" in response.content.decode()


# What a report shows ------------------------------------------------------------------------


def test_small_counts_show_fewer_than_5_and_never_the_real_number(commissioner_client, personas):
    _members(personas.project, 2, StakeholderGroup.CARER)
    _members(personas.project, 4)  # with the two personas: 6 people with lived experience
    CoverageTarget.objects.create(
        project=personas.project, stakeholder_group=StakeholderGroup.CARER, target=3
    )
    meeting = _held_meeting(personas.project, days_ago=3)
    _attend(meeting, personas.participant.person)
    _attend(meeting, personas.other_participant.person, AttendanceStatus.NO_SHOW)

    response = commissioner_client.get(_report_url(personas.project))

    groups = _tables(response)["Active people in each stakeholder group, against the target"]
    assert _row(groups, "Carer or family member") == [
        "Carer or family member",
        SUPPRESSED,
        "3",
        WITHHELD,
    ]
    assert _row(groups, "Person with lived experience")[1] == "6"
    attendance = _tables(response)["Meetings and attendance so far"]
    assert _row(attendance, "Meetings held")[1] == "1"
    assert _row(attendance, "People who came at least once")[1] == SUPPRESSED
    assert _row(attendance, "Times people came to a meeting")[1] == WITHHELD
    assert _row(attendance, "Attendance rate")[1].startswith("not shown")
    chart = _svg(response, "engagement-chart")
    carers = next(row for row in _svg_class(chart, "chart-row") if "Carer" in _svg_text(row))
    assert carers.find(f"{SVG}rect") is None
    assert SUPPRESSED in _svg_text(carers)
    assert "(target 3)" in _svg_text(carers)


def test_the_engagement_figures_add_up(personas):
    people = _members(personas.project, 25)
    meetings = [_held_meeting(personas.project, days_ago=days) for days in range(1, 6)]
    for somebody in people[:20]:
        _attend(meetings[0], somebody, hours="1.50")
    for somebody in people[20:]:
        _attend(meetings[0], somebody, AttendanceStatus.NO_SHOW)
    cancelled = _held_meeting(personas.project, days_ago=7)
    cancelled.cancelled_at = timezone.now()
    cancelled.save(update_fields=["cancelled_at"])

    engagement = report_for_project(personas.project)["engagement"]

    assert engagement["attended"] == 20
    assert engagement["people_attended"] == 20
    assert engagement["no_show"] == 5
    assert engagement["attendance_rate"] == 80
    assert engagement["hours"] == Decimal("30.00")
    # Meetings still to come (personas.meeting is tomorrow) and cancelled ones do not count.
    assert engagement["meetings_held"] == 5


def test_payments_are_totalled_net_of_reversals_with_the_median_wait(personas):
    people = _members(personas.project, 6)
    meeting = _held_meeting(personas.project, days_ago=40)
    fees = [
        _pay(_attend(meeting, somebody), amount="40.00", days_after=days)
        for somebody, days in zip(people, [1, 2, 3, 4, 10, 12], strict=True)
    ]
    Payment.objects.create(
        kind=PaymentKind.REVERSAL,
        person=fees[0].person,
        project=personas.project,
        activity="Reversal",
        amount=Decimal("40.00"),
        status=PaymentStatus.PAID,
        paid_on=timezone.localdate(),
        reverses=fees[0],
    )
    for somebody in people:
        ExpenseClaim.objects.create(
            person=somebody,
            project=personas.project,
            spent_on=timezone.localdate(),
            category=ExpenseCategory.TRAVEL,
            amount=Decimal("3.45"),
            status=ClaimStatus.PAID,
        )

    payments = report_for_project(personas.project)["payments"]

    assert payments["fees_paid"] == Decimal("200.00")
    assert payments["expenses_paid"] == Decimal("20.70")
    assert payments["total_paid"] == Decimal("220.70")
    assert payments["median_days_to_pay"] == 3.5
    assert payments["fees_paid_count"] == 6


def test_the_wait_to_be_paid_is_withheld_when_many_fees_went_to_fewer_than_5_people(personas):
    people = _members(personas.project, 2)
    for days_ago in (30, 20, 10):
        meeting = _held_meeting(personas.project, days_ago=days_ago)
        for somebody in people:
            _pay(_attend(meeting, somebody), days_after=3)

    payments = report_for_project(personas.project)["payments"]

    assert payments["fees_paid_count"] == WITHHELD
    assert payments["median_days_to_pay"] == WITHHELD
    assert payments["p90_days_to_pay"] == WITHHELD


def test_no_participant_name_or_email_appears_in_html_csv_or_pdf(commissioner_client, personas):
    people = _members(
        personas.project,
        6,
        full_name=SECRET_NAME,
        preferred_name="Zeb",
    )
    for number, somebody in enumerate(people):
        somebody.email = f"{number}.{SECRET_EMAIL}"
        somebody.save(update_fields=["email"])
    meeting = _held_meeting(personas.project, days_ago=9)
    for somebody in people:
        _pay(_attend(meeting, somebody))
    _decision(personas.project, people=people, you_said="More evening sessions")
    EvidenceRecord.objects.create(
        project=personas.project,
        kind=EvidenceKind.STORY,
        title=f"{SECRET_NAME}'s story",
        source=f"Interview with {SECRET_NAME}",
        text="Being listened to changed how I feel about the service.",
        consent_to_publish=True,
    )

    for output in (None, "csv", "pdf"):
        url = _report_url(personas.project, output)
        if output == "pdf":
            response = get_report_pdf(commissioner_client, url)
        else:
            response = commissioner_client.get(url)
        assert response.status_code == 200
        if output == "csv":
            text = json.dumps(_csv_files(response))
        elif output == "pdf":
            text = _pdf_text(response)
        else:
            text = response.content.decode()
        assert "listened to" in text, output
        for personal in (SECRET_NAME, "Zeb ", SECRET_EMAIL, "Pat Participant", "Olu Other"):
            assert personal not in text, (output, personal)
        assert "@" not in text.replace("commissioner@example.org", ""), output


def test_a_quote_is_shown_only_with_consent_to_publish(commissioner_client, personas):
    EvidenceRecord.objects.create(
        project=personas.project,
        kind=EvidenceKind.FEEDBACK,
        title="From the March workshop",
        source="Workshop notes",
        text="The new leaflet finally makes sense to me.",
        consent_to_publish=True,
    )
    EvidenceRecord.objects.create(
        project=personas.project,
        kind=EvidenceKind.FEEDBACK,
        title="From a phone call",
        source="Call log",
        text="Please do not share this, but the wait was awful.",
        consent_to_publish=False,
    )

    html = commissioner_client.get(_report_url(personas.project)).content.decode()
    csv_text = json.dumps(_csv_files(commissioner_client.get(_report_url(personas.project, "csv"))))

    for text in (html, csv_text):
        assert "The new leaflet finally makes sense to me." in text
        assert "the wait was awful" not in text
        assert "Workshop notes" not in text


def test_the_outcomes_chart_data_holds_the_series_and_the_table_baseline_and_latest(
    commissioner_client, personas
):
    _outcome(
        personas.project,
        readings=[(date(2026, 3, 2), "31.5"), (date(2026, 5, 4), "28")],
    )
    _outcome(
        personas.project,
        name="People who feel heard",
        unit="%",
        better=BetterDirection.HIGHER,
        baseline_value=Decimal("60"),
        readings=[(date(2026, 4, 1), "55")],
    )

    response = commissioner_client.get(_report_url(personas.project))

    waiting = _svg(response, "outcome-chart-0")
    assert _svg_text(waiting.find(f"{SVG}title")) == (
        "Line chart of Days waiting for a first call (days) over time"
    )
    assert waiting.get("role") == "img"
    assert [_svg_text(label) for label in _svg_class(waiting, "date")] == [
        "5 Jan 2026",
        "2 Mar 2026",
        "4 May 2026",
    ]
    assert [_svg_text(value) for value in _svg_class(waiting, "value")] == ["40", "31.5", "28"]
    assert _svg_text(_svg_class(waiting, "axis-title")[0]) == "days"
    # Drawn on the server: the page loads no charting script.
    assert "chart.umd" not in response.content.decode()
    summary = _tables(response)["Each outcome measure from its baseline to its latest reading"]
    assert _row(summary, "Days waiting for a first call (days)") == [
        "Days waiting for a first call (days)",
        "Lower is better",
        "40 on 5 Jan 2026",
        "28 on 4 May 2026",
        "-12",
        "Better",
    ]
    assert _row(summary, "People who feel heard (%)")[4:] == ["-5", "Worse"]
    readings = _tables(response)[
        "Every reading of Days waiting for a first call, in days. Lower is better"
    ]
    assert readings[1:] == [
        ["5 Jan 2026 (baseline)", "40"],
        ["2 Mar 2026", "31.50"],
        ["4 May 2026", "28"],
    ]


def test_you_said_we_did_learning_and_the_impact_summary_are_shown(commissioner_client, personas):
    _decision(
        personas.project,
        you_said="Meetings in the daytime are hard for carers",
        we_did="We moved meetings to the evening",
        progress=Progress.DONE,
    )
    _decision(personas.project, title="Not public", you_said="")
    for number in range(4):
        LearningEntry.objects.create(
            project=personas.project,
            title=f"Lesson {number}",
            tried="x",
            happened="y",
            learned=f"Learned thing {number}",
            created_at=timezone.now() - timedelta(days=10 - number),
        )
    ImpactSummary.objects.create(project=personas.project, influence="Carers changed the times")

    content = commissioner_client.get(_report_url(personas.project)).content.decode()

    assert "We moved meetings to the evening" in content
    assert "Not public" not in content
    assert "Learned thing 3" in content and "Learned thing 1" in content
    assert "Learned thing 0" not in content
    assert "Carers changed the times" in content


def test_a_long_you_said_we_did_shows_the_latest_20_and_links_the_public_board(
    commissioner_client, personas
):
    for number in range(21):
        _decision(
            personas.project,
            title=f"Change number {number:02d}",
            you_said="Something",
            decided_on=date(2026, 1, 1) + timedelta(days=number),
        )

    content = commissioner_client.get(_report_url(personas.project)).content.decode()

    assert "Change number 20" in content and "Change number 01" in content
    assert "Change number 00" not in content
    assert reverse("decisions:you_said_we_did", kwargs={"slug": "crisis-support"}) in content


# Small numbers cannot be worked out ---------------------------------------------------------


def _every_output(client, project) -> dict[str, str]:
    """The report's text as a web page, as its CSV files and as its PDF."""
    outputs = {}
    for output in ("html", "csv", "pdf"):
        url = _report_url(project, output)
        response = get_report_pdf(client, url) if output == "pdf" else client.get(url)
        assert response.status_code == 200, output
        if output == "csv":
            outputs[output] = "\n".join(
                ",".join(row) for rows in _csv_files(response).values() for row in rows
            )
        elif output == "pdf":
            outputs[output] = _pdf_text(response)
        else:
            outputs[output] = response.content.decode()
    return outputs


def test_nothing_gives_away_4_people_against_a_target_of_4_or_one_persons_fee(
    commissioner_client, personas
):
    carers = _members(personas.project, 4, StakeholderGroup.CARER)
    CoverageTarget.objects.create(
        project=personas.project, stakeholder_group=StakeholderGroup.CARER, target=4
    )
    meeting = _held_meeting(personas.project, days_ago=10)
    came = [_attend(meeting, carer, hours="2.35") for carer in carers]  # 9.40 hours in all
    # Five recorded in all, so a rate of 80% would say exactly 4 came and 1 did not.
    _attend(meeting, personas.participant.person, AttendanceStatus.NO_SHOW)
    _pay(came[0], amount="25.00")
    EvidenceRecord.objects.create(
        project=personas.project,
        kind=EvidenceKind.SAVING,
        title="Fewer missed appointments",
        source="Finance",
        amount=Decimal("1000.00"),
    )

    outputs = _every_output(commissioner_client, personas.project)

    for output, text in outputs.items():
        # The one fee, and the costs, savings less costs (975.00) and savings for each £1
        # (40.00) that it could be worked back from.
        for figure in ("25.00", "975.00", "40.00", "9.40", "80%"):
            assert figure not in text, (output, figure)
        assert not re.search(
            r"Carer or family member,?\s*fewer than 5,?\s*4,?\s*(Yes|Not)", text
        ), output
    groups = _tables(commissioner_client.get(_report_url(personas.project)))[
        "Active people in each stakeholder group, against the target"
    ]
    carer_row = _row(groups, "Carer or family member")
    assert carer_row[1:3] == [SUPPRESSED, "4"]
    assert carer_row[3].startswith("not shown")
    engagement = _csv_files(commissioner_client.get(_report_url(personas.project, "csv")))[
        "engagement.csv"
    ]
    target_met = next(
        row for row in engagement if row[:2] == ["Target met", "Carer or family member"]
    )
    assert target_met[2].startswith("not shown")
    attendance_rate = next(row for row in engagement if row[0] == "Attendance rate (%)")
    assert attendance_rate[2].startswith("not shown")
    assert "Hours of involvement not shown" in outputs["pdf"]
    assert "Total paid not shown" in outputs["pdf"]


def test_a_hidden_fee_cannot_be_worked_out_by_subtracting_from_a_total(
    commissioner_client, personas
):
    carer = _members(personas.project, 1, StakeholderGroup.CARER)[0]
    meeting = _held_meeting(personas.project, days_ago=10)
    _pay(_attend(meeting, carer), amount="25.00")
    for somebody in _members(personas.project, 6):
        ExpenseClaim.objects.create(
            person=somebody,
            project=personas.project,
            meeting=meeting,
            spent_on=meeting.starts_at.date(),
            category=ExpenseCategory.TRAVEL,
            amount=Decimal("4.50"),
            status=ClaimStatus.PAID,
            paid_on=timezone.localdate(),
        )
    for kind, amount in ((EvidenceKind.COST, "100.00"), (EvidenceKind.SAVING, "1000.00")):
        EvidenceRecord.objects.create(
            project=personas.project, kind=kind, title=kind, source="Finance", amount=amount
        )

    outputs = _every_output(commissioner_client, personas.project)

    for output, text in outputs.items():
        # Expenses for 6 people (27.00) are shown, so neither the total paid (52.00), the
        # total costs (152.00), savings less costs (848.00) nor savings for each £1 (6.58)
        # may be: each one less the shown figures is the one fee.
        assert "27.00" in text, output
        for figure in ("25.00", "52.00", "152.00", "848.00", "6.58"):
            assert figure not in text, (output, figure)


def test_counts_of_meetings_and_decisions_are_not_about_people_and_are_shown(
    commissioner_client, personas
):
    for days_ago in (3, 5):
        _held_meeting(personas.project, days_ago=days_ago)
    for number in range(3):
        _decision(personas.project, title=f"Decision {number}")

    response = commissioner_client.get(_report_url(personas.project))
    files = _csv_files(commissioner_client.get(_report_url(personas.project, "csv")))

    assert _row(_tables(response)["Meetings and attendance so far"], "Meetings held")[1] == "2"
    assert _row(_tables(response)["Decisions and who took part"], "Decisions logged")[1] == "3"
    assert ["Meetings held", "", "2"] in files["engagement.csv"]
    assert ["Decisions logged", "", "3"] in files["power_sharing.csv"]


# CSV and PDF --------------------------------------------------------------------------------


def test_the_csv_download_is_a_zip_with_a_file_for_each_section(commissioner_client, personas):
    carers = _members(personas.project, 5, StakeholderGroup.CARER)
    CoverageTarget.objects.create(
        project=personas.project, stakeholder_group=StakeholderGroup.CARER, target=4
    )
    meeting = _held_meeting(personas.project, days_ago=12)
    for carer in carers:  # 5 fees, so the money is shown
        _pay(_attend(meeting, carer), amount="24.69")
    _outcome(personas.project, readings=[(date(2026, 4, 1), "30")])
    _decision(personas.project, you_said="Shorter forms", we_did="Cut the form to one page")
    EvidenceRecord.objects.create(
        project=personas.project,
        kind=EvidenceKind.SAVING,
        title="Fewer missed appointments",
        source="Finance",
        amount=Decimal("1000.00"),
    )

    response = commissioner_client.get(_report_url(personas.project, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="coprod-report-crisis-support-'
    )
    files = _csv_files(response)
    assert set(files) == CSV_FILES
    assert ["Active people", "Carer or family member", "5"] in files["engagement.csv"]
    assert ["Target met", "Carer or family member", "Yes"] in files["engagement.csv"]
    assert ["Active people", "Person with lived experience", SUPPRESSED] in files["engagement.csv"]
    assert ["Total paid (£)", "123.45"] in files["payments.csv"]
    assert files["outcomes.csv"][1] == [
        "Days waiting for a first call",
        "days",
        "Lower is better",
        "40.00",
        "2026-01-05",
        "30.00",
        "2026-04-01",
        "-10.00",
        "Better",
    ]
    assert ["Days waiting for a first call", "days", "2026-04-01", "30.00"] in files[
        "outcome_readings.csv"
    ]
    assert files["you_said_we_did.csv"][1][2:4] == ["Shorter forms", "Cut the form to one page"]
    assert ["Savings recorded (£)", "1000.00"] in files["cost_benefit.csv"]
    assert ["Savings for each £1 spent (£)", "8.10"] in files["cost_benefit.csv"]


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(commissioner_client, personas):
    _decision(
        personas.project,
        title='=HYPERLINK("http://evil.example","click")',
        you_said="+44 call us",
        we_did="-1 fewer steps",
        difference_made="@SUM(A1:A2)",
    )

    files = _csv_files(commissioner_client.get(_report_url(personas.project, "csv")))

    row = files["you_said_we_did.csv"][1]
    assert row[1] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[2:5] == ["'+44 call us", "'-1 fewer steps", "'@SUM(A1:A2)"]


def test_the_pdf_is_an_a4_pdf_with_the_headings_and_a_known_figure(commissioner_client, personas):
    meeting = _held_meeting(personas.project, days_ago=12)
    for somebody in _members(personas.project, 5):  # 5 fees, so the money is shown
        _pay(_attend(meeting, somebody), amount="24.69")
    _outcome(personas.project, readings=[(date(2026, 4, 1), "30")])

    response = get_report_pdf(commissioner_client, _report_url(personas.project, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert pdf_bytes(response).startswith(b"%PDF")
    page = PdfReader(io.BytesIO(pdf_bytes(response))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = _pdf_text(response)
    for heading in SECTION_HEADINGS:
        assert heading in text
    assert "Total paid £123.45" in text
    assert "40 on 5 Jan 2026" in text


def test_the_pdf_maker_reads_static_files_and_never_the_network(monkeypatch):
    asked, real_static_file = [], pdf_helper._static_file

    def static_file(url, static_url):
        asked.append(url)
        return real_static_file(url, static_url)

    def no_network(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to reach the network")

    monkeypatch.setattr(pdf_helper, "_static_file", static_file)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = (
        '<link rel="stylesheet" href="/static/css/coprod.css">'
        '<img src="https://example.org/tracker.png" alt="">'
        "<p>Hello</p>"
    )

    pdf = pdf_helper.html_to_pdf(html, base_url="http://testserver/")

    assert pdf.startswith(b"%PDF")
    assert asked == [
        "http://testserver/static/css/coprod.css",
        "https://example.org/tracker.png",
    ]


def test_only_coprods_own_static_files_are_given_to_the_pdf_maker():
    static_url = "http://testserver/static/"

    assert pdf_helper._static_file(f"{static_url}js/charts-common.js", static_url).name == (
        "charts-common.js"
    )
    for url in (
        "https://example.org/tracker.png",
        "http://testserver/media/evidence/x.pdf",
        "file:///etc/passwd",
        f"{static_url}../../etc/passwd",
        f"{static_url}js/no-such-file.js",
    ):
        assert pdf_helper._static_file(url, static_url) is None, url


def test_a_seventh_pdf_render_in_a_minute_is_refused_but_downloads_are_not_counted(
    client, personas, monkeypatch
):
    made = []

    def html_to_pdf(html, *, base_url):
        made.append(html)
        return b"%PDF-1.7 made in the test"

    monkeypatch.setattr(services_report_pdfs, "html_to_pdf", html_to_pdf)
    # Every request in the same minute, however long the test takes.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    colleague = CommissionerFactory(email="colleague@example.org")
    ReportGrantFactory(project=personas.project, commissioner=colleague)
    url = _report_url(personas.project, "pdf")

    def change_the_report(version: int) -> None:
        Project.objects.filter(pk=personas.project.pk).update(summary=f"Version {version}")

    client.force_login(personas.commissioner)
    statuses = []
    for version in range(6):
        change_the_report(version)
        statuses.append(get_report_pdf(client, url).status_code)
    downloads = [client.get(url).status_code for _ in range(5)]
    change_the_report(6)
    refused = client.get(url)
    queued_after_refusal = ReportPdf.objects.filter(status=ReportPdfStatus.WAITING).count()
    client.force_login(colleague)
    colleagues = get_report_pdf(client, url)

    assert statuses == [200] * 6
    assert downloads == [200] * 5
    assert refused.status_code == 429
    assert "Please wait a moment" in refused.content.decode()
    assert queued_after_refusal == 0
    assert colleagues.status_code == 200
    assert len(made) == 7


# Speed --------------------------------------------------------------------------------------


def test_the_report_runs_the_same_number_of_queries_for_5_people_and_for_50(client, personas):
    small, large = ProjectFactory(slug="small"), ProjectFactory(slug="large")
    _fill(small, people=5, meetings=1, decisions=1, outcomes=1)
    _fill(large, people=50, meetings=4, decisions=12, outcomes=5)
    client.force_login(personas.staff)

    counts = []
    for project in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_report_url(project))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    large_report = report_for_project(large)
    assert large_report["engagement"]["people_attended"] == 40
    assert len(large_report["outcomes"]) == 5


def test_the_list_of_reports_leaves_out_archived_projects_for_commissioners_and_staff(
    client, personas
):
    ReportGrantFactory(project=personas.other_project, commissioner=personas.commissioner)
    personas.project.archived_at = timezone.now()
    personas.project.save(update_fields=["archived_at"])

    client.force_login(personas.commissioner)
    commissioner_page = client.get(reverse("evidence:reports")).content.decode()
    client.force_login(personas.staff)
    staff_page = client.get(reverse("evidence:reports")).content.decode()

    for page in (commissioner_page, staff_page):
        assert "Housing repairs" in page
        assert "Crisis support" not in page
