"""Daily reminders: the staff digest of payments waiting too long, and the friendly note
that people who came to a meeting can claim expenses. Each goes once, never twice."""

from datetime import timedelta
from decimal import Decimal
from smtplib import SMTPException

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from projects.models import ClaimStatus, ExpenseClaim, Payment, PaymentStatus, ReminderSent
from projects.services.meetings import attendance_record
from projects.services.payments import claim_reminders_send, payment_digest_send, payment_policy_for
from projects.tasks import send_claim_reminders, send_payment_digest
from stakeholders.models import ConsentKind
from stakeholders.services import consent_withdraw
from tests.factories.meetings import MeetingFactory
from tests.factories.people import StaffFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def waiting_fee(person, project, *, days: int, activity: str, status=PaymentStatus.OWED):
    return Payment.objects.create(
        person=person,
        project=project,
        activity=activity,
        amount=Decimal("25.00"),
        status=status,
        owed_since=timezone.now() - timedelta(days=days),
    )


def waiting_claim(person, project, *, days: int, amount="6.40", status=ClaimStatus.SUBMITTED):
    return ExpenseClaim.objects.create(
        person=person,
        project=project,
        spent_on=timezone.localdate() - timedelta(days=days),
        category="mileage",
        miles=Decimal("10"),
        amount=Decimal(amount),
        status=status,
        submitted_at=timezone.now() - timedelta(days=days),
    )


# The staff digest ---------------------------------------------------------------------


def test_payment_digest_lists_what_waits_too_long_oldest_first_to_active_staff(personas):
    StaffFactory(email="left@example.org", is_active=False)
    person = personas.participant.person
    waiting_fee(person, personas.project, days=20, activity="Newer session")
    waiting_fee(person, personas.project, days=40, activity="Oldest session")
    waiting_fee(person, personas.project, days=3, activity="Recent session")
    waiting_fee(
        person, personas.project, days=60, activity="Paid already", status=PaymentStatus.DECLINED
    )
    waiting_claim(person, personas.project, days=30, amount="6.40")
    waiting_claim(person, personas.project, days=30, amount="9.99", status=ClaimStatus.REJECTED)

    assert payment_digest_send() is True

    [message] = mail.outbox
    assert message.to == ["staff@example.org"]
    assert message.subject == "3 payments waiting more than 14 days"
    assert message.body.index("Oldest session") < message.body.index("Newer session")
    assert "Recent session" not in message.body and "Paid already" not in message.body
    assert "£6.40 to Pat Participant for mileage" in message.body
    assert "£9.99" not in message.body
    html = message.alternatives[0].content
    assert "Oldest session" in html and "/dashboard/" in html


def test_payment_digest_is_sent_once_a_day(personas):
    waiting_fee(personas.participant.person, personas.project, days=20, activity="Workshop")

    assert payment_digest_send() is True
    assert payment_digest_send() is False
    send_payment_digest.delay()

    assert len(mail.outbox) == 1
    assert ReminderSent.objects.filter(key__startswith="payment-digest:").count() == 1
    assert payment_digest_send(now=timezone.now() + timedelta(days=1)) is True
    assert len(mail.outbox) == 2


def test_payment_digest_is_not_sent_when_nothing_is_overdue(personas):
    waiting_fee(personas.participant.person, personas.project, days=13, activity="Workshop")
    waiting_claim(personas.participant.person, personas.project, days=2)

    assert payment_digest_send() is False

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_payment_digest_waits_for_the_days_in_the_setting(personas, settings):
    settings.COPROD_PAYMENT_OVERDUE_DAYS = 2
    waiting_claim(personas.participant.person, personas.project, days=3)

    assert payment_digest_send() is True
    assert mail.outbox[0].subject == "1 payment waiting more than 2 days"


def test_payment_digest_that_fails_to_send_is_sent_on_the_retry(personas, monkeypatch):
    waiting_fee(personas.participant.person, personas.project, days=20, activity="Workshop")

    def broken(*args, **kwargs):
        raise SMTPException("the mail server is down")

    monkeypatch.setattr("projects.services.payments.send_email", broken)
    with pytest.raises(SMTPException):
        payment_digest_send()
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()

    assert payment_digest_send() is True
    assert len(mail.outbox) == 1


# The claim reminder -------------------------------------------------------------------


@pytest.fixture
def held_meeting(personas):
    """A meeting four days ago that the participant came to."""
    meeting = MeetingFactory(
        project=personas.project,
        title="Menu tasting",
        starts_at=timezone.now() - timedelta(days=4),
    )
    attend(meeting, personas.participant.person, personas.staff)
    return meeting


