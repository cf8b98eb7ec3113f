from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from projects.models import (
    HeldSignup,
    Membership,
    MembershipStatus,
    Project,
)
from stakeholders.models import ConsentKind, ConsentMethod, Person, User
from stakeholders.services import (
    DuplicatePerson,
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
) -> Person | None:
    """A web sign-up: a new roster entry with consent given online and interest in the
    project. Returns None when the email or phone number typed is already on the roster:
    the sign-up is then held apart (HeldSignup), changing nothing about the person there,
    until the new login's email address is confirmed. The visitor is told the same either
    way, so the form never reveals who is on the roster."""
    phone = person_fields.get("phone") or ""
    if not person_find_duplicate(email=person_fields["email"], phone=phone or None):
        try:
            with transaction.atomic():
                person = person_create(created_by=user, user=user, **person_fields)
                _consents_and_interest(
                    person=person,
                    project=project,
                    method=ConsentMethod.ONLINE,
                    recorded_by=user,
                    equality_consent=equality_consent,
                    equality_answers=equality_answers,
                )
            return person
        except DuplicatePerson:
            pass  # added by someone else a moment ago: held apart like any other match
    HeldSignup.objects.update_or_create(
        user=user,
        defaults={
            "project": project,
            "person_fields": {**person_fields, "phone": str(phone)},
            "equality_consent": equality_consent,
            "equality_answers": equality_answers,
        },
    )
    return None


def held_signup_merge(*, user: User) -> tuple[Person, bool] | None:
    """Once `user` has confirmed their email address, their held sign-up goes ahead: into
    the roster entry with that email if it has no login of its own yet (only blank details
    are filled in; staff's are kept), otherwise into a new entry. A phone number already
    on someone else's entry is left out rather than tied to the wrong person.

    Returns the person and whether they joined an entry that was there before. Then the
    password typed at sign-up is not kept: whoever typed it need not be who confirmed the
    address (anyone can sign up with anyone's address, and its owner may press the link),
    so the owner chooses a new one through the password-reset email."""
    held = HeldSignup.objects.filter(user=user).select_related("project").first()
    if held is None:
        return None
    with transaction.atomic():
        fields = dict(held.person_fields)
        if fields.get("phone") and person_find_duplicate(phone=fields["phone"]):
            fields["phone"] = ""
        person = Person.objects.filter(user=user).first() or person_find_duplicate(email=user.email)
        if person is not None and person.user_id in (None, user.pk) and not person.erased_at:
            for name, value in fields.items():
                if value and not getattr(person, name):
                    setattr(person, name, value)
            person.user = user
            person.save()
            user.set_unusable_password()
            user.save(update_fields=["password"])
            joined_existing = True
        else:
            # The address is on an entry that has a login of its own: theirs stays theirs.
            taken = person is not None
            fields["email"] = "" if taken else user.email
            person = person_create(created_by=user, user=user, **fields)
            joined_existing = False
        _consents_and_interest(
            person=person,
            project=held.project,
            method=ConsentMethod.ONLINE,
            recorded_by=user,
            equality_consent=held.equality_consent,
            equality_answers=held.equality_answers,
        )
        held.delete()
    return person, joined_existing


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
