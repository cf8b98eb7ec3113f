"""Demo answers to "how did the meeting go?" (part of `seed_demo`): earlier meetings in each
project that has meetings, and last week's, answered by most people who came, so the
meeting pages and the commissioner's report show real figures; two meetings answered by
too few to show, so the report shows their figures withheld (together they are enough for
the figures over all meetings to be shown). The demo participant came to last week's
meeting in their project and has not answered, so /me/ asks them. Running it again adds
nothing."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from evidence.models import MeetingFeedback
from projects.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MembershipStatus,
    Project,
)
from stakeholders.models import Person, User

# The meeting held last week, which seed_demo's meetings include for every project.
HELD_MEETING = "Looking back: what we heard"
# (title, days ago, how many of those who came answer: None for all but one)
EARLIER_MEETINGS = [
    ("Co-design workshop: what a good day looks like", 42, None),
    ("Testing the new leaflet", 21, None),
    ("Catch-up for people who missed the workshop", 14, 3),
    ("Evening drop-in for people who work in the day", 10, 3),
]
PEOPLE_PER_MEETING = 8
COMMENTS = [
    "The easy read agenda helped me follow what was going on.",
    "I felt a bit rushed at the end, we ran out of time for my point.",
    "Good to see our ideas from last time up on the wall.",
    "Hard to hear people at the far end of the table.",
    "I am not sure what will happen with what we said today.",
    "The quiet room made a big difference for me.",
]
# Weights for answers 1 to 5 to each question: listened to mostly, less sure of making a
# difference, mostly easy to take part in.
WEIGHTS = {
    "listened": [1, 1, 2, 5, 4],
    "influence": [2, 3, 4, 3, 1],
    "accessible": [1, 1, 2, 4, 5],
}


def demo_feedback_build(*, projects: list[Project], participant: User, staff: User) -> None:
    pat = Person.objects.filter(user=participant).first()
    for project in projects:
        held = Meeting.objects.filter(project=project, title=HELD_MEETING).first()
        if held is None:
            continue
        people = list(
            Person.objects.filter(
                memberships__project=project,
                memberships__status__in=[MembershipStatus.ACTIVE, MembershipStatus.INTERESTED],
                involvement_consent_given=True,
                erased_at=None,
            )
            .exclude(pk=getattr(pat, "pk", None))
            .order_by("pk")[:PEOPLE_PER_MEETING]
        )
        for title, days_ago, answering in EARLIER_MEETINGS:
            meeting = _held_meeting(project, title, days_ago, staff, like=held)
            came = [_attended(meeting, person, staff) for person in people]
            _answers(meeting, came[: len(came) - 1 if answering is None else answering])
        came_last_week = list(
            Person.objects.filter(
                attendances__meeting=held, attendances__status=AttendanceStatus.ATTENDED
            )
            .exclude(pk=getattr(pat, "pk", None))
            .order_by("pk")
        )
        _answers(held, came_last_week)
        if pat is not None and pat.memberships.filter(project=project).exists():
            _attended(held, pat, staff)


def _held_meeting(project: Project, title: str, days_ago: int, staff: User, *, like: Meeting):
    starts = timezone.localtime(like.starts_at) - timedelta(days=days_ago)
    meeting, _ = Meeting.objects.get_or_create(
        project=project,
        title=title,
        defaults={
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "place": like.place,
            "access_info": like.access_info,
            "stage": project.stage,
            "created_by": staff,
        },
    )
    return meeting


def _attended(meeting: Meeting, person: Person, staff: User) -> Person:
    Attendance.objects.get_or_create(
        meeting=meeting,
        person=person,
        defaults={
            "status": AttendanceStatus.ATTENDED,
            "hours": Decimal("2"),
            "stakeholder_group": person.stakeholder_group,
            "recorded_by": staff,
        },
    )
    return person


def _answers(meeting: Meeting, people: list[Person]) -> None:
    chance = random.Random(f"{meeting.project.slug}:{meeting.title}")  # noqa: S311 - demo data
    for number, person in enumerate(people):
        answers = {
            field: chance.choices(range(1, 6), weights=weights)[0]
            for field, weights in WEIGHTS.items()
        }
        # Some people skip a question.
        if number % 4 == 3:
            answers[chance.choice(list(WEIGHTS))] = None
        MeetingFeedback.objects.get_or_create(
            meeting=meeting,
            person=person,
            defaults={
                **answers,
                "comment": COMMENTS[(number + len(meeting.title)) % len(COMMENTS)]
                if number % 3 == 0
                else "",
                "answered_at": meeting.ends_at + timedelta(hours=number + 3),
            },
        )
