"""Consent records: who, when, how, and the exact wording agreed (kept and hashed)."""

import hashlib

import pytest

from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import ConsentKind, ConsentMethod, ConsentRecord, ConsentWording
from stakeholders.services import consent_give, consent_withdraw, equality_answers_save
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def test_giving_consent_twice_keeps_one_standing_record():
    person = PersonFactory(consented=False)
    first = consent_give(
        person=person, kind=ConsentKind.INVOLVEMENT, method="online", recorded_by=None
    )
    second = consent_give(
        person=person, kind=ConsentKind.INVOLVEMENT, method="paper", recorded_by=None
    )
    assert first == second
    assert ConsentRecord.objects.filter(person=person).count() == 1
    person.refresh_from_db()
    assert person.involvement_consent_given


def test_each_record_keeps_the_wording_and_its_hash(monkeypatch):
    person = PersonFactory(consented=False)
    consent_give(person=person, kind=ConsentKind.INVOLVEMENT, method="online", recorded_by=None)
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)

    monkeypatch.setitem(CONSENT_TEXTS, ConsentKind.INVOLVEMENT, ("2027-01", "New words."))
    consent_give(
        person=person, kind=ConsentKind.INVOLVEMENT, method=ConsentMethod.PHONE, recorded_by=None
    )

    old, new = ConsentRecord.objects.filter(person=person).order_by("given_at", "pk")
    assert old.wording.version == "2026-11" and old.withdrawn_at is not None
    assert new.wording.text == "New words." and new.withdrawn_at is None
    assert new.wording.sha256 == hashlib.sha256(b"New words.").hexdigest()
    assert ConsentWording.objects.count() == 2


def test_equality_answers_are_not_kept_without_equality_consent():
    person = PersonFactory()
    assert equality_answers_save(person=person, answers={"age_band": "25_34"}) is None
    assert not hasattr(person, "equality")


def test_withdrawing_consent_that_was_never_given_changes_nothing():
    person = PersonFactory()
    assert consent_withdraw(person=person, kind=ConsentKind.EQUALITY, withdrawn_by=None) is False
    person.refresh_from_db()
    assert person.involvement_consent_given
