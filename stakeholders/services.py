"""Writes about people: the roster, consent, project membership and pool invitations."""

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from coprod.emails import send_email
from projects.models import Project
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import (
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    ConsentWording,
    EqualityMonitoring,
    Membership,
    MembershipStatus,
    Person,
    ProjectInvitation,
    User,
)


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

    Equality answers are deleted. Without involvement consent the person leaves the pool
    and every project, so nobody can invite them.
    """
    now = timezone.now()
    with transaction.atomic():
        withdrawn = ConsentRecord.objects.filter(
            person=person, kind=kind, withdrawn_at=None
        ).update(withdrawn_at=now, withdrawn_by=withdrawn_by)
        if kind == ConsentKind.EQUALITY:
            EqualityMonitoring.objects.filter(person=person).delete()
        if kind == ConsentKind.INVOLVEMENT:
            person.involvement_consent_given = False
            person.in_pool = False
            person.save(update_fields=["involvement_consent_given", "in_pool"])
            person.memberships.exclude(status=MembershipStatus.LEFT).update(
                status=MembershipStatus.LEFT, left_at=now
            )
    return bool(withdrawn)


def equality_answers_save(*, person: Person, answers: dict) -> EqualityMonitoring | None:
    """Keep equality answers only while equality consent stands."""
    if not ConsentRecord.objects.filter(
        person=person, kind=ConsentKind.EQUALITY, withdrawn_at=None
    ).exists():
        return None
    record, _ = EqualityMonitoring.objects.update_or_create(person=person, defaults=answers)
    return record


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


def pool_invite(
    *, project: Project, people: Iterable[Person], invited_by: User | None
) -> list[ProjectInvitation]:
    """Invite pool members to a project from the rapid-response finder; returns the new
    invitations. Nobody is invited to the same project twice: people already invited,
    already taking part, or no longer in the pool are left out. The emails are queued
    only once the invitations are committed."""
    # Imported here because the task module imports this one.
    from stakeholders.tasks import send_pool_invitation

    with transaction.atomic():
        taking_part = Membership.objects.filter(
            project=project,
            person=OuterRef("pk"),
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.INTERESTED],
        )
        invited = ProjectInvitation.objects.filter(project=project, person=OuterRef("pk"))
        eligible = (
            Person.objects.in_pool()
            .filter(pk__in=[person.pk for person in people])
            .exclude(Exists(taking_part))
            .exclude(Exists(invited))
        )
        drafts = [
            ProjectInvitation(project=project, person=person, invited_by=invited_by)
            for person in eligible
        ]
        # A conflict means someone else invited the same person a moment ago; theirs stands.
        ProjectInvitation.objects.bulk_create(drafts, ignore_conflicts=True)
        invitations = list(
            ProjectInvitation.objects.filter(
                public_id__in=[draft.public_id for draft in drafts]
            ).select_related("person")
        )
        for invitation in invitations:
            # robust: if the broker is down the invitation stays unsent for the sweep,
            # rather than the staff member's request failing.
            transaction.on_commit(partial(send_pool_invitation.delay, invitation.pk), robust=True)
    return invitations


def pool_invitations_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue pool invitations the broker never received."""
    from stakeholders.tasks import send_pool_invitation

    waiting = ProjectInvitation.objects.filter(
        sent_at=None, created_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)[:1000]
    queued = 0
    for invitation_id in waiting:
        try:
            send_pool_invitation.delay(invitation_id)
        except Exception:  # noqa: BLE001 - broker still down; the next sweep tries again
            break
        queued += 1
    return queued


def pool_invitation_send(*, invitation_id: int) -> bool:
    """Email one pool invitation, at most once however often it is called or retried.

    Returns whether an email went. The invitation is claimed first so that two workers
    can never both send it. Someone with no email address is left claimed and unsent:
    the finder lists them for staff to phone.
    """
    claimed = ProjectInvitation.objects.filter(pk=invitation_id, sent_at=None).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    invitation = ProjectInvitation.objects.select_related("project", "person__user").get(
        pk=invitation_id
    )
    person, project = invitation.person, invitation.project
    still_in_pool = person.in_pool and person.involvement_consent_given and not person.erased_at
    if not person.email or not still_in_pool:
        return False
    join_path = reverse("stakeholders:join", kwargs={"slug": project.slug})
    try:
        send_email(
            "pool-invitation",
            to=[person.email],
            context={
                "person": person,
                "project": project,
                "join_url": settings.COPROD_BASE_URL.rstrip("/") + join_path,
                "me_url": settings.COPROD_BASE_URL.rstrip("/") + reverse("stakeholders:me"),
                "has_login": person.user is not None,
            },
        )
    except Exception:
        # Unclaim, so that the task's retry can send it.
        ProjectInvitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True
