"""Writes for the decision log: decisions, who took part, votes and their rules, actions."""

import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coprod.core.emails import render_email
from coprod.core.outbox import give_up, outbox_waiting_ids, send_each
from coprod.core.queue import task_delay
from coprod.core.texts import Channel, render_text, send_text
from decisions.ballot import ballot_token
from decisions.counting import instant_runoff, most_votes
from decisions.models import (
    CONSENSUS_CHOICES,
    VOTE_CHOICES,
    Action,
    ActionStatus,
    AssessorRole,
    Decision,
    DecisionMethod,
    DecisionOption,
    DecisionParticipant,
    DecisionStatus,
    LadderAssessment,
    Vote,
    VoteChoice,
    VoteEmail,
    VotePreference,
)
from projects.models import ARCHIVED_NOTHING_CAN_CHANGE, MembershipStatus, Project
from stakeholders.models import Person, User
from stakeholders.signin import short_link_create

logger = logging.getLogger(__name__)

OPTION_MAX_LENGTH = 200
OPTIONS_MAX = 20


class DecisionError(Exception):
    """The change is not allowed; the message says why in plain English."""


CLOSING_DATE_IN_THE_PAST = (
    "The date voting closes must be today or in the future. Leave it empty if there is "
    "no closing date."
)
CLOSING_DATE_NOT_A_VOTE = (
    "Only a vote or a consensus decision has a closing date. Leave it empty, or change how "
    "it is decided."
)


def closing_date_problem(
    *, closes_on: date | None, method: str, stored: date | None = None
) -> str | None:
    """What is wrong with a vote's closing date, or None. A date that has passed since it
    was set may stay, so the decision can still be changed after it."""
    if closes_on is None:
        return None
    if method not in VOTED_ON:
        return CLOSING_DATE_NOT_A_VOTE
    if closes_on != stored and closes_on < timezone.localdate():
        return CLOSING_DATE_IN_THE_PAST
    return None


def decision_create(
    *,
    project: Project,
    created_by: User,
    participants: Iterable[Person] = (),
    proposers: Iterable[Person] = (),
    **fields,
) -> Decision:
    decision = Decision(project=project, created_by=created_by, **fields)
    labels = _checked_options(decision)
    _check_closing_date(decision, stored=None)
    decision.full_clean()
    with transaction.atomic():
        decision.save()
        _options_save(decision=decision, labels=labels)
        decision_set_participants(decision=decision, participants=participants, proposers=proposers)
    return decision


def _check_closing_date(decision: Decision, *, stored: date | None) -> None:
    problem = closing_date_problem(
        closes_on=decision.voting_closes_on, method=decision.method, stored=stored
    )
    if problem:
        raise DecisionError(problem)


def options_from_text(text: str) -> list[str]:
    """The options typed one per line, in order; raises DecisionError saying what to fix."""
    labels = [line.strip() for line in text.splitlines() if line.strip()]
    if any(len(label) > OPTION_MAX_LENGTH for label in labels):
        raise DecisionError(f"Keep each option to {OPTION_MAX_LENGTH} characters or fewer.")
    if len(set(labels)) != len(labels):
        raise DecisionError("Write each option once: two lines are the same.")
    if len(labels) > OPTIONS_MAX:
        raise DecisionError(f"Give {OPTIONS_MAX} options or fewer.")
    return labels


def _checked_options(decision: Decision) -> list[str]:
    labels = options_from_text(decision.options)
    if decision.is_between_options and len(labels) < 2:
        raise DecisionError(
            "A vote between options needs at least 2 options. Write each on its own line."
        )
    return labels