def attend(meeting, person, staff, status="attended"):
    attendance_record(
        meeting=meeting, person=person, status=status, hours=Decimal("2"), recorded_by=staff
    )


def test_claim_reminder_is_sent_once_per_person_per_meeting_even_when_run_twice(
    personas, held_meeting
):
    assert claim_reminders_send() == 1
    assert claim_reminders_send() == 0
    send_claim_reminders.delay()

    [message] = mail.outbox
    person = personas.participant.person
    assert message.to == [person.email]
    assert message.subject == "You can claim expenses for Menu tasting"
    claim_url = f"{django_settings.COPROD_BASE_URL}/me/claims/new/?meeting={held_meeting.public_id}"
    assert claim_url in message.body
    assert "travel (fares), mileage at £0.45 a mile, carer or childcare costs" in message.body
    assert ReminderSent.objects.filter(
        key=f"claim-reminder:{held_meeting.public_id}:{person.public_id}"
    ).exists()


def test_claim_reminder_goes_to_each_person_who_came_to_each_meeting(personas, held_meeting):
    attend(held_meeting, personas.other_participant.person, personas.staff)
    attend(held_meeting, PersonFactory(email="noshow@example.org"), personas.staff, "no_show")
    second = MeetingFactory(project=personas.project, starts_at=timezone.now() - timedelta(days=5))
    attend(second, personas.participant.person, personas.staff)

    assert claim_reminders_send() == 3

    assert sorted(message.to[0] for message in mail.outbox) == [
        "other.participant@example.org",
        "participant@example.org",
        "participant@example.org",
    ]


def test_claim_reminder_is_not_sent_to_someone_who_already_claimed(personas, held_meeting):
    ExpenseClaim.objects.create(
        person=personas.participant.person,
        project=personas.project,
        meeting=held_meeting,
        spent_on=timezone.localdate(),
        category="travel",
        amount=Decimal("3.00"),
    )

    assert claim_reminders_send() == 0
    assert mail.outbox == []


def test_claim_reminder_is_not_sent_to_someone_without_an_email(personas, held_meeting):
    phone_only = PersonFactory(email="", phone="+447700900123")
    attend(held_meeting, phone_only, personas.staff)
    person = personas.participant.person
    person.email = ""
    person.save()

    assert claim_reminders_send() == 0
    assert mail.outbox == []


def test_claim_reminder_is_not_sent_to_someone_who_withdrew_consent(personas, held_meeting):
    consent_withdraw(
        person=personas.participant.person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None
    )

    assert claim_reminders_send() == 0
    assert mail.outbox == []


def test_claim_reminder_waits_a_few_days_and_skips_old_meetings(personas):
    yesterday = MeetingFactory(
        project=personas.project, starts_at=timezone.now() - timedelta(days=1)
    )
    long_ago = MeetingFactory(
        project=personas.project, starts_at=timezone.now() - timedelta(days=31)
    )
    for meeting in (yesterday, long_ago):
        attend(meeting, personas.participant.person, personas.staff)

    assert claim_reminders_send() == 0
    assert claim_reminders_send(now=timezone.now() + timedelta(days=3)) == 1
    assert ReminderSent.objects.get().key.startswith(f"claim-reminder:{yesterday.public_id}:")


def test_claim_reminder_is_not_sent_when_the_project_pays_no_expenses(personas, held_meeting):
    policy = payment_policy_for(personas.project)
    policy.covers_travel = policy.covers_mileage = policy.covers_care = False
    policy.save()

    assert claim_reminders_send() == 0
    assert mail.outbox == []


def test_claim_reminder_without_a_login_says_who_to_contact(personas, held_meeting):
    personas.project.contact_name = "Sam Carter"
    personas.project.contact_phone = "01632 960000"
    personas.project.save()
    no_login = PersonFactory(email="paper@example.org")
    attend(held_meeting, no_login, personas.staff)

    claim_reminders_send()

    [message] = [message for message in mail.outbox if message.to == ["paper@example.org"]]
    assert "contact Sam Carter by phone on 01632 960000" in message.body
    assert "/me/claims/new/" not in message.body


def test_payment_reminders_run_daily_from_celery_beat():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    for task in (
        "projects.tasks.send_payment_digest",
        "projects.tasks.send_claim_reminders",
    ):
        once_a_day = tasks[task]
        assert len(once_a_day.hour) == 1 and len(once_a_day.minute) == 1
        assert len(once_a_day.day_of_week) == 7 and len(once_a_day.day_of_month) == 31
