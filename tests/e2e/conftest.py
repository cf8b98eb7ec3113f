"""Playwright (Python) driving Debian's Chromium against a live coprod server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# The page's width once it has stayed the same for 5 animation frames (at most 2 s of
# frames): a chart caught mid-resize is not yet its width; a page that is too wide stays so.
SETTLED_WIDTH = """async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  let width = -1, unchanged = 0;
  for (let n = 0; n < 120 && unchanged < 5; n++) {
    await frame();
    const now = document.documentElement.scrollWidth;
    unchanged = now === width ? unchanged + 1 : 0;
    width = now;
  }
  return width;
}"""


@pytest.fixture
def screenshot(request, page):
    """screenshot("name") saves the page at phone and desktop width under
    tests/e2e/screenshots/<test name>/, for a person to look at."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> None:
        walking_at = page.viewport_size
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            # WCAG 1.4.10 (reflow): nothing may make a person scroll sideways. Measured once
            # the page has settled at its new width (charts resize over the next frames) and
            # before the full-page screenshot, which briefly resizes the page to take it.
            width = page.evaluate(SETTLED_WIDTH)
            page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)
            assert width <= size["width"], f"{name} is {width}px wide at {label} width"
        page.set_viewport_size(walking_at)

    return take


# axe-core 4.14.1 from the npm registry (`npm pack axe-core@4`), kept here so the audit never
# needs the network. It is evaluated through the DevTools protocol, which the page's
# Content-Security-Policy (no inline scripts) does not block, so the journeys keep the real CSP.
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}


# The page's width and the first elements that stick out past the window, to say what to fix.
# After the window narrows, wait three frames (charts redraw for the new width in one),
# then give the page's width and the first elements sticking out past it, to say what to fix.
WIDEST = """async () => {
    for (let frame = 0; frame < 3; frame++) {
        await new Promise((done) => requestAnimationFrame(done));
    }
    const root = document.documentElement;
    const wide = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
        .slice(0, 4)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return [root.scrollWidth, root.clientWidth, wide];
}"""


class PageAudit:
    """Checks the page in the browser against axe-core and the HTML the server sent against
    html5lib's strict parser. Every HTML page a journey loads must be audited: the fixture
    fails the test at the end if one was not."""

    def __init__(self, page):
        self.page = page
        self.documents = {}
        self.audited = set()
        self.axe_source = AXE_SOURCE.read_text()
        page.on("response", self._keep_document)

    def _keep_document(self, response) -> None:
        if (
            response.request.resource_type == "document"
            and response.frame == self.page.main_frame
            and not 300 <= response.status < 400
            and response.headers.get("content-type", "").startswith("text/html")
        ):
            self.documents[response.url.split("#")[0]] = response

    def __call__(self) -> None:
        self.page.wait_for_load_state("load")
        url = self.page.url.split("#")[0]
        self._check_html(url)
        self._check_axe(url)
        self._check_reflow(url)
        self.audited.add(url)

    def _check_reflow(self, url: str) -> None:
        """WCAG 1.4.10: at a phone's 390 px nothing makes a person scroll sideways."""
        size = self.page.viewport_size
        self.page.set_viewport_size(PHONE)
        try:
            scroll, client, wide = self.page.evaluate(WIDEST)
        finally:
            self.page.set_viewport_size(size)
        assert scroll <= client, f"{url} scrolls sideways at 390 px ({scroll} > {client}): {wide}"

    def _check_html(self, url: str) -> None:
        import html5lib

        response = self.documents.get(url)
        assert response is not None, f"no HTML response was seen for {url}"
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parser.parse(response.text())
        except html5lib.html5parser.ParseError as error:
            raise AssertionError(f"{url} is not valid HTML: {error}") from error

    def _check_axe(self, url: str) -> None:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(self.axe_source)
        violations = self.page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {
                    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
                });
                return results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
                }));
            }""",
            AXE_TAGS,
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"accessibility problems on {url}:\n" + "\n".join(
            f"  {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in blocking
        )

    def unaudited(self) -> list[str]:
        return sorted(set(self.documents) - self.audited)


@pytest.fixture
def audit(page):
    """audit() checks the page now showing; call it on every page the journey visits."""
    checker = PageAudit(page)
    yield checker
    missed = checker.unaudited()
    assert not missed, f"pages the journey visited without an audit: {missed}"


@pytest.fixture
def outbox():
    """Emails sent so far (Django's locmem backend in tests)."""
    from django.core import mail

    return mail.outbox


def link_in(email, starting_with: str) -> str:
    """The path (and query) of the first link in an email's text whose path starts with
    `starting_with`; emails sent by background jobs name COPROD_BASE_URL, not the test server."""
    import re
    from urllib.parse import urlsplit

    for link in re.findall(r"https?://\S+", email.body):
        parts = urlsplit(link)
        if parts.path.startswith(starting_with):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"no link containing {starting_with!r} in {email.subject!r}")


def exactly(label: str):
    """Match a form label exactly, ignoring the spaces around it and crispy-forms' "*" after
    a required field's label."""
    import re

    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")
