"""The count of people not erased kept for the staff people directory
(stakeholders.people_count) always equals counting the people themselves, after every
operation that adds, erases or deletes someone."""

import csv
import io
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.services.memberships import person_add_assisted
from projects.services.roster_import import roster_file_read, roster_import_people
from stakeholders.models import PeopleCount, Person, StakeholderGroup
from stakeholders.people_count import people_counted, people_recount
from stakeholders.privacy import person_erase, unconfirmed_signups_delete
from stakeholders.services import person_create
from tests.factories.people import ParticipantFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def counted() -> int:
    return Person.objects.filter(erased_at=None).count()


def _imported(personas) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["full_name", "email", "consent"])
    writer.writeheader()
    for number in range(3):
        writer.writerow(
            {"full_name": f"Imp {number}", "email": f"imp{number}@example.org", "consent": "paper"}
        )
    roster_import_people(
        roster_file=roster_file_read(out.getvalue().encode()),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=False,
    )


def _unconfirmed_signup(personas) -> None:
    user = ParticipantFactory(date_joined=timezone.now() - timedelta(days=400))
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": False, "primary": True}
    )
    PersonFactory(user=user, created_by=user)


def _unconfirmed_signup_deleted(personas) -> None:
    assert unconfirmed_signups_delete() == 1


_DOOMED = Person.objects.filter(full_name__startswith="Doomed")


def _deleted_then_more_added(personas) -> None:
    PersonFactory(full_name="Doomed 1")
    _DOOMED.delete()
    PersonFactory(full_name="Doomed 2")
    PersonFactory(full_name="Doomed 3")


def _deleted_again_by_the_same_queryset(personas) -> None:
    _DOOMED.delete()


OPERATIONS = {
    "added by the service": lambda p: person_create(
        created_by=p.staff, full_name="Sam New", email="sam@example.org"
    ),
    "added by staff by hand": lambda p: person_add_assisted(
        staff=p.staff,
        project=p.project,
        person_fields={"full_name": "Ann Assisted", "email": "ann@example.org"},
        skills=[],
        consent_method="paper",
        equality_consent=False,
        equality_answers={},
    ),
    # What a form (the admin) does: save a new person.
    "saved new": lambda p: PersonFactory(stakeholder_group=StakeholderGroup.CARER),
    "erased": lambda p: person_erase(person=p.participant.person, erased_by=p.staff),
    "deleted": lambda p: Person.objects.get(pk=p.other_participant.person.pk).delete(),
    "deleted in bulk": lambda p: Person.objects.filter(user__isnull=False).delete(),
    "roster imported": _imported,
}
# Operations that undo what a first step did, each as (first step, operation).
UNDOING = {
    "unconfirmed sign-up deleted": (_unconfirmed_signup, _unconfirmed_signup_deleted),
    "deleted again by the same queryset": (
        _deleted_then_more_added,
        _deleted_again_by_the_same_queryset,
    ),
}


@pytest.mark.parametrize(
    ("first", "operation"),
    [(None, operation) for operation in OPERATIONS.values()] + list(UNDOING.values()),
    ids=[*OPERATIONS.keys(), *UNDOING.keys()],
)
def test_the_kept_count_of_people_equals_the_people_after_each_operation(
    personas, first, operation
):
    if first is not None:
        first(personas)
    before = counted()
    assert people_counted() == before

    operation(personas)

    assert counted() != before, "the operation should change how many people there are"
    assert people_counted() == counted()


def test_a_bulk_delete_counts_the_people_once_not_once_a_person(personas):
    for number in range(5):
        PersonFactory(full_name=f"Bulk {number}")

    with CaptureQueriesContext(connection) as queries:
        Person.objects.filter(full_name__startswith="Bulk").delete()

    recounts = [
        q["sql"] for q in queries if 'COUNT(*) AS "__count" FROM "stakeholders_person"' in q["sql"]
    ]
    assert len(recounts) == 1
    assert people_counted() == counted()


def test_recounting_puts_right_people_added_in_bulk(personas):
    Person.objects.bulk_create([Person(full_name=f"Bulk {n}") for n in range(3)])
    assert people_counted() != counted()

    assert people_recount() == counted()

    assert people_counted() == counted()


def test_the_command_recounts_the_people(personas):
    PeopleCount.objects.all().delete()
    assert people_counted() is None

    call_command("kept_counts_recount", stdout=io.StringIO())

    assert people_counted() == counted()
