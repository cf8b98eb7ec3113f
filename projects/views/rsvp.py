from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from coprod.core.ratelimit import rate_limited, too_many_requests
from projects.forms.rsvp import SupportNoteForm
from projects.models import ARCHIVED_NOTHING_CAN_CHANGE, Invitation, Response
from projects.rsvp import BadToken, RsvpAction, rsvp_read, rsvp_token
from projects.services.meetings import (
    InvitationWithdrawn,
    MeetingClosed,
    ProjectArchived,
    invitation_respond,
)

PROBLEMS = {
    400: (
        "This link does not work",
        "The link may have been cut short or changed. Please try the link in your email "
        "again, or contact the project team.",
    ),
    404: (
        "We could not find this invitation",
        "It may have been withdrawn. Please contact the project team.",
    ),
    410: (
        "This meeting is over",
        "You can no longer answer this invitation because the meeting has already happened.",
    ),
    "cancelled": (
        "This meeting was cancelled",
        "You do not need to do anything. The project team will be in touch.",
    ),
    "withdrawn": (
        "This link is no longer active",
        "This invitation has been withdrawn, so nothing has been changed. You do not need to "
        "do anything. If you think this is a mistake, please contact the project team.",
    ),
    "archived": ("This project has ended", ARCHIVED_NOTHING_CAN_CHANGE),
}


def _problem(request: HttpRequest, key, status: int) -> HttpResponse:
    title, explanation = PROBLEMS[key]
    return render(
        request,
        "projects/rsvp_problem.html",
        {"title": title, "explanation": explanation},
        status=status,
    )


@never_cache
def rsvp(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the button will do (mail scanners follow links, so GET changes
    nothing); POST records the answer. Both are counted per address, so the links cannot
    be tried in bulk."""
    if rate_limited(request, action="rsvp", per_minute=settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE):
        return too_many_requests(request)
    try:
        answer = rsvp_read(token)
    except BadToken:
        return _problem(request, 400, 400)
    invitation = (
        Invitation.objects.select_related("meeting__project", "person")
        .filter(public_id=answer.invitation_id)
        .first()
    )
    if invitation is None:
        return _problem(request, 404, 404)
    if invitation.is_withdrawn:
        return _problem(request, "withdrawn", 410)
    meeting = invitation.meeting
    if meeting.project.is_archived:
        return _problem(request, "archived", 410)
    if meeting.is_cancelled:
        return _problem(request, "cancelled", 410)
    if meeting.is_over:
        return _problem(request, 410, 410)

    form = SupportNoteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            invitation = invitation_respond(
                invitation=invitation,
                action=answer.action,
                support_note=form.cleaned_data["support_note"],
            )
        except InvitationWithdrawn:
            return _problem(request, "withdrawn", 410)
        except MeetingClosed:
            return _problem(request, 410, 410)
        except ProjectArchived:
            return _problem(request, "archived", 410)
        return render(
            request,
            "projects/rsvp_done.html",
            {
                "invitation": invitation,
                "meeting": meeting,
                "action": answer.action,
                "Response": Response,
            },
        )
    return render(
        request,
        "projects/rsvp.html",
        {
            "invitation": invitation,
            "meeting": meeting,
            "action": answer.action,
            "actions": RsvpAction,
            "form": form,
            # A text message carries one link, so the page offers the other answers too.
            "other_answers": {
                action: reverse("projects:rsvp", args=[rsvp_token(invitation, action)])
                for action in RsvpAction.ALL
                if action != answer.action
            },
        },
    )
