"""Writes for the decision log: decisions, who took part, votes and their rules, actions."""

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from decisions.models import (
    CONSENSUS_CHOICES,
    VOTE_CHOICES,
    Action,
    ActionStatus,
    AssessorRole,
    Decision,
    DecisionMethod,
    DecisionParticipant,
    DecisionStatus,
    LadderAssessment,
    Vote,
    VoteChoice,
)
from projects.models import MembershipStatus, Project
from stakeholders.models import Person, User


class DecisionError(Exception):
    """The change is not allowed; the message says why in plain English."""


def decision_create(
    *,
    project: Project,
    created_by: User,
    participants: Iterable[Person] = (),
    proposers: Iterable[Person] = (),
    **fields,
) -> Decision:
    decision = Decision(project=project, created_by=created_by, **fields)
    decision.full_clean()
    with transaction.atomic():
        decision.save()
        decision_set_participants(decision=decision, participants=participants, proposers=proposers)
    return decision


def decision_set_participants(
    *, decision: Decision, participants: Iterable[Person], proposers: Iterable[Person] = ()
) -> None:
    """Record who took part and who proposed it, with each person's group as it is today;
    people already recorded keep the group they had on the day."""
    proposer_ids = {person.pk for person in proposers}
    people = {person.pk: person for person in [*participants, *proposers]}
    existing = {p.person_id: p for p in decision.participants.all()}
    with transaction.atomic():
        # Rows whose person was since erased keep their "group on the day" for the measures.
        decision.participants.exclude(person_id__in=people).exclude(person=None).delete()
        for person_id, person in people.items():
            if person_id in existing:
                row = existing[person_id]
                if row.proposed != (person_id in proposer_ids):
                    row.proposed = person_id in proposer_ids
                    row.save(update_fields=["proposed"])
            else:
                DecisionParticipant.objects.create(
                    decision=decision,
                    person=person,
                    stakeholder_group=person.stakeholder_group,
                    proposed=person_id in proposer_ids,
                )


def decision_needs_reason(decision: Decision) -> bool:
    """Once a decision is no longer open, every change to it must say why."""
    stored = Decision.objects.filter(pk=decision.pk).values_list("status", flat=True).first()
    return stored is not None and stored != DecisionStatus.OPEN


def decision_update(*, decision: Decision, change_reason: str = "", **fields) -> Decision:
    if decision_needs_reason(decision) and not change_reason.strip():
        raise DecisionError(
            "This decision has been made, so say why you are changing it. The reason is kept "
            "with its history."
        )
    stored = (
        Decision.objects.filter(pk=decision.pk)
        .values("voting_open", "anonymous_voting", "method", "status")
        .first()
    )
    if stored and stored["voting_open"]:
        for name in ("method", "status"):
            if name in fields and fields[name] != stored[name]:
                raise DecisionError(
                    "Close the vote before changing how it is decided or its status."
                )
    unmasking = stored and stored["anonymous_voting"] and fields.get("anonymous_voting") is False
    if unmasking and decision.votes.exists():
        raise DecisionError("People voted in secret, so this ballot must stay secret.")
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.full_clean()
    decision._change_reason = change_reason.strip() or None
    decision.save()
    return decision


def voting_open(*, decision: Decision) -> Decision:
    if decision.method not in (DecisionMethod.VOTE, DecisionMethod.CONSENSUS):
        raise DecisionError("Only decisions made by a vote or by consensus can be voted on.")
    if decision.status != DecisionStatus.OPEN:
        raise DecisionError("Voting can only be opened on an open decision.")
    decision.voting_open = True
    decision.save(update_fields=["voting_open"])
    return decision


def choices_for(decision: Decision) -> list[VoteChoice]:
    return CONSENSUS_CHOICES if decision.method == DecisionMethod.CONSENSUS else VOTE_CHOICES


def can_vote(*, decision: Decision, person: Person) -> bool:
    return (
        decision.voting_open
        and person.involvement_consent_given
        and person.memberships.filter(
            project_id=decision.project_id, status=MembershipStatus.ACTIVE
        ).exists()
    )


def vote_cast(*, decision: Decision, person: Person, choice: str) -> Vote:
    """Each active member votes once; voting again changes their vote."""
    with transaction.atomic():
        # Locked, so a vote cannot slip in after voting_close has counted.
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if not decision.voting_open:
            raise DecisionError("Voting on this decision has closed.")
        if not can_vote(decision=decision, person=person):
            raise DecisionError("Only active members of this project can vote on its decisions.")
        if choice not in choices_for(decision):
            raise DecisionError("Choose one of the options shown.")
        return _vote_save(decision=decision, person=person, choice=choice)


def _vote_save(*, decision: Decision, person: Person, choice: str) -> Vote:
    vote, _ = Vote.objects.update_or_create(
        decision=decision,
        person=person,
        defaults={"choice": choice, "cast_at": timezone.now()},
        create_defaults={
            "choice": choice,
            "stakeholder_group": person.stakeholder_group,
        },
    )
    return vote


def vote_outcome(*, method: str, counts: Counter) -> tuple[str, str]:
    """Apply the rule: a simple majority of those for over those against, or consensus
    with nobody blocking. Returns (status, a sentence saying what happened)."""
    if method == DecisionMethod.CONSENSUS:
        summary = (
            f"{counts[VoteChoice.AGREE]} agreed, {counts[VoteChoice.STAND_ASIDE]} stood aside, "
            f"{counts[VoteChoice.BLOCK]} blocked"
        )
        if counts[VoteChoice.BLOCK]:
            return DecisionStatus.REJECTED, f"{summary}: blocked, so there is no consensus."
        if not counts[VoteChoice.AGREE]:
            return DecisionStatus.REJECTED, f"{summary}: nobody agreed, so there is no consensus."
        return DecisionStatus.AGREED, f"{summary}: agreed by consensus."
    summary = (
        f"{counts[VoteChoice.FOR]} for, {counts[VoteChoice.AGAINST]} against, "
        f"{counts[VoteChoice.ABSTAIN]} abstained"
    )
    if counts[VoteChoice.FOR] > counts[VoteChoice.AGAINST]:
        return DecisionStatus.AGREED, f"{summary}: carried by a simple majority."
    return DecisionStatus.REJECTED, f"{summary}: not carried."


def voting_close(*, decision: Decision) -> Decision:
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if not decision.voting_open:
            raise DecisionError("Voting on this decision is not open.")
        counts = Counter(decision.votes.values_list("choice", flat=True))
        decision.status, decision.vote_result = vote_outcome(method=decision.method, counts=counts)
        decision.voting_open = False
        decision.closed_at = timezone.now()
        decision._change_reason = "Voting closed"
        decision.save()
    return decision


def action_create(*, decision: Decision, **fields) -> Action:
    action = Action(decision=decision, **fields)
    action.full_clean()
    action.save()
    return action


def action_set_status(*, action: Action, status: str) -> Action:
    if status not in ActionStatus.values:
        raise DecisionError("Choose open, done or dropped.")
    action.status = status
    action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "done_at"])
    return action


def ladder_assessment_add(
    *, project: Project, assessed_by: User, role: str, rung: str, note: str = ""
) -> LadderAssessment:
    if role not in AssessorRole.values:
        raise DecisionError("Say whether this is a staff or a participant view.")
    assessment = LadderAssessment(
        project=project, assessed_by=assessed_by, assessor_role=role, rung=rung, note=note
    )
    assessment.full_clean()
    assessment.save()
    return assessment