def _options_save(*, decision: Decision, labels: Sequence[str]) -> None:
    """Keep the option rows in step with the typed options, unless people have voted."""
    stored = list(decision.option_rows.values_list("label", flat=True))
    if stored == list(labels):
        return
    if VotePreference.objects.filter(vote__decision=decision).exists():
        raise DecisionError("People have voted on these options, so they cannot change.")
    decision.option_rows.all().delete()
    DecisionOption.objects.bulk_create(
        DecisionOption(decision=decision, label=label, position=position)
        for position, label in enumerate(labels, start=1)
    )


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
        .values(
            "voting_open", "anonymous_voting", "method", "status", "options", "voting_closes_on"
        )
        .first()
    )
    if stored and stored["voting_open"]:
        for name in ("method", "status", "options"):
            if name in fields and fields[name] != stored[name]:
                raise DecisionError(
                    "Close the vote before changing how it is decided, its options or its status."
                )
    unmasking = stored and stored["anonymous_voting"] and fields.get("anonymous_voting") is False
    if unmasking and decision.votes.exists():
        raise DecisionError("People voted in secret, so this ballot must stay secret.")
    for name, value in fields.items():
        setattr(decision, name, value)
    labels = _checked_options(decision)
    _check_closing_date(decision, stored=stored["voting_closes_on"] if stored else None)
    decision.full_clean()
    decision._change_reason = change_reason.strip() or None
    with transaction.atomic():
        decision.save()
        _options_save(decision=decision, labels=labels)
    return decision


VOTED_ON = (
    DecisionMethod.VOTE,
    DecisionMethod.CONSENSUS,
    DecisionMethod.OPTIONS,
    DecisionMethod.RANKED,
)


def voting_open(*, decision: Decision) -> Decision:
    """Open the vote and email each active member who agreed to be involved a link to it."""
    if decision.method not in VOTED_ON:
        raise DecisionError("Only decisions made by a vote or by consensus can be voted on.")
    if decision.status != DecisionStatus.OPEN:
        raise DecisionError("Voting can only be opened on an open decision.")
    if decision.is_between_options and decision.option_rows.count() < 2:
        raise DecisionError(
            "A vote between options needs at least 2 options. Change the decision to add them."
        )
    with transaction.atomic():
        decision.voting_open = True
        decision.save(update_fields=["voting_open"])
        _vote_emails_queue(decision)
    return decision


def _voters(decision: Decision):
    return Person.objects.filter(
        memberships__project_id=decision.project_id,
        memberships__status=MembershipStatus.ACTIVE,
        involvement_consent_given=True,
        erased_at=None,
    ).exclude(email="", phone="")


def _vote_emails_queue(decision: Decision) -> None:
    """One outbox row per member; a member already told about this decision is not told
    again. The emails go to the broker once the vote is really open (after commit)."""
    VoteEmail.objects.bulk_create(
        [VoteEmail(decision=decision, person=person) for person in _voters(decision)],
        ignore_conflicts=True,
    )
    email_ids = list(
        VoteEmail.objects.filter(decision=decision, sent_at=None, failed_at=None).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: vote_emails_queue(email_ids))


# Emails handed to the broker in one task, as for meeting invitations.
EMAILS_PER_TASK = 25


def vote_emails_queue(email_ids: Sequence[int]) -> int:
    """Hand emails to the broker in batches; if it is down the rows wait for the sweep."""
    queued = 0
    for start in range(0, len(email_ids), EMAILS_PER_TASK):
        batch = list(email_ids[start : start + EMAILS_PER_TASK])
        try:
            task_delay("decisions.tasks.send_vote_emails", batch)
        except Exception:  # noqa: BLE001 - any broker failure leaves the rows for the sweep
            logger.warning("Broker unavailable; vote emails left in the outbox for the sweep")
            return queued
        queued += len(batch)
    return queued


