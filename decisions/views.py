"""Staff pages for a project's decision log: decisions, votes, actions, power sharing."""

import copy
import uuid

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.blank_forms import blank_form_fields
from coprod.core.days import day_text
from coprod.core.html import html_row
from decisions.access import get_decision_for_staff, get_decision_page_for_staff
from decisions.forms import (
    ActionForm,
    AssistedVoteForm,
    DecisionForm,
    LadderAssessmentForm,
    LadderForm,
    VoteForm,
)
from decisions.models import (
    LADDER_EXPLANATIONS,
    Action,
    ActionStatus,
    AssessorRole,
    Decision,
    DecisionStatus,
)
from decisions.selectors.decision_page import decision_detail
from decisions.selectors.decisions import (
    decision_meeting_choices,
    decision_people_choices,
    decisions_page,
    ladder_self_assessment,
    power_sharing,
)
from decisions.selectors.my_votes import (
    active_projects_of,
    assisted_voter_choices,
    closed_votes_of,
    open_votes_page,
)
from decisions.services import (
    VOTED_ON,
    DecisionError,
    action_create,
    action_set_status,
    can_vote,
    choices_for,
    decision_create,
    decision_needs_reason,
    decision_set_participants,
    decision_update,
    ladder_assessment_add,
    vote_cast,
    voting_close,
    voting_open,
)
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.models import (
    ARCHIVED_NOTHING_CAN_CHANGE,
    Project,
    Stage,
)
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.models import Person

MANAGE = "decisions.manage_decisions"


def _rungs(count: int) -> str:
    return "1 rung" if count == 1 else f"{count} rungs"


def ladder_gap_sentence(gap: int | None) -> str:
    """The gap between the latest staff and participant views, in words."""
    if gap is None:
        return ""
    if gap == 0:
        return "Staff and participants agree on where the project stands."
    direction = "higher" if gap > 0 else "lower"
    return f"Staff think the project is {_rungs(abs(gap))} {direction} than participants do."


def _log_page(
    request: HttpRequest, project: Project, assess_form: LadderAssessmentForm
) -> HttpResponse:
    ladder = ladder_self_assessment(project)
    return render(
        request,
        "decisions/decisions.html",
        {
            "project": project,
            "page": decisions_page(project, page_number=request.GET.get("page")),
            "power": power_sharing(project.decisions.all()),
            "ladder": ladder,
            "gap_sentence": ladder_gap_sentence(ladder["gap"]),
            "assess_form": assess_form,
        },
    )


