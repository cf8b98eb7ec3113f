"""Meeting invitations: the outbox, answers, the waiting list and reminders."""

from datetime import timedelta
from decimal import Decimal
from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from projects.models import (
    Attendance,
    AttendanceStatus,
    EmailKind,
    Invitation,
    MeetingEmail,
    Response,
)
from projects.rsvp import RsvpAction
from projects.services.meetings import (
    EMAILS_PER_TASK,
    MeetingClosed,
    attendance_record,
    invitation_respond,
    meeting_cancel,
    meeting_email_send,
    meeting_emails_send_batch,
    meeting_emails_sweep,
    meeting_invite,
    meeting_reminders_due,
    meeting_update,
)
from projects.tasks import send_meeting_email, send_meeting_emails
from stakeholders.models import ConsentKind, Person
from stakeholders.privacy import person_erase
from stakeholders.services import consent_withdraw
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.roster import PersonFactory

# Real commits, so emails queued with transaction.on_commit are really sent.
pytestmark = pytest.mark.django_db(transaction=True)


def _calendar_of(message) -> Calendar:
    (attachment,) = [a for a in message.attachments if a[0] == "meeting.ics"]
    return Calendar.from_ical(attachment[1])


def test_inviting_sends_one_email_each_with_a_calendar_request(personas):
    meeting = MeetingFactory(project=personas.project, title="Planning day")
    people = PersonFactory.create_batch(3)

    assert meeting_invite(meeting=meeting, people=people, invited_by=personas.staff) == 3

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    message = mail.outbox[0]
    assert message.subject.startswith("You are invited: Planning day")
    assert "I can come: http" in message.body
    assert "I can come</a>" in message.alternatives[0][0]
    calendar = _calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == f"meeting-{meeting.public_id}@coprod"
    assert event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == "mailto:coprod@example.org"
    assert str(event["ATTENDEE"]) == f"mailto:{message.to[0]}"
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert calendar.walk("VTIMEZONE")
    assert MeetingEmail.objects.filter(sent_at__isnull=False).count() == 3


def test_nobody_is_invited_to_the_same_meeting_twice(personas):
    meeting = MeetingFactory(project=personas.project)
    person = PersonFactory()
    meeting_invite(meeting=meeting, people=[person], invited_by=personas.staff)
    assert meeting_invite(meeting=meeting, people=[person], invited_by=personas.staff) == 0
    assert Invitation.objects.filter(meeting=meeting).count() == 1
    assert len(mail.outbox) == 1


def test_invitations_are_queued_only_after_the_transaction_commits(personas):
    meeting = MeetingFactory(project=personas.project)
    with transaction.atomic():
        meeting_invite(
            meeting=meeting, people=PersonFactory.create_batch(2), invited_by=personas.staff
        )
        assert mail.outbox == []
    assert len(mail.outbox) == 2


def test_nothing_is_queued_when_the_transaction_rolls_back(personas):
    meeting = MeetingFactory(project=personas.project)
    with pytest.raises(RuntimeError), transaction.atomic():
        meeting_invite(meeting=meeting, people=[PersonFactory()], invited_by=personas.staff)
        raise RuntimeError("something else failed")
    assert mail.outbox == []
    assert not Invitation.objects.filter(meeting=meeting).exists()


def test_a_task_run_twice_sends_the_email_once(personas):
    invitation = InvitationFactory(meeting=MeetingFactory(project=personas.project))
    email = MeetingEmail.objects.create(invitation=invitation, kind=EmailKind.INVITATION)
    assert send_meeting_email.delay(email.pk).get() is True
    assert send_meeting_email.delay(email.pk).get() is False
    assert meeting_email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_inviting_many_people_hands_the_broker_one_task_per_batch(personas, monkeypatch):
    published = []
    monkeypatch.setattr(send_meeting_emails, "delay", published.append)
    meeting = MeetingFactory(project=personas.project)
    people = PersonFactory.create_batch(2 * EMAILS_PER_TASK + 1)

    meeting_invite(meeting=meeting, people=people, invited_by=personas.staff)

    assert [len(batch) for batch in published] == [EMAILS_PER_TASK, EMAILS_PER_TASK, 1]
    emails = MeetingEmail.objects.filter(invitation__meeting=meeting)
    assert sorted(email_id for batch in published for email_id in batch) == sorted(
        emails.values_list("pk", flat=True)
    )


