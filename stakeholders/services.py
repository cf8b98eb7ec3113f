"""Writes about people: the roster, consent, project membership and pool invitations."""

import hashlib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import (
    Benefits,
    BenefitsAnswers,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    ConsentWording,
    EqualityMonitoring,
    Person,
    User,
)
from stakeholders.signals import consent_withdrawn, involvement_consent_withdrawn


class DuplicatePerson(Exception):
    def __init__(self, person: Person):
        super().__init__(f"{person} is already on the roster")
        self.person = person


def consent_wording_current(*, kind: str) -> ConsentWording:
    version, text = CONSENT_TEXTS[kind]
    wording, _ = ConsentWording.objects.get_or_create(
        kind=kind,
        version=version,
        defaults={"text": text, "sha256": hashlib.sha256(text.encode()).hexdigest()},
    )
    return wording


def consent_give(
    *, person: Person, kind: str, method: str, recorded_by: User | None
) -> ConsentRecord:
    """Record consent; giving a consent that already stands changes nothing."""
    with transaction.atomic():
        standing = ConsentRecord.objects.filter(person=person, kind=kind, withdrawn_at=None).first()
        if standing:
            return standing
        record = ConsentRecord.objects.create(
            person=person,
            kind=kind,
            wording=consent_wording_current(kind=kind),
            method=method,
            recorded_by=recorded_by,
        )
        if kind == ConsentKind.INVOLVEMENT:
            person.involvement_consent_given = True
            person.save(update_fields=["involvement_consent_given"])
    return record


def consent_withdraw(*, person: Person, kind: str, withdrawn_by: User | None) -> bool:
    """Withdraw a standing consent; it takes effect at once. Returns False if none stood.

    Equality answers, answers about benefits, and answers to measures (through
    `consent_withdrawn`) are deleted. Without involvement consent
    the person leaves the pool and every project, so nobody can invite them.
    """
    now = timezone.now()
    with transaction.atomic():
        withdrawn = ConsentRecord.objects.filter(
            person=person, kind=kind, withdrawn_at=None
        ).update(withdrawn_at=now, withdrawn_by=withdrawn_by)
        if kind == ConsentKind.EQUALITY:
            EqualityMonitoring.objects.filter(person=person).delete()
        if kind == ConsentKind.BENEFITS:
            _benefits_answers_delete(person)
        if kind == ConsentKind.INVOLVEMENT:
            person.involvement_consent_given = False
            person.in_pool = False
            person.save(update_fields=["involvement_consent_given", "in_pool"])
            involvement_consent_withdrawn.send(sender=Person, person=person, when=now)
        if withdrawn:
            consent_withdrawn.send(sender=Person, person=person, kind=kind, when=now)
    return bool(withdrawn)


def involvement_consent_give_again(
    *, person: Person, recorded_by: User, join_pool: bool
) -> ConsentRecord:
    """Someone who withdrew their involvement consent agrees again, online, to the current
    wording: a new record, and they may be contacted again. With `join_pool` they are back
    in the involvement pool too. Nothing withdrawn with the old consent comes back: they
    left their projects (they join again themselves) and invitations withdrawn then stay
    withdrawn (projects.services.pool.pool_invitations_withdraw)."""
    if person.erased_at is not None:
        raise PersonDetailsError("These details have been erased, so nothing can be agreed.")
    with transaction.atomic():
        record = consent_give(
            person=person,
            kind=ConsentKind.INVOLVEMENT,
            method=ConsentMethod.ONLINE,
            recorded_by=recorded_by,
        )
        if join_pool and not person.in_pool:
            person.in_pool = True
            person.save(update_fields=["in_pool"])
    return record


def equality_answers_save(*, person: Person, answers: dict) -> EqualityMonitoring | None:
    """Keep equality answers only while equality consent stands."""
    if not ConsentRecord.objects.filter(
        person=person, kind=ConsentKind.EQUALITY, withdrawn_at=None
    ).exists():
        return None
    record, _ = EqualityMonitoring.objects.update_or_create(person=person, defaults=answers)
    return record


