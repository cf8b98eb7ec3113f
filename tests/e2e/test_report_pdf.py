"""A commissioner asks for a report's PDF while no worker has made it yet: the browser shows
"being prepared", asks every few seconds whether it is ready, and the PDF downloads by itself
once a worker has made it. Every page is audited.

The render is queued nowhere (as if the Celery worker were busy); the test runs it by hand
in its own thread while the browser keeps asking the live server, which is what a worker
would do elsewhere."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from evidence import services_report_pdfs
from evidence.models import ReportPdf, ReportPdfStatus
from tests.e2e.test_commissioner_journey import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pdf_is_prepared_then_downloads_by_itself(
    page, audit, screenshot, personas, monkeypatch, width
):
    page.set_viewport_size({"width": width, "height": 900})
    queued = []
    monkeypatch.setattr(services_report_pdfs, "_queue", queued.append)

    log_in_as(page, audit, personas.commissioner)
    page.get_by_role("link", name="Crisis support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Crisis support")
    audit()

    page.get_by_role("link", name="Download as PDF").click()
    expect(page.get_by_role("heading", name="Your PDF is being prepared")).to_be_visible()
    expect(page.get_by_text("the PDF downloads by itself when it is ready")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/reports/crisis-support/\?format=pdf$"))
    audit()
    screenshot("being-prepared")
    pdf = ReportPdf.objects.get(project=personas.project)
    assert queued == [pdf.pk]
    assert pdf.status == ReportPdfStatus.WAITING

    # The page has asked at least once whether the PDF is ready while nothing was made.
    with page.expect_response(lambda response: "format=pdf" in response.url) as asked:
        pass
    assert (asked.value.request.method, asked.value.status) == ("HEAD", 202)

    with page.expect_download(timeout=20_000) as download:
        assert services_report_pdfs.report_pdf_render(pdf_id=pdf.pk) is True
    assert download.value.suggested_filename.startswith("coprod-report-crisis-support-")
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    # The download leaves the page as it was, with its way back to the web report.
    expect(page.get_by_role("heading", name="Your PDF is being prepared")).to_be_visible()
    expect(page.get_by_text("Your PDF is ready and is downloading now.")).to_be_visible()
    page.get_by_role("link", name="Read the report as a web page meanwhile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Crisis support")
    audit()


def test_a_failed_pdf_says_so_and_try_again_makes_it(
    page, audit, screenshot, personas, monkeypatch
):
    queued = []
    monkeypatch.setattr(services_report_pdfs, "_queue", queued.append)

    def broken(html, *, base_url):
        raise RuntimeError("WeasyPrint fell over")

    log_in_as(page, audit, personas.commissioner)
    page.goto("/reports/crisis-support/?format=pdf")
    audit()
    pdf = ReportPdf.objects.get(project=personas.project)
    with monkeypatch.context() as failing:
        failing.setattr(services_report_pdfs, "html_to_pdf", broken)
        assert services_report_pdfs.report_pdf_render(pdf_id=pdf.pk) is False

    # The page finds out by itself, and reloads to say so in plain words.
    expect(page.get_by_role("heading", name="We could not make the PDF")).to_be_visible()
    expect(page.get_by_text("WeasyPrint")).to_have_count(0)
    audit()
    screenshot("failed")

    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", name="Your PDF is being prepared")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/reports/crisis-support/\?format=pdf$"))
    audit()
    assert queued == [pdf.pk, pdf.pk]

    with page.expect_download(timeout=20_000) as download:
        assert services_report_pdfs.report_pdf_render(pdf_id=pdf.pk) is True
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
