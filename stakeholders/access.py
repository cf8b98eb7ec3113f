"""Who may reach a person's own records: the signed-in participant, and nobody else."""

from django.http import Http404, HttpRequest

from stakeholders.models import Person
from stakeholders.selectors import person_for_user

PARTICIPANTS_ONLY = "This page is for people taking part in projects."


def get_own_person(request: HttpRequest) -> Person:
    """The signed-in participant's own roster entry; nobody else's is ever reachable."""
    person = person_for_user(request.user)
    if person is None:
        raise Http404("You have no details with us yet.")
    return person
