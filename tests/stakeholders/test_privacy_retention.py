"""Retention: unconfirmed sign-ups and equality answers without consent are not kept."""

from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from projects.models import AttendanceStatus
from projects.services.meetings import attendance_record
from stakeholders.models import (
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    EqualityMonitoring,
    Person,
    User,
)
from stakeholders.privacy import retention_apply
from stakeholders.services import consent_give, equality_answers_save
from stakeholders.tasks import apply_retention
from tests.factories.meetings import MeetingFactory
from tests.factories.people import ParticipantFactory
from tests.factories.roster import PersonFactory


def _signup(email: str, *, days_ago: int, verified: bool = False) -> User:
    """Someone who signed up `days_ago` days ago and did (or did not) confirm their email."""
    user = ParticipantFactory(email=email, date_joined=timezone.now() - timedelta(days=days_ago))
    EmailAddress.objects.filter(user=user).update(verified=verified)
    PersonFactory(
        user=user, created_by=user, email=email, full_name=f"Signed up {days_ago} days ago"
    )
    return user


def test_the_unconfirmed_signup_period_defaults_to_90_days():
    assert settings.COPROD_UNCONFIRMED_SIGNUP_DAYS == 90


def test_retention_runs_daily_from_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]

    assert entry["task"] == "stakeholders.tasks.apply_retention"
    assert entry["schedule"].hour == {3}


def test_a_signup_never_confirmed_after_90_days_is_deleted_with_its_person(db):
    user = _signup("stale@example.org", days_ago=91)

    result = retention_apply()

    assert result["unconfirmed_signups"] == 1
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Person.objects.filter(email="stale@example.org").exists()
    assert not ConsentRecord.objects.filter(person__email="stale@example.org").exists()


def test_a_recent_unconfirmed_signup_is_kept(db):
    _signup("recent@example.org", days_ago=89)

    retention_apply()

    assert User.objects.filter(email="recent@example.org").exists()


def test_a_confirmed_signup_is_kept_however_old(db):
    _signup("confirmed@example.org", days_ago=400, verified=True)

    retention_apply()

    assert User.objects.filter(email="confirmed@example.org").exists()
    assert Person.objects.filter(email="confirmed@example.org").exists()


def test_the_period_is_a_setting(db, settings):
    settings.COPROD_UNCONFIRMED_SIGNUP_DAYS = 10
    _signup("eleven@example.org", days_ago=11)

    retention_apply()

    assert not User.objects.filter(email="eleven@example.org").exists()


def test_staff_and_people_without_any_email_record_are_never_swept(db):
    old = timezone.now() - timedelta(days=500)
    staff = User.objects.create_user(
        "admin@example.org", password="x-long-password-1", role="staff", date_joined=old
    )
    participant = User.objects.create_user("noaddress@example.org", date_joined=old)

    retention_apply()

    assert User.objects.filter(pk__in=[staff.pk, participant.pk]).count() == 2


def test_a_person_who_took_part_loses_only_the_unconfirmed_login(personas):
    user = _signup("came@example.org", days_ago=120)
    attendance_record(
        meeting=MeetingFactory(project=personas.project, past=True),
        person=user.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )

    retention_apply()

    assert not User.objects.filter(email="came@example.org").exists()
    person = Person.objects.get(email="came@example.org")
    assert person.user is None
    assert person.attendances.count() == 1


def test_equality_answers_without_a_standing_consent_are_deleted(db):
    kept, orphaned = PersonFactory(), PersonFactory()
    for person in (kept, orphaned):
        consent_give(
            person=person,
            kind=ConsentKind.EQUALITY,
            method=ConsentMethod.ONLINE,
            recorded_by=None,
        )
        equality_answers_save(person=person, answers={"age_band": "50_64"})
    # As if a withdrawal had been recorded without the answers being deleted.
    ConsentRecord.objects.filter(person=orphaned, kind=ConsentKind.EQUALITY).update(
        withdrawn_at=timezone.now()
    )

    result = retention_apply()

    assert result["equality_answers"] == 1
    assert list(EqualityMonitoring.objects.values_list("person", flat=True)) == [kept.pk]


def test_the_beat_task_applies_retention_and_running_it_twice_changes_nothing_more(db):
    _signup("stale@example.org", days_ago=91)

    first = apply_retention.delay().get()
    second = apply_retention.delay().get()

    assert first == {"unconfirmed_signups": 1, "equality_answers": 0}
    assert second == {"unconfirmed_signups": 0, "equality_answers": 0}
