"""Keeping `PeopleCount`, how many people on the roster are not erased.

A person saved new or erased, or deleted, is recounted by the receivers below, wherever
that comes from (a service, the admin, a form). Writes in bulk send no signals
(`bulk_create`, the roster import), so the code doing them calls `people_recount`; so do
`seed_demo` and `manage.py kept_counts_recount`. Each recount counts the rows themselves,
so it also puts right anything a bulk write left out.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from stakeholders.models import PeopleCount, Person

KEPT_ROW = 1


def people_recount() -> int:
    """Count again the people not erased and keep the figure, which is returned.

    The kept row is locked first, so two transactions adding people recount one after the
    other, and the later one counts what the earlier one committed."""
    with transaction.atomic():
        PeopleCount.objects.select_for_update().get_or_create(pk=KEPT_ROW)
        count = Person.objects.filter(erased_at=None).count()
        PeopleCount.objects.filter(pk=KEPT_ROW).update(not_erased=count)
    return count


def people_counted() -> int | None:
    """The kept count of people not erased (one row read), or None if none is kept yet."""
    return PeopleCount.objects.filter(pk=KEPT_ROW).values_list("not_erased", flat=True).first()


@receiver(post_save, sender=Person, dispatch_uid="stakeholders_people_count_saved")
def _person_saved(sender, *, instance, created, update_fields=None, **kwargs) -> None:
    # person_erase saves the person with erased_at set; nothing ever clears it.
    erased = instance.erased_at is not None and (
        update_fields is None or "erased_at" in update_fields
    )
    if created or erased:
        people_recount()


# Whether people have been deleted in this thread whom no recount has counted yet.
_deleting = threading.local()


@receiver(pre_delete, sender=Person, dispatch_uid="stakeholders_people_count_deleting")
def _person_to_be_deleted(sender, **kwargs) -> None:
    _deleting.uncounted = True


@receiver(post_delete, sender=Person, dispatch_uid="stakeholders_people_count_deleted")
def _person_deleted(sender, **kwargs) -> None:
    """Django deletes all the people of one delete() call before it sends this signal for
    each of them, so the first recount after them has counted them all and the rest of
    its signals are let by: a bulk delete of thousands would otherwise count thousands of
    times."""
    if getattr(_deleting, "uncounted", True):
        _deleting.uncounted = False
        people_recount()
