"""Every main page, rendered cold (its cached parts stale), runs the same number of queries
with 3 rows of each kind as with 30, and django-zeal raises on any N+1 (a related object
loaded row by row) while it renders."""

from datetime import timedelta
from decimal import Decimal

import pytest
import zeal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from zeal.constants import initialize_app_registry
from zeal.patch import patch as zeal_patch

from coprod.core.pagecache import data_changed
from decisions.models import Action, Decision, DecisionMethod, DecisionParticipant, LadderRung, Vote
from evidence.models import EvidenceKind, EvidenceRecord, LearningEntry
from projects.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    Membership,
    MembershipStatus,
    Payment,
    PaymentStatus,
    Project,
)
from projects.models import Response as Answer
from stakeholders.models import Person

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30

initialize_app_registry()
zeal_patch()


def _grow(personas, count: int, *, start: int) -> None:
    """Add `count` rows of each kind around `personas.project` and its participant."""
    now = timezone.now()
    project, staff = personas.project, personas.staff
    participant = personas.participant.person
    numbers = range(start, start + count)
    Project.objects.bulk_create(
        [Project(name=f"Extra project {n}", slug=f"extra-{n}", summary="x") for n in numbers]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                full_name=f"Person {n}", email=f"p{n}@example.net", involvement_consent_given=True
            )
            for n in numbers
        ]
    )
    Membership.objects.bulk_create(
        [Membership(project=project, person=p, status=MembershipStatus.ACTIVE) for p in people]
    )
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                project=project,
                title=f"Meeting {n}",
                starts_at=now + timedelta(days=n % 5 - 2, hours=n),
                ends_at=now + timedelta(days=n % 5 - 2, hours=n + 1),
                created_by=staff,
            )
            for n in numbers
        ]
    )
    Invitation.objects.bulk_create(
        [Invitation(meeting=m, person=participant, response=Answer.ACCEPTED) for m in meetings]
        + [
            Invitation(meeting=m, person=p, invited_by=staff)
            for m, p in zip(meetings, people, strict=True)
        ]
    )
    attendances = Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=m,
                person=p,
                status=AttendanceStatus.ATTENDED,
                hours=Decimal("2"),
                stakeholder_group=p.stakeholder_group,
            )
            for m, p in zip(meetings, people, strict=True)
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(
                person=person,
                project=project,
                attendance=attendance,
                activity="Meeting",
                amount=Decimal("20.00"),
                status=PaymentStatus.OWED,
                owed_since=now - timedelta(days=30),
            )
            for attendance, person in zip(attendances, people, strict=True)
        ]
        + [
            Payment(
                person=participant,
                project=project,
                activity=f"Workshop {n}",
                amount=Decimal("20.00"),
                status=PaymentStatus.PAID,
                paid_on=now.date(),
                # Older than the fees still owed, so each ledger page shows some of both
                # (unpaid fees bring their benefit checks: a fixed number of queries).
                created_at=now - timedelta(days=60),
            )
            for n in numbers
        ]
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                project=project,
                title=f"Decision {n}",
                question="Which?",
                options="One\nTwo",
                method=DecisionMethod.VOTE,
                ladder_rung=LadderRung.CO_DESIGN,
                voting_open=n % 2 == 0,
                you_said="Please." if n % 3 == 0 else "",
                we_did="Done." if n % 3 == 0 else "",
                created_by=staff,
            )
            for n in numbers
        ]
    )
    Vote.objects.bulk_create(
        [
            Vote(decision=d, person=p, choice="for", stakeholder_group=p.stakeholder_group)
            for d, p in zip(decisions, people, strict=True)
        ]
    )
    DecisionParticipant.objects.bulk_create(
        [
            DecisionParticipant(decision=d, person=p, stakeholder_group=p.stakeholder_group)
            for d, p in zip(decisions, people, strict=True)
        ]
    )
    Action.objects.bulk_create(
        [
            Action(decision=d, description="Tell people", owner="Sam", due_on=now.date())
            for d in decisions
        ]
    )
    EvidenceRecord.objects.bulk_create(
        [
            EvidenceRecord(
                project=project,
                kind=[EvidenceKind.FEEDBACK, EvidenceKind.SAVING, EvidenceKind.OUTCOME][n % 3],
                title=f"Evidence {n}",
                source="Team",
                text="Heard.",
                amount=Decimal("100.00"),
                baseline_value=Decimal("10"),
                created_by=staff,
            )
            for n in numbers
        ]
    )
    LearningEntry.objects.bulk_create(
        [
            LearningEntry(
                project=project, title=f"Learning {n}", tried="a", happened="b", learned="c"
            )
            for n in numbers
        ]
    )


