"""The background job around a roster import: the upload is kept, a task checks its rows
(showing how far it has got), staff look at what it will do, and a task imports it.

The status moves waiting → checking → checked, then importing → done; a problem in coprod
itself (not in the file) moves it to failed. Jobs and their files go after a day.
"""

import logging
import uuid
from dataclasses import asdict
from datetime import timedelta

from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from coprod.core.queue import task_delay
from projects.models import ImportStatus, Project, RosterImportJob
from projects.models.imports import RowError
from projects.services.roster_import import (
    ImportOutcome,
    RosterFileError,
    roster_file_read,
    roster_import_people,
)
from stakeholders.models import User

logger = logging.getLogger(__name__)


# What a job keeps to show: enough to fix a file or see what it will do, never the whole of
# a large file (the counts are always for every row).
PROBLEMS_KEPT = 500
PREVIEW_ROWS_KEPT = 200
KEEP_JOBS_FOR = timedelta(days=1)
# Rows imported so far, while the import's own transaction hides them from other readers.
PROGRESS_TIMEOUT = 60 * 60

NOT_STARTED = (
    "coprod could not start checking the file just now. Nothing has been imported. "
    "Upload the file again in a few minutes."
)
FAILED_CHECKING = (
    "Something went wrong in coprod while checking the file. Nothing has been imported. "
    "Upload the file again; if the same thing happens, tell the person who looks after coprod."
)
FAILED_IMPORTING = (
    "Something went wrong in coprod while importing the file. Nothing has been imported. "
    "Upload the file again; if the same thing happens, tell the person who looks after coprod."
)


def roster_import_job_start(
    *, project: Project, started_by: User, upload: File, rows_total: int
) -> RosterImportJob:
    """Keep the uploaded file (under a random name, in private storage) and check its rows
    in the background once this transaction commits."""
    job = RosterImportJob(project=project, started_by=started_by, rows_total=rows_total)
    upload.seek(0)
    job.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)
    job.save()
    transaction.on_commit(lambda: _queue("projects.tasks.check_roster_import", job.pk))
    return job


def _queue(task: str, job_id: int) -> None:
    try:
        task_delay(task, job_id)
    except Exception:  # noqa: BLE001 - any broker failure is shown on the job's page
        logger.exception("Could not queue %s for roster import job %s", task, job_id)
        RosterImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, failure=NOT_STARTED, finished_at=timezone.now()
        )


def roster_import_job_check(*, job_id: int) -> None:
    """Check every row of the job's file, chunk by chunk, saving nothing; keeps the problems
    or the preview. Run again (a task delivered twice), it checks again: nothing changes."""
    claimed = RosterImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.WAITING, ImportStatus.CHECKING]
    ).update(status=ImportStatus.CHECKING, rows_checked=0)
    if not claimed:
        return
    job = RosterImportJob.objects.select_related("project", "started_by").get(pk=job_id)
    try:
        outcome = _run(job, dry_run=True, on_progress=_checked_so_far(job_id))
    except Exception:
        logger.exception("Checking roster import job %s failed", job_id)
        _fail(job_id, FAILED_CHECKING)
        return
    _keep_outcome(job, outcome, status=ImportStatus.CHECKED)


def _checked_so_far(job_id: int):
    def record(rows: int) -> None:
        RosterImportJob.objects.filter(pk=job_id).update(rows_checked=rows)

    return record


def _run(job: RosterImportJob, *, dry_run: bool, on_progress) -> ImportOutcome:
    with job.file.open("rb") as file:
        content = file.read()
    try:
        roster_file = roster_file_read(content)
    except RosterFileError as error:
        return ImportOutcome(rows=[], errors=[RowError(None, None, str(error))])
    return roster_import_people(
        roster_file=roster_file,
        project=job.project,
        recorded_by=job.started_by,
        dry_run=dry_run,
        on_progress=on_progress,
    )


def _keep_outcome(job: RosterImportJob, outcome: ImportOutcome, *, status: str) -> None:
    job.status = status
    job.problems = [asdict(error) for error in outcome.errors[:PROBLEMS_KEPT]]
    job.problem_count = len(outcome.errors)
    job.problem_rows = outcome.error_rows_count if outcome.errors else 0
    job.preview = {
        "new": outcome.new_count,
        "matched": outcome.matched_count,
        "rows": [asdict(row) for row in outcome.rows[:PREVIEW_ROWS_KEPT]],
    }
    changed = ["status", "problems", "problem_count", "problem_rows", "preview"]
    if status == ImportStatus.CHECKED:
        job.rows_checked, job.checked_at = job.rows_total, timezone.now()
        changed += ["rows_checked", "checked_at"]
    else:
        job.rows_imported, job.finished_at = len(outcome.rows), timezone.now()
        changed += ["rows_imported", "finished_at"]
    job.save(update_fields=changed)


def _fail(job_id: int, message: str) -> None:
    RosterImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, failure=message, finished_at=timezone.now()
    )


def roster_import_job_confirm(*, job: RosterImportJob) -> bool:
    """Import a checked file that has no problems, in the background. False when the job is
    not waiting for that (being imported, or done): pressing the button twice imports once."""
    started = RosterImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.CHECKED, problem_count=0
    ).update(status=ImportStatus.IMPORTING, rows_imported=0)
    if started:
        transaction.on_commit(lambda: _queue("projects.tasks.run_roster_import", job.pk))
    return bool(started)


def roster_import_job_import(*, job_id: int) -> None:
    """Import the job's file, all or nothing. Every row is checked again, as the roster may
    have changed since the preview; a problem found then is kept as at the check, and
    nothing is imported. The job's row stays locked until the import commits, so a task
    delivered twice imports once."""
    try:
        with transaction.atomic():
            job = (
                RosterImportJob.objects.select_for_update(of=("self",))
                .select_related("project", "started_by")
                .filter(pk=job_id, status=ImportStatus.IMPORTING)
                .first()
            )
            if job is None:
                return
            outcome = _run(job, dry_run=False, on_progress=_imported_so_far(job_id))
            _keep_outcome(
                job,
                outcome,
                status=ImportStatus.CHECKED if outcome.errors else ImportStatus.DONE,
            )
    except Exception:
        logger.exception("Importing roster import job %s failed", job_id)
        _fail(job_id, FAILED_IMPORTING)
    finally:
        cache.delete(RosterImportJob.progress_key(job_id))


def _imported_so_far(job_id: int):
    def record(rows: int) -> None:
        cache.set(RosterImportJob.progress_key(job_id), rows, PROGRESS_TIMEOUT)

    return record


def roster_import_jobs_delete_old() -> int:
    """Delete jobs (and their files) uploaded more than a day ago. Returns how many."""
    old = list(
        RosterImportJob.objects.filter(created_at__lt=timezone.now() - KEEP_JOBS_FOR).values_list(
            "pk", "file"
        )
    )
    if not old:
        return 0
    RosterImportJob.objects.filter(pk__in=[pk for pk, _ in old]).delete()
    storage = RosterImportJob._meta.get_field("file").storage
    for _, name in old:
        if name:
            storage.delete(name)
    return len(old)
