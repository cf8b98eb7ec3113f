from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from projects.models import (
    Membership,
    MembershipStatus,
    Project,
)
from stakeholders.models import ConsentKind, ConsentMethod, Person, User
from stakeholders.services import (
    consent_give,
    equality_answers_save,
    person_create,
    person_find_duplicate,
)


def membership_express_interest(*, person: Person, project: Project) -> Membership:
    """Join a project as interested. Someone who left and comes back is interested again."""
    membership, created = Membership.objects.get_or_create(project=project, person=person)
    if not created and membership.status == MembershipStatus.LEFT:
        membership_set_status(membership=membership, status=MembershipStatus.INTERESTED)
    return membership


def membership_set_status(*, membership: Membership, status: str) -> Membership:
    now = timezone.now()
    membership.status = status
    changed = ["status"]
    if status == MembershipStatus.INTERESTED:
        membership.interested_at, membership.left_at = now, None
        changed += ["interested_at", "left_at"]
    elif status == MembershipStatus.ACTIVE:
        membership.active_at, membership.left_at = now, None
        changed += ["active_at", "left_at"]
    else:
        membership.left_at = now
        changed.append("left_at")
    membership.save(update_fields=changed)
    return membership


def person_register_online(
    *,
    user: User,
    project: Project,
    person_fields: dict,
    equality_consent: bool,
    equality_answers: dict,
) -> Person:
    """A web sign-up: their roster entry (matched by email if staff added them before),
    consent given online, and interest in the project."""
    with transaction.atomic():
        person = person_find_duplicate(email=person_fields["email"])
        if person is None or person.user_id not in (None, user.pk):
            person = person_create(created_by=user, **person_fields)
        person.user = user
        person.save(update_fields=["user"])
        _consents_and_interest(
            person=person,
            project=project,
            method=ConsentMethod.ONLINE,
            recorded_by=user,
            equality_consent=equality_consent,
            equality_answers=equality_answers,
        )
    return person


def person_add_assisted(
    *,
    staff: User,
    project: Project,
    person_fields: dict,
    skills: Iterable,
    consent_method: str,
    equality_consent: bool,
    equality_answers: dict,
) -> Person:
    """Staff add someone who signed up on paper or by phone. Raises DuplicatePerson."""
    with transaction.atomic():
        person = person_create(created_by=staff, skills=skills, **person_fields)
        _consents_and_interest(
            person=person,
            project=project,
            method=consent_method,
            recorded_by=staff,
            equality_consent=equality_consent,
            equality_answers=equality_answers,
        )
    return person


def _consents_and_interest(
    *,
    person: Person,
    project: Project,
    method: str,
    recorded_by: User,
    equality_consent: bool,
    equality_answers: dict,
) -> None:
    consent_give(
        person=person, kind=ConsentKind.INVOLVEMENT, method=method, recorded_by=recorded_by
    )
    if equality_consent:
        consent_give(
            person=person, kind=ConsentKind.EQUALITY, method=method, recorded_by=recorded_by
        )
        equality_answers_save(person=person, answers=equality_answers)
    membership_express_interest(person=person, project=project)
