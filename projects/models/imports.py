"""Importing people from a CSV file runs in the background, as a job staff watch: the rows
are checked, staff see what the import will do, then the rows are imported."""

import uuid
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from projects.models.projects import Project
from stakeholders.models import User


@dataclass(frozen=True)
class RowError:
    """A problem in one row, or in the whole file when `row` is None; jobs keep these."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return f"Row {self.row}: {self.message}"
        return f"Row {self.row}: {self.column} — {self.message}"


@dataclass(frozen=True)
class PreviewRow:
    """What the import does with one row; jobs keep these for their preview."""

    row: int
    name_in_file: str
    matched_name: str | None
    notes: list[str]

    @property
    def is_new(self) -> bool:
        return self.matched_name is None


class ImportStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to start"
    CHECKING = "checking", "Checking the rows"
    CHECKED = "checked", "Checked"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RosterImportJob(models.Model):
    """One uploaded roster file on its way in. The file is kept in private storage (never
    served) and, with the job, deleted a day after it was uploaded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="import_jobs")
    started_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="roster-imports/%Y/%m/")
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    # The first problems found ({"row", "column", "message"}), up to the services' cap;
    # problem_count and problem_rows count them all.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    problem_rows = models.PositiveIntegerField(default=0)
    # What the import will do (and, once done, did): counts and the first rows.
    preview = models.JSONField(default=dict, blank=True)
    # A plain-English reason when the job failed for a reason not in the file.
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The daily clean-up deletes jobs older than a day.
            models.Index(fields=["created_at"], name="roster_import_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Import into {self.project} ({self.get_status_display()})"

    @staticmethod
    def progress_key(job_id: int) -> str:
        """The cache key of the rows an import has saved so far: its transaction hides
        them, and the job's own row, from everyone else until it commits."""
        return f"roster-import-progress:{job_id}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.WAITING, ImportStatus.CHECKING, ImportStatus.IMPORTING)
