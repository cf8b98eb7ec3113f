import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from coprod.core.emails import render_email
from coprod.core.outbox import give_up, outbox_waiting_ids, send_each, undelivered
from coprod.core.queue import task_delay
from coprod.core.texts import Channel, render_text, send_text
from projects.calendar import meeting_ics
from projects.models import (
    Attendance,
    AttendanceStatus,
    EmailKind,
    Invitation,
    Meeting,
    MeetingEmail,
    Payment,
    Project,
    Response,
)
from projects.rsvp import RsvpAction, rsvp_token
from projects.services.earnings import earnings_recount
from projects.services.fee_waits import fee_waits_change
from projects.services.payments import payment_for_attendance
from stakeholders.models import Person, User
from stakeholders.signin import short_link_create

logger = logging.getLogger(__name__)


# Changing any of these means people must be told, and calendars updated.
NOTIFIABLE_FIELDS = ("starts_at", "ends_at", "place", "online_link")


EMAIL_TEMPLATES = {
    EmailKind.INVITATION: "meeting-invitation",
    EmailKind.UPDATE: "meeting-update",
    EmailKind.CANCELLATION: "meeting-cancellation",
    EmailKind.PLACE_OFFERED: "meeting-place-offered",
    EmailKind.REMINDER: "meeting-reminder",
}


WITH_CALENDAR = {
    EmailKind.INVITATION,
    EmailKind.UPDATE,
    EmailKind.CANCELLATION,
    EmailKind.PLACE_OFFERED,
}


class MeetingClosed(Exception):
    """The meeting is over or cancelled, so answers can no longer change."""


class InvitationWithdrawn(Exception):
    """The person withdrew their involvement consent or was erased, so the invitation no
    longer stands and answers to it change nothing."""


class ProjectArchived(Exception):
    """The meeting's project is archived, so its records are kept as they are."""


NOT_SENT_WITHDRAWN = "Not sent: this person withdrew their consent to be contacted."


def meeting_create(*, project: Project, created_by: User, **fields) -> Meeting:
    meeting = Meeting(project=project, created_by=created_by, **fields)
    meeting.full_clean()
    meeting.save()
    return meeting


def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    """Save changes. If the time or place of a meeting still to come changed, everyone
    still invited gets an update; more places go to the waiting list."""
    if meeting.is_cancelled:
        raise MeetingClosed
    with transaction.atomic():
        # Compare with what is stored: a form may already have changed the object it was given.
        saved = Meeting.objects.select_for_update().get(pk=meeting.pk)
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.full_clean()
        notify = not saved.is_over and any(
            getattr(saved, name) != getattr(meeting, name) for name in NOTIFIABLE_FIELDS
        )
        meeting.sequence = saved.sequence + 1 if notify else saved.sequence
        # Fees already paid for a meeting that moves waited a different number of days.
        fees = Payment.objects.filter(attendance__meeting=meeting)
        moved = saved.starts_at != meeting.starts_at
        if moved:
            fee_waits_change(payments=fees, by=-1)
        meeting.save()
        if moved:
            fee_waits_change(payments=fees, by=1)
            fees.update(meeting_starts_at=meeting.starts_at)
            # The fees' activity day moved, maybe into another tax year.
            earnings_recount(person_ids=fees.values_list("person_id", flat=True))
        if notify:
            _owe_email_to_all(meeting, EmailKind.UPDATE)
        if not meeting.is_over:
            _fill_places_from_waiting_list(meeting)
    return meeting


