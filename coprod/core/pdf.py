"""The PDF helper: one place that turns a page of HTML into a PDF with WeasyPrint."""

import contextlib
import mimetypes
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation


def _static_file(url: str, static_url: str) -> Path | None:
    """The file of coprod's own static files that `url` names, or None for anything else:
    another site, another path on this one, or a path that climbs out ("../")."""
    if not url.startswith(static_url):
        return None
    with contextlib.suppress(SuspiciousFileOperation):
        found = finders.find(url.removeprefix(static_url).split("?")[0])
        if found:
            return Path(found)
    return None


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of `html` (its own style sets the page size). WeasyPrint may read coprod's
    static files through `base_url` and nothing else: it never reaches the network."""
    # WeasyPrint takes about two seconds to import, so only PDF requests load it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_url = urljoin(base_url, settings.STATIC_URL)

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            path = _static_file(url, static_url)
            if path is None:
                raise ValueError(f"The PDF may use coprod's static files only, not {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return HTML(
        string=html, base_url=base_url, url_fetcher=StaticFilesOnly(allowed_protocols=[])
    ).write_pdf()
