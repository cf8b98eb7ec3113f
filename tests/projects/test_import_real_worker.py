"""A roster import checked by a real Celery worker through Redis, on PostgreSQL: the job
goes from waiting to checked, every row counted as checked, with the progress recorded on
the way."""

import time

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from projects.models import ImportStatus, RosterImportJob
from projects.services import roster_import_jobs
from projects.services.roster_import import roster_file_read
from tests.projects.test_import_jobs import csv_bytes, people

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ROWS = 3000
DEADLINE_SECONDS = 120


def test_a_real_worker_checks_every_row_of_an_uploaded_file(
    transactional_db, postgres, personas, start_celery_worker, tmp_path
):
    # The worker reads the upload from the same private storage as this test keeps it in.
    worker = start_celery_worker(COPROD_PRIVATE_MEDIA_ROOT=str(tmp_path))
    content = csv_bytes(people(ROWS))
    with transaction.atomic():
        job = roster_import_jobs.roster_import_job_start(
            project=personas.project,
            started_by=personas.staff,
            upload=ContentFile(content, name="people.csv"),
            rows_total=len(roster_file_read(content)),
        )
    seen = set()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        current = RosterImportJob.objects.get(pk=job.pk)
        seen.add((current.status, current.rows_checked))
        if current.status in (ImportStatus.CHECKED, ImportStatus.FAILED):
            break
        if time.monotonic() > deadline:
            worker.terminate()
            pytest.fail(
                f"still {current.status} after {DEADLINE_SECONDS} s:\n{worker.communicate()[0]}"
            )
        time.sleep(0.02)

    assert current.status == ImportStatus.CHECKED, current.failure
    assert (current.rows_checked, current.rows_total) == (ROWS, ROWS)
    assert current.problem_count == 0
    assert (current.preview["new"], current.preview["matched"]) == (ROWS, 0)
    # Seen before it was checked: the check ran in the worker, not in this process.
    assert {status for status, _ in seen} & {ImportStatus.WAITING, ImportStatus.CHECKING}
