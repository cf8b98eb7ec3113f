"""The roster import as a background job: rows checked and saved a chunk at a time in a
fixed number of queries, the job's page and status while it runs, failures, who may see a
job, and old jobs cleared away."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import ImportStatus, Membership, RosterImportJob
from projects.services import roster_import
from projects.services.roster_import import COLUMNS, roster_file_read, roster_import_people
from projects.services.roster_import_jobs import (
    FAILED_CHECKING,
    roster_import_job_check,
    roster_import_job_start,
    roster_import_jobs_delete_old,
)
from stakeholders.models import ConsentRecord, Person, Skill
from tests.factories.people import ParticipantFactory
from tests.factories.roster import PersonFactory


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def people(count: int, *, start: int = 0, prefix: str = "p") -> list[dict]:
    """Rows of new people with everything a row can have: skills, needs, a phone number
    on every other row."""
    return [
        {
            "full_name": f"Person {n}",
            "email": f"{prefix}{n}@example.org",
            "phone": f"07400{100000 + n:06d}" if n % 2 else "",
            "stakeholder_group": "carer",
            "access_needs": "BSL interpreter",
            "availability": "weekends",
            "skills": "Gardening; Art",
            "in_pool": "yes",
            "consent": "paper",
        }
        for n in range(start, start + count)
    ]


def run(personas, content: bytes, *, dry_run: bool, on_progress=None):
    return roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=dry_run,
        on_progress=on_progress,
    )


def queries_for(personas, rows: list[dict], *, dry_run: bool) -> int:
    content = csv_bytes(rows)
    with CaptureQueriesContext(connection) as captured:
        outcome = run(personas, content, dry_run=dry_run)
    assert outcome.errors == []
    return len(captured)


# Chunks and queries


def test_a_person_twice_in_the_file_is_found_across_chunks(personas, monkeypatch):
    monkeypatch.setattr(roster_import, "CHUNK_ROWS", 3)
    rows = people(6)
    rows.append({**people(1, start=99)[0], "email": "P1@example.org"})
    progress = []

    outcome = run(personas, csv_bytes(rows), dry_run=True, on_progress=progress.append)

    assert [str(error) for error in outcome.errors] == ["Row 8: email — same person as row 3"]
    assert progress == [3, 6, 7]


def test_a_file_in_several_chunks_imports_everyone_once(personas, monkeypatch):
    monkeypatch.setattr(roster_import, "CHUNK_ROWS", 4)
    existing = PersonFactory(full_name="Already Here", email="p5@example.org", consented=False)
    before = Person.objects.count()

    outcome = run(personas, csv_bytes(people(10)), dry_run=False)

    assert outcome.errors == []
    assert (outcome.new_count, outcome.matched_count) == (9, 1)
    assert Person.objects.count() == before + 9
    imported = Person.objects.filter(email__endswith="@example.org", full_name__startswith="P")
    assert Membership.objects.filter(project=personas.project, person__in=imported).count() == 10
    assert ConsentRecord.objects.filter(person__in=imported).count() == 10
    assert Skill.objects.filter(name__in=["Gardening", "Art"]).count() == 2
    existing.refresh_from_db()
    assert existing.full_name == "Already Here"
    assert existing.involvement_consent_given is True
    assert existing.needs_bsl is True
    assert sorted(skill.name for skill in existing.skills.all()) == ["Art", "Gardening"]
    # Each saved person has a history row, recorded as the importing staff member's doing.
    assert Person.history.filter(history_user=personas.staff).count() == 10


def test_a_problem_in_a_later_chunk_rolls_back_the_chunks_saved_before_it(personas, monkeypatch):
    monkeypatch.setattr(roster_import, "CHUNK_ROWS", 3)
    rows = people(7)
    rows[6]["consent"] = "carrier pigeon"
    before = (Person.objects.count(), Membership.objects.count(), ConsentRecord.objects.count())

    outcome = run(personas, csv_bytes(rows), dry_run=False)

    assert [str(error) for error in outcome.errors] == [
        "Row 8: consent — 'carrier pigeon' is not paper, phone or in_person"
    ]
    assert (
        Person.objects.count(),
        Membership.objects.count(),
        ConsentRecord.objects.count(),
    ) == before


@pytest.mark.parametrize("dry_run", [True, False], ids=["checking", "importing"])
def test_a_chunk_runs_the_same_queries_for_twenty_rows_as_for_ten(
    personas, django_assert_num_queries, dry_run
):
    # The same mix each time: two rows match people already on the roster, one of whom
    # has a login with a confirmed email; the skills exist already.
    Skill.objects.create(name="Gardening")
    Skill.objects.create(name="Art")
    for start in (0, 100):
        PersonFactory(email=f"p{start}@example.org", phone="")
        login = ParticipantFactory(email=f"p{start + 2}@example.org")
        PersonFactory(email=f"p{start + 2}@example.org", phone="", user=login)
    ten = queries_for(personas, people(10), dry_run=dry_run)
    # Twenty, not more: SQLite takes at most 999 values in one query, so Django splits the
    # insert of more than about 20 people (45 columns each); PostgreSQL never does.
    twenty = people(20, start=100, prefix="p")

    with django_assert_num_queries(ten):
        outcome = run(personas, csv_bytes(twenty), dry_run=dry_run)

    assert outcome.errors == []


def test_each_chunk_adds_the_same_number_of_queries(personas, monkeypatch):
    monkeypatch.setattr(roster_import, "CHUNK_ROWS", 10)
    Skill.objects.create(name="Gardening")
    Skill.objects.create(name="Art")
    two_chunks = queries_for(personas, people(20), dry_run=False)
    four_chunks = queries_for(personas, people(40, start=1000), dry_run=False)
    six_chunks = queries_for(personas, people(60, start=2000), dry_run=False)

    per_chunk = (four_chunks - two_chunks) / 2
    assert six_chunks - four_chunks == 2 * per_chunk
    assert per_chunk <= 10


# The job


def start_job(personas, content: bytes) -> RosterImportJob:
    return roster_import_job_start(
        project=personas.project,
        started_by=personas.staff,
        upload=ContentFile(content, name="people.csv"),
        rows_total=len(roster_file_read(content)),
    )


def job_url(personas, job: RosterImportJob, name: str = "projects:roster_import_job") -> str:
    return reverse(name, kwargs={"slug": personas.project.slug, "job_id": job.public_id})


def test_a_job_waiting_to_be_checked_shows_a_progress_bar_that_asks_for_its_status(
    staff_client, personas
):
    # Not yet committed, so the check has not run.
    job = start_job(personas, csv_bytes(people(2)))

    response = staff_client.get(job_url(personas, job))
    status = staff_client.get(job_url(personas, job, "projects:roster_import_job_status"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Checking the file</h1>" in content
    assert '<progress id="import-progress"' in content
    assert 'max="2" value="0"' in content
    assert 'aria-live="polite"' in content
    assert "Waiting to start checking 2 rows" in content
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in content
    assert "js/import-progress.js" in content
    assert "<script>" not in content
    assert status.json() == {
        "status": "waiting",
        "running": True,
        "rows_total": 2,
        "rows_done": 0,
        "text": "Waiting to start checking 2 rows",
    }
    assert "no-store" in status["Cache-Control"]


def test_a_checked_job_reports_every_row_checked_and_stops_the_progress_bar(staff_client, personas):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = start_job(personas, csv_bytes(people(1200)))

    status = staff_client.get(job_url(personas, job, "projects:roster_import_job_status"))
    response = staff_client.get(job_url(personas, job))

    job.refresh_from_db()
    assert (job.status, job.rows_checked, job.rows_total) == (ImportStatus.CHECKED, 1200, 1200)
    assert status.json()["running"] is False
    assert status.json()["text"] == "Checked 1,200 of 1,200 rows"
    assert b"<progress" not in response.content
    assert b"http-equiv" not in response.content
    assert b"Import these 1,200 people" in response.content


def test_a_job_whose_file_cannot_be_read_fails_with_a_plain_message_and_the_way_back(
    staff_client, personas
):
    job = start_job(personas, csv_bytes(people(2)))
    job.file.storage.delete(job.file.name)

    roster_import_job_check(job_id=job.pk)
    response = staff_client.get(job_url(personas, job))

    job.refresh_from_db()
    assert (job.status, job.failure) == (ImportStatus.FAILED, FAILED_CHECKING)
    assert b"The import did not work" in response.content
    assert FAILED_CHECKING.encode() in response.content
    assert reverse("projects:roster_import", kwargs={"slug": personas.project.slug}).encode() in (
        response.content
    )


def test_a_check_delivered_twice_after_it_finished_changes_nothing(personas):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = start_job(personas, csv_bytes(people(3)))
    job.refresh_from_db()
    checked_at = job.checked_at

    roster_import_job_check(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.checked_at) == (ImportStatus.CHECKED, checked_at)


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
def test_only_staff_may_see_a_job_or_its_status_or_confirm_it(client, personas, visitor):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = start_job(personas, csv_bytes(people(2)))
    client.force_login(personas.by_role()[visitor])
    before = Person.objects.count()

    responses = [
        client.get(job_url(personas, job)),
        client.get(job_url(personas, job, "projects:roster_import_job_status")),
        client.post(job_url(personas, job, "projects:roster_import_confirm")),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert Person.objects.count() == before


def test_jobs_and_their_files_are_deleted_after_a_day(personas):
    old = start_job(personas, csv_bytes(people(2)))
    recent = start_job(personas, csv_bytes(people(2, start=10)))
    RosterImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    storage = old.file.storage

    deleted = roster_import_jobs_delete_old()

    assert deleted == 1
    assert list(RosterImportJob.objects.all()) == [recent]
    assert not storage.exists(old.file.name)
    assert storage.exists(recent.file.name)


def test_the_uploaded_file_is_stored_privately_under_a_random_name(personas):
    job = start_job(personas, csv_bytes(people(2)))

    assert job.file.name.startswith("roster-imports/")
    assert "people" not in job.file.name
    # Private storage: the settings never serve it (no MEDIA_URL route to it).
    assert not job.file.storage.base_url or "roster-imports" not in job.file.storage.base_url
