"""Writes that reach every app's outbox (delivery receipts from GOV.UK Notify), the
dashboard's figures for the quarter, kept in one row, and what the dashboard shows, kept
as HTML in another."""

import dataclasses
from datetime import datetime, timedelta

from celery import current_app
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from coprod.core.kept_figures import refresh_claim, refresh_claimed, refresh_queue
from coprod.core.pagecache import data_version
from coprod.core.texts import BOUNCED
from coprod.pages.models import CONTENT_ROW, DashboardContent, DashboardFigures
from coprod.pages.selectors import dashboard_figures, dashboard_panels, dashboard_todo
from decisions.models import VoteEmail
from projects.models import MeetingEmail, ProjectInvitation
from stakeholders.models import SigninLink

# Every outbox whose rows carry the provider's id for the message they sent.
OUTBOXES = (MeetingEmail, VoteEmail, ProjectInvitation, SigninLink)

# Notify's statuses for a message that will never arrive.
FAILED_STATUSES = frozenset(BOUNCED)


def delivery_receipt_record(*, provider_id: str, status: str) -> bool:
    """Mark the outbox row that sent message `provider_id` as bounced when the receipt says
    it never arrived, so staff see it. Returns whether a row had that id. A receipt that
    comes again changes nothing more; a "delivered" one changes nothing."""
    if not provider_id:
        return False
    for outbox in OUTBOXES:
        rows = outbox.objects.filter(provider_id=provider_id)
        if status in FAILED_STATUSES:
            changed = rows.filter(bounced_at=None).update(
                bounced_at=timezone.now(), last_error=BOUNCED[status]
            )
            if changed or rows.exists():
                return True
        elif rows.exists():
            return True
    return False


FIGURES_ROW = 1


def dashboard_figures_refresh(*, now: datetime | None = None) -> DashboardFigures:
    """Work out the dashboard's figures for the quarter (dashboard_figures) and keep them,
    with when, in their one row; a refresh queued is done."""
    now = now or timezone.now()
    worked_out = dashboard_figures(today=timezone.localdate(now))
    figures = {
        "quarter": {"label": worked_out["quarter"].label},
        "figures": [dataclasses.asdict(figure) for figure in worked_out["figures"]],
        "charts": worked_out["charts"],
    }
    row, _created = DashboardFigures.objects.update_or_create(
        pk=FIGURES_ROW,
        defaults={"figures": figures, "worked_out_at": now, "refresh_queued_at": None},
    )
    return row


def dashboard_figures_kept(*, now: datetime | None = None) -> dict:
    """The dashboard's figures as last worked out, and when: one query. Worked out here
    the first time; when older than REFRESH_EVERY, a refresh is queued (by the
    first visit to find them so: it claims the row) and these are shown meanwhile."""
    now = now or timezone.now()
    row = DashboardFigures.objects.filter(pk=FIGURES_ROW).first()
    if row is None:
        row = dashboard_figures_refresh(now=now)
    elif refresh_claimed(row, now=now):
        refresh_queue("coprod.pages.tasks.refresh_dashboard_figures")
    return {**row.figures, "worked_out_at": row.worked_out_at}


# The to-do list's ages ("3 days ago", "late") and the panels (meetings still to come,
# payments overdue) follow the clock as well as the data: worked out again this often.
CONTENT_REFRESH_EVERY = timedelta(minutes=1)
CONTENT_REFRESH_TASK = "coprod.pages.tasks.refresh_dashboard_content"


def _dashboard_content_worked_out(now: datetime) -> dict:
    """The fields of DashboardContent, worked out from the rows as they are now."""
    # Read before the rows: a change saved while they are read moves the version past this
    # one, so the next visit works the page out again rather than missing the change.
    version = data_version()
    todo = dashboard_todo(now=now)
    html = render_to_string(
        "pages/dashboard_content.html",
        {
            "todo": todo,
            "figures": dashboard_figures_kept(now=now),
            "panels": dashboard_panels(todo),
            "today": timezone.localdate(now),
        },
    )
    return {"html": html, "data_version": version, "worked_out_at": now, "refresh_queued_at": None}


def dashboard_content_refresh(
    *, claimed_at: datetime | None = None, now: datetime | None = None
) -> DashboardContent | None:
    """Work out what the dashboard shows and keep it. With `claimed_at`, the refresh that a
    visit or beat claimed then: kept only if the row still holds that claim, so a refresh
    that someone's erasure overtook (the row removed) or that another took over keeps
    nothing, and None is returned. Without, the first ever: the row is made."""
    now = now or timezone.now()
    fields = _dashboard_content_worked_out(now)
    if claimed_at is not None:
        kept = DashboardContent.objects.filter(pk=CONTENT_ROW, refresh_queued_at=claimed_at).update(
            **fields
        )
        return DashboardContent(pk=CONTENT_ROW, **fields) if kept else None
    try:
        with transaction.atomic():
            return DashboardContent.objects.create(pk=CONTENT_ROW, **fields)
    except IntegrityError:
        # Another first visit made the row a moment ago; this one shows its own.
        return DashboardContent(pk=CONTENT_ROW, **fields)


def dashboard_content_claim(*, now: datetime) -> bool:
    """Claim the next refresh, unless one claimed within CLAIM_TIMEOUT is still to run."""
    return refresh_claim(DashboardContent, CONTENT_ROW, now=now)


def dashboard_content_refresh_if_claimed() -> None:
    """Beat's regular refresh, so that the first visit of the morning finds the page
    current: the first ever when there is no row, else one claimed like a visit's."""
    now = timezone.now()
    if not DashboardContent.objects.filter(pk=CONTENT_ROW).exists():
        dashboard_content_refresh(now=now)
    elif dashboard_content_claim(now=now):
        dashboard_content_refresh(claimed_at=now, now=now)


def dashboard_content_kept(*, now: datetime | None = None) -> tuple[SafeString, datetime, bool]:
    """What the dashboard shows as last worked out, when, and whether changes saved since
    are still to come: one query. Worked out here the first time ever. When changes have
    been saved since, or it is CONTENT_REFRESH_EVERY old, the first visit to find it so
    claims and queues one refresh, and every visit shows what is kept meanwhile."""
    now = now or timezone.now()
    row = DashboardContent.objects.filter(pk=CONTENT_ROW).first()
    if row is None:
        row = dashboard_content_refresh(now=now)
        changed = False
    else:
        changed = row.data_version != data_version()
        due = changed or row.worked_out_at <= now - CONTENT_REFRESH_EVERY
        if refresh_claimed(row, now=now, due=due):
            row, changed = _refresh_claimed(row, changed=changed, now=now)
    # Rendered by the template engine, which escaped every value, when it was worked out.
    return mark_safe(row.html), row.worked_out_at, changed  # noqa: S308


def _refresh_claimed(
    row: DashboardContent, *, changed: bool, now: datetime
) -> tuple[DashboardContent, bool]:
    """The refresh this visit claimed at `now`: queued, or done here with no worker."""
    if current_app.conf.task_always_eager:
        # With no worker (`make run`), the task would run in this request anyway, after
        # the page was drawn: draw the page from what it works out instead.
        fresh = dashboard_content_refresh(claimed_at=now, now=now)
        return (fresh, False) if fresh else (row, changed)
    refresh_queue(CONTENT_REFRESH_TASK, now.isoformat())
    return row, changed
