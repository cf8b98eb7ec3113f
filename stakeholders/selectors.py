"""Reads about people for pages; each runs a fixed number of queries whatever the size."""

from stakeholders.models import AccessNeed, Availability, ConsentRecord, Person, SigninLink


def person_for_user(user) -> Person | None:
    # No prefetch of skills: for one person it is one query either way, and /me/ and most
    # pages that call this never show them.
    return Person.objects.filter(user=user).first()


# What /me/ shows of the person, and what its prompts ask of them: not their address, nor
# anything about how they are paid.
MY_PAGE_PERSON_FIELDS = (
    "public_id",
    "full_name",
    "preferred_name",
    "email",
    "phone",
    "preferred_contact",
    *AccessNeed.values,
    *Availability.values,
    "in_pool",
    "involvement_consent_given",
    "erased_at",
)


def person_for_my_page(user) -> Person | None:
    return Person.objects.filter(user=user).only(*MY_PAGE_PERSON_FIELDS).first()


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
