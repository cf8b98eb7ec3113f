"""Writes about the measures people answer themselves: the organisation's own measures,
the rounds a project schedules, people's answers (theirs, or typed in by staff from a
paper form) and the reminders to answer, sent once each by the person's own channel."""

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from coprod.core.emails import render_email
from coprod.core.outbox import outbox_waiting_ids
from coprod.core.queue import task_delay
from coprod.core.texts import Channel, render_text, send_text
from evidence.models import (
    BetterDirection,
    Measure,
    MeasureAnswer,
    MeasureQuestion,
    MeasureReminder,
    MeasureResponse,
    MeasureRound,
    ProjectMeasure,
    ReminderWhich,
    RoundKind,
)
from projects.models import Membership, MembershipStatus, Project
from stakeholders.models import ConsentKind, ConsentMethod, ConsentRecord, Person, User
from stakeholders.services import consent_give
from stakeholders.signin import short_link_create

logger = logging.getLogger(__name__)

# The second reminder goes this many days before a round closes.
CLOSING_REMINDER_DAYS = 3
REMINDERS_PER_TASK = 25
SHORT_NAME_LENGTH = MeasureQuestion._meta.get_field("short_name").max_length


class MeasureError(Exception):
    """Something a person asked for that cannot be done; the message says why, for them."""


# The registry ------------------------------------------------------------------------------