def vote_email_send(*, email_id: int) -> bool:
    """Claim one outbox row and send it. Returns False if another worker has it, it was
    sent already, or it is no longer wanted. On failure the claim is released."""
    claimed = VoteEmail.objects.filter(
        pk=email_id, claimed_at=None, sent_at=None, failed_at=None
    ).update(claimed_at=timezone.now())
    if not claimed:
        return False
    email = VoteEmail.objects.select_related("decision__project", "person").get(pk=email_id)
    decision, person = email.decision, email.person
    if not decision.voting_open or not _voters(decision).filter(pk=person.pk).exists():
        VoteEmail.objects.filter(pk=email_id).update(
            failed_at=timezone.now(),
            last_error="Not sent: the vote has closed, or the person can no longer vote.",
        )
        return False
    channel = person.message_channel
    ballot_path = reverse("decisions:ballot", args=[ballot_token(decision, person)])
    try:
        if channel == Channel.TEXT:
            provider_id = send_text(
                to=person.phone.as_e164,
                body=render_text(
                    "vote-opened",
                    {
                        "decision": decision,
                        "project": decision.project,
                        "link": short_link_create(
                            ballot_path, expires_at=_ballot_expires(decision)
                        ),
                    },
                ),
                reference=f"vote-email-{email_id}",
            )
        else:
            message = render_email(
                "vote-opened",
                to=[person.email],
                context={
                    "person": person,
                    "decision": decision,
                    "project": decision.project,
                    "options": list(decision.option_rows.values_list("label", flat=True))
                    if decision.is_between_options
                    else [],
                    "vote_url": settings.COPROD_BASE_URL.rstrip("/") + ballot_path,
                },
            )
            message.send()
            provider_id = getattr(message, "provider_id", "")
    except Exception as error:
        VoteEmail.objects.filter(pk=email_id).update(
            claimed_at=None, channel=channel, last_error=str(error)[:1000]
        )
        raise
    VoteEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), channel=channel, provider_id=provider_id, last_error=""
    )
    return True


# How long the short link in a vote's text works when the vote has no closing date.
BALLOT_LINK_DAYS = 60


def _ballot_expires(decision: Decision) -> datetime:
    if decision.voting_closes_on:
        return timezone.make_aware(
            datetime.combine(decision.voting_closes_on + timedelta(days=1), time.min)
        )
    return timezone.now() + timedelta(days=BALLOT_LINK_DAYS)


def vote_emails_send_batch(*, email_ids: Iterable[int]) -> int:
    return send_each(
        email_ids,
        send=lambda email_id: vote_email_send(email_id=email_id),
        retry_task="decisions.tasks.send_vote_email",
    )


def vote_email_give_up(*, email_id: int, error: str) -> None:
    give_up(VoteEmail, email_id, error)


