"""Getting a report's PDF in a test: the first request queues its render (Celery is eager in
tests, so the render runs as soon as the request's transaction commits) and answers "being
prepared"; the next request downloads the PDF from storage."""

from django.test import TestCase


def get_report_pdf(client, url: str):
    """The response with the PDF, or the first response if it was not "being prepared"
    (refused, too many requests)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.get(url)
    if first.status_code != 202:
        return first
    return client.get(url)


def pdf_bytes(response) -> bytes:
    """The body of a PDF download, which is streamed from storage (and can be read once, so
    it is kept on the response)."""
    if not hasattr(response, "pdf_bytes"):
        response.pdf_bytes = response.getvalue()
    return response.pdf_bytes
