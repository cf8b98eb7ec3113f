"""Reads of what people said after meetings: the summary staff see on a meeting's page, and
the figures in the commissioner's report (what still waits for someone's say is read with
the rest of their page, in coprod/pages/my_page.py)."""

from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from coprod.core.compiled import CompiledQuery
from coprod.core.suppression import (
    SMALL_COUNT_THRESHOLD,
    is_small,
    suppress_small,
    withheld,
)
from evidence.models import AGREE_FROM, QUESTIONS, MeetingFeedback
from projects.models import Attendance, AttendanceStatus, Meeting, Project
from stakeholders.models import Person

TENTH = Decimal("0.1")


def own_feedback(*, meeting: Meeting, person: Person) -> MeetingFeedback | None:
    return MeetingFeedback.objects.filter(meeting=meeting, person=person).first()


def _share_agreeing(values: list[int]) -> int | None:
    if not values:
        return None
    return round(100 * sum(value >= AGREE_FROM for value in values) / len(values))


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(TENTH)


def meeting_feedback_summary(meeting: Meeting, *, came: int | None = None) -> dict:
    """For staff on the meeting's page: how many answered out of how many came, the spread
    of answers to each question, and the comments, never with names. The spread is shown
    only once 5 people have answered, so nobody's answers can be picked out from who came.
    Two queries, or one when the page already counted the people who `came`."""
    if came is None:
        came = Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.ATTENDED).count()
    rows = _ANSWERS_TO_MEETING.rows(meeting_id=meeting.pk)
    answered = len(rows)
    questions = []
    for place, question in enumerate(QUESTIONS, start=1):
        values = [row[place] for row in rows if row[place] is not None]
        questions.append(
            {
                "text": question.text,
                "short_name": question.short_name,
                "answers": len(values),
                "skipped": answered - len(values),
                "spread": [(label, values.count(value)) for value, label in question.choices],
                "agree": _share_agreeing(values),
                "mean": _mean(values),
            }
        )
    return {
        "came": came,
        "answered": answered,
        "spread_shown": answered >= SMALL_COUNT_THRESHOLD,
        "threshold": SMALL_COUNT_THRESHOLD,
        "questions": questions,
        "comments": [row[0] for row in rows if row[0]],
    }


def _answers_to_meeting(meeting_id: int) -> QuerySet:
    """Each answer's comment, then its answer to each of QUESTIONS in turn."""
    return (
        MeetingFeedback.objects.filter(meeting_id=meeting_id)
        .order_by("pk")
        .values_list("comment", *(question.field for question in QUESTIONS))
    )


# Read on every visit to a meeting's page: compiled to SQL once per process, since building
# the query through the ORM cost more than running it.
_ANSWERS_TO_MEETING = CompiledQuery(_answers_to_meeting, meeting_id=int)


def _figures(values: list[int], *people: int) -> dict:
    """How many answered, the share answering 4 or 5 and the mean, each withheld when any
    count of people it rests on is 1 to 4. The count of answers is "fewer than 5" when it
    is itself small, and withheld when it is not but the people behind it are few."""
    count = len(values)
    return {
        "answers": suppress_small(count) if is_small(count) else withheld(count, *people),
        "agree": withheld(_share_agreeing(values), count, *people),
        "mean": withheld(_mean(values), count, *people),
    }


def report_meeting_feedback(project: Project) -> dict:
    """What participants said after the project's meetings, for the commissioner's report:
    for each question, over all meetings and meeting by meeting, the number of answers, the
    share answering 4 or 5 ("agree") and the mean. No comments (they are personal and
    could identify people). One query whatever the number of meetings or answers.

    Every figure resting on 1 to 4 people is withheld (coprod.core.suppression). Over all
    meetings the people are counted once each however many meetings they answered about
    (answers of erased people together as one, which can only withhold more), and a
    project figure is withheld too when the meetings hidden for small numbers add up to
    1 to 4 answers, or it would give their figures away."""
    rows = list(
        MeetingFeedback.objects.filter(meeting__project=project, meeting__cancelled_at=None)
        .order_by("meeting__starts_at", "meeting_id", "pk")
        .values(
            "meeting_id",
            "person_id",
            "meeting__title",
            "meeting__starts_at",
            *(question.field for question in QUESTIONS),
        )
    )
    by_meeting: dict[int, list[dict]] = {}
    for row in rows:
        by_meeting.setdefault(row["meeting_id"], []).append(row)
    meetings = []
    hidden = {question.field: 0 for question in QUESTIONS}
    for meeting_rows in by_meeting.values():
        figures = []
        for question in QUESTIONS:
            values = [
                row[question.field] for row in meeting_rows if row[question.field] is not None
            ]
            if is_small(len(values)):
                hidden[question.field] += len(values)
            figures.append({"short_name": question.short_name, **_figures(values)})
        first = meeting_rows[0]
        meetings.append(
            {
                "title": first["meeting__title"],
                "starts_at": first["meeting__starts_at"],
                "answered": suppress_small(len(meeting_rows)),
                "questions": figures,
            }
        )
    questions = []
    for question in QUESTIONS:
        answering = [row for row in rows if row[question.field] is not None]
        people = len({row["person_id"] for row in answering})
        questions.append(
            {
                "text": question.text,
                "short_name": question.short_name,
                **_figures(
                    [row[question.field] for row in answering], people, hidden[question.field]
                ),
            }
        )
    return {
        "questions": questions,
        "meetings": meetings,
        "agree_from": AGREE_FROM,
        "threshold": SMALL_COUNT_THRESHOLD,
    }


FEEDBACK_CSV_HEADER = [
    "Question",
    "Meeting",
    "Meeting date",
    "Answers",
    f"Answering {AGREE_FROM} or 5 (%)",
    "Mean (1 to 5)",
]


def feedback_csv_rows(section: dict) -> list[list]:
    """The report's feedback section as CSV rows under FEEDBACK_CSV_HEADER: each question
    over all meetings, then meeting by meeting."""
    rows = [
        [q["short_name"], "All meetings", "", q["answers"], q["agree"], q["mean"]]
        for q in section["questions"]
    ]
    for meeting in section["meetings"]:
        day = timezone.localtime(meeting["starts_at"]).date()
        rows += [
            [q["short_name"], meeting["title"], day, q["answers"], q["agree"], q["mean"]]
            for q in meeting["questions"]
        ]
    return rows