def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel a meeting still to come; everyone invited gets a calendar cancellation."""
    if meeting.is_cancelled or meeting.is_over:
        raise MeetingClosed
    with transaction.atomic():
        meeting.cancelled_at = timezone.now()
        meeting.sequence += 1
        meeting.save(update_fields=["cancelled_at", "sequence"])
        _owe_email_to_all(meeting, EmailKind.CANCELLATION)
    return meeting


def _owe_email_to_all(meeting: Meeting, kind: str) -> None:
    invitations = meeting.invitations.exclude(response__in=[Response.DECLINED, Response.WITHDRAWN])
    emails = MeetingEmail.objects.bulk_create(
        [
            MeetingEmail(invitation=invitation, kind=kind, key=meeting.sequence)
            for invitation in invitations
        ],
        ignore_conflicts=True,
    )
    _queue_after_commit(
        kind=kind, invitation_ids=[email.invitation_id for email in emails], key=meeting.sequence
    )


def meeting_invite(*, meeting: Meeting, people: Iterable[Person], invited_by: User) -> int:
    """Invite people who are not invited yet; returns how many were newly invited.
    The emails are queued once the transaction commits."""
    if meeting.is_cancelled or meeting.is_over:
        raise MeetingClosed
    with transaction.atomic():
        already = set(meeting.invitations.values_list("person_id", flat=True))
        new = [
            Invitation(meeting=meeting, person=person, invited_by=invited_by)
            for person in people
            if person.pk not in already
        ]
        Invitation.objects.bulk_create(new, ignore_conflicts=True)
        created = list(
            meeting.invitations.filter(person_id__in=[invitation.person_id for invitation in new])
            .exclude(emails__kind=EmailKind.INVITATION)
            .values_list("pk", flat=True)
        )
        MeetingEmail.objects.bulk_create(
            [
                MeetingEmail(invitation_id=pk, kind=EmailKind.INVITATION, key=meeting.sequence)
                for pk in created
            ],
            ignore_conflicts=True,
        )
        _queue_after_commit(kind=EmailKind.INVITATION, invitation_ids=created, key=meeting.sequence)
    return len(created)


def invitation_respond(
    *,
    invitation: Invitation,
    action: str,
    support_note: str = "",
    recorded_by: User | None = None,
) -> Invitation:
    """Accept (or join the waiting list when full), decline, or ask for support to attend.

    `recorded_by` is the staff member who took the answer for the person (by phone, in
    person); an answer the person gives themselves clears it.
    A decline that frees a place gives it to the person who has waited longest, by email.
    Raises InvitationWithdrawn once the person may no longer be contacted, and
    ProjectArchived once the project is archived.
    """
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=invitation.meeting_id)
        )
        if meeting.project.is_archived:
            raise ProjectArchived
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=invitation.pk)
        )
        if invitation.is_withdrawn:
            raise InvitationWithdrawn
        if meeting.is_cancelled or meeting.is_over:
            raise MeetingClosed
        was_coming = invitation.response == Response.ACCEPTED
        now = timezone.now()
        if action == RsvpAction.SUPPORT:
            invitation.needs_support = True
            if support_note and support_note != invitation.support_note:
                # Staff arranged what was asked before, not this.
                invitation.support_arranged_at = None
                invitation.support_arranged_by = None
            invitation.support_note = support_note or invitation.support_note
        elif action == RsvpAction.DECLINE:
            invitation.response = Response.DECLINED
            invitation.waitlisted_at = None
        elif not was_coming:
            if _is_full(meeting):
                if invitation.response != Response.WAITLISTED:
                    invitation.waitlisted_at = now
                invitation.response = Response.WAITLISTED
            else:
                invitation.response = Response.ACCEPTED
                invitation.waitlisted_at = None
        if action != RsvpAction.SUPPORT:
            invitation.responded_at = now
        invitation.answer_recorded_by = recorded_by
        invitation.save()
        if was_coming and invitation.response == Response.DECLINED:
            _fill_places_from_waiting_list(meeting)
    return invitation


def invitation_record_answer(
    *, invitation: Invitation, answer: str, support_note: str = "", recorded_by: User
) -> Invitation:
    """Staff record the answer of someone who is not online: coming, not coming, or coming
    with support (`answer` is one of RsvpAction). It counts as the person's own answer,
    marked as recorded by `recorded_by` on their behalf."""
    with transaction.atomic():
        invitation = invitation_respond(
            invitation=invitation,
            action=RsvpAction.DECLINE if answer == RsvpAction.DECLINE else RsvpAction.ACCEPT,
            recorded_by=recorded_by,
        )
        if answer == RsvpAction.SUPPORT:
            invitation = invitation_respond(
                invitation=invitation,
                action=RsvpAction.SUPPORT,
                support_note=support_note,
                recorded_by=recorded_by,
            )
    return invitation


class SupportNotAsked(Exception):
    """The person has not asked for support to come to this meeting."""


class SupportNotNeeded(Exception):
    """The person said they are not coming, so there is no support to arrange."""


class SupportAlreadyArranged(Exception):
    """Someone on staff already marked this support as arranged."""


def invitation_support_arrange(*, invitation: Invitation, arranged_by: User) -> Invitation:
    """Staff say the support the person asked for is arranged, so it leaves the dashboard's
    to-do list. Raises MeetingClosed (cancelled or started), InvitationWithdrawn,
    SupportNotNeeded (not coming), SupportNotAsked or SupportAlreadyArranged, changing
    nothing."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=invitation.meeting_id)
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("person", "support_arranged_by")
            .get(pk=invitation.pk)
        )
        if meeting.is_cancelled or meeting.has_started:
            raise MeetingClosed
        if invitation.is_withdrawn:
            raise InvitationWithdrawn
        if invitation.response == Response.DECLINED:
            raise SupportNotNeeded
        if not invitation.asked_for_support:
            raise SupportNotAsked
        if invitation.support_is_arranged:
            raise SupportAlreadyArranged
        invitation.support_arranged_at = timezone.now()
        invitation.support_arranged_by = arranged_by
        invitation.save(update_fields=["support_arranged_at", "support_arranged_by"])
    return invitation


