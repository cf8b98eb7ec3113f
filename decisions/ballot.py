"""Signed links from the "voting is open" email, that let one member vote on one decision
without logging in."""

from dataclasses import dataclass

from django.core import signing

from decisions.models import Decision
from stakeholders.models import Person

SALT = "coprod.ballot"


class BadToken(Exception):
    """The link was changed, cut short or made up."""


@dataclass(frozen=True)
class Ballot:
    decision_id: str
    person_id: str


def ballot_token(decision: Decision, person: Person) -> str:
    return signing.dumps(
        {"d": str(decision.public_id), "p": str(person.public_id)}, salt=SALT, compress=True
    )


def ballot_read(token: str) -> Ballot:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        raise BadToken
    if not isinstance(data.get("p"), str):
        raise BadToken
    return Ballot(decision_id=data["d"], person_id=data["p"])
