from django.db import models


class DashboardFigures(models.Model):
    """The dashboard's figures for the quarter ("How things are going"), worked out by a
    task: one row. They count every attendance, decision and evidence record of the
    quarter, too much to count on each visit, and an organisation-wide figure a few
    minutes old tells staff as much as one counted now."""

    figures = models.JSONField()
    worked_out_at = models.DateTimeField()
    # Set when a visit finds the figures stale and queues their refresh, so that only one
    # refresh is queued at a time; cleared when the figures are worked out.
    refresh_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "dashboard figures"

    def __str__(self) -> str:
        return f"Dashboard figures worked out at {self.worked_out_at:%Y-%m-%d %H:%M}"