def invitations_withdraw(*, person: Person, when: datetime) -> int:
    """The person withdrew their involvement consent or was erased: withdraw their
    invitations to meetings still to come, give any place they held to the waiting list,
    and send none of the emails still owed to them. Meetings that are over keep their
    answers, and attendance is not touched, so counts and payments stay right. Returns how
    many invitations were withdrawn; running it again changes nothing."""
    with transaction.atomic():
        upcoming = Invitation.objects.filter(person=person, meeting__ends_at__gt=when).exclude(
            response=Response.WITHDRAWN
        )
        # Locked in the order invitation_respond locks them (meeting, then invitation), so
        # nobody can take or answer these places while they are handed on.
        meetings = list(
            Meeting.objects.select_for_update()
            .filter(pk__in=upcoming.values("meeting_id"))
            .order_by("pk")
        )
        withdrawn = upcoming.update(response=Response.WITHDRAWN, waitlisted_at=None)
        MeetingEmail.objects.filter(invitation__person=person, sent_at=None, failed_at=None).update(
            failed_at=when, last_error=NOT_SENT_WITHDRAWN
        )
        for meeting in meetings:
            if not meeting.is_cancelled and not meeting.is_over:
                _fill_places_from_waiting_list(meeting)
    return withdrawn


def _is_full(meeting: Meeting) -> bool:
    if meeting.capacity is None:
        return False
    return meeting.invitations.filter(response=Response.ACCEPTED).count() >= meeting.capacity


