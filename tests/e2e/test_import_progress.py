"""Staff import a roster file of a few thousand people in a real browser: after the upload a
progress bar counts the rows as they are checked (asking the server every second), then the
preview, the import with its own progress, and the result. Every page is audited.

The background tasks run in this test's own thread, a chunk at a time, while the browser
goes on polling the live server, which is what a Celery worker would do elsewhere."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from projects.models import ImportStatus, Membership, RosterImportJob
from projects.services import roster_import, roster_import_jobs
from projects.services.roster_import import COLUMNS
from tests.factories.people import PASSWORD, StaffFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 3000
CHUNK = 1000
# Long enough for the page to ask for the job's status at least once between chunks.
BETWEEN_CHUNKS_MS = 1600


def roster_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n in range(ROWS):
        writer.writerow(
            [f"Person {n}", "", f"person{n}@example.org", "", "carer", "", "", "", "", "", "paper"]
        )
    return out.getvalue().encode()


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_watch_a_large_file_being_checked_then_import_it(
    page, audit, screenshot, monkeypatch, tmp_path, width
):
    page.set_viewport_size({"width": width, "height": 900})
    StaffFactory(email="lead@example.org")
    project = ProjectFactory(name="Crisis line", slug="crisis-line")
    for n in range(50):
        PersonFactory(full_name=f"Already {n}", email=f"person{n}@example.org")
    queued = []
    monkeypatch.setattr(roster_import_jobs, "_queue", lambda task, job_id: queued.append(task))
    monkeypatch.setattr(roster_import, "CHUNK_ROWS", CHUNK)
    seen = []
    checked_so_far = roster_import_jobs._checked_so_far

    def checked_then_let_the_page_ask(job_id):
        record = checked_so_far(job_id)

        def after_chunk(rows: int) -> None:
            record(rows)
            page.wait_for_timeout(BETWEEN_CHUNKS_MS)
            seen.append(page.locator("[data-progress-text]").text_content())

        return after_chunk

    monkeypatch.setattr(roster_import_jobs, "_checked_so_far", checked_then_let_the_page_ask)

    page.goto("/accounts/login/")
    audit()
    page.locator("#id_login").fill("lead@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    audit()

    page.goto("/projects/crisis-line/roster/import/")
    audit()
    path = tmp_path / "people.csv"
    path.write_bytes(roster_csv())
    page.get_by_label("CSV file").set_input_files(path)
    page.get_by_role("button", name="Preview the import").click()

    # Uploaded: waiting for the worker, with a progress bar at nought.
    expect(page.get_by_role("heading", name="Checking the file")).to_be_visible()
    expect(page.locator("[data-progress-text]")).to_have_text(
        "Waiting to start checking 3,000 rows"
    )
    audit()
    screenshot("waiting")
    job = RosterImportJob.objects.get(project=project)
    assert queued == ["projects.tasks.check_roster_import"]

    roster_import_jobs.roster_import_job_check(job_id=job.pk)

    # The text moved as the rows were checked, then the page showed the preview by itself.
    assert seen[:2] == ["Checked 1,000 of 3,000 rows", "Checked 2,000 of 3,000 rows"]
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.get_by_text("2,950 new to the roster and 50 already on it")).to_be_visible()
    audit()
    screenshot("preview")

    page.get_by_role("button", name="Import these 3,000 people").click()
    expect(page.get_by_role("heading", name="Importing people")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    audit()
    screenshot("importing")
    assert queued[-1] == "projects.tasks.run_roster_import"

    roster_import_jobs.roster_import_job_import(job_id=job.pk)

    expect(page.get_by_role("heading", name="People imported")).to_be_visible()
    expect(page.get_by_text("Added 2,950 people; 50 were already on the roster.")).to_be_visible()
    audit()
    screenshot("done")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Membership.objects.filter(project=project).count() == ROWS