def _short_name(text: str) -> str:
    if len(text) <= SHORT_NAME_LENGTH:
        return text
    return text[: SHORT_NAME_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _unique_code(name: str) -> str:
    base = slugify(name)[:30] or "measure"
    code, number = base, 1
    # /measures/add/ is the page for adding one, so no measure may be called "add".
    while code == "add" or Measure.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return code


def measure_create(
    *,
    measure: Measure,
    higher_better: Sequence[str],
    lower_better: Sequence[str],
    created_by: User,
) -> Measure:
    """Add the organisation's own measure (never shipped) with its questions: those where
    a higher answer is better first, then those where a lower one is."""
    questions = [(text, BetterDirection.HIGHER) for text in higher_better] + [
        (text, BetterDirection.LOWER) for text in lower_better
    ]
    if not questions:
        raise ValidationError("Enter at least one question.")
    measure.shipped = False
    measure.created_by = created_by
    measure.code = _unique_code(measure.name)
    measure.full_clean()
    with transaction.atomic():
        measure.save()
        MeasureQuestion.objects.bulk_create(
            MeasureQuestion(
                measure=measure,
                position=position,
                text=text,
                short_name=_short_name(text),
                better=better,
            )
            for position, (text, better) in enumerate(questions, start=1)
        )
    return measure


# A project's measures and rounds -----------------------------------------------------------


def project_measure_add(*, project: Project, measure: Measure, added_by: User) -> ProjectMeasure:
    project_measure, _ = ProjectMeasure.objects.get_or_create(
        project=project, measure=measure, defaults={"added_by": added_by}
    )
    return project_measure


def measure_round_schedule(
    *, project_measure: ProjectMeasure, kind: str, name: str, opens_on: date, closes_on: date
) -> MeasureRound:
    """Schedule a round. A project has one baseline per measure, and every follow-up opens
    after the baseline has opened: change is always measured from it."""
    measure_round = MeasureRound(
        project_measure=project_measure,
        kind=kind,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    errors = {}
    if closes_on < opens_on:
        errors["closes_on"] = "The closing date must be the same as or after the opening date."
    baseline = project_measure.rounds.filter(kind=RoundKind.BASELINE).first()
    if kind == RoundKind.BASELINE and baseline:
        errors["kind"] = f"This measure already has a baseline: {baseline.name}."
    if kind == RoundKind.FOLLOW_UP:
        if baseline is None:
            errors["kind"] = "Schedule the baseline first: change is measured from it."
        elif opens_on <= baseline.opens_on:
            errors["opens_on"] = (
                f"A follow-up must open after the baseline opens ({baseline.opens_on:%-d %B %Y})."
            )
    if errors:
        raise ValidationError(errors)
    measure_round.full_clean()
    try:
        with transaction.atomic():
            measure_round.save()
    except IntegrityError as error:
        raise ValidationError({"kind": "This measure already has a baseline."}) from error
    return measure_round


# Answers -----------------------------------------------------------------------------------


def _is_active_member(person: Person, project: Project) -> bool:
    return Membership.objects.filter(
        project=project, person=person, status=MembershipStatus.ACTIVE
    ).exists()


def measure_answers_save(
    *,
    measure_round: MeasureRound,
    person: Person,
    values: dict[int, int],
    recorded_by: User,
    method: str = ConsentMethod.ONLINE,
) -> MeasureResponse:
    """Keep `person`'s answers in a round (`values` by question id), with their measures
    consent given the same way. By the person themselves (`method` online) only while the
    round is open and they take part in the project; by staff from a paper form
    (another `method`) any time after the round opened, marked as on their behalf."""
    on_their_behalf = method != ConsentMethod.ONLINE
    project_measure = measure_round.project_measure
    today = timezone.localdate()
    if person.erased_at is not None:
        raise MeasureError("These details have been erased, so nothing can be saved.")
    if measure_round.opens_on > today:
        raise MeasureError(f"These questions open on {measure_round.opens_on:%-d %B %Y}.")
    if not on_their_behalf:
        if measure_round.closes_on < today:
            raise MeasureError("These questions have closed, so answers can no longer be saved.")
        if not _is_active_member(person, project_measure.project):
            raise MeasureError("Only people taking part in the project answer its questions.")
    questions = list(MeasureQuestion.objects.filter(measure_id=project_measure.measure_id))
    measure = project_measure.measure
    for question in questions:
        value = values.get(question.pk)
        if value is None or not measure.scale_min <= value <= measure.scale_max:
            raise MeasureError(
                f"Choose an answer from {measure.scale_min} to {measure.scale_max} "
                f"for every question."
            )
    try:
        with transaction.atomic():
            consent_give(
                person=person, kind=ConsentKind.MEASURES, method=method, recorded_by=recorded_by
            )
            response = MeasureResponse.objects.create(
                round=measure_round,
                person=person,
                on_their_behalf=on_their_behalf,
                entered_by=recorded_by if on_their_behalf else None,
            )
            MeasureAnswer.objects.bulk_create(
                MeasureAnswer(
                    response=response,
                    person=person,
                    question=question,
                    value=values[question.pk],
                )
                for question in questions
            )
    except IntegrityError as error:
        if on_their_behalf:
            message = f"{person.display_name} already has answers for {measure_round.name}."
        else:
            message = f"You have already answered the questions for {measure_round.name}."
        raise MeasureError(message) from error
    return response


def measure_answers_delete(*, person: Person) -> None:
    """Everything the person answered goes, and no reminder still owed is sent."""
    MeasureResponse.objects.filter(person=person).delete()
    MeasureReminder.objects.filter(person=person, sent_at=None).delete()


# Reminders ---------------------------------------------------------------------------------


def people_to_remind(measure_round: MeasureRound) -> QuerySet[Person]:
    """Who is reminded to answer a round: active members of its project whose involvement
    consent stands and whose details are not erased, who have not answered it and have
    not withdrawn their consent to keep answers."""
    answered = MeasureResponse.objects.filter(round=measure_round, person=OuterRef("pk"))
    withdrew = ConsentRecord.objects.filter(
        person=OuterRef("pk"), kind=ConsentKind.MEASURES, withdrawn_at__isnull=False
    )
    stands = ConsentRecord.objects.filter(
        person=OuterRef("pk"), kind=ConsentKind.MEASURES, withdrawn_at=None
    )
    return (
        Person.objects.filter(
            memberships__project_id=measure_round.project_measure.project_id,
            memberships__status=MembershipStatus.ACTIVE,
            involvement_consent_given=True,
            erased_at=None,
        )
        .exclude(Exists(answered))
        .exclude(Exists(withdrew) & ~Exists(stands))
    )


def measure_reminders_due(*, today: date | None = None) -> int:
    """Write the reminders owed today into the outbox and queue them: one when a round is
    open, and one more CLOSING_REMINDER_DAYS before it closes (when the round is open
    longer than that). A reminder already written is never written again."""
    today = today or timezone.localdate()
    open_rounds = MeasureRound.objects.filter(opens_on__lte=today, closes_on__gte=today)
    drafts = []
    for measure_round in open_rounds.select_related("project_measure"):
        owed = [ReminderWhich.OPENED]
        closing_from = measure_round.closes_on - timedelta(days=CLOSING_REMINDER_DAYS)
        if today >= closing_from > measure_round.opens_on:
            owed.append(ReminderWhich.CLOSING)
        drafts += [
            MeasureReminder(round=measure_round, person=person, which=which)
            for person in people_to_remind(measure_round).only("pk")
            for which in owed
        ]
    with transaction.atomic():
        MeasureReminder.objects.bulk_create(drafts, ignore_conflicts=True)
        waiting = list(
            MeasureReminder.objects.filter(
                sent_at=None, failed_at=None, claimed_at=None, round__in=open_rounds
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: measure_reminders_queue(waiting))
    return len(waiting)


def measure_reminders_queue(reminder_ids: Sequence[int]) -> int:
    """Hand reminders to the broker in batches; if it is down the rows wait for the sweep."""
    queued = 0
    for start in range(0, len(reminder_ids), REMINDERS_PER_TASK):
        batch = list(reminder_ids[start : start + REMINDERS_PER_TASK])
        try:
            task_delay("evidence.tasks.send_measure_reminders", batch)
        except Exception:  # noqa: BLE001 - any broker failure leaves the rows for the sweep
            logger.warning("Broker unavailable; measure reminders left for the sweep")
            return queued
        queued += len(batch)
    return queued


def measure_reminders_sweep(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    return measure_reminders_queue(outbox_waiting_ids(MeasureReminder, older_than=older_than))


def measure_reminders_send_batch(*, reminder_ids: Iterable[int]) -> int:
    sent = 0
    for reminder_id in reminder_ids:
        try:
            sent += measure_reminder_send(reminder_id=reminder_id)
        except Exception:  # noqa: BLE001 - the claim was released; the sweep tries again
            logger.warning("Measure reminder %s left for the sweep", reminder_id)
    return sent


def _closes_at(measure_round: MeasureRound) -> datetime:
    return timezone.make_aware(
        datetime.combine(measure_round.closes_on + timedelta(days=1), time.min)
    )


def measure_reminder_send(*, reminder_id: int) -> bool:
    """Claim one reminder and send it. Returns False if another worker has it, it was sent
    already, or it is no longer wanted (answered, round closed, consent gone): then it is
    given up on with the reason. On an error the claim is released for the sweep."""
    claimed = MeasureReminder.objects.filter(
        pk=reminder_id, claimed_at=None, sent_at=None, failed_at=None
    ).update(claimed_at=timezone.now())
    if not claimed:
        return False
    reminder = MeasureReminder.objects.select_related(
        "round__project_measure__project", "person"
    ).get(pk=reminder_id)
    measure_round, person = reminder.round, reminder.person
    today = timezone.localdate()
    still_owed = (
        measure_round.opens_on <= today <= measure_round.closes_on
        and people_to_remind(measure_round).filter(pk=person.pk).exists()
    )
    channel = person.message_channel
    if not still_owed or channel is None:
        MeasureReminder.objects.filter(pk=reminder_id).update(
            failed_at=timezone.now(),
            last_error="Not sent: already answered, the round closed, the person can no "
            "longer be contacted, or has no email address or phone number.",
        )
        return False
    project = measure_round.project_measure.project
    answer_path = reverse("evidence:measure_answer", args=[measure_round.pk])
    context = {
        "person": person,
        "project": project,
        "round": measure_round,
        "closing": reminder.which == ReminderWhich.CLOSING,
    }
    try:
        if channel == Channel.TEXT:
            provider_id = send_text(
                to=person.phone.as_e164,
                body=render_text(
                    "measure-reminder",
                    {
                        **context,
                        "link": short_link_create(
                            answer_path, expires_at=_closes_at(measure_round)
                        ),
                    },
                ),
                reference=f"measure-reminder-{reminder_id}",
            )
        else:
            message = render_email(
                "measure-reminder",
                to=[person.email],
                context={
                    **context,
                    "answer_url": settings.COPROD_BASE_URL.rstrip("/") + answer_path,
                },
            )
            message.send()
            provider_id = getattr(message, "provider_id", "")
    except Exception as error:
        MeasureReminder.objects.filter(pk=reminder_id).update(
            claimed_at=None, channel=channel, last_error=str(error)[:1000]
        )
        raise
    MeasureReminder.objects.filter(pk=reminder_id).update(
        sent_at=timezone.now(), channel=channel, provider_id=provider_id, last_error=""
    )
    return True
