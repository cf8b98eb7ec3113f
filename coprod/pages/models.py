from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from stakeholders.models import Person


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


# The one row of DashboardContent.
CONTENT_ROW = 1


class DashboardContent(models.Model):
    """What the staff dashboard shows under its heading (the to-do list, the quarter's
    figures and the panels), worked out by a task and kept as HTML in one row, so that a
    visit reads one row instead of running some thirty queries and rendering them.

    Keeping it as HTML is sound because it is the same for every staff member: it is
    organisation-wide, holds no csrf token and nothing about who is looking. It is worked
    out again when anything has been saved since (the data version it was worked out from
    has moved) or when it is a minute old (ages such as "3 days ago" follow the clock)."""

    html = models.TextField()
    # coprod.core.pagecache.data_version() when the rows were read.
    data_version = models.BigIntegerField()
    worked_out_at = models.DateTimeField()
    # Set when a visit or beat claims the next refresh, so that only one is queued at a
    # time; the refresh keeps what it works out only if its claim still stands.
    refresh_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "dashboard content"

    def __str__(self) -> str:
        return f"Dashboard content worked out at {self.worked_out_at:%Y-%m-%d %H:%M}"


@receiver(post_save, sender=Person, dispatch_uid="dashboard_content_forget_erased")
def _forget_dashboard_content_on_erasure(sender, instance: Person, **kwargs) -> None:
    # The kept dashboard can name people (a fee waiting, a message that did not arrive).
    # When someone's details are erased the name must go at once, not at the next refresh:
    # the row goes in the same transaction, the next visit works the page out afresh, and a
    # refresh already under way finds its claim gone and keeps nothing.
    if instance.erased_at is not None:
        DashboardContent.objects.filter(pk=CONTENT_ROW).delete()
