"""What participants said after meetings, in the commissioner's report: each figure over
all meetings and meeting by meeting, every figure resting on fewer than 5 people withheld,
no comments, and one query whatever the size."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string

from coprod.core.suppression import SUPPRESSED, WITHHELD
from evidence.selectors.feedback import (
    FEEDBACK_CSV_HEADER,
    feedback_csv_rows,
    report_meeting_feedback,
)
from tests.evidence.feedback_helpers import past_meeting, said
from tests.factories.projects import ProjectFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def _answers(meeting, listened_values, **others):
    for value in listened_values:
        said(meeting, listened=value, **others)


def _question(section, short_name, meeting=None):
    rows = section["questions"] if meeting is None else section["meetings"][meeting]["questions"]
    return next(row for row in rows if row["short_name"] == short_name)


def test_five_answers_to_a_meeting_are_shown_with_the_share_agreeing_and_the_mean():
    meeting = past_meeting(title="Workshop")
    _answers(meeting, [5, 4, 4, 2, 1])

    section = report_meeting_feedback(meeting.project)

    assert section["meetings"][0]["answered"] == 5
    listened = _question(section, "Listened to", meeting=0)
    assert listened == {
        "short_name": "Listened to",
        "answers": 5,
        "agree": 60,
        "mean": Decimal("3.2"),
    }


def test_four_answers_to_a_meeting_are_fewer_than_5_and_their_share_and_mean_withheld():
    meeting = past_meeting()
    _answers(meeting, [5, 4, 4, 2])

    section = report_meeting_feedback(meeting.project)

    assert section["meetings"][0]["answered"] == SUPPRESSED
    listened = _question(section, "Listened to", meeting=0)
    assert (listened["answers"], listened["agree"], listened["mean"]) == (
        SUPPRESSED,
        WITHHELD,
        WITHHELD,
    )
    over_all = _question(section, "Listened to")
    assert (over_all["answers"], over_all["agree"], over_all["mean"]) == (
        SUPPRESSED,
        WITHHELD,
        WITHHELD,
    )


def test_a_question_four_people_answered_is_withheld_though_five_answered_others():
    meeting = past_meeting()
    _answers(meeting, [5, 4, 3, 2], influence=4)
    said(meeting, influence=2)

    section = report_meeting_feedback(meeting.project)

    assert section["meetings"][0]["answered"] == 5
    assert _question(section, "Listened to", meeting=0)["agree"] == WITHHELD
    influence = _question(section, "Made a difference", meeting=0)
    assert (influence["answers"], influence["agree"], influence["mean"]) == (
        5,
        80,
        Decimal("3.6"),
    )
    assert _question(section, "Easy to take part in", meeting=0)["answers"] == 0


def test_all_meetings_together_are_shown_when_every_meeting_is_shown():
    first, second = past_meeting(days_ago=20), None
    second = past_meeting(days_ago=2, project=first.project)
    _answers(first, [5, 5, 5, 5, 5])
    _answers(second, [1, 1, 1, 1, 4])

    over_all = _question(report_meeting_feedback(first.project), "Listened to")

    assert (over_all["answers"], over_all["agree"], over_all["mean"]) == (10, 60, Decimal("3.3"))


def test_all_meetings_together_are_withheld_when_one_meeting_is_hidden():
    """Nine answers from nine people, but less the five shown they give away the four."""
    shown = past_meeting(days_ago=20)
    hidden = past_meeting(days_ago=2, project=shown.project)
    _answers(shown, [5, 5, 5, 5, 5])
    _answers(hidden, [1, 1, 1, 1])

    over_all = _question(report_meeting_feedback(shown.project), "Listened to")

    assert (over_all["answers"], over_all["agree"], over_all["mean"]) == (
        WITHHELD,
        WITHHELD,
        WITHHELD,
    )


def test_all_meetings_together_are_shown_when_the_hidden_meetings_add_up_to_five():
    first = past_meeting(days_ago=20)
    second = past_meeting(days_ago=2, project=first.project)
    _answers(first, [5, 5, 4])
    _answers(second, [1, 2])

    over_all = _question(report_meeting_feedback(first.project), "Listened to")

    assert (over_all["answers"], over_all["agree"], over_all["mean"]) == (5, 60, Decimal("3.4"))


def test_many_answers_from_four_people_are_withheld():
    """Four people answering about two meetings are eight answers, but still four people."""
    first = past_meeting(days_ago=20)
    second = past_meeting(days_ago=2, project=first.project)
    people = [PersonFactory() for _ in range(4)]
    for person in people:
        said(first, person, listened=5)
        said(second, person, listened=5)

    over_all = _question(report_meeting_feedback(first.project), "Listened to")

    assert (over_all["answers"], over_all["agree"], over_all["mean"]) == (
        WITHHELD,
        WITHHELD,
        WITHHELD,
    )


def test_five_people_answering_about_two_meetings_are_shown():
    first = past_meeting(days_ago=20)
    second = past_meeting(days_ago=2, project=first.project)
    people = [PersonFactory() for _ in range(5)]
    for person in people:
        said(first, person, listened=4)
    for person in people[:2]:
        said(second, person, listened=2)
    for _ in range(3):
        said(second, listened=2)

    over_all = _question(report_meeting_feedback(first.project), "Listened to")

    assert (over_all["answers"], over_all["agree"], over_all["mean"]) == (10, 50, Decimal("3.0"))


def test_comments_are_never_in_the_report():
    meeting = past_meeting()
    for _ in range(5):
        said(meeting, listened=4, comment="Jo from number 12 talked over everyone")

    section = report_meeting_feedback(meeting.project)
    html = render_to_string("evidence/report_feedback.html", {"report": {"feedback": section}})

    assert "number 12" not in repr(section)
    assert "number 12" not in html
    assert "Sharing power: what participants said" in html
    assert "5 answers: 100% agree, mean 4.0" in html


def test_other_projects_and_cancelled_meetings_are_left_out():
    project = ProjectFactory()
    counted = past_meeting(project=project)
    cancelled = past_meeting(project=project)
    _answers(counted, [5, 5, 5, 5, 5])
    _answers(cancelled, [1, 1, 1, 1, 1])
    cancelled.cancelled_at = cancelled.ends_at
    cancelled.save()
    _answers(past_meeting(), [1, 1, 1, 1, 1])

    section = report_meeting_feedback(project)

    assert [meeting["title"] for meeting in section["meetings"]] == [counted.title]
    assert _question(section, "Listened to")["mean"] == Decimal("5.0")


def test_the_report_runs_one_query_however_many_meetings_and_answers(
    django_assert_num_queries,
):
    project = ProjectFactory()
    _answers(past_meeting(project=project), [3])
    with django_assert_num_queries(1):
        report_meeting_feedback(project)
    for days_ago in (3, 5, 7):
        _answers(past_meeting(project=project, days_ago=days_ago), [1, 2, 3, 4, 5, 5])
    with django_assert_num_queries(1):
        section = report_meeting_feedback(project)
    assert len(section["meetings"]) == 4


def test_the_csv_rows_hold_every_figure_with_its_markers():
    project = ProjectFactory()
    shown = past_meeting(project=project, title="Big meeting", days_ago=3)
    small = past_meeting(project=project, title="Small meeting", days_ago=1)
    _answers(shown, [4, 4, 4, 4, 4, 4])
    _answers(small, [2])

    rows = feedback_csv_rows(report_meeting_feedback(project))

    assert len(FEEDBACK_CSV_HEADER) == 6
    assert ["Listened to", "All meetings", "", WITHHELD, WITHHELD, WITHHELD] in rows
    assert [
        "Listened to",
        "Big meeting",
        shown.starts_at.date(),
        6,
        100,
        Decimal("4.0"),
    ] in rows
    assert [
        "Listened to",
        "Small meeting",
        small.starts_at.date(),
        SUPPRESSED,
        WITHHELD,
        WITHHELD,
    ] in rows
    assert len(rows) == 3 + 2 * 3


def test_the_project_tag_renders_the_section_for_pages_below_evidence():
    meeting = past_meeting(title="Tagged meeting")
    _answers(meeting, [4, 4, 4, 4, 4])

    html = Template("{% load feedback_tags %}{% project_meeting_feedback project %}").render(
        Context({"project": meeting.project})
    )

    assert "Sharing power: what participants said" in html
    assert "Tagged meeting" in html and "5 answers: 100% agree, mean 4.0" in html