def _fill_places_from_waiting_list(meeting: Meeting) -> None:
    """Give each free place to whoever has waited longest, and tell them by email."""
    while not _is_full(meeting):
        first = (
            meeting.invitations.select_for_update()
            .filter(response=Response.WAITLISTED)
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if first is None:
            return
        first.response = Response.ACCEPTED
        first.waitlisted_at = None
        first.save(update_fields=["response", "waitlisted_at"])
        offers = MeetingEmail.objects.filter(invitation=first, kind=EmailKind.PLACE_OFFERED).count()
        MeetingEmail.objects.create(invitation=first, kind=EmailKind.PLACE_OFFERED, key=offers)
        _queue_after_commit(kind=EmailKind.PLACE_OFFERED, invitation_ids=[first.pk], key=offers)


def _queue_after_commit(*, kind: str, invitation_ids: list[int], key: int) -> None:
    if not invitation_ids:
        return
    email_ids = list(
        MeetingEmail.objects.filter(
            invitation_id__in=invitation_ids, kind=kind, key=key
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: queue_meeting_emails(email_ids))


# Emails handed to the broker in one task: publishing one message per email made inviting
# 10,000 people spend about 20 s in the web request on publishing alone.
EMAILS_PER_TASK = 25


def queue_meeting_emails(email_ids: Iterable[int]) -> int:
    """Hand emails to the broker, in batches. If the broker is down the rows stay in the
    outbox and the periodic sweep sends them later, so the person pressing the button
    never waits."""

    email_ids = list(email_ids)
    queued = 0
    for start in range(0, len(email_ids), EMAILS_PER_TASK):
        batch = email_ids[start : start + EMAILS_PER_TASK]
        try:
            task_delay("projects.tasks.send_meeting_emails", batch)
        except Exception:  # noqa: BLE001 - any broker failure leaves the rows for the sweep
            logger.warning(
                "Broker unavailable; %s emails left in the outbox for the sweep",
                len(email_ids) - queued,
            )
            return queued
        queued += len(batch)
    return queued


def meeting_emails_send_batch(*, email_ids: Iterable[int]) -> int:
    """Send a batch of outbox emails one after another; returns how many were sent."""
    return send_each(
        email_ids,
        send=lambda email_id: meeting_email_send(email_id=email_id),
        retry_task="projects.tasks.send_meeting_email",
    )


def meeting_email_send(*, email_id: int) -> bool:
    """Claim one outbox row and send it. Returns False if another worker has it, it was
    sent already, or it is no longer wanted. On failure the claim is released."""
    claimed = MeetingEmail.objects.filter(
        pk=email_id, claimed_at=None, sent_at=None, failed_at=None
    ).update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
    if not claimed:
        return False
    email = MeetingEmail.objects.select_related(
        "invitation__meeting__project", "invitation__person"
    ).get(pk=email_id)
    invitation = email.invitation
    channel = invitation.person.message_channel
    if channel is None or _no_longer_wanted(email):
        MeetingEmail.objects.filter(pk=email_id).update(
            failed_at=timezone.now(), last_error=_why_not_sent(email)
        )
        return False
    try:
        if channel == Channel.TEXT:
            provider_id = send_text(
                to=invitation.person.phone.as_e164,
                body=_build_text(email),
                reference=f"meeting-email-{email_id}",
            )
        else:
            message = _build_email(email)
            message.connection = _mail_connection(settings.EMAIL_BACKEND)
            message.send()
            provider_id = getattr(message, "provider_id", "")
    except Exception as error:
        _mail_connection.cache_clear()
        MeetingEmail.objects.filter(pk=email_id).update(
            claimed_at=None, channel=channel, last_error=str(error)[:1000]
        )
        raise
    MeetingEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), channel=channel, provider_id=provider_id, last_error=""
    )
    return True


@cache
def _mail_connection(backend: str):
    """One open mail connection per worker process, not a new one for every email; it is
    dropped on any failure, so the retry reconnects."""
    connection = get_connection(backend)
    connection.open()
    return connection


def meeting_email_give_up(*, email_id: int, error: str) -> None:
    give_up(MeetingEmail, email_id, error)


def meeting_email_retry(*, email: MeetingEmail) -> None:
    """Staff asked to try again a message that failed, or that a delivery receipt says
    never arrived (after they corrected the number or address)."""
    MeetingEmail.objects.filter(undelivered(), pk=email.pk).update(
        failed_at=None, claimed_at=None, sent_at=None, bounced_at=None, provider_id=""
    )
    transaction.on_commit(lambda: queue_meeting_emails([email.pk]))


def _no_longer_wanted(email: MeetingEmail) -> bool:
    meeting = email.invitation.meeting
    if email.invitation.is_withdrawn:
        return True
    if email.kind == EmailKind.CANCELLATION:
        return False
    if email.kind == EmailKind.REMINDER:
        return (
            meeting.is_cancelled
            or meeting.is_over
            or email.invitation.response != Response.ACCEPTED
        )
    return meeting.is_cancelled or meeting.is_over


def _why_not_sent(email: MeetingEmail) -> str:
    if email.invitation.is_withdrawn:
        return NOT_SENT_WITHDRAWN
    if email.invitation.person.message_channel is None:
        return "This person has no email address or mobile number. Please contact them another way."
    return "Not sent: the meeting is over or cancelled, or the person is no longer coming."


def _build_email(email: MeetingEmail):
    invitation = email.invitation
    meeting = invitation.meeting
    base = settings.COPROD_BASE_URL.rstrip("/")
    context = {
        "meeting": meeting,
        "project": meeting.project,
        "person": invitation.person,
        "invitation": invitation,
        "hours_before": email.key,
        "starts": timezone.localtime(meeting.starts_at),
        "ends": timezone.localtime(meeting.ends_at),
        "links": {
            action: base + reverse("projects:rsvp", args=[rsvp_token(invitation, action)])
            for action in RsvpAction.ALL
        },
        "me_url": base + reverse("pages:me"),
    }
    message = render_email(
        EMAIL_TEMPLATES[email.kind], to=[invitation.person.email], context=context
    )
    if email.kind in WITH_CALENDAR:
        method = "CANCEL" if meeting.is_cancelled else "REQUEST"
        message.attach(
            "meeting.ics", meeting_ics(meeting, invitation), f"text/calendar; method={method}"
        )
    return message


