"""People who came to a meeting say how it went, from /me/; staff see the answers together
on the meeting's page, without names; erasing someone unlinks what they said."""

import pytest
from django.urls import reverse

from coprod.core.suppression import SMALL_COUNT_THRESHOLD
from evidence.forms_feedback import NOTHING_GIVEN
from evidence.models import MeetingFeedback
from evidence.selectors.feedback import meeting_feedback_summary
from evidence.views_feedback import NOT_ATTENDED
from projects.models import AttendanceStatus
from stakeholders.privacy import person_erase
from tests.evidence.feedback_helpers import came, past_meeting, said

pytestmark = pytest.mark.django_db


def _url(meeting) -> str:
    return reverse("evidence:meeting_feedback", args=[meeting.public_id])


@pytest.fixture
def meeting(personas):
    """A meeting of the personas' project that ended yesterday, which the participant came to."""
    meeting = past_meeting(project=personas.project, title="Menu planning")
    came(meeting, personas.participant.person)
    return meeting


def test_my_page_asks_how_a_meeting_i_came_to_went(participant_client, meeting):
    page = participant_client.get(reverse("pages:me")).content.decode()

    assert "How did Menu planning go?" in page
    assert _url(meeting) in page


def test_my_page_does_not_ask_about_meetings_answered_too_old_or_missed(
    participant_client, personas
):
    person = personas.participant.person
    said(past_meeting(project=personas.project, title="Answered"), person, listened=3)
    came(past_meeting(project=personas.project, title="Long ago", days_ago=31), person)
    came(
        past_meeting(project=personas.project, title="Missed"),
        person,
        status=AttendanceStatus.NO_SHOW,
    )
    past_meeting(project=personas.project, title="Not there")

    page = participant_client.get(reverse("pages:me")).content.decode()

    assert "Tell us how your meetings went" not in page


def test_the_questions_are_radios_in_fieldsets_with_their_own_words(participant_client, meeting):
    page = participant_client.get(_url(meeting)).content.decode()

    assert page.count("<fieldset") == 3
    assert "Did you feel listened to?" in page
    assert "Some difference" in page and "Not very" in page
    assert 'type="radio"' in page and "Send my answers" in page


def test_answering_keeps_the_answers_and_says_thank_you(participant_client, meeting, personas):
    response = participant_client.post(
        _url(meeting), {"listened": "4", "accessible": "2", "comment": " Too hot in there "}
    )

    assert response.status_code == 302
    thanks = participant_client.get(response.url).content.decode()
    assert "Thank you" in thanks and reverse("pages:me") in thanks
    feedback = MeetingFeedback.objects.get(meeting=meeting, person=personas.participant.person)
    assert (feedback.listened, feedback.influence, feedback.accessible, feedback.comment) == (
        4,
        None,
        2,
        "Too hot in there",
    )
    me = participant_client.get(reverse("pages:me")).content.decode()
    assert "How did Menu planning go?" not in me


def test_sending_nothing_asks_for_something_and_keeps_nothing(participant_client, meeting):
    response = participant_client.post(_url(meeting), {"comment": "   "})

    assert response.status_code == 200
    assert NOTHING_GIVEN in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    assert not MeetingFeedback.objects.exists()


def test_an_answer_not_on_the_scale_is_refused_and_the_comment_is_kept(participant_client, meeting):
    response = participant_client.post(
        _url(meeting), {"listened": "9", "comment": "Kept when refused"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose one of the answers given, or skip the question." in page
    assert "Kept when refused" in page
    assert not MeetingFeedback.objects.exists()


def test_answers_can_be_changed_and_replace_the_old_ones(participant_client, meeting):
    participant_client.post(_url(meeting), {"listened": "2", "comment": "First go"})

    page = participant_client.get(_url(meeting)).content.decode()
    assert "You have answered already" in page and "First go" in page
    participant_client.post(_url(meeting), {"listened": "skip", "influence": "5"})

    feedback = MeetingFeedback.objects.get()
    assert (feedback.listened, feedback.influence, feedback.comment) == (None, 5, "")


def test_someone_who_did_not_come_gets_a_clear_page_and_changes_nothing(client, personas, meeting):
    client.force_login(personas.other_participant)

    page = client.get(_url(meeting))
    sent = client.post(_url(meeting), {"listened": "5"})

    assert page.status_code == 403 and sent.status_code == 403
    assert NOT_ATTENDED in page.content.decode()
    assert "Menu planning" not in page.content.decode()
    assert not MeetingFeedback.objects.exists()


def test_someone_marked_as_not_coming_cannot_answer(participant_client, personas):
    missed = past_meeting(project=personas.project)
    came(missed, personas.participant.person, status=AttendanceStatus.NO_SHOW)

    response = participant_client.post(_url(missed), {"listened": "5"})

    assert response.status_code == 403
    assert not MeetingFeedback.objects.exists()


def test_after_30_days_the_answers_can_no_longer_change(participant_client, personas):
    old = past_meeting(project=personas.project, title="Old meeting", days_ago=31)
    feedback = said(old, personas.participant.person, listened=3)

    response = participant_client.post(_url(old), {"listened": "1"})

    assert "It is too late to answer about Old meeting" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.listened == 3


def test_staff_see_how_many_answered_and_the_comments_without_names(staff_client, meeting):
    for value in range(1, SMALL_COUNT_THRESHOLD):
        said(meeting, listened=value, comment=f"Comment number {value}")

    page = staff_client.get(meeting.get_absolute_url()).content.decode()

    assert "What people said about the meeting" in page
    assert "<strong>4</strong> of the <strong>5</strong> people who came have answered" in page
    assert "Comment number 3" in page
    assert "The spread of answers is shown once 5 people have answered" in page
    answered_names = [row.person.full_name for row in MeetingFeedback.objects.all()]
    comments_part = page.split('id="feedback-heading"')[1]
    assert not any(name in comments_part for name in answered_names)


def test_the_spread_is_shown_from_5_answers(meeting):
    for value in [1, 2, 4, 4]:
        said(meeting, listened=value)
    assert meeting_feedback_summary(meeting)["spread_shown"] is False

    said(meeting, listened=5)

    summary = meeting_feedback_summary(meeting)
    assert summary["spread_shown"] is True
    listened = summary["questions"][0]
    assert listened["spread"] == [
        ("Not at all", 1),
        ("A little", 1),
        ("Partly", 0),
        ("Mostly", 2),
        ("Completely", 1),
    ]
    assert (listened["answers"], listened["agree"]) == (5, 60)


def test_the_summary_runs_two_queries_however_many_answered(meeting, django_assert_num_queries):
    said(meeting, listened=1)
    with django_assert_num_queries(2):
        meeting_feedback_summary(meeting)
    for _ in range(6):
        said(meeting, influence=3, comment="Fine")
    with django_assert_num_queries(2):
        meeting_feedback_summary(meeting)


def test_erasing_someone_keeps_their_answers_without_them_or_their_comment(personas, meeting):
    person = personas.participant.person
    said(meeting, listened=4, comment="Only a comment from someone else")
    mine = MeetingFeedback.objects.create(
        meeting=meeting, person=person, listened=5, comment="My street is Acacia Avenue"
    )
    only_comment = past_meeting(project=personas.project)
    said(only_comment, person, comment="Nothing but words")

    person_erase(person=person, erased_by=personas.staff)

    mine.refresh_from_db()
    assert (mine.person, mine.comment, mine.listened) == (None, "", 5)
    assert not MeetingFeedback.objects.filter(meeting=only_comment).exists()
    assert MeetingFeedback.objects.filter(comment="Only a comment from someone else").exists()