@permission_required(MANAGE, denied=STAFF_ONLY)
def decisions(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    return _log_page(request, project, LadderAssessmentForm())


@permission_required(MANAGE, denied=STAFF_ONLY)
@require_POST
def ladder_assess(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    form = LadderAssessmentForm(request.POST)
    if not form.is_valid():
        return _log_page(request, project, form)
    ladder_assessment_add(
        project=project, assessed_by=request.user, role=AssessorRole.STAFF, **form.cleaned_data
    )
    messages.success(request, "Your view of where the project stands has been recorded.")
    return redirect(f"{reverse('decisions:list', args=[project.slug])}#ladder")


@permission_required(MANAGE, denied=STAFF_ONLY)
def decision_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    stage = project.stage if project.stage != Stage.CLOSED else Stage.DESIGN
    form = DecisionForm(
        request.POST or None,
        initial={"stage": stage, "decided_on": timezone.localdate()},
        people=decision_people_choices(project),
        meetings=decision_meeting_choices(project),
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = decision_create(
                project=project,
                created_by=request.user,
                participants=form.cleaned_data["participants"],
                proposers=form.cleaned_data["proposers"],
                **form.decision_fields(),
            )
        except DecisionError as error:
            form.add_error("options", str(error))
        else:
            messages.success(request, f"{decision.title} has been added to the decision log.")
            return redirect(decision)
    return render(
        request,
        "decisions/decision_form.html",
        {"project": project, "form": form, "decision": None, "asks_reason": False},
    )


@permission_required(MANAGE, denied=STAFF_ONLY)
def decision_edit(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> HttpResponse:
    decision = get_decision_for_staff(request, slug, decision_id)
    recorded = list(decision.participants.values_list("person__public_id", "proposed"))
    # The form writes what was typed onto its instance while it checks it; a copy keeps
    # the page's headings right when the form has errors.
    form = DecisionForm(
        request.POST or None,
        instance=copy.copy(decision),
        initial={
            "meeting": decision.meeting,
            "participants": [public_id for public_id, _ in recorded if public_id],
            "proposers": [public_id for public_id, proposed in recorded if public_id and proposed],
        },
        people=decision_people_choices(decision.project, decision),
        meetings=decision_meeting_choices(decision.project, decision),
        needs_reason=decision_needs_reason(decision),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                decision_update(
                    decision=decision,
                    change_reason=form.cleaned_data.get("change_reason", ""),
                    **form.decision_fields(),
                )
                decision_set_participants(
                    decision=decision,
                    participants=form.cleaned_data["participants"],
                    proposers=form.cleaned_data["proposers"],
                )
        except DecisionError as error:
            form.add_error("change_reason" if "change_reason" in form.fields else None, str(error))
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect(decision)
    return render(
        request,
        "decisions/decision_form.html",
        {
            "project": decision.project,
            "form": form,
            "decision": decision,
            "asks_reason": "change_reason" in form.fields,
        },
    )


def _detail_page(
    request: HttpRequest,
    decision: Decision,
    action_form: ActionForm | None,
    assisted_form: AssistedVoteForm | None = None,
) -> HttpResponse:
    detail = decision_detail(decision)
    if assisted_form is None and decision.assisted_votes and decision.voting_open:
        assisted_form = AssistedVoteForm(decision=decision, voters=assisted_voter_choices(decision))
    return render(
        request,
        "decisions/decision_detail.html",
        {
            "project": decision.project,
            "decision": decision,
            "detail": detail,
            "participant_rows": [
                html_row(
                    _PARTICIPANT_ROW,
                    name=row["name"],
                    group=row["group"],
                    proposed="Yes" if row["proposed"] else "No",
                )
                for row in detail["participants"]
            ],
            "named_vote_rows": [_named_vote_html(vote) for vote in detail["named_votes"]],
            "rung_explanation": LADDER_EXPLANATIONS.get(decision.ladder_rung, ""),
            # Written here: the date filter's cost per use is more than the rest of a line.
            "decided_on_text": day_text(decision.decided_on, short=False),
            "voting_closes_on_text": day_text(decision.voting_closes_on, short=False, weekday=True)
            if decision.voting_closes_on
            else "",
            "vote_rows": detail["option_counts"]
            if decision.is_between_options
            else [
                (choice.label, detail["vote_counts"][choice]) for choice in choices_for(decision)
            ],
            "assisted_form": assisted_form,
            "votable": decision.method in VOTED_ON,
            "can_open_voting": decision.method in VOTED_ON
            and decision.status == DecisionStatus.OPEN
            and not decision.voting_open,
            # No form (None) for a blank one: the same for everyone, rendered once per process.
            "action_form": action_form,
            "blank_action_form": blank_form_fields(ActionForm) if action_form is None else None,
            "action_statuses": ActionStatus,
            "today": timezone.localdate(),
        },
    )


# The rows of the page's two tables of people, put together here rather than by template
# tags per row, whose cost adds up over a long list; each value escaped as by format_html.
_PARTICIPANT_ROW = '<tr><th scope="row">{name}</th><td>{group}</td><td>{proposed}</td></tr>'
_NAMED_VOTE_ROW = (
    '<tr><th scope="row">{name}</th><td>{group}</td><td>{in_words}{recorded_by}</td>'
    "<td>{cast_at}</td></tr>"
)


def _named_vote_html(vote: dict) -> SafeString:
    recorded_by = (
        html_row(' <span class="small d-block">{who}</span>', who=vote["recorded_by"])
        if vote["recorded_by"]
        else SafeString()
    )
    return html_row(
        _NAMED_VOTE_ROW,
        name=vote["name"],
        group=vote["group"],
        in_words=vote["in_words"],
        recorded_by=recorded_by,
        cast_at=vote["cast_at_text"],
    )


@permission_required(MANAGE, denied=STAFF_ONLY)
def decision_detail_page(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> HttpResponse:
    decision = get_decision_page_for_staff(request, slug, decision_id)
    return _detail_page(request, decision, None)


@permission_required(MANAGE, denied=STAFF_ONLY)
@require_POST
def decision_voting_open(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> HttpResponse:
    decision = get_decision_for_staff(request, slug, decision_id)
    try:
        voting_open(decision=decision)
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Voting is open. Active members of the project can now vote from their own page.",
        )
    return redirect(f"{decision.get_absolute_url()}#votes")


@permission_required(MANAGE, denied=STAFF_ONLY)
@require_POST
def decision_voting_close(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> HttpResponse:
    decision = get_decision_for_staff(request, slug, decision_id)
    try:
        closed = voting_close(decision=decision)
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Voting has closed. {closed.vote_result}")
    return redirect(f"{decision.get_absolute_url()}#votes")


@permission_required(MANAGE, denied=STAFF_ONLY)
@require_POST
def decision_vote_record(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> HttpResponse:
    """Staff record the vote of a member who is not online, where the decision allows it."""
    decision = get_decision_for_staff(request, slug, decision_id)
    form = AssistedVoteForm(
        request.POST, decision=decision, voters=assisted_voter_choices(decision)
    )
    if not form.is_valid():
        return _detail_page(request, decision, None, assisted_form=form)
    person = form.cleaned_data["person"]
    try:
        vote_cast(decision=decision, person=person, recorded_by=request.user, **form.vote())
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The vote of {person.full_name} has been recorded.")
    return redirect(f"{decision.get_absolute_url()}#votes")


@permission_required(MANAGE, denied=STAFF_ONLY)
@require_POST
def action_add(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> HttpResponse:
    decision = get_decision_for_staff(request, slug, decision_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, decision, form)
    action = action_create(decision=decision, **form.cleaned_data)
    messages.success(request, f"The action “{action.description}” has been added.")
    return redirect(f"{decision.get_absolute_url()}#actions")


def _posted_action(decision: Decision, public_id: str) -> Action:
    try:
        public_id = uuid.UUID(public_id)
    except ValueError:
        raise Http404("No such action.") from None
    return get_object_or_404(Action, decision=decision, public_id=public_id)


@permission_required(MANAGE, denied=STAFF_ONLY)
@require_POST
def action_status(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> HttpResponse:
    decision = get_decision_for_staff(request, slug, decision_id)
    action = _posted_action(decision, request.POST.get("action", ""))
    try:
        action_set_status(action=action, status=request.POST.get("status", ""))
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"The action “{action.description}” is now {action.get_status_display().lower()}.",
        )
    return redirect(f"{decision.get_absolute_url()}#actions")


def _get_own_decision(request: HttpRequest, decision_id) -> tuple[Person, Decision]:
    """A decision of a project the signed-in participant has joined; any other is a 404.
    Whether they may vote on it now is for `vote_cast` to say."""
    person = get_own_person(request)
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
    votes = []
    for decision in page:
        own_vote = decision.own_votes[0] if decision.own_votes else None
        if failed_form is not None and failed_form.decision.pk == decision.pk:
            form = failed_form
        else:
            form = VoteForm(decision=decision, own_vote=own_vote)
        votes.append(
            {
                "decision": decision,
                "form": form,
                "own_choice": own_vote.in_words if own_vote else None,
            }
        )
    results = [
        {
            "decision": decision,
            "own_choice": decision.own_votes[0].in_words if decision.own_votes else None,
        }
        for decision in closed_votes_of(person)
    ]
    return render(
        request,
        "decisions/my_decisions.html",
        {
            "page": page,
            "votes": votes,
            "results": results,
            "projects": active_projects_of(person).current(),
            "failed_form": failed_form,
        },
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_decisions(request: HttpRequest) -> HttpResponse:
    return _my_decisions_page(request, get_own_person(request))


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_POST
def vote(request: HttpRequest, decision_id) -> HttpResponse:
    person, decision = _get_own_decision(request, decision_id)
    form = VoteForm(request.POST, decision=decision)
    if form.is_valid():
        ballot = form.vote()
    elif can_vote(decision=decision, person=person):
        return _my_decisions_page(request, person, failed_form=form)
    else:
        # Say why they cannot vote, rather than what was wrong with the form.
        ballot = {}
    try:
        cast = vote_cast(decision=decision, person=person, **ballot)
    except DecisionError as error:
        messages.error(request, f"{decision.title}: {error}")
    else:
        messages.success(
            request, f"Thank you. Your vote on {decision.title} is saved: {cast.in_words}."
        )
    return redirect("decisions:my_decisions")


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def ladder(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(active_projects_of(get_own_person(request)), slug=slug)
    if project.is_archived:
        messages.error(request, ARCHIVED_NOTHING_CAN_CHANGE)
        return redirect("decisions:my_decisions")
    form = LadderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ladder_assessment_add(
                project=project,
                assessed_by=request.user,
                role=AssessorRole.PARTICIPANT,
                **form.cleaned_data,
            )
        except DecisionError as error:
            messages.error(request, str(error))
            return redirect("decisions:my_decisions")
        messages.success(
            request,
            f"Thank you. We have saved how much say you think people have in {project.name}.",
        )
        return redirect("decisions:my_decisions")
    return render(request, "decisions/ladder.html", {"project": project, "form": form})