def test_a_batch_delivered_twice_sends_each_email_once(personas):
    meeting = MeetingFactory(project=personas.project)
    emails = [
        MeetingEmail.objects.create(
            invitation=InvitationFactory(meeting=meeting), kind=EmailKind.INVITATION
        )
        for _ in range(3)
    ]
    email_ids = [email.pk for email in emails]

    assert meeting_emails_send_batch(email_ids=email_ids) == 3
    assert meeting_emails_send_batch(email_ids=email_ids) == 0
    assert len(mail.outbox) == 3


def test_one_failing_email_does_not_hold_up_the_rest_of_its_batch(personas, monkeypatch):
    meeting = MeetingFactory(project=personas.project)
    unreachable = PersonFactory(email="bounces@example.org")
    invitations = [InvitationFactory(meeting=meeting, person=unreachable)] + [
        InvitationFactory(meeting=meeting) for _ in range(2)
    ]
    emails = [
        MeetingEmail.objects.create(invitation=invitation, kind=EmailKind.INVITATION)
        for invitation in invitations
    ]
    real_send = mail.EmailMultiAlternatives.send

    def refuse_one(message, *args, **kwargs):
        if message.to == ["bounces@example.org"]:
            raise SMTPException("550 mailbox unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse_one)
    monkeypatch.setattr(send_meeting_email, "max_retries", 0)

    assert send_meeting_emails.delay([email.pk for email in emails]).get() == 2

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        invitation.person.email for invitation in invitations[1:]
    )
    failed = MeetingEmail.objects.get(pk=emails[0].pk)
    # Handed on to the single-email task, which retried it and then showed staff why.
    assert failed.failed_at is not None
    assert failed.last_error == "550 mailbox unavailable"
    assert failed.attempts == 2


def test_an_smtp_failure_releases_the_claim_so_a_retry_sends_it(personas, monkeypatch):
    meeting = MeetingFactory(project=personas.project)
    invitation = InvitationFactory(meeting=meeting)
    email = MeetingEmail.objects.create(invitation=invitation, kind=EmailKind.INVITATION)

    def refuse(self, *args, **kwargs):
        raise SMTPException("451 try again later")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(SMTPException):
        meeting_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.claimed_at is None and email.sent_at is None
    assert email.last_error == "451 try again later"

    monkeypatch.undo()
    assert meeting_email_send(email_id=email.pk) is True
    assert len(mail.outbox) == 1


def test_a_send_that_keeps_failing_is_shown_to_staff_with_the_reason(personas, monkeypatch):
    invitation = InvitationFactory(meeting=MeetingFactory(project=personas.project))
    email = MeetingEmail.objects.create(invitation=invitation, kind=EmailKind.INVITATION)

    def refuse(self, *args, **kwargs):
        raise SMTPException("550 mailbox unavailable")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    monkeypatch.setattr(send_meeting_email, "max_retries", 0)
    assert send_meeting_email.delay(email.pk).get() is False

    email.refresh_from_db()
    assert email.failed_at is not None
    assert email.last_error == "550 mailbox unavailable"
    assert email.attempts == 1


def test_the_task_retries_with_backoff_and_late_acknowledgement():
    from coprod.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert send_meeting_email.max_retries >= 3


def test_someone_without_an_email_or_phone_is_not_sent_anything_and_staff_are_told(
    personas, text_outbox
):
    person = PersonFactory(email="", phone="")
    meeting = MeetingFactory(project=personas.project)
    meeting_invite(meeting=meeting, people=[person], invited_by=personas.staff)
    email = MeetingEmail.objects.get()
    assert mail.outbox == [] and text_outbox == []
    assert email.failed_at is not None
    assert "no email address or mobile number" in email.last_error


def test_emails_left_in_the_outbox_are_sent_by_the_sweep(personas):
    meeting = MeetingFactory(project=personas.project)
    for _ in range(2):
        MeetingEmail.objects.create(
            invitation=InvitationFactory(meeting=meeting),
            kind=EmailKind.INVITATION,
            created_at=timezone.now() - timedelta(minutes=5),
        )

    assert meeting_emails_sweep() == 2
    assert len(mail.outbox) == 2
    assert meeting_emails_sweep() == 0


