"""Reminders to answer a round go by each person's own channel when it opens and once more
3 days before it closes, each once, only to people who may be contacted and have not
answered."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from evidence import services_measures
from evidence.models import MeasureReminder, RoundKind
from evidence.services_measures import measure_answers_save, measure_reminder_send
from stakeholders.models import ConsentKind, ContactMethod
from stakeholders.services import consent_withdraw
from tests.factories.measures import MeasureRoundFactory, ProjectMeasureFactory, ons4

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(personas):
    today = timezone.localdate()
    return MeasureRoundFactory(
        project_measure=ProjectMeasureFactory(project=personas.project, measure=ons4()),
        kind=RoundKind.BASELINE,
        name="Baseline",
        opens_on=today,
        closes_on=today + timedelta(days=14),
    )


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """The daily task's work for `today`, with the reminders it queues sent."""

    def run(today=None):
        with django_capture_on_commit_callbacks(execute=True):
            services_measures.measure_reminders_due(today=today)

    return run


def _sent_to() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def test_each_member_is_emailed_once_when_the_round_opens(personas, open_round, remind):
    remind()
    remind()

    assert _sent_to() == ["other.participant@example.org", "participant@example.org"]
    assert "Questions about how you are (Crisis support)" in mail.outbox[0].subject
    assert f"/me/measures/{open_round.pk}/" in mail.outbox[0].body
    assert MeasureReminder.objects.filter(sent_at__isnull=False, which="opened").count() == 2


def test_a_reminder_goes_again_3_days_before_closing(personas, open_round, remind):
    remind()
    mail.outbox.clear()

    remind(today=open_round.closes_on - timedelta(days=4))
    assert mail.outbox == []
    remind(today=open_round.closes_on - timedelta(days=3))
    remind(today=open_round.closes_on - timedelta(days=2))

    assert _sent_to() == ["other.participant@example.org", "participant@example.org"]
    assert mail.outbox[0].subject.startswith("Last few days")


def test_people_who_answered_withdrew_or_were_erased_are_not_reminded(personas, open_round, remind):
    measure_answers_save(
        measure_round=open_round,
        person=personas.participant.person,
        values={q.pk: 5 for q in open_round.project_measure.measure.questions.all()},
        recorded_by=None,
    )
    other = personas.other_participant.person
    consent_withdraw(person=other, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)

    remind()

    assert mail.outbox == []


def test_someone_who_withdrew_measures_consent_is_not_reminded(personas, open_round, remind):
    person = personas.participant.person
    measure_answers_save(
        measure_round=open_round,
        person=person,
        values={q.pk: 5 for q in open_round.project_measure.measure.questions.all()},
        recorded_by=None,
    )
    consent_withdraw(person=person, kind=ConsentKind.MEASURES, withdrawn_by=None)

    remind()

    assert _sent_to() == ["other.participant@example.org"]


def test_someone_who_asked_for_texts_gets_a_text(personas, open_round, remind, text_outbox):
    person = personas.participant.person
    person.phone = "+447700900982"
    person.preferred_contact = ContactMethod.TEXT
    person.save()

    remind()

    assert _sent_to() == ["other.participant@example.org"]
    [text] = text_outbox
    assert text["to"] == "+447700900982"
    assert text["body"].startswith("Crisis support: we have questions about how you are")
    assert MeasureReminder.objects.get(person=person).channel == "text"


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(personas, open_round, remind):
    reminder = MeasureReminder.objects.create(
        round=open_round, person=personas.participant.person, which="opened"
    )
    MeasureReminder.objects.filter(pk=reminder.pk).update(claimed_at=timezone.now())

    assert measure_reminder_send(reminder_id=reminder.pk) is False
    assert mail.outbox == []


def test_sending_the_same_reminder_twice_sends_it_once(personas, open_round, remind):
    reminder = MeasureReminder.objects.create(
        round=open_round, person=personas.participant.person, which="opened"
    )

    assert measure_reminder_send(reminder_id=reminder.pk) is True
    assert measure_reminder_send(reminder_id=reminder.pk) is False
    assert len(mail.outbox) == 1


def test_a_reminder_for_a_round_answered_since_is_given_up(personas, open_round, remind):
    person = personas.participant.person
    reminder = MeasureReminder.objects.create(round=open_round, person=person, which="opened")
    measure_answers_save(
        measure_round=open_round,
        person=person,
        values={q.pk: 5 for q in open_round.project_measure.measure.questions.all()},
        recorded_by=None,
    )

    assert measure_reminder_send(reminder_id=reminder.pk) is False

    reminder.refresh_from_db()
    assert reminder.failed_at is not None and mail.outbox == []


def test_nobody_without_standing_consent_or_with_erased_details_is_reminded(
    personas, open_round, remind
):
    # Both are still listed as taking part, as someone mid-way through leaving would be.
    Person = type(personas.participant.person)
    Person.objects.filter(pk=personas.participant.person.pk).update(erased_at=timezone.now())
    Person.objects.filter(pk=personas.other_participant.person.pk).update(
        involvement_consent_given=False
    )

    remind()

    assert mail.outbox == []
    assert not MeasureReminder.objects.exists()
