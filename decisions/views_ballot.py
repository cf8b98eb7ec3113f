"""The signed link in a "voting is open" email: whoever holds it may cast, or change, that
one member's vote on that one decision, without logging in."""

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from coprod.core.ratelimit import rate_limited, too_many_requests
from decisions.ballot import BadToken, ballot_read
from decisions.forms import VoteForm
from decisions.models import Decision
from decisions.selectors.my_votes import with_own_vote
from decisions.services import DecisionError, can_vote, vote_cast
from projects.models import ARCHIVED_NOTHING_CAN_CHANGE
from stakeholders.models import Person

PROBLEMS = {
    "bad": (
        400,
        "This link does not work",
        "The link may have been cut short or changed. Please try the link in your email "
        "again, or contact the project team.",
    ),
    "missing": (
        404,
        "We could not find this vote",
        "It may have been removed. Please contact the project team.",
    ),
    "closed": (
        410,
        "This vote has closed",
        "You can no longer vote on this, and nothing has been changed.",
    ),
    "archived": (410, "This project has ended", ARCHIVED_NOTHING_CAN_CHANGE),
    "inactive": (
        410,
        "This link is no longer active",
        "You are not taking part in this project now, so nothing has been changed. If you "
        "think this is a mistake, please contact the project team.",
    ),
}


def _problem(request: HttpRequest, key: str, decision: Decision | None = None) -> HttpResponse:
    status, title, explanation = PROBLEMS[key]
    return render(
        request,
        "decisions/ballot_problem.html",
        {"title": title, "explanation": explanation, "decision": decision},
        status=status,
    )


def _find(queryset, public_id: str):
    try:
        return queryset.filter(public_id=uuid.UUID(public_id)).first()
    except ValueError:
        return None


@never_cache
def ballot(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the vote (mail scanners follow links, so GET changes nothing); POST saves
    it. Both are counted per address, so links cannot be tried in bulk."""
    if rate_limited(
        request, action="ballot", per_minute=settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE
    ):
        return too_many_requests(request)
    try:
        link = ballot_read(token)
    except BadToken:
        return _problem(request, "bad")
    person = _find(Person.objects.all(), link.person_id)
    decision = _find(Decision.objects.select_related("project"), link.decision_id)
    if person is None or decision is None:
        return _problem(request, "missing")
    if decision.project.is_archived:
        return _problem(request, "archived", decision)
    if not decision.voting_open:
        return _problem(request, "closed", decision)
    if not can_vote(decision=decision, person=person):
        return _problem(request, "inactive")
    decision = with_own_vote(
        Decision.objects.select_related("project").filter(pk=decision.pk), person
    ).get()
    own_vote = decision.own_votes[0] if decision.own_votes else None
    form = VoteForm(
        request.POST if request.method == "POST" else None, decision=decision, own_vote=own_vote
    )
    if form.is_valid():
        try:
            cast = vote_cast(decision=decision, person=person, **form.vote())
        except DecisionError as error:
            form.add_error(None, str(error))
        else:
            return render(
                request,
                "decisions/ballot_done.html",
                {"decision": decision, "own_choice": cast.in_words, "token": token},
            )
    return render(
        request,
        "decisions/ballot.html",
        {
            "decision": decision,
            "person": person,
            "form": form,
            "own_choice": own_vote.in_words if own_vote else None,
        },
    )
