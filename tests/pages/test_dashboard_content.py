"""What the dashboard shows is worked out by a task and kept as HTML in one row: a visit
reads that row; the first visit ever works it out; a visit that finds changes saved since
(the data version moved) or the row a minute old queues one refresh and says so; beat
refreshes it every minute; and it holds nothing about who is looking."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coprod.celery import app as celery_app
from coprod.core import kept_figures
from coprod.core.kept_figures import CLAIM_TIMEOUT
from coprod.core.pagecache import data_changed
from coprod.pages.models import DashboardContent
from coprod.pages.services import (
    CONTENT_REFRESH_EVERY,
    CONTENT_REFRESH_TASK,
    dashboard_content_claim,
    dashboard_content_refresh,
)
from coprod.pages.tasks import refresh_dashboard_content, refresh_dashboard_content_regularly
from projects.models import Payment
from projects.services.payments import payment_approve
from stakeholders.privacy import person_erase
from tests.factories.people import StaffFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("pages:dashboard")
CHANGES_TO_COME = "Changes saved since then are being added now"


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """As in production: tasks go to a worker (here: this list, by name and arguments)."""
    sent: list[tuple] = []
    monkeypatch.setattr(kept_figures, "task_delay", lambda name, *args: sent.append((name, args)))
    celery_app.conf.task_always_eager = False
    yield sent
    celery_app.conf.task_always_eager = True


def _look(client, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def _fee(personas, *, person=None) -> Payment:
    return Payment.objects.create(
        person=person or personas.participant.person,
        project=personas.project,
        activity="Planning session",
        amount=Decimal("25.00"),
        owed_since=timezone.now() - timedelta(days=9),
    )


def _run_queued(queued: list[tuple]) -> None:
    for name, args in queued:
        assert name == CONTENT_REFRESH_TASK
        refresh_dashboard_content(*args)
    queued.clear()


def test_a_change_shows_once_its_refresh_has_run_and_the_page_says_so_meanwhile(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    fee = _fee(personas)
    page = _look(staff_client, django_capture_on_commit_callbacks)
    assert 'id="todo-fees"' in page
    assert CHANGES_TO_COME not in page
    assert "with every change saved by then." in page
    assert queued == []

    payment_approve(payment=fee, approved_by=personas.staff)
    data_changed()  # the approving request's end, as DataChangedMiddleware does
    page = _look(staff_client, django_capture_on_commit_callbacks)

    # Shown as kept, and honest that it is: the staff member knows to reload.
    assert 'id="todo-fees"' in page
    assert CHANGES_TO_COME in page
    assert [name for name, _args in queued] == [CONTENT_REFRESH_TASK]
    _run_queued(queued)

    page = _look(staff_client, django_capture_on_commit_callbacks)
    assert 'id="todo-fees"' not in page
    assert CHANGES_TO_COME not in page
    assert queued == []


def test_many_visits_that_find_changes_queue_one_refresh(
    client, personas, queued, django_capture_on_commit_callbacks
):
    client.force_login(personas.staff)
    _look(client, django_capture_on_commit_callbacks)
    data_changed()

    for staff in [personas.staff, StaffFactory(), StaffFactory()]:
        client.force_login(staff)
        assert CHANGES_TO_COME in _look(client, django_capture_on_commit_callbacks)
    data_changed()
    assert CHANGES_TO_COME in _look(client, django_capture_on_commit_callbacks)

    assert len(queued) == 1


def test_a_refresh_queued_long_ago_that_never_ran_lets_the_next_visit_queue_another(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    _look(staff_client, django_capture_on_commit_callbacks)
    data_changed()
    DashboardContent.objects.update(refresh_queued_at=timezone.now() - CLAIM_TIMEOUT)

    _look(staff_client, django_capture_on_commit_callbacks)
    _look(staff_client, django_capture_on_commit_callbacks)

    assert len(queued) == 1


def test_a_page_a_minute_old_is_refreshed_for_the_clock_though_nothing_changed(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    _look(staff_client, django_capture_on_commit_callbacks)
    DashboardContent.objects.update(
        worked_out_at=timezone.now() - CONTENT_REFRESH_EVERY + timedelta(seconds=5)
    )
    _look(staff_client, django_capture_on_commit_callbacks)
    assert queued == []

    DashboardContent.objects.update(worked_out_at=timezone.now() - CONTENT_REFRESH_EVERY)
    page = _look(staff_client, django_capture_on_commit_callbacks)

    # Nothing was saved since: what it shows is still every change.
    assert CHANGES_TO_COME not in page
    assert len(queued) == 1
    _run_queued(queued)
    kept = DashboardContent.objects.get()
    assert timezone.now() - kept.worked_out_at < timedelta(seconds=30)
    assert kept.refresh_queued_at is None


def test_the_page_says_when_what_it_shows_was_worked_out(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    page = _look(staff_client, django_capture_on_commit_callbacks)

    shown = timezone.localtime(DashboardContent.objects.get().worked_out_at)
    assert f"The list and panels below were worked out at {shown:%H:%M}" in page


def test_with_no_worker_a_visit_that_finds_changes_works_the_page_out_at_once(
    staff_client, personas, django_capture_on_commit_callbacks
):
    # Tests run tasks in process (tests/conftest.py), as `make run` does without Redis.
    assert celery_app.conf.task_always_eager
    _look(staff_client, django_capture_on_commit_callbacks)
    _fee(personas)

    page = _look(staff_client, django_capture_on_commit_callbacks)

    assert 'id="todo-fees"' in page
    assert CHANGES_TO_COME not in page


def test_a_visit_to_the_kept_page_reads_one_row_beside_the_session_and_login(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    _fee(personas)
    _look(staff_client, django_capture_on_commit_callbacks)

    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(DASHBOARD).status_code == 200

    tables = [query["sql"].split(" FROM ")[1].split()[0] for query in captured.captured_queries]
    # The session is read from the cache.
    assert tables == ['"stakeholders_user"', '"pages_dashboardcontent"']


def test_a_visit_that_queues_the_refresh_adds_only_its_claim(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    _look(staff_client, django_capture_on_commit_callbacks)
    data_changed()

    with CaptureQueriesContext(connection) as captured:
        _look(staff_client, django_capture_on_commit_callbacks)

    assert len(captured.captured_queries) == 3
    assert captured.captured_queries[-1]["sql"].startswith('UPDATE "pages_dashboardcontent"')


def test_erasing_someone_removes_the_kept_page_and_a_refresh_under_way_keeps_nothing(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    person = PersonFactory(full_name="Ffion Erasable")
    _fee(personas, person=person)
    # A fee waiting longer than the overdue days names the person in its panel.
    Payment.objects.update(owed_since=timezone.now() - timedelta(days=60))
    page = _look(staff_client, django_capture_on_commit_callbacks)
    assert "Ffion Erasable" in page
    data_changed()
    _look(staff_client, django_capture_on_commit_callbacks)
    assert len(queued) == 1

    person_erase(person=person, erased_by=personas.staff)

    assert not DashboardContent.objects.exists()
    _run_queued(queued)
    assert not DashboardContent.objects.exists()
    page = _look(staff_client, django_capture_on_commit_callbacks)
    assert "Ffion Erasable" not in page
    assert "Ffion Erasable" not in DashboardContent.objects.get().html


def test_the_kept_page_is_the_same_for_every_staff_member_and_holds_nothing_about_them(
    client, personas, django_capture_on_commit_callbacks
):
    first = StaffFactory(name="Priya Viewer", email="priya.viewer@example.org")
    second = StaffFactory(name="Tom Looker", email="tom.looker@example.org")
    client.force_login(first)
    # Both looks below read the quarter's figures back from their row (PostgreSQL gives a
    # JSON object's keys back in its own order, not in the order they were worked out).
    _look(client, django_capture_on_commit_callbacks)
    data_changed()
    _look(client, django_capture_on_commit_callbacks)
    kept = DashboardContent.objects.get().html
    client.force_login(second)
    data_changed()  # so that this look works the page out again
    _look(client, django_capture_on_commit_callbacks)

    assert DashboardContent.objects.get().html == kept
    for about_a_viewer in ["Priya", "priya.viewer", "Tom Looker", "tom.looker", "csrf"]:
        assert about_a_viewer not in kept, about_a_viewer
    # Nowhere to browse it but the dashboard, which only staff may see.
    assert DashboardContent not in admin.site._registry
    client.force_login(personas.participant)
    assert client.get(DASHBOARD).status_code == 403


def test_beat_refreshes_the_page_every_minute_unless_a_refresh_is_already_queued(
    staff_client, personas, queued, django_capture_on_commit_callbacks
):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard-content"]
    assert entry["task"] == "coprod.pages.tasks.refresh_dashboard_content_regularly"
    assert entry["schedule"] == CONTENT_REFRESH_EVERY.total_seconds()

    refresh_dashboard_content_regularly()
    assert DashboardContent.objects.exists()

    fee = _fee(personas)
    assert dashboard_content_claim(now=timezone.now())
    refresh_dashboard_content_regularly()
    assert 'id="todo-fees"' not in DashboardContent.objects.get().html

    DashboardContent.objects.update(refresh_queued_at=None)
    refresh_dashboard_content_regularly()
    kept = DashboardContent.objects.get()
    assert 'id="todo-fees"' in kept.html
    assert kept.refresh_queued_at is None
    assert fee.pk


def test_a_refresh_whose_claim_was_taken_over_keeps_nothing(personas):
    dashboard_content_refresh()
    claimed_at = timezone.now()
    assert dashboard_content_claim(now=claimed_at)
    DashboardContent.objects.update(refresh_queued_at=claimed_at + timedelta(seconds=1))

    assert dashboard_content_refresh(claimed_at=claimed_at) is None
    assert DashboardContent.objects.get().refresh_queued_at is not None
