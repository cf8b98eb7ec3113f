"""Commissioner report PDFs are made by a Celery task once for each version of the report and
downloaded from storage until the report changes; while one is being made the commissioner
sees a page that refreshes itself. Celery is eager in tests; the render runs when the
request's on-commit callbacks do."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from evidence import services_report_pdfs, tasks
from evidence.models import ReportPdf, ReportPdfStatus
from evidence.services_report_figures import report_figures_refresh
from projects.models import Project
from tests.evidence.report_pdf_helpers import get_report_pdf, pdf_bytes
from tests.evidence.test_reports import _held_meeting, _report_url

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7 made in the test"


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """WeasyPrint replaced by a spy: the HTML of each PDF made."""
    made = []

    def html_to_pdf(html, *, base_url):
        made.append(html)
        return FAKE_PDF

    monkeypatch.setattr(services_report_pdfs, "html_to_pdf", html_to_pdf)
    return made


def _pdf_url(project) -> str:
    return _report_url(project, "pdf")


def test_the_first_request_queues_one_render_and_says_the_pdf_is_being_prepared(
    commissioner_client, personas, renders, django_capture_on_commit_callbacks
):
    url = _pdf_url(personas.project)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = commissioner_client.get(url)
        second = commissioner_client.get(url)

    assert first.status_code == second.status_code == 202
    page = first.content.decode()
    assert "Your PDF is being prepared" in page
    assert "Crisis support" in page
    # A script file asks whether it is ready (no inline script); without JavaScript the page
    # refreshes itself.
    assert f'data-pdf-url="{url}"' in page
    assert "js/report-pdf.js" in page
    assert "<script>" not in page
    assert f'<noscript><meta http-equiv="refresh" content="3; url={url}"></noscript>' in page
    assert f'href="{_report_url(personas.project)}"' in page
    assert ReportPdf.objects.get().status == ReportPdfStatus.WAITING
    assert len(queued) == 1
    assert renders == []


def test_the_second_time_the_pdf_comes_from_storage_without_rendering(
    commissioner_client, personas, renders
):
    url = _pdf_url(personas.project)

    first = get_report_pdf(commissioner_client, url)
    pdf = ReportPdf.objects.get()
    again = commissioner_client.get(url)

    assert first.status_code == again.status_code == 200
    assert pdf_bytes(first) == pdf_bytes(again) == FAKE_PDF
    assert again["Content-Type"] == "application/pdf"
    assert again["Content-Disposition"] == (
        f'attachment; filename="coprod-report-crisis-support-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    assert len(renders) == 1
    assert ReportPdf.objects.get().rendered_at == pdf.rendered_at
    assert pdf.file.name.startswith("report-pdfs/")


def test_a_meeting_held_makes_a_new_version_rendered_again_and_the_old_pdf_goes(
    commissioner_client, personas, renders, django_capture_on_commit_callbacks
):
    url = _pdf_url(personas.project)
    get_report_pdf(commissioner_client, url)
    old = ReportPdf.objects.get()
    storage = old.file.storage

    _held_meeting(personas.project, days_ago=2)
    # The PDF is made from the kept figures: the meeting counts once they are worked out again.
    report_figures_refresh(project=personas.project)
    with django_capture_on_commit_callbacks(execute=True):
        asked = commissioner_client.get(url)
    downloaded = commissioner_client.get(url)

    assert asked.status_code == 202
    assert downloaded.status_code == 200
    assert len(renders) == 2
    new = ReportPdf.objects.get()
    assert new.fingerprint != old.fingerprint
    assert not storage.exists(old.file.name)
    assert storage.exists(new.file.name)


def test_a_second_delivery_of_the_task_for_a_ready_pdf_does_nothing(
    commissioner_client, personas, renders
):
    get_report_pdf(commissioner_client, _pdf_url(personas.project))
    pdf = ReportPdf.objects.get()

    assert tasks.render_report_pdf.delay(pdf.pk).get() is False

    assert len(renders) == 1
    again = ReportPdf.objects.get()
    assert (again.status, again.file.name, again.rendered_at) == (
        ReportPdfStatus.READY,
        pdf.file.name,
        pdf.rendered_at,
    )


def test_a_render_of_a_report_that_changed_while_it_waited_makes_nothing(
    commissioner_client, personas, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        commissioner_client.get(_pdf_url(personas.project))
    pdf = ReportPdf.objects.get()
    Project.objects.filter(pk=personas.project.pk).update(summary="Changed since")

    assert services_report_pdfs.report_pdf_render(pdf_id=pdf.pk) is False

    assert renders == []
    assert not ReportPdf.objects.exists()


def test_a_failed_render_says_so_and_try_again_queues_it_again(
    commissioner_client, personas, monkeypatch
):
    def broken(html, *, base_url):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(services_report_pdfs, "html_to_pdf", broken)
    url = _pdf_url(personas.project)

    failed = get_report_pdf(commissioner_client, url)

    assert failed.status_code == 200
    page = failed.content.decode()
    assert "We could not make the PDF" in page
    assert "WeasyPrint" not in page
    assert f'href="{url}&amp;retry=1"' in page
    assert "http-equiv" not in page
    assert ReportPdf.objects.get().error == "WeasyPrint fell over"

    monkeypatch.setattr(services_report_pdfs, "html_to_pdf", lambda html, *, base_url: FAKE_PDF)
    retried = get_report_pdf(commissioner_client, f"{url}&retry=1")
    downloaded = commissioner_client.get(url)

    assert retried.status_code == 302
    assert retried["Location"] == url
    assert downloaded.status_code == 200
    assert pdf_bytes(downloaded) == FAKE_PDF
    assert ReportPdf.objects.get().status == ReportPdfStatus.READY


def test_a_render_lost_for_ten_minutes_may_be_tried_again(commissioner_client, personas, renders):
    ReportPdf.objects.create(
        project=personas.project,
        fingerprint=services_report_pdfs.report_pdf_fingerprint(
            services_report_pdfs.report_pdf_html(
                project=personas.project, made_on=timezone.localdate()
            )
        ),
        requested_at=timezone.now() - timedelta(minutes=11),
    )
    url = _pdf_url(personas.project)

    lost = commissioner_client.get(url)
    retried = get_report_pdf(commissioner_client, f"{url}&retry=1")

    assert "We could not make the PDF" in lost.content.decode()
    assert retried.status_code == 302
    assert pdf_bytes(commissioner_client.get(url)) == FAKE_PDF
    assert len(renders) == 1


def test_a_pdf_whose_file_has_gone_is_made_again(commissioner_client, personas, renders):
    url = _pdf_url(personas.project)
    get_report_pdf(commissioner_client, url)
    pdf = ReportPdf.objects.get()
    pdf.file.storage.delete(pdf.file.name)

    again = get_report_pdf(commissioner_client, url)

    assert again.status_code == 200
    assert pdf_bytes(again) == FAKE_PDF
    assert len(renders) == 2


def test_a_render_that_cannot_be_queued_is_shown_as_failed(
    commissioner_client, personas, renders, monkeypatch
):
    def broker_down(name, *args):
        raise ConnectionError("no broker")

    monkeypatch.setattr(services_report_pdfs, "task_delay", broker_down)

    page = get_report_pdf(commissioner_client, _pdf_url(personas.project))

    assert "We could not make the PDF" in page.content.decode()
    assert ReportPdf.objects.get().error == services_report_pdfs.NOT_STARTED


@pytest.mark.parametrize("query", ["format=pdf", "format=pdf&retry=1"])
def test_an_ungranted_commissioner_is_refused_the_pdf_every_way(
    client, commissioner_client, personas, renders, query
):
    url = f"{reverse('evidence:report', kwargs={'slug': personas.project.slug})}?{query}"
    get_report_pdf(commissioner_client, _pdf_url(personas.project))
    ReportPdf.objects.update(status=ReportPdfStatus.FAILED)
    client.force_login(personas.ungranted_commissioner)

    refused = get_report_pdf(client, url)
    other_project = get_report_pdf(client, _pdf_url(personas.other_project))

    assert refused.status_code == other_project.status_code == 403
    assert ReportPdf.objects.get().status == ReportPdfStatus.FAILED
    assert not ReportPdf.objects.filter(project=personas.other_project).exists()
    assert len(renders) == 1


def test_an_ungranted_commissioner_cannot_download_a_pdf_already_made(
    client, commissioner_client, personas, renders
):
    get_report_pdf(commissioner_client, _pdf_url(personas.project))
    for person in (personas.ungranted_commissioner, personas.participant):
        client.force_login(person)

        response = client.get(_pdf_url(personas.project))

        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")


def test_pdfs_asked_for_more_than_a_week_ago_are_deleted_with_their_files(
    personas, django_capture_on_commit_callbacks
):
    def pdf(days_ago: int, fingerprint: str) -> ReportPdf:
        made = ReportPdf(
            project=personas.project,
            fingerprint=fingerprint,
            status=ReportPdfStatus.READY,
            requested_at=timezone.now() - timedelta(days=days_ago),
        )
        made.file.save(f"{fingerprint}.pdf", ContentFile(FAKE_PDF))
        return made

    old, recent = pdf(8, "old"), pdf(6, "recent")
    storage = old.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        deleted = tasks.delete_old_report_pdfs.delay().get()

    assert deleted == 1
    assert list(ReportPdf.objects.values_list("fingerprint", flat=True)) == ["recent"]
    assert not storage.exists(old.file.name)
    assert storage.exists(recent.file.name)


def test_asking_whether_it_is_ready_with_head_sends_no_pdf(commissioner_client, personas, renders):
    url = _pdf_url(personas.project)
    get_report_pdf(commissioner_client, url)

    ready = commissioner_client.head(url)

    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert b"".join(ready.streaming_content) == b""
    assert len(renders) == 1