def test_a_claim_left_by_a_dead_worker_is_released_by_the_sweep(personas):
    invitation = InvitationFactory(meeting=MeetingFactory(project=personas.project))
    MeetingEmail.objects.create(
        invitation=invitation,
        kind=EmailKind.INVITATION,
        created_at=timezone.now() - timedelta(hours=1),
        claimed_at=timezone.now() - timedelta(minutes=30),
    )
    assert meeting_emails_sweep() == 1
    assert len(mail.outbox) == 1


def test_changing_the_time_sends_an_update_with_a_higher_sequence(personas):
    meeting = MeetingFactory(project=personas.project)
    declined, coming = PersonFactory.create_batch(2)
    meeting_invite(meeting=meeting, people=[declined, coming], invited_by=personas.staff)
    invitation_respond(
        invitation=meeting.invitations.get(person=declined), action=RsvpAction.DECLINE
    )
    mail.outbox.clear()

    meeting_update(
        meeting=meeting,
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
    )

    assert [m.to for m in mail.outbox] == [[coming.email]]
    assert mail.outbox[0].subject.startswith("Changed:")
    event = _calendar_of(mail.outbox[0]).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    assert event["UID"] == f"meeting-{meeting.public_id}@coprod"


def test_changing_only_the_agenda_sends_nothing(personas):
    meeting = MeetingFactory(project=personas.project)
    meeting_invite(meeting=meeting, people=[PersonFactory()], invited_by=personas.staff)
    mail.outbox.clear()
    meeting_update(meeting=meeting, agenda="A new agenda")
    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_cancelling_sends_a_calendar_cancel(personas):
    meeting = MeetingFactory(project=personas.project)
    meeting_invite(meeting=meeting, people=[PersonFactory()], invited_by=personas.staff)
    mail.outbox.clear()

    meeting_cancel(meeting=meeting)

    calendar = _calendar_of(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
    assert mail.outbox[0].subject.startswith("Cancelled:")
    with pytest.raises(MeetingClosed):
        meeting_invite(meeting=meeting, people=[PersonFactory()], invited_by=personas.staff)


def test_acceptances_after_the_meeting_is_full_join_the_waiting_list(personas):
    meeting = MeetingFactory(project=personas.project, capacity=1)
    first, second, third = (InvitationFactory(meeting=meeting) for _ in range(3))

    assert (
        invitation_respond(invitation=first, action=RsvpAction.ACCEPT).response == Response.ACCEPTED
    )
    assert (
        invitation_respond(invitation=second, action=RsvpAction.ACCEPT).response
        == Response.WAITLISTED
    )
    assert (
        invitation_respond(invitation=third, action=RsvpAction.ACCEPT).response
        == Response.WAITLISTED
    )


def test_a_decline_offers_the_place_to_the_longest_waiting_person_by_email(personas):
    meeting = MeetingFactory(project=personas.project, capacity=1)
    first, second, third = (InvitationFactory(meeting=meeting) for _ in range(3))
    invitation_respond(invitation=first, action=RsvpAction.ACCEPT)
    invitation_respond(invitation=second, action=RsvpAction.ACCEPT)
    invitation_respond(invitation=third, action=RsvpAction.ACCEPT)

    invitation_respond(invitation=first, action=RsvpAction.DECLINE)

    second.refresh_from_db()
    third.refresh_from_db()
    assert second.response == Response.ACCEPTED
    assert third.response == Response.WAITLISTED
    assert [m.to for m in mail.outbox] == [[second.person.email]]
    assert mail.outbox[0].subject.startswith("A place came free")


def test_asking_for_support_keeps_the_answer_and_records_the_note(personas):
    invitation = InvitationFactory(meeting=MeetingFactory(project=personas.project))
    invitation_respond(invitation=invitation, action=RsvpAction.ACCEPT)
    invitation = invitation_respond(
        invitation=invitation, action=RsvpAction.SUPPORT, support_note="A lift"
    )
    assert invitation.response == Response.ACCEPTED
    assert invitation.needs_support and invitation.support_note == "A lift"


def test_answers_cannot_change_after_the_meeting(personas):
    meeting = MeetingFactory(
        project=personas.project,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
    )
    with pytest.raises(MeetingClosed):
        invitation_respond(invitation=InvitationFactory(meeting=meeting), action=RsvpAction.ACCEPT)


def test_reminders_go_48_and_2_hours_before_to_people_coming_once_each():
    meeting = MeetingFactory(starts_at=timezone.now() + timedelta(hours=47))
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    meeting.save()
    coming = InvitationFactory(meeting=meeting)
    invitation_respond(invitation=coming, action=RsvpAction.ACCEPT)
    not_coming = InvitationFactory(meeting=meeting)
    invitation_respond(invitation=not_coming, action=RsvpAction.DECLINE)

    assert meeting_reminders_due() == 1
    assert meeting_reminders_due() == 0
    assert [m.to for m in mail.outbox] == [[coming.person.email]]
    assert mail.outbox[0].subject.startswith("Reminder:")

    two_hours_before = meeting.starts_at - timedelta(hours=1, minutes=59)
    assert meeting_reminders_due(now=two_hours_before) == 1
    assert meeting_reminders_due(now=two_hours_before) == 0
    assert len(mail.outbox) == 2
    assert "today at" in mail.outbox[1].subject


def test_someone_who_accepts_an_hour_before_gets_one_reminder_not_two():
    meeting = MeetingFactory(starts_at=timezone.now() + timedelta(hours=1))
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    meeting.save()
    invitation_respond(invitation=InvitationFactory(meeting=meeting), action=RsvpAction.ACCEPT)
    assert meeting_reminders_due() == 1
    assert meeting_reminders_due() == 0
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_cancelled_meeting():
    meeting = MeetingFactory(starts_at=timezone.now() + timedelta(hours=1))
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    meeting.save()
    invitation_respond(invitation=InvitationFactory(meeting=meeting), action=RsvpAction.ACCEPT)
    meeting_cancel(meeting=meeting)
    mail.outbox.clear()
    assert meeting_reminders_due() == 0


def test_cancelling_twice_is_refused_and_sends_one_cancellation(personas):
    meeting = MeetingFactory(project=personas.project)
    meeting_invite(meeting=meeting, people=[PersonFactory()], invited_by=personas.staff)
    meeting_cancel(meeting=meeting)
    with pytest.raises(MeetingClosed):
        meeting_cancel(meeting=meeting)
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["You are invited", "Cancelled"]


def test_raising_the_capacity_gives_places_to_the_waiting_list(personas):
    meeting = MeetingFactory(project=personas.project, capacity=1)
    invitations = [InvitationFactory(meeting=meeting) for _ in range(3)]
    for invitation in invitations:
        invitation_respond(invitation=invitation, action=RsvpAction.ACCEPT)

    meeting_update(meeting=meeting, capacity=3)

    responses = set(Invitation.objects.filter(meeting=meeting).values_list("response", flat=True))
    assert responses == {Response.ACCEPTED}
    assert len([m for m in mail.outbox if m.subject.startswith("A place came free")]) == 2


def test_saving_a_meeting_unchanged_sends_nothing_even_with_seconds_in_its_times(personas):
    meeting = MeetingFactory(project=personas.project)
    meeting_invite(meeting=meeting, people=[PersonFactory()], invited_by=personas.staff)
    mail.outbox.clear()
    stored = type(meeting).objects.get(pk=meeting.pk)
    assert stored.starts_at.second == 0
    meeting_update(meeting=stored, starts_at=stored.starts_at, ends_at=stored.ends_at)
    assert mail.outbox == []


def test_attendance_keeps_the_group_as_it_was_on_the_day(personas):
    from decimal import Decimal

    from projects.services.meetings import attendance_record

    meeting = MeetingFactory(project=personas.project, past=True)
    person = PersonFactory(stakeholder_group="carer")
    attendance_record(
        meeting=meeting,
        person=person,
        status="attended",
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )
    person.stakeholder_group = "practitioner"
    person.save()
    attendance = attendance_record(
        meeting=meeting,
        person=person,
        status="attended",
        hours=Decimal("2.5"),
        recorded_by=personas.staff,
    )
    assert attendance.stakeholder_group == "carer"
    assert attendance.hours == Decimal("2.5")


# Withdrawn consent and erasure: nobody is contacted any more ---------------------------


def _withdraw(person) -> None:
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)


