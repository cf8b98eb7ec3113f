import uuid

from allauth.account.internal.flows.signup import complete_signup
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.decorators import rate_limit
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from coprod.access import permission_required
from coprod.pagecache import deferred
from coprod.uploads import RECEIPT_KINDS, file_kind
from decisions.models import AssessorRole, Decision, VoteChoice
from decisions.selectors import active_projects_of, closed_votes_of, open_votes_page
from decisions.services import DecisionError, can_vote, ladder_assessment_add, vote_cast
from projects.calendar import meeting_ics
from projects.models import Invitation, PaymentPolicy, Project, Response
from projects.rsvp import RsvpAction
from projects.selectors import upcoming_invitations_of
from projects.services import MeetingClosed, invitation_respond
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.decision_forms import LadderForm, VoteForm
from stakeholders.forms import EqualityForm, JoinForm, ProfileForm
from stakeholders.models import (
    ConsentKind,
    ConsentMethod,
    ExpenseCategory,
    ExpenseClaim,
    Payment,
    PaymentStatus,
    Person,
)
from stakeholders.payment_forms import ExpenseClaimForm, PaymentChoicesForm
from stakeholders.rules import is_participant, is_staff_member
from stakeholders.selectors import (
    meetings_to_claim_for,
    memberships_of,
    my_claims_page,
    my_payments_page,
    payment_methods_offered_to,
    payment_policies_for,
    person_for_user,
    projects_of_person,
    standing_consents,
)
from stakeholders.services import (
    ClaimError,
    DuplicatePerson,
    PaymentError,
    claim_categories_in_words,
    consent_give,
    consent_withdraw,
    equality_answers_save,
    expense_claim_submit,
    membership_express_interest,
    payment_choices_save,
    payment_decline,
    person_register_online,
)

PARTICIPANTS_ONLY = "This page is for people taking part in projects."
MY_MEETINGS_LIMIT = 20


def _get_own_person(request: HttpRequest) -> Person:
    """The signed-in participant's own roster entry; nobody else's is ever reachable."""
    person = person_for_user(request.user)
    if person is None:
        raise Http404("You have no details with us yet.")
    return person


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def me(request: HttpRequest) -> HttpResponse:
    # Looked up only when the page is not in the cache; the rest only if there is a person.
    person = deferred(person_for_user, request.user)
    context = {
        "person": person,
        "memberships": deferred(memberships_of, person),
        "consents": deferred(standing_consents, person),
        "invitations": deferred(lambda: list(upcoming_invitations_of(person)[:MY_MEETINGS_LIMIT])),
        "Response": Response,
    }
    return render(request, "stakeholders/me.html", context)


