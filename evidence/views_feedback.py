"""Participants say how a meeting they came to went for them."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from coprod.core.access import permission_required
from evidence.forms_feedback import MeetingFeedbackForm
from evidence.models import ANSWER_WITHIN, QUESTIONS
from evidence.selectors.feedback import own_feedback
from evidence.services_feedback import FeedbackClosed, feedback_problem, meeting_feedback_save
from projects.models import Meeting
from stakeholders.access import PARTICIPANTS_ONLY
from stakeholders.selectors import person_for_user

NOT_ATTENDED = (
    "We have no record of you coming to this meeting, so we cannot ask you how it went. "
    "If you did come, ask the team who ran it to mark you as having come."
)


def _closed(request: HttpRequest, meeting: Meeting, reason: str) -> HttpResponse:
    """Why they cannot answer, in plain words. Someone who did not come learns nothing
    about the meeting, not even its name."""
    if reason == "not_attended":
        raise PermissionDenied(NOT_ATTENDED)
    return render(
        request,
        "evidence/meeting_feedback_closed.html",
        {"meeting": meeting, "reason": reason, "days": ANSWER_WITHIN.days},
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def meeting_feedback(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("project"), public_id=meeting_id)
    person = person_for_user(request.user)
    if person is None:
        return _closed(request, meeting, "not_attended")
    if problem := feedback_problem(meeting=meeting, person=person):
        return _closed(request, meeting, problem)
    before = own_feedback(meeting=meeting, person=person)
    initial = {}
    if before is not None:
        initial = {question.field: getattr(before, question.field) for question in QUESTIONS}
        initial["comment"] = before.comment
    form = MeetingFeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_feedback_save(meeting=meeting, person=person, **form.cleaned_data)
        except FeedbackClosed as closed:
            return _closed(request, meeting, closed.reason)
        return redirect("evidence:meeting_feedback_sent", meeting_id=meeting.public_id)
    return render(
        request,
        "evidence/meeting_feedback.html",
        {
            "meeting": meeting,
            "form": form,
            "changing": before is not None,
            "answer_by": meeting.ends_at + ANSWER_WITHIN,
        },
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_safe
def meeting_feedback_sent(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("project"), public_id=meeting_id)
    person = person_for_user(request.user)
    feedback = own_feedback(meeting=meeting, person=person) if person else None
    if feedback is None:
        # Someone who did not come is told so here too, and learns nothing of the meeting.
        if person is None or feedback_problem(meeting=meeting, person=person) == "not_attended":
            raise PermissionDenied(NOT_ATTENDED)
        return redirect("evidence:meeting_feedback", meeting_id=meeting.public_id)
    return render(
        request,
        "evidence/meeting_feedback_sent.html",
        {
            "meeting": meeting,
            "can_change": feedback_problem(meeting=meeting, person=person) is None,
            "answer_by": meeting.ends_at + ANSWER_WITHIN,
        },
    )
