"""Keeping PersonEarnings: the most each person's fees count for in any one tax year.

Every fee saved or deleted has its person's figure worked out again, from all their fees,
by the receivers in projects.signals, wherever the write comes from (a service, the admin,
the demo data). Writes that send no signal call `earnings_recount` themselves: moving a
meeting (its fees' activity day) and the large demo's bulk inserts (`earnings_recount_all`).
Undoing a payment run sends none either, but a fee counts the same paid or approved.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from projects.models import PersonEarnings
from projects.selectors.fee_benefits import most_earned_in_a_tax_year

ZERO = Decimal("0.00")

# The fields of a fee that what it counts for, or the tax year it counts in, depend on.
COUNTED_FIELDS = frozenset(
    {
        "amount",
        "choice",
        "kind",
        "meeting_starts_at",
        "offered_on",
        "owed_since",
        "person",
        "person_id",
        "reverses",
        "reverses_id",
        "status",
    }
)


def earnings_recount(*, person_ids: Iterable[int]) -> None:
    """Work out these people's kept figures again from their fees."""
    person_ids = sorted(set(person_ids))
    if not person_ids:
        return
    with transaction.atomic():
        # Each person's row is made if it is missing, and locked: a second recount for them
        # waits here until the first has committed, and then reads the fees the first saved
        # (otherwise the later write could keep a figure that misses them). Only recounts
        # lock these rows, always in the order of the people's ids, so a recount never
        # waits for a lock that other writes to a person or their fees hold.
        PersonEarnings.objects.bulk_create(
            [PersonEarnings(person_id=pk, most_in_a_tax_year=ZERO) for pk in person_ids],
            ignore_conflicts=True,
        )
        locked = PersonEarnings.objects.select_for_update().filter(person_id__in=person_ids)
        list(locked.order_by("person_id").values_list("pk"))
        most = most_earned_in_a_tax_year(person_ids)
        PersonEarnings.objects.bulk_create(
            [
                PersonEarnings(person_id=pk, most_in_a_tax_year=most.get(pk, ZERO))
                for pk in person_ids
            ],
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=["most_in_a_tax_year"],
        )


def earnings_recount_all() -> None:
    """Every person's figure from every fee: after bulk inserts that send no signals."""
    with transaction.atomic():
        most = most_earned_in_a_tax_year()
        PersonEarnings.objects.all().delete()
        PersonEarnings.objects.bulk_create(
            [
                PersonEarnings(person_id=pk, most_in_a_tax_year=earned)
                for pk, earned in most.items()
            ],
            batch_size=1000,
        )
