"""The roster import's fast saving writes what Django's bulk_create and simple_history's
bulk_create_with_history wrote (a history row per person added, the same values), and a
person someone else adds while a file is being imported is still caught, not duplicated."""

from projects.models import Membership
from projects.services import roster_import
from projects.services.roster_import import ADDED_MEANWHILE, RosterImport
from stakeholders.models import ConsentMethod, ConsentRecord, Person
from tests.projects.test_import_jobs import csv_bytes, people, run


def test_each_person_added_has_one_history_row_with_the_values_saved(personas):
    outcome = run(personas, csv_bytes(people(4)), dry_run=False)

    assert outcome.errors == []
    added = Person.objects.filter(email__in=[f"p{n}@example.org" for n in range(4)])
    assert added.count() == 4
    for person in added:
        (history,) = Person.history.filter(id=person.pk)
        assert (history.history_type, history.history_user, history.history_change_reason) == (
            "+",
            personas.staff,
            None,
        )
        for model_field in Person._meta.concrete_fields:
            name = model_field.attname
            assert getattr(history, name) == getattr(person, name), name
    # What the file said, as stored: a phone number as one format, yes or no, a group.
    fourth = added.get(email="p1@example.org")
    assert (fourth.phone.as_e164, fourth.needs_bsl, fourth.free_weekends, fourth.in_pool) == (
        "+447400100001",
        True,
        True,
        True,
    )
    assert (fourth.stakeholder_group, fourth.created_by, fourth.involvement_consent_given) == (
        "carer",
        personas.staff,
        True,
    )
    assert fourth.public_id != added.get(email="p0@example.org").public_id
    consent = ConsentRecord.objects.get(person=fourth)
    assert (consent.method, consent.recorded_by, consent.withdrawn_at) == (
        ConsentMethod.PAPER,
        personas.staff,
        None,
    )
    assert sorted(fourth.skills.values_list("name", flat=True)) == ["Art", "Gardening"]


def test_someone_added_while_the_file_is_imported_is_reported_and_nothing_is_saved(
    personas, monkeypatch
):
    # Added after the chunk's roster lookup and before its save, as another staff member's
    # form might: the database's unique email refuses the file's row for them.
    look_up = RosterImport._look_up

    def look_up_then_someone_is_added(self, records):
        look_up(self, records)
        Person.objects.create(full_name="Added Meanwhile", email="p2@example.org")

    monkeypatch.setattr(RosterImport, "_look_up", look_up_then_someone_is_added)
    monkeypatch.setattr(roster_import, "CHUNK_ROWS", 10)
    before = (Person.objects.count(), Membership.objects.count(), ConsentRecord.objects.count())

    outcome = run(personas, csv_bytes(people(4)), dry_run=False)

    assert [str(error) for error in outcome.errors] == [f"Row 4: {ADDED_MEANWHILE}"]
    assert (
        Person.objects.count(),
        Membership.objects.count(),
        ConsentRecord.objects.count(),
    ) == before
    assert not Person.history.filter(email="p0@example.org").exists()
