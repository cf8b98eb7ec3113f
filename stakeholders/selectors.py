"""Reads about people for pages; each runs a fixed number of queries whatever the size."""

from stakeholders.models import ConsentRecord, Person, SigninLink


def person_for_user(user) -> Person | None:
    # No prefetch of skills: for one person it is one query either way, and /me/ and most
    # pages that call this never show them.
    return Person.objects.filter(user=user).first()


def standing_consents(person: Person) -> dict[str, ConsentRecord]:
    """The person's consents that stand, by kind, with when each was given: all any page
    shows of them."""
    records = ConsentRecord.objects.filter(person=person, withdrawn_at=None).only(
        "kind", "given_at"
    )
    return {record.kind: record for record in records}


def signin_link_latest(person: Person) -> SigninLink | None:
    """The last sign-in link sent to (or owed to) someone, for their page: when, how, and
    whether it failed."""
    return SigninLink.objects.filter(person=person).select_related("sent_by").first()