def _full_meeting_with_one_waiting(personas):
    """A meeting with one place, taken by `coming`, and `waiting` on the waiting list."""
    meeting = MeetingFactory(project=personas.project, capacity=1)
    coming, waiting = InvitationFactory(meeting=meeting), InvitationFactory(meeting=meeting)
    invitation_respond(invitation=coming, action=RsvpAction.ACCEPT)
    invitation_respond(invitation=waiting, action=RsvpAction.ACCEPT)
    return coming, waiting


def test_withdrawing_consent_gives_their_place_to_the_waiting_list(personas):
    coming, waiting = _full_meeting_with_one_waiting(personas)
    past = MeetingFactory(
        project=personas.project,
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    came = InvitationFactory(meeting=past, person=coming.person, response=Response.ACCEPTED)
    attendance = attendance_record(
        meeting=past,
        person=coming.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )

    _withdraw(coming.person)

    waiting.refresh_from_db()
    assert waiting.response == Response.ACCEPTED
    assert [(m.to, m.subject.split(":")[0]) for m in mail.outbox] == [
        ([waiting.person.email], "A place came free")
    ]
    coming.refresh_from_db()
    assert coming.response == Response.WITHDRAWN
    assert Invitation.objects.filter(meeting=coming.meeting).count() == 2
    came.refresh_from_db()
    assert came.response == Response.ACCEPTED
    assert Attendance.objects.get(pk=attendance.pk).status == AttendanceStatus.ATTENDED


def test_erasure_gives_their_place_to_the_waiting_list(personas):
    coming, waiting = _full_meeting_with_one_waiting(personas)

    person_erase(person=coming.person, erased_by=personas.staff)

    waiting.refresh_from_db()
    assert waiting.response == Response.ACCEPTED
    coming.refresh_from_db()
    assert coming.response == Response.WITHDRAWN


def test_emails_still_in_the_outbox_are_not_sent_after_consent_is_withdrawn(personas):
    invitation = InvitationFactory(meeting=MeetingFactory(project=personas.project))
    email = MeetingEmail.objects.create(
        invitation=invitation,
        kind=EmailKind.INVITATION,
        created_at=timezone.now() - timedelta(minutes=5),
    )

    _withdraw(invitation.person)

    meeting_emails_sweep()
    assert meeting_email_send(email_id=email.pk) is False
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.sent_at is None
    assert "withdrew their consent" in email.last_error


def test_no_reminder_goes_to_someone_who_withdrew_consent():
    meeting = MeetingFactory(starts_at=timezone.now() + timedelta(hours=47))
    invitation = InvitationFactory(meeting=meeting)
    invitation_respond(invitation=invitation, action=RsvpAction.ACCEPT)

    _withdraw(invitation.person)

    meeting_reminders_due()
    meeting_reminders_due(now=meeting.starts_at - timedelta(hours=1))
    assert mail.outbox == []


def test_no_update_or_cancellation_goes_to_someone_who_withdrew_consent(personas):
    meeting = MeetingFactory(project=personas.project)
    leaving, staying = PersonFactory.create_batch(2)
    meeting_invite(meeting=meeting, people=[leaving, staying], invited_by=personas.staff)
    mail.outbox.clear()

    _withdraw(leaving)
    meeting_update(
        meeting=meeting,
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
    )
    meeting_cancel(meeting=meeting)

    assert [m.to for m in mail.outbox] == [[staying.email], [staying.email]]


@pytest.mark.parametrize("kind", [EmailKind.INVITATION, EmailKind.CANCELLATION])
def test_an_email_is_not_sent_if_consent_no_longer_stands_when_it_goes(personas, kind):
    invitation = InvitationFactory(
        meeting=MeetingFactory(project=personas.project), response=Response.ACCEPTED
    )
    email = MeetingEmail.objects.create(invitation=invitation, kind=kind)
    # Changed behind the consent service's back: the sender must look for itself.
    Person.objects.filter(pk=invitation.person_id).update(involvement_consent_given=False)

    assert meeting_email_send(email_id=email.pk) is False
    assert mail.outbox == []
