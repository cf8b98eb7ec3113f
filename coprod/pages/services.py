"""Writes that reach every app's outbox (delivery receipts from GOV.UK Notify), and the
dashboard's figures for the quarter, kept in one row."""

import dataclasses
from datetime import datetime

from django.utils import timezone

from coprod.core.kept_figures import refresh_claimed, refresh_queue
from coprod.core.texts import BOUNCED
from coprod.pages.models import DashboardFigures
from coprod.pages.selectors import dashboard_figures
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