# Texts that ask whether the person is coming; the others ask only if they cannot come.
TEXT_ASKS_TO_ANSWER = {EmailKind.INVITATION, EmailKind.UPDATE}


def _build_text(email: MeetingEmail) -> str:
    """The text message for someone who asked for texts: what happened and one short link
    (to say whether they are coming, or that they cannot come after all)."""
    invitation = email.invitation
    meeting = invitation.meeting
    action = RsvpAction.ACCEPT if email.kind in TEXT_ASKS_TO_ANSWER else RsvpAction.DECLINE
    context = {
        "meeting": meeting,
        "project": meeting.project,
        "starts": timezone.localtime(meeting.starts_at),
        "hours_before": email.key,
    }
    if email.kind != EmailKind.CANCELLATION:
        context["link"] = short_link_create(
            reverse("projects:rsvp", args=[rsvp_token(invitation, action)]),
            expires_at=meeting.ends_at,
        )
    # Each email has a text of the same name under templates/texts/.
    return render_text(EMAIL_TEMPLATES[email.kind], context)


def meeting_emails_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue outbox rows the broker never got, and rows claimed by a worker that died."""
    return queue_meeting_emails(outbox_waiting_ids(MeetingEmail, older_than=older_than))


def meeting_reminders_due(*, now=None) -> int:
    """Owe a reminder to everyone coming to a meeting that starts within each reminder
    window (48 and 2 hours by default). Each reminder is owed once, never twice."""
    now = now or timezone.now()
    created = 0
    # Nearest window first: someone who accepts an hour before gets one reminder, not two.
    for hours in sorted(settings.COPROD_REMINDER_HOURS):
        invitations = Invitation.objects.filter(
            response=Response.ACCEPTED,
            person__involvement_consent_given=True,
            person__erased_at=None,
            meeting__cancelled_at=None,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + timedelta(hours=hours),
        ).exclude(Q(emails__kind=EmailKind.REMINDER, emails__key__lte=hours))
        ids = list(invitations.values_list("pk", flat=True))
        MeetingEmail.objects.bulk_create(
            [MeetingEmail(invitation_id=pk, kind=EmailKind.REMINDER, key=hours) for pk in ids],
            ignore_conflicts=True,
        )
        _queue_after_commit(kind=EmailKind.REMINDER, invitation_ids=ids, key=hours)
        created += len(ids)
    return created


ATTENDANCE_CANCELLED = "This meeting was cancelled, so nobody can be marked as coming to it."
ATTENDANCE_TOO_EARLY = (
    "Attendance can be taken once the meeting has started. Come back to this page then."
)


def attendance_record(
    *, meeting: Meeting, person: Person, status: str, hours: Decimal, recorded_by: User
) -> Attendance:
    """Mark someone as attended (with hours) or as a no-show; changing it again updates
    the same record. Their stakeholder group is kept as it was when first marked, and the
    fee owed for it is created, restored or cancelled to match. Nobody can be marked as
    having come to a meeting that has not started yet."""
    if meeting.is_cancelled:
        raise ValidationError(ATTENDANCE_CANCELLED)
    if not meeting.has_started:
        raise ValidationError(ATTENDANCE_TOO_EARLY)
    if status == AttendanceStatus.NO_SHOW:
        hours = Decimal("0")
    with transaction.atomic():
        attendance, _ = Attendance.objects.update_or_create(
            meeting=meeting,
            person=person,
            defaults={
                "status": status,
                "hours": hours,
                "recorded_by": recorded_by,
                "recorded_at": timezone.now(),
            },
            create_defaults={
                "status": status,
                "hours": hours,
                "recorded_by": recorded_by,
                "stakeholder_group": person.stakeholder_group,
            },
        )
        # The fee owed follows attendance: one per person per meeting.
        payment_for_attendance(attendance=attendance)
    return attendance