PAGES = [
    ("staff", "pages:dashboard", False),
    ("staff", "projects:list", False),
    ("staff", "projects:people", False),
    ("staff", "projects:detail", True),
    ("staff", "projects:roster", True),
    ("staff", "projects:meetings", True),
    ("staff", "projects:payments", True),
    ("staff", "decisions:list", True),
    ("participant", "pages:me", False),
    ("commissioner", "evidence:report", True),
    ("staff", "evidence:report", True),
]


def _queries(client, url: str) -> list[str]:
    """The queries of one request for a cold page: every cached part stale first, so each
    part's queries are measured, not a cache hit (bulk_create bumps no version)."""
    data_changed()
    with CaptureQueriesContext(connection) as captured, zeal.zeal_context():
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(("role", "url_name", "per_project"), PAGES)
def test_each_main_page_runs_as_many_queries_with_more_rows(
    client, personas, settings, role, url_name, per_project
):
    settings.ZEAL_RAISE = True
    url = reverse(url_name, args=[personas.project.slug] if per_project else [])
    client.force_login(personas.by_role()[role])
    _grow(personas, SMALL, start=0)
    client.get(url)
    small = _queries(client, url)
    _grow(personas, LARGE - SMALL, start=SMALL)
    large = _queries(client, url)
    assert len(large) == len(small), "\n".join(large)


def _grow_one_meeting_and_decision(personas, meeting, decision, count: int, *, start: int):
    """`count` more people invited to and at `meeting`, each with a fee and a vote on
    `decision`: the rows a single meeting's or decision's page lists."""
    people = Person.objects.bulk_create(
        [
            Person(full_name=f"G{n}", email=f"g{n}@example.net", involvement_consent_given=True)
            for n in range(start, start + count)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(project=personas.project, person=p, status=MembershipStatus.ACTIVE)
            for p in people
        ]
    )
    Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, person=p, invited_by=personas.staff) for p in people]
    )
    attendances = Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                person=p,
                status=AttendanceStatus.ATTENDED,
                hours=Decimal("2"),
                stakeholder_group=p.stakeholder_group,
            )
            for p in people
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(
                person=a.person,
                project=personas.project,
                attendance=a,
                activity="Meeting",
                amount=Decimal("20.00"),
                status=PaymentStatus.OWED,
                owed_since=timezone.now() - timedelta(days=3),
            )
            for a in attendances
        ]
    )
    Vote.objects.bulk_create(
        [
            Vote(decision=decision, person=p, choice="for", stakeholder_group=p.stakeholder_group)
            for p in people
        ]
    )


@pytest.mark.parametrize("page", ["meeting", "decision"])
def test_a_meeting_or_decision_page_runs_as_many_queries_with_more_people(
    staff_client, personas, settings, page
):
    settings.ZEAL_RAISE = True
    now = timezone.now()
    meeting = Meeting.objects.create(
        project=personas.project,
        title="Big meeting",
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(days=1) + timedelta(hours=2),
        created_by=personas.staff,
    )
    decision = Decision.objects.create(
        project=personas.project,
        title="Big decision",
        question="Which?",
        options="One\nTwo",
        method=DecisionMethod.VOTE,
        ladder_rung=LadderRung.CO_DESIGN,
        voting_open=True,
        created_by=personas.staff,
    )
    url = (meeting if page == "meeting" else decision).get_absolute_url()
    _grow_one_meeting_and_decision(personas, meeting, decision, SMALL, start=0)
    staff_client.get(url)
    small = _queries(staff_client, url)
    _grow_one_meeting_and_decision(personas, meeting, decision, LARGE - SMALL, start=SMALL)
    large = _queries(staff_client, url)
    assert len(large) == len(small), "\n".join(large)