def benefits_answers_save(
    *,
    person: Person,
    benefits: str,
    uc_period_starts_on: int | None,
    permitted_work_form: bool,
    method: str,
    recorded_by: User,
) -> BenefitsAnswers:
    """What someone tells us about their benefits, saved by them (`method` online) or by
    staff on their behalf, with their benefits consent given the same way. The person's
    `receives_benefits` and `permitted_work_form`, which the payment warnings read, follow.
    The assessment period's day is kept only for Universal Credit."""
    if person.erased_at is not None:
        raise PersonDetailsError("These details have been erased, so nothing can be saved.")
    if benefits not in (Benefits.UC_HOUSING, Benefits.UC_NO_HOUSING):
        uc_period_starts_on = None
    with transaction.atomic():
        consent_give(
            person=person, kind=ConsentKind.BENEFITS, method=method, recorded_by=recorded_by
        )
        answers, _ = BenefitsAnswers.objects.update_or_create(
            person=person,
            defaults={
                "benefits": benefits,
                "uc_period_starts_on": uc_period_starts_on,
                "permitted_work_form": permitted_work_form,
                "recorded_by": recorded_by,
                "recorded_at": timezone.now(),
            },
        )
        person.receives_benefits = answers.gets_benefits
        person.permitted_work_form = permitted_work_form
        person.save(update_fields=["receives_benefits", "permitted_work_form"])
    return answers


def _benefits_answers_delete(person: Person) -> None:
    BenefitsAnswers.objects.filter(person=person).delete()
    if person.receives_benefits or person.permitted_work_form:
        person.receives_benefits = False
        person.permitted_work_form = False
        person.save(update_fields=["receives_benefits", "permitted_work_form"])


def person_find_duplicate(
    *, email: str = "", phone=None, exclude: Person | None = None
) -> Person | None:
    """The person already on the roster with this email (any case) or phone, if any."""
    people = Person.objects.all()
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    if email and (match := people.filter(email__iexact=email.strip()).first()):
        return match
    if phone and (match := people.filter(phone=phone).first()):
        return match
    return None


class PersonDetailsError(Exception):
    """Someone's details cannot be changed; the message says why in plain English."""


def person_details_correct(
    *, person: Person, corrected_by: User, details: dict, skills: Iterable = ()
) -> Person:
    """Staff put right someone's details. The person's history keeps each version with who
    changed it. Raises PersonDetailsError for an erased person, ValidationError for
    details that break the roster's rules (an email or phone someone else has)."""
    if Person.objects.filter(pk=person.pk).exclude(erased_at=None).exists():
        raise PersonDetailsError("This person's details have been erased, so they cannot change.")
    for name, value in details.items():
        setattr(person, name, value)
    person.full_clean(exclude=["user"])
    person._history_user = corrected_by
    try:
        with transaction.atomic():
            person.save()
            person.skills.set(skills)
    except IntegrityError as error:
        # Someone else was given the same email or phone at the same moment.
        raise ValidationError(
            "Someone on the roster already has this email address or phone number."
        ) from error
    return person


def person_create(*, created_by: User | None, skills: Iterable = (), **fields) -> Person:
    """Add someone to the roster. Raises DuplicatePerson if their email or phone is there."""
    duplicate = person_find_duplicate(email=fields.get("email", ""), phone=fields.get("phone"))
    if duplicate:
        raise DuplicatePerson(duplicate)
    person = Person(created_by=created_by, **fields)
    person.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        # Two sign-ups with the same email at the same moment: the second one loses.
        duplicate = person_find_duplicate(email=person.email, phone=person.phone)
        if duplicate:
            raise DuplicatePerson(duplicate) from error
        raise
    person.skills.set(skills)
    return person
