"""A project's report figures are worked out by a task and kept in one row: worked out on the
first visit, refreshed every 5 minutes by beat and whenever a visit finds them older than that
(one refresh queued at a time); the page says when, and the page, CSV and PDF are all made
from the kept row."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coprod.core import kept_figures
from coprod.core.kept_figures import CLAIM_TIMEOUT, REFRESH_EVERY
from coprod.core.suppression import SUPPRESSED, WITHHELD
from evidence import services_report_figures
from evidence.models import EvidenceKind, EvidenceRecord, ImpactSummary, ReportFigures
from evidence.selectors import report_for_project
from evidence.services import evidence_delete, evidence_update
from evidence.services_report_figures import (
    _storable,
    report_figures_kept,
    report_figures_refresh,
    report_figures_refresh_stale,
)
from evidence.services_report_pdfs import report_pdf_html
from evidence.tasks import refresh_report_figures
from evidence.templatetags import report_charts
from tests.evidence.test_reports import (
    _attend,
    _csv_files,
    _decision,
    _fill,
    _held_meeting,
    _members,
    _report_url,
)
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """The tasks queued, by name and arguments, instead of sending them to a broker."""
    sent: list[tuple] = []
    monkeypatch.setattr(kept_figures, "task_delay", lambda name, *args: sent.append((name, *args)))
    return sent


def _lists(value):
    """JSON has no tuples: the figures' pairs come back as lists."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value


def _as_kept(report: dict) -> dict:
    return _lists(_storable(report))


def _age(project, by: timedelta) -> None:
    ReportFigures.objects.filter(project=project).update(worked_out_at=timezone.now() - by)


def test_the_first_visit_works_the_figures_out_and_the_page_says_when(
    commissioner_client, personas, queued
):
    assert not ReportFigures.objects.exists()

    page = commissioner_client.get(_report_url(personas.project)).content.decode()

    kept = ReportFigures.objects.get(project=personas.project)
    shown = timezone.localtime(kept.worked_out_at)
    assert (
        f"Figures worked out at {shown:%H:%M}; they are brought up to date every 5 minutes." in page
    )
    assert kept.figures == _as_kept(report_for_project(personas.project))
    assert queued == []


def test_the_page_csv_and_pdf_show_the_kept_figures(commissioner_client, personas, monkeypatch):
    counted = report_for_project(personas.project)
    counted["engagement"]["meetings_held"] = 987
    monkeypatch.setattr(services_report_figures, "report_for_project", lambda project: counted)
    report_figures_refresh(project=personas.project)
    monkeypatch.undo()

    page = commissioner_client.get(_report_url(personas.project)).content.decode()
    files = _csv_files(commissioner_client.get(_report_url(personas.project, "csv")))
    pdf_html = report_pdf_html(project=personas.project, made_on=timezone.localdate())

    assert '<tr><th scope="row">Meetings held</th><td>987</td></tr>' in page
    assert ["Meetings held", "", "987"] in files["engagement.csv"]
    assert '<tr><th scope="row">Meetings held</th><td>987</td></tr>' in pdf_html


def test_fresh_figures_are_shown_without_counting_again_or_queueing(
    commissioner_client, personas, queued
):
    report_figures_refresh(project=personas.project)
    _held_meeting(personas.project, days_ago=1)
    url = _report_url(personas.project)
    commissioner_client.get(url)

    with CaptureQueriesContext(connection) as queries:
        page = commissioner_client.get(url).content.decode()

    # The commissioner, the project, their grant and the kept figures.
    assert len(queries) == 4, "\n".join(query["sql"] for query in queries.captured_queries)
    assert '<tr><th scope="row">Meetings held</th><td>0</td></tr>' in page
    assert queued == []


