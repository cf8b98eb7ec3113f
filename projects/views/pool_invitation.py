from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from coprod.core.ratelimit import rate_limited, too_many_requests
from projects.models import (
    ARCHIVED_NOTHING_CAN_CHANGE,
    FeeBasis,
    PaymentPolicy,
    PoolAnswer,
    Project,
    ProjectInvitation,
)
from projects.pool_links import BadToken, pool_invitation_read
from projects.selectors.payments import payment_policies_for
from projects.selectors.pool import next_meeting_of
from projects.services.payments import claim_categories_in_words
from projects.services.pool import (
    PoolInvitationClosed,
    pool_invitation_answer,
    pool_invitation_problem,
)

PROBLEMS = {
    "bad-link": (
        "This link does not work",
        "The link may have been cut short or changed. Please try the link in your email or "
        "text message again, or contact the project team.",
    ),
    "missing": (
        "We could not find this invitation",
        "It may have been withdrawn, so nothing has been changed. Please contact the project "
        "team if you would like to take part.",
    ),
    "withdrawn": (
        "This invitation is no longer active",
        "It was withdrawn when you asked us to stop contacting you about taking part, so "
        "nothing has been changed. If you would like to take part now, please contact the "
        "project team.",
    ),
    "erased": (
        "This invitation is no longer active",
        "The details it was sent to have been erased, so nothing has been changed. If you "
        "would like to take part, please contact the project team.",
    ),
    "archived": ("This project has ended", ARCHIVED_NOTHING_CAN_CHANGE),
    "closed": (
        "This project has finished",
        "It is no longer looking for people to take part, so nothing has been changed. "
        "Thank you for thinking about it.",
    ),
}


def _problem(request: HttpRequest, key: str, *, project: Project | None = None) -> HttpResponse:
    title, explanation = PROBLEMS[key]
    return render(
        request,
        "projects/pool_invitation_problem.html",
        {"title": title, "explanation": explanation, "project": project},
        status=400 if key == "bad-link" else 410,
    )


@never_cache
def pool_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation from the pool to join a project, reached by its signed link without
    logging in (or from /me/): what the project is, and "Yes" or "Not now". GET changes
    nothing, as mail scanners follow links; the answer is POSTed. Counted per address, so
    the links cannot be tried in bulk."""
    if rate_limited(
        request, action="pool-invitation", per_minute=settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE
    ):
        return too_many_requests(request)
    try:
        public_id = pool_invitation_read(token)
    except BadToken:
        return _problem(request, "bad-link")
    invitation = (
        ProjectInvitation.objects.select_related("project", "person")
        .filter(public_id=public_id)
        .first()
    )
    if invitation is None:
        return _problem(request, "missing")
    if problem := pool_invitation_problem(invitation):
        return _problem(request, problem, project=invitation.project)

    choice_missing = False
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer in PoolAnswer.values:
            try:
                pool_invitation_answer(invitation=invitation, answer=answer)
            except PoolInvitationClosed as closed:
                return _problem(request, closed.reason, project=invitation.project)
            return redirect(request.path)
        choice_missing = True
    project = invitation.project
    policy = payment_policies_for([project])[project.pk]
    return render(
        request,
        "projects/pool_invitation.html",
        {
            "invitation": invitation,
            "project": project,
            "next_meeting": next_meeting_of(project),
            "payment": _payment_in_words(policy),
            "choice_missing": choice_missing,
            "PoolAnswer": PoolAnswer,
        },
    )


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


def _payment_in_words(policy: PaymentPolicy) -> list[str]:
    """The project's payment policy as someone deciding whether to take part reads it;
    nothing when staff have not set one, rather than defaults nobody chose."""
    if policy.pk is None:
        return []
    if policy.fee_rate > 0:
        per = "an hour" if policy.fee_basis == FeeBasis.PER_HOUR else "for each session"
        lines = [f"We pay {_pounds(policy.fee_rate)} {per} for the time you take part."]
    else:
        lines = ["This project does not pay a fee for taking part."]
    expenses = claim_categories_in_words(policy)
    if expenses:
        lines.append("We pay back what it costs you to take part: " + ", ".join(expenses) + ".")
    ways = [
        way
        for way, offered in (
            ("bank transfer", policy.offers_bank_transfer),
            ("voucher", policy.offers_voucher),
        )
        if offered
    ]
    if ways and (policy.fee_rate > 0 or expenses):
        lines.append("We can pay you by " + " or ".join(ways) + ".")
    if policy.fee_rate > 0:
        lines.append("You can choose not to be paid, for example if it could affect your benefits.")
    return lines