def _get_own_invitation(request: HttpRequest, meeting_id) -> Invitation:
    """The signed-in participant's invitation to this meeting; anyone else's is a 404."""
    person = _get_own_person(request)
    return get_object_or_404(
        Invitation.objects.select_related("meeting__project", "person"),
        person=person,
        meeting__public_id=meeting_id,
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_POST
def meeting_answer(request: HttpRequest, meeting_id) -> HttpResponse:
    invitation = _get_own_invitation(request, meeting_id)
    action = request.POST.get("action", "")
    if action not in (RsvpAction.ACCEPT, RsvpAction.DECLINE):
        messages.error(request, "Choose whether you can come or not.")
        return redirect("stakeholders:me")
    try:
        invitation = invitation_respond(invitation=invitation, action=action)
    except MeetingClosed:
        messages.error(
            request, "This meeting is over or was cancelled, so your answer cannot change."
        )
        return redirect("stakeholders:me")
    messages.success(request, ANSWER_MESSAGES[invitation.response])
    return redirect("stakeholders:me")


ANSWER_MESSAGES = {
    Response.ACCEPTED: "Thank you. You are coming.",
    Response.WAITLISTED: "The meeting is full, so you are on the waiting list.",
    Response.DECLINED: "Thank you for letting us know you cannot come.",
}


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def meeting_calendar(request: HttpRequest, meeting_id) -> HttpResponse:
    invitation = _get_own_invitation(request, meeting_id)
    response = HttpResponse(
        meeting_ics(invitation.meeting, invitation), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def profile(request: HttpRequest) -> HttpResponse:
    person = _get_own_person(request)
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details have been saved.")
        return redirect("stakeholders:me")
    return render(request, "stakeholders/profile.html", {"form": form})


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def equality(request: HttpRequest) -> HttpResponse:
    person = _get_own_person(request)
    consents = standing_consents(person)
    instance = getattr(person, "equality", None)
    form = EqualityForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            consent_give(
                person=person,
                kind=ConsentKind.EQUALITY,
                method=ConsentMethod.ONLINE,
                recorded_by=request.user,
            )
            equality_answers_save(person=person, answers=form.cleaned_data)
        messages.success(request, "Thank you. Your answers have been saved.")
        return redirect("stakeholders:me")
    return render(
        request,
        "stakeholders/equality.html",
        {
            "form": form,
            "consented": ConsentKind.EQUALITY in consents,
            "consent_text": CONSENT_TEXTS[ConsentKind.EQUALITY][1],
        },
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def consent_withdraw_view(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ConsentKind.values:
        raise Http404("No such consent.")
    person = _get_own_person(request)
    if request.method == "POST":
        if consent_withdraw(person=person, kind=kind, withdrawn_by=request.user):
            messages.success(request, WITHDRAWN_MESSAGES[kind])
        else:
            messages.info(
                request, "You had not given this consent, so there was nothing to withdraw."
            )
        return redirect("stakeholders:me")
    return render(request, "stakeholders/consent_withdraw.html", {"kind": ConsentKind(kind)})


WITHDRAWN_MESSAGES = {
    ConsentKind.INVOLVEMENT: "You have withdrawn your consent. You have left your projects and "
    "the involvement pool, and nobody can invite you any more.",
    ConsentKind.EQUALITY: "You have withdrawn your consent. Your equality answers have been "
    "deleted.",
}


@rate_limit(action="signup")
def join(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.open_to_join(), slug=slug)
    if request.user.is_authenticated:
        return _join_signed_in(request, project)
    form = JoinForm(request.POST or None)
    equality_form = EqualityForm(request.POST or None, prefix="equality")
    if request.method == "POST" and form.is_valid() and equality_form.is_valid():
        response = _sign_up_and_join(request, project, form, equality_form)
        if response is not None:
            return response
    return render(
        request,
        "stakeholders/join.html",
        {"project": project, "form": form, "equality_form": equality_form},
    )


def _sign_up_and_join(request, project, form, equality_form) -> HttpResponse | None:
    try:
        with transaction.atomic():
            user, response = form.try_save(request)
            if response is not None:
                # An account with this email exists: allauth emails its owner instead.
                return response
            person_register_online(
                user=user,
                project=project,
                person_fields=form.person_fields(),
                equality_consent=form.cleaned_data["consent_equality"],
                equality_answers=equality_form.cleaned_data,
            )
    except DuplicatePerson:
        form.add_error(
            "email",
            "We already have someone with this email address. Please log in, or contact "
            "the project to sort it out.",
        )
        return None
    try:
        return complete_signup(
            request, user=user, redirect_url=reverse("stakeholders:joined", args=[project.slug])
        )
    except ImmediateHttpResponse as stop:
        return stop.response


def _join_signed_in(request: HttpRequest, project: Project) -> HttpResponse:
    person = person_for_user(request.user) if is_participant(request.user) else None
    if request.method == "POST" and person is None:
        raise PermissionDenied("Only people taking part in projects can join one.")
    if request.method == "POST" and person is not None and person.involvement_consent_given:
        membership_express_interest(person=person, project=project)
        messages.success(
            request, f"Thank you. We have told the {project.name} team you are interested."
        )
        return redirect("stakeholders:me")
    return render(
        request,
        "stakeholders/join.html",
        {"project": project, "person": person, "signed_in": True},
    )


@require_safe
def joined(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.open_to_join(), slug=slug)
    return render(request, "stakeholders/joined.html", {"project": project})


# Payments and expenses ----------------------------------------------------------------

RECEIPTS_ONLY = "Receipts are only for the person who claimed and for staff."


def _get_own_payment(request: HttpRequest, payment_id) -> Payment:
    """The signed-in participant's own payment; anyone else's is a 404."""
    person = _get_own_person(request)
    return get_object_or_404(
        Payment.objects.select_related("person"), person=person, public_id=payment_id
    )


def _get_own_claim(request: HttpRequest, claim_id) -> ExpenseClaim:
    """The signed-in participant's own expense claim; anyone else's is a 404."""
    person = _get_own_person(request)
    return get_object_or_404(ExpenseClaim, person=person, public_id=claim_id)


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_payments(request: HttpRequest) -> HttpResponse:
    person = _get_own_person(request)
    return render(
        request,
        "stakeholders/my_payments.html",
        {
            "person": person,
            "fees": my_payments_page(person, page_number=request.GET.get("fees_page")),
            "claims": my_claims_page(person, page_number=request.GET.get("claims_page")),
            "can_decline": (PaymentStatus.OWED, PaymentStatus.APPROVED),
        },
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def payment_choices(request: HttpRequest) -> HttpResponse:
    person = _get_own_person(request)
    form = PaymentChoicesForm(
        request.POST or None, person=person, methods_offered=payment_methods_offered_to(person)
    )
    if request.method == "POST" and form.is_valid():
        payment_choices_save(person=person, **form.cleaned_data)
        messages.success(request, "Thank you. Your payment choices have been saved.")
        return redirect("stakeholders:my_payments")
    return render(request, "stakeholders/payment_choices.html", {"form": form})


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_POST
def payment_decline_mine(request: HttpRequest, payment_id) -> HttpResponse:
    payment = _get_own_payment(request, payment_id)
    try:
        payment_decline(
            payment=payment,
            reason=f"{payment.person.display_name} chose not to be paid for this.",
        )
    except PaymentError:
        messages.error(request, "This payment can no longer be changed. Ask the project team.")
    else:
        messages.success(
            request,
            f"You will not be paid for {payment.activity}. You can still claim expenses for it.",
        )
    return redirect("stakeholders:my_payments")


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def claim_new(request: HttpRequest) -> HttpResponse:
    person = _get_own_person(request)
    projects = projects_of_person(person)
    policies = payment_policies_for(projects)
    meetings = meetings_to_claim_for(person)
    posted = request.method == "POST"
    form = ExpenseClaimForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        projects=projects,
        meetings=meetings,
        policies=policies,
        initial=_claim_initial(request, projects, meetings),
    )
    if posted and form.is_valid():
        try:
            claim = expense_claim_submit(person=person, **form.claim_fields())
        except ClaimError as error:
            form.add_error(error.field, str(error))
            form.ask_for_receipt_again()
        else:
            messages.success(request, _claim_sent_message(claim, policies[claim.project_id]))
            return redirect("stakeholders:my_payments")
    return render(
        request,
        "stakeholders/claim_form.html",
        {
            "form": form,
            "paid_for": [
                (project, claim_categories_in_words(policies[project.pk])) for project in projects
            ],
        },
    )


def _claim_initial(request: HttpRequest, projects, meetings) -> dict:
    """A link from the reminder email names the meeting, so its project is chosen too."""
    initial = {}
    if len(projects) == 1:
        initial["project"] = projects[0]
    try:
        meeting_id = uuid.UUID(request.GET.get("meeting", ""))
    except ValueError:
        return initial
    meeting = meetings.filter(public_id=meeting_id).first()
    if meeting is not None:
        initial.update(project=meeting.project, meeting=meeting)
    return initial


def _claim_sent_message(claim: ExpenseClaim, policy: PaymentPolicy) -> str:
    if claim.category == ExpenseCategory.MILEAGE:
        what = f"{claim.miles} miles at £{policy.mileage_rate:.2f} a mile, which comes to "
    else:
        what = ""
    return (
        f"Thank you. We have sent your claim for {what}£{claim.amount:,.2f}. "
        "We will tell you when staff have looked at it."
    )


@permission_required("stakeholders.view_claim_receipt", denied=RECEIPTS_ONLY)
def claim_receipt(request: HttpRequest, claim_id) -> HttpResponse:
    if is_staff_member(request.user):
        claim = get_object_or_404(ExpenseClaim, public_id=claim_id)
    else:
        claim = _get_own_claim(request, claim_id)
    if not claim.receipt:
        raise Http404("There is no receipt with this claim.")
    try:
        file = claim.receipt.open("rb")
    except FileNotFoundError as missing:
        raise Http404("We cannot find this receipt.") from missing
    kind = file_kind(file, RECEIPT_KINDS)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"receipt-{claim.spent_on:%Y-%m-%d}.{kind.extension if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _get_own_decision(request: HttpRequest, decision_id) -> tuple[Person, Decision]:
    """A decision of a project the signed-in participant has joined; any other is a 404.
    Whether they may vote on it now is for `vote_cast` to say."""
    person = _get_own_person(request)
    decision = get_object_or_404(
        Decision.objects.select_related("project"),
        public_id=decision_id,
        project__memberships__person=person,
    )
    return person, decision


def _my_decisions_page(
    request: HttpRequest, person: Person, *, failed_form: VoteForm | None = None
) -> HttpResponse:
    page = open_votes_page(person, page_number=request.GET.get("page"))
    choice_labels = dict(VoteChoice.choices)
    votes = []
    for decision in page:
        if failed_form is not None and failed_form.decision.pk == decision.pk:
            form = failed_form
        else:
            form = VoteForm(decision=decision, initial={"choice": decision.own_choice})
        votes.append(
            {
                "decision": decision,
                "form": form,
                "own_choice": choice_labels.get(decision.own_choice),
            }
        )
    results = [
        {"decision": decision, "own_choice": choice_labels.get(decision.own_choice)}
        for decision in closed_votes_of(person)
    ]
    return render(
        request,
        "stakeholders/my_decisions.html",
        {
            "page": page,
            "votes": votes,
            "results": results,
            "projects": active_projects_of(person),
            "failed_form": failed_form,
        },
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_decisions(request: HttpRequest) -> HttpResponse:
    return _my_decisions_page(request, _get_own_person(request))


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_POST
def vote(request: HttpRequest, decision_id) -> HttpResponse:
    person, decision = _get_own_decision(request, decision_id)
    form = VoteForm(request.POST, decision=decision)
    if not form.is_valid() and can_vote(decision=decision, person=person):
        return _my_decisions_page(request, person, failed_form=form)
    try:
        cast = vote_cast(decision=decision, person=person, choice=request.POST.get("choice", ""))
    except DecisionError as error:
        messages.error(request, f"{decision.title}: {error}")
    else:
        messages.success(
            request,
            f"Thank you. Your vote on {decision.title} is saved: {cast.get_choice_display()}.",
        )
    return redirect("stakeholders:my_decisions")


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def ladder(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(active_projects_of(_get_own_person(request)), slug=slug)
    form = LadderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ladder_assessment_add(
            project=project,
            assessed_by=request.user,
            role=AssessorRole.PARTICIPANT,
            **form.cleaned_data,
        )
        messages.success(
            request,
            f"Thank you. We have saved how much say you think people have in {project.name}.",
        )
        return redirect("stakeholders:my_decisions")
    return render(request, "stakeholders/ladder.html", {"project": project, "form": form})
