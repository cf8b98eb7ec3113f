"""What a roster import job's page and its status view show."""

from dataclasses import dataclass

from django.core.cache import cache

from projects.models import ImportStatus, RosterImportJob
from projects.models.imports import PreviewRow, RowError


@dataclass(frozen=True)
class JobOutcome:
    """The problems found, or what the import will do (or did), as kept by the job: all
    the counts, and the first rows and problems."""

    rows: list[PreviewRow]
    errors: list[RowError]
    rows_count: int
    new_count: int
    matched_count: int
    error_rows_count: int

    @property
    def rows_not_shown(self) -> int:
        return self.rows_count - len(self.rows)


@dataclass(frozen=True)
class JobProgress:
    status: str
    running: bool
    rows_total: int
    rows_done: int
    text: str

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "running": self.running,
            "rows_total": self.rows_total,
            "rows_done": self.rows_done,
            "text": self.text,
        }


def roster_import_job_outcome(job: RosterImportJob) -> JobOutcome:
    preview = job.preview or {}
    rows = [PreviewRow(**row) for row in preview.get("rows", [])]
    new, matched = preview.get("new", 0), preview.get("matched", 0)
    return JobOutcome(
        rows=rows,
        errors=[RowError(**problem) for problem in job.problems],
        rows_count=new + matched,
        new_count=new,
        matched_count=matched,
        error_rows_count=job.problem_rows,
    )


def roster_import_job_progress(job: RosterImportJob) -> JobProgress:
    total = job.rows_total
    if job.status == ImportStatus.IMPORTING:
        done = cache.get(RosterImportJob.progress_key(job.pk)) or 0
        text = f"Imported {done:,} of {total:,} rows"
    elif job.status == ImportStatus.DONE:
        done = job.rows_imported
        text = f"Imported {done:,} of {total:,} rows"
    else:
        done = job.rows_checked
        text = f"Checked {done:,} of {total:,} rows"
    if job.status == ImportStatus.WAITING:
        text = f"Waiting to start checking {total:,} rows"
    return JobProgress(
        status=job.status, running=job.is_running, rows_total=total, rows_done=done, text=text
    )
