"""The dashboard's figures for the quarter are worked out by a task and kept in one row:
worked out on the first visit, refreshed every 5 minutes by beat and whenever a visit finds
them older than that (one refresh queued at a time), and the page says when."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from coprod.celery import app as celery_app
from coprod.core import kept_figures
from coprod.core.kept_figures import CLAIM_TIMEOUT, REFRESH_EVERY
from coprod.pages.models import DashboardFigures
from coprod.pages.services import dashboard_figures_kept, dashboard_figures_refresh
from coprod.pages.tasks import refresh_dashboard_figures
from decisions.models import Decision, DecisionMethod, LadderRung

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("pages:dashboard")


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    """The tasks queued, by name, instead of sending them to a broker."""
    names: list[str] = []
    monkeypatch.setattr(kept_figures, "task_delay", lambda name, *args: names.append(name))
    return names


def _decide(project) -> Decision:
    return Decision.objects.create(
        project=project,
        title="Opening hours",
        question="When should the drop-in open?",
        method=DecisionMethod.VOTE,
        decided_on=timezone.localdate(),
        ladder_rung=LadderRung.CO_PRODUCTION,
    )


def _age_figures(by: timedelta) -> None:
    DashboardFigures.objects.update(worked_out_at=timezone.now() - by)


def test_the_first_visit_works_the_figures_out_and_the_page_says_when(staff_client, queued):
    cache.clear()
    page = staff_client.get(DASHBOARD).content.decode()

    kept = DashboardFigures.objects.get()
    shown = timezone.localtime(kept.worked_out_at)
    assert (
        f"Figures worked out at {shown:%H:%M}; they are brought up to date every 5 minutes." in page
    )
    assert queued == []


def test_figures_less_than_5_minutes_old_are_shown_as_kept_and_no_refresh_is_queued(
    personas, queued, django_capture_on_commit_callbacks
):
    dashboard_figures_refresh()
    _decide(personas.project)
    _age_figures(REFRESH_EVERY - timedelta(seconds=30))

    with django_capture_on_commit_callbacks(execute=True):
        figures = dashboard_figures_kept()

    ladder = next(figure for figure in figures["figures"] if figure["key"] == "ladder")
    assert ladder["headline"] == "0 decisions"
    assert queued == []


def test_stale_figures_queue_one_refresh_however_many_visits_find_them(
    personas, queued, django_capture_on_commit_callbacks
):
    dashboard_figures_refresh()
    _age_figures(REFRESH_EVERY)

    with django_capture_on_commit_callbacks(execute=True):
        dashboard_figures_kept()
        dashboard_figures_kept()
        dashboard_figures_kept()

    assert queued == ["coprod.pages.tasks.refresh_dashboard_figures"]
    assert DashboardFigures.objects.get().refresh_queued_at is not None


def test_a_refresh_queued_long_ago_that_never_ran_lets_the_next_visit_queue_another(
    personas, queued, django_capture_on_commit_callbacks
):
    dashboard_figures_refresh()
    DashboardFigures.objects.update(
        worked_out_at=timezone.now() - CLAIM_TIMEOUT * 2,
        refresh_queued_at=timezone.now() - CLAIM_TIMEOUT,
    )

    with django_capture_on_commit_callbacks(execute=True):
        dashboard_figures_kept()
        dashboard_figures_kept()

    assert queued == ["coprod.pages.tasks.refresh_dashboard_figures"]


def test_the_refresh_task_works_the_figures_out_again_and_ends_the_claim(personas, queued):
    dashboard_figures_refresh()
    _age_figures(REFRESH_EVERY * 2)
    DashboardFigures.objects.update(refresh_queued_at=timezone.now())
    _decide(personas.project)

    refresh_dashboard_figures()

    kept = DashboardFigures.objects.get()
    assert kept.refresh_queued_at is None
    assert timezone.now() - kept.worked_out_at < timedelta(minutes=1)
    ladder = next(figure for figure in kept.figures["figures"] if figure["key"] == "ladder")
    assert ladder["headline"] == "1 decision"
    assert ladder["detail"] == "1 co-designed or co-produced"


def test_when_celery_runs_in_process_a_stale_visit_refreshes_the_figures_at_once(
    personas, django_capture_on_commit_callbacks
):
    # Tests run tasks in process (tests/conftest.py), as `make run` does without Redis.
    assert celery_app.conf.task_always_eager
    dashboard_figures_refresh()
    _age_figures(REFRESH_EVERY)
    _decide(personas.project)

    with django_capture_on_commit_callbacks(execute=True):
        dashboard_figures_kept()

    ladder = next(
        figure
        for figure in DashboardFigures.objects.get().figures["figures"]
        if figure["key"] == "ladder"
    )
    assert ladder["headline"] == "1 decision"


def test_beat_refreshes_the_figures_every_5_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard-figures"]
    assert entry["task"] == "coprod.pages.tasks.refresh_dashboard_figures"
    assert entry["schedule"] == REFRESH_EVERY.total_seconds()