def vote_emails_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue rows the broker never got, and rows claimed by a worker that died."""
    return vote_emails_queue(outbox_waiting_ids(VoteEmail, older_than=older_than))


def choices_for(decision: Decision) -> list[VoteChoice]:
    return CONSENSUS_CHOICES if decision.method == DecisionMethod.CONSENSUS else VOTE_CHOICES


def can_vote(*, decision: Decision, person: Person) -> bool:
    return (
        decision.voting_open
        and not decision.project.is_archived
        and person.involvement_consent_given
        and person.erased_at is None
        and person.memberships.filter(
            project_id=decision.project_id, status=MembershipStatus.ACTIVE
        ).exists()
    )


CHOOSE_ONE = "Choose one of the options shown."
RANK_THEM = (
    "Number the options in the order you prefer them: 1 for your first choice, 2 for your "
    "second, and so on, each number once."
)


def _checked_ranking(decision: Decision, ranking: Sequence) -> list[DecisionOption]:
    options = {option.pk: option for option in decision.option_rows.all()}
    try:
        chosen = [options[int(option_id)] for option_id in ranking]
    except (KeyError, TypeError, ValueError):
        raise DecisionError(CHOOSE_ONE) from None
    if decision.method == DecisionMethod.OPTIONS and len(chosen) != 1:
        raise DecisionError(CHOOSE_ONE)
    if not chosen or len({option.pk for option in chosen}) != len(chosen):
        raise DecisionError(RANK_THEM)
    return chosen


def vote_cast(
    *,
    decision: Decision,
    person: Person,
    choice: str = "",
    ranking: Sequence | None = None,
    recorded_by: User | None = None,
) -> Vote:
    """Each active member votes once; voting again changes their vote. On a vote between
    options, `ranking` holds the ids of the options chosen, first choice first (one id
    for a choose-one vote). Staff may record a vote for a member (`recorded_by`) only
    where the decision allows assisted votes."""
    with transaction.atomic():
        # Locked, so a vote cannot slip in after voting_close has counted.
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=decision.pk)
        )
        if decision.project.is_archived:
            raise DecisionError(ARCHIVED_NOTHING_CAN_CHANGE)
        if not decision.voting_open:
            raise DecisionError("Voting on this decision has closed.")
        if recorded_by is not None and not decision.assisted_votes:
            raise DecisionError("This decision does not let staff record votes for people.")
        if not can_vote(decision=decision, person=person):
            raise DecisionError("Only active members of this project can vote on its decisions.")
        if decision.is_between_options:
            chosen = _checked_ranking(decision, ranking or [])
            choice = ""
        elif choice not in choices_for(decision):
            raise DecisionError(CHOOSE_ONE)
        vote, _ = Vote.objects.update_or_create(
            decision=decision,
            person=person,
            defaults={"choice": choice, "cast_at": timezone.now(), "recorded_by": recorded_by},
            create_defaults={
                "choice": choice,
                "stakeholder_group": person.stakeholder_group,
                "recorded_by": recorded_by,
            },
        )
        vote.preferences.all().delete()
        if decision.is_between_options:
            VotePreference.objects.bulk_create(
                VotePreference(vote=vote, option=option, rank=rank)
                for rank, option in enumerate(chosen, start=1)
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


def quorum_needed(*, decision: Decision) -> tuple[int, int]:
    """(how many must vote, how many active members there are) for the quorum."""
    members = decision.project.memberships.filter(status=MembershipStatus.ACTIVE).count()
    return math.ceil(decision.quorum_percent * members / 100), members


def _options_outcome(decision: Decision) -> tuple[str, str, str]:
    """(status, what happened, the winning option's label or "")."""
    labels = dict(decision.option_rows.values_list("pk", "label"))
    ballots: dict[int, list[int]] = {}
    for vote_id, option_id in (
        VotePreference.objects.filter(vote__decision=decision)
        .order_by("vote_id", "rank")
        .values_list("vote_id", "option_id")
    ):
        ballots.setdefault(vote_id, []).append(option_id)
    if decision.method == DecisionMethod.RANKED:
        winner, sentence = instant_runoff(list(ballots.values()), labels)
    else:
        winner, sentence = most_votes([ballot[0] for ballot in ballots.values()], labels)
    if winner is None:
        return DecisionStatus.NO_DECISION, sentence, ""
    return DecisionStatus.AGREED, sentence, labels[winner]


def voting_close(*, decision: Decision) -> Decision:
    """Count the votes and record what was decided; with too few votes for the quorum,
    record plainly that there is no decision."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if not decision.voting_open:
            raise DecisionError("Voting on this decision is not open.")
        needed, members = quorum_needed(decision=decision)
        voted = decision.votes.count()
        if voted < needed:
            decision.status = DecisionStatus.NO_DECISION
            decision.vote_result = (
                f"No decision: quorum not reached. {voted} of {members} active members voted, "
                f"and {needed} needed to."
            )
        elif decision.is_between_options:
            decision.status, decision.vote_result, winner = _options_outcome(decision)
            if winner and not decision.outcome.strip():
                decision.outcome = winner
        else:
            counts = Counter(decision.votes.values_list("choice", flat=True))
            decision.status, decision.vote_result = vote_outcome(
                method=decision.method, counts=counts
            )
        decision.voting_open = False
        decision.closed_at = timezone.now()
        decision.decided_on = timezone.localdate()
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
    if project.is_archived:
        raise DecisionError(ARCHIVED_NOTHING_CAN_CHANGE)
    if role not in AssessorRole.values:
        raise DecisionError("Say whether this is a staff or a participant view.")
    assessment = LadderAssessment(
        project=project, assessed_by=assessed_by, assessor_role=role, rung=rung, note=note
    )
    assessment.full_clean()
    assessment.save()
    return assessment
