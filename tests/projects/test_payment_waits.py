"""Days from attending to being paid: the median and the 90th percentile per project and
organisation-wide, withheld when they rest on fewer than 5 payments; each project's target
and the fees past it on the dashboard's to-do list."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod.core.suppression import WITHHELD
from coprod.pages.selectors import dashboard_todo
from projects.models import Attendance, AttendanceStatus, Payment, PaymentStatus, Project
from projects.selectors.payments import (
    fees_past_target,
    payment_waits,
    wait_median,
    wait_percentile,
)
from tests.factories.meetings import MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def _histogram(values: list[int]) -> dict[int, int]:
    histogram: dict[int, int] = {}
    for value in values:
        histogram[value] = histogram.get(value, 0) + 1
    return histogram


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([], None, None),
        ([7], 7, 7),
        ([1, 2, 3, 4, 10], 3, 10),
        (list(range(1, 11)), 5.5, 9),
        (list(range(1, 21)), 10.5, 18),
        ([2, 2, 2, 2, 2, 2, 2, 2, 2, 30], 2, 2),
        ([2, 2, 2, 2, 2, 2, 2, 2, 30, 30], 2, 30),
    ],
)
def test_worked_examples_of_the_median_and_the_90th_percentile(values, median, p90):
    histogram = _histogram(values)

    assert wait_median(histogram) == median
    assert wait_percentile(histogram, 90) == p90


def _meeting(project: Project, *, days_ago: int):
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(10))
    )
    return MeetingFactory(
        project=project, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )


def _fee(project: Project, *, days_ago: int, paid_after: int | None = None) -> Payment:
    """A fee for a meeting `days_ago` days ago; paid `paid_after` days after it, or owed."""
    person = PersonFactory()
    meeting = _meeting(project, days_ago=days_ago)
    attendance = Attendance.objects.create(
        meeting=meeting,
        person=person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        stakeholder_group=person.stakeholder_group,
    )
    paid = paid_after is not None
    return Payment.objects.create(
        person=person,
        project=project,
        attendance=attendance,
        activity="Workshop",
        amount=Decimal("20.00"),
        status=PaymentStatus.PAID if paid else PaymentStatus.OWED,
        paid_on=timezone.localdate() - timedelta(days=days_ago - paid_after) if paid else None,
    )


def test_waits_per_project_and_organisation_wide_withhold_fewer_than_five_payments(personas):
    for days in [1, 2, 3, 4, 10]:
        _fee(personas.project, days_ago=30, paid_after=days)
    for days in [20, 20, 20, 20]:
        _fee(personas.other_project, days_ago=30, paid_after=days)
    _fee(personas.project, days_ago=30)  # owed, not counted

    everyone, by_project = payment_waits()

    # 1, 2, 3, 4, 10, 20, 20, 20, 20: the fifth is the middle; the ninth is 90%.
    assert (everyone.paid, everyone.median, everyone.p90) == (9, 10, 20)
    mine = by_project[personas.project.pk]
    assert (mine.paid, mine.median, mine.p90) == (5, 3, 10)
    theirs = by_project[personas.other_project.pk]
    assert (theirs.paid, theirs.median, theirs.p90) == (4, WITHHELD, WITHHELD)


def test_the_commissioner_report_shows_the_90th_percentile(commissioner_client, personas):
    for days in [1, 2, 3, 4, 10]:
        _fee(personas.project, days_ago=30, paid_after=days)

    response = commissioner_client.get(reverse("evidence:report", args=[personas.project.slug]))

    page = re.sub(r"\s+", " ", response.content.decode())
    assert "9 in 10 fees paid within (90th percentile)</th> <td>10 days</td>" in page
    assert "(median)</th> <td>3 days</td>" in page


def test_a_fee_exactly_at_its_target_is_not_late_and_one_day_over_is(personas):
    assert personas.project.payment_target_days == 14
    at_target = _fee(personas.project, days_ago=14)
    one_over = _fee(personas.project, days_ago=15)
    _fee(personas.project, days_ago=40, paid_after=30)  # paid late, but paid

    assert list(fees_past_target()) == [one_over]
    assert at_target not in fees_past_target()


def test_each_project_sets_its_own_target(personas):
    quick = ProjectFactory(payment_target_days=3)
    late_here = _fee(quick, days_ago=4)
    _fee(personas.project, days_ago=4)

    assert list(fees_past_target()) == [late_here]


def test_fees_past_target_are_one_to_do_item_oldest_first_with_a_link(personas):
    newer = _fee(personas.project, days_ago=16)
    older = _fee(personas.other_project, days_ago=20)

    entry = next(item for item in dashboard_todo() if item.kind == "fees-late")

    assert entry.count == 2
    assert entry.other_projects == 1
    assert entry.where == older.project.name
    assert entry.since == timezone.localtime(older.attendance.meeting.starts_at).date()
    assert entry.url == reverse("projects:payments", args=[older.project.slug])
    assert entry.late
    assert newer.project.name not in entry.where


def test_no_fee_past_target_means_no_to_do_item(personas):
    _fee(personas.project, days_ago=14)

    assert not [item for item in dashboard_todo() if item.kind == "fees-late"]


def test_staff_set_the_target_and_cost_centre_on_the_project_form(staff_client, personas):
    url = reverse("projects:edit", args=[personas.project.slug])
    form = staff_client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }

    bad = staff_client.post(url, {**data, "payment_target_days": "0"})
    assert "Enter a number of days from 1 to 365, like 14." in bad.content.decode()
    personas.project.refresh_from_db()
    assert personas.project.payment_target_days == 14

    staff_client.post(url, {**data, "payment_target_days": "10", "cost_centre": "CC-1042"})
    personas.project.refresh_from_db()
    assert personas.project.payment_target_days == 10
    assert personas.project.cost_centre == "CC-1042"