def test_stale_figures_are_shown_and_queue_exactly_one_refresh(
    commissioner_client, personas, queued, django_capture_on_commit_callbacks
):
    report_figures_refresh(project=personas.project)
    _held_meeting(personas.project, days_ago=1)
    _age(personas.project, REFRESH_EVERY + timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            commissioner_client.get(_report_url(personas.project)).content.decode()
            for _ in range(3)
        ]

    assert queued == [("evidence.tasks.refresh_report_figures", personas.project.pk)]
    assert all('<th scope="row">Meetings held</th><td>0</td>' in page for page in pages)
    assert ReportFigures.objects.get(project=personas.project).refresh_queued_at is not None


def test_the_refresh_counts_again_and_frees_the_next_refresh(personas, queued):
    report_figures_refresh(project=personas.project)
    _held_meeting(personas.project, days_ago=1)
    _age(personas.project, REFRESH_EVERY * 2)
    report_figures_kept(project=personas.project)

    refresh_report_figures(personas.project.pk)

    kept = ReportFigures.objects.get(project=personas.project)
    assert kept.figures["engagement"]["meetings_held"] == 1
    assert kept.refresh_queued_at is None
    assert kept.worked_out_at > timezone.now() - timedelta(minutes=1)


def test_a_refresh_queued_long_ago_that_never_ran_lets_a_visit_queue_another(
    personas, queued, django_capture_on_commit_callbacks
):
    report_figures_refresh(project=personas.project)
    _age(personas.project, REFRESH_EVERY * 3)
    ReportFigures.objects.update(
        refresh_queued_at=timezone.now() - CLAIM_TIMEOUT - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        report_figures_kept(project=personas.project)

    assert queued == [("evidence.tasks.refresh_report_figures", personas.project.pk)]


def test_beat_refreshes_only_the_figures_that_are_stale(personas):
    other = ProjectFactory(slug="other-report")
    report_figures_refresh(project=personas.project)
    report_figures_refresh(project=other)
    _age(personas.project, REFRESH_EVERY + timedelta(seconds=1))
    fresh_at = ReportFigures.objects.get(project=other).worked_out_at

    assert report_figures_refresh_stale() == 1
    assert ReportFigures.objects.get(project=other).worked_out_at == fresh_at
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-stale-report-figures"]
    assert entry["task"] == "evidence.tasks.refresh_stale_report_figures"
    assert entry["schedule"] == REFRESH_EVERY.total_seconds()


def test_money_dates_and_text_come_back_from_the_kept_row_exactly(personas):
    project = ProjectFactory(slug="full-report")
    _fill(project, people=6, meetings=2, decisions=3, outcomes=2)
    ImpactSummary.objects.update_or_create(
        project=project, defaults={"aim": "Shape the drop-in together"}
    )

    report_figures_refresh(project=project)

    kept = ReportFigures.objects.get(project=project).figures
    assert kept == _as_kept(report_for_project(project))
    assert isinstance(kept["payments"]["expenses_paid"], Decimal)
    assert isinstance(kept["outcomes"][0]["readings"][0][0], date)
    assert kept["impact_summary"]["aim"] == "Shape the drop-in together"
    assert kept["you_said_we_did"]["decisions"][0]["progress"]


def test_the_kept_row_holds_only_suppressed_counts_of_few_people(personas):
    meeting = _held_meeting(personas.project, days_ago=3)
    for somebody in _members(personas.project, 3):
        _attend(meeting, somebody, hours="2.50")

    report_figures_refresh(project=personas.project)

    stored = json.dumps(ReportFigures.objects.get(project=personas.project).figures, default=str)
    engagement = ReportFigures.objects.get(project=personas.project).figures["engagement"]
    assert engagement["people_attended"] == SUPPRESSED
    assert engagement["attended"] == WITHHELD
    assert engagement["hours"] == WITHHELD
    assert "7.50" not in stored


def test_a_quote_no_longer_agreed_for_publication_leaves_the_report_at_once(
    commissioner_client, personas
):
    record = EvidenceRecord.objects.create(
        project=personas.project,
        kind=EvidenceKind.STORY,
        title="From the March workshop",
        source="Workshop notes",
        text="The new leaflet finally makes sense to me.",
        consent_to_publish=True,
    )
    url = _report_url(personas.project)
    assert "finally makes sense" in commissioner_client.get(url).content.decode()

    evidence_update(record=record, consent_to_publish=False)
    withdrawn = commissioner_client.get(url).content.decode()
    record.refresh_from_db()
    record.consent_to_publish = True
    record.save()
    ReportFigures.objects.all().delete()
    assert "finally makes sense" in commissioner_client.get(url).content.decode()
    evidence_delete(record=record)
    deleted = commissioner_client.get(url).content.decode()

    assert "finally makes sense" not in withdrawn
    assert "finally makes sense" not in deleted


def test_while_a_refresh_is_pending_a_visit_reads_one_row_and_claims_nothing(
    commissioner_client, personas, queued
):
    report_figures_refresh(project=personas.project)
    _age(personas.project, REFRESH_EVERY * 2)
    ReportFigures.objects.update(refresh_queued_at=timezone.now() - timedelta(minutes=1))
    url = _report_url(personas.project)
    commissioner_client.get(url)

    with CaptureQueriesContext(connection) as queries:
        commissioner_client.get(url)

    assert len(queries) == 4, "\n".join(query["sql"] for query in queries.captured_queries)
    assert queued == []


# The sections rendered with the figures -----------------------------------------------------


def _sections(page: str) -> str:
    """The report's sections as a page shows them, from the first to the last."""
    return page[page.index('<section id="engagement"') : page.rindex("</section>")]


def test_a_visit_draws_no_chart_the_sections_come_drawn_from_the_kept_row(
    commissioner_client, personas, monkeypatch
):
    _fill(personas.project, people=6, meetings=1, decisions=1, outcomes=2)
    report_figures_refresh(project=personas.project)

    def no_drawing(*args, **kwargs):
        raise AssertionError("a visit drew a chart")

    monkeypatch.setattr(report_charts, "bar_chart", no_drawing)
    monkeypatch.setattr(report_charts, "line_chart", no_drawing)
    page = commissioner_client.get(_report_url(personas.project)).content.decode()
    pdf_html = report_pdf_html(project=personas.project, made_on=timezone.localdate())

    for html in (page, pdf_html):
        assert 'aria-labelledby="engagement-chart-title' in html
        assert 'aria-labelledby="outcome-chart-1-title' in html


def test_the_kept_sections_are_the_kept_figures_rendered_for_nobody_in_particular(personas):
    """The page and the PDF show the kept sections, the CSV the kept figures: they agree
    only if the sections are those figures rendered. And nothing in them may depend on who
    is looking, since every viewer is shown the same."""
    _fill(personas.project, people=6, meetings=2, decisions=2, outcomes=2)
    kept = report_figures_refresh(project=personas.project)
    kept = ReportFigures.objects.get(pk=kept.pk)

    for viewer in (personas.staff, personas.commissioner):
        request = RequestFactory().get(_report_url(personas.project))
        request.user = viewer
        rendered = render_to_string(
            "evidence/report_sections.html",
            {"project": personas.project, "report": kept.figures, "charts": True},
            request=request,
        )
        assert kept.sections_html == rendered


def test_what_people_typed_is_escaped_in_the_kept_sections(
    commissioner_client, staff_client, personas
):
    _decision(
        personas.project,
        title='<script>alert("title")</script>',
        you_said="<b>Open</b> on Saturdays",
        we_did="We did & more",
    )
    url = _report_url(personas.project)

    pages = [client.get(url).content.decode() for client in (commissioner_client, staff_client)]

    for page in pages:
        assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in page
        assert "&lt;b&gt;Open&lt;/b&gt; on Saturdays" in page
        assert "We did &amp; more" in page
        assert "<script>alert" not in page
        assert "<b>Open" not in page
    assert _sections(pages[0]) == _sections(pages[1])


def test_a_change_to_the_projects_summary_shows_at_once(commissioner_client, personas):
    """Only the figures are kept: the rest of the page is the project as it is now."""
    url = _report_url(personas.project)
    commissioner_client.get(url)
    personas.project.summary = "Now about evening drop-ins"
    personas.project.save()

    assert "Now about evening drop-ins" in commissioner_client.get(url).content.decode()
