from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportGrant(models.Model):
    """A commissioner may read the reports of a project only while a grant exists."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="report_grants"
    )
    commissioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "project"], name="report_grant_once_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commissioner} may read {self.project}"
