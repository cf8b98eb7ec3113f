"""What decisions holds about a person, for their data export and their erasure
(the rules live in stakeholders.privacy; this app names its own records there)."""

from django.db.models import Q

from decisions.models import DecisionParticipant, Vote, VoteEmail
from stakeholders.models import Person, User
from stakeholders.privacy import personal_data_register


def _erase(person: Person, erased_by: User | None) -> None:
    """Votes and who took part in decisions keep their rows, so tallies and the
    power-sharing figures stay the same, but lose their link to the person."""
    Vote.objects.filter(person=person).update(person=None)
    DecisionParticipant.objects.filter(person=person).update(person=None)
    VoteEmail.objects.filter(person=person).delete()


def _has_taken_part(person: Person) -> bool:
    return (
        Vote.objects.filter(person=person).exists()
        or DecisionParticipant.objects.filter(person=person).exists()
    )


personal_data_register(
    exported={
        ("decisions.DecisionParticipant", "person"): "Decisions you took part in",
        # Your own vote is your data, even in a secret ballot: only you see it here.
        ("decisions.Vote", "person"): "Your votes",
        ("decisions.LadderAssessment", "assessed_by"): "How much say you told us people have "
        "in your projects",
        ("decisions.VoteEmail", "person"): "Emails telling you a vote had opened",
    },
    not_exported={
        ("decisions.Decision", "created_by"): "staff audit",
        ("decisions.HistoricalDecision", "created_by"): "staff audit",
        ("decisions.HistoricalDecision", "history_user"): "staff audit",
        ("decisions.Vote", "recorded_by"): "staff audit: who recorded a vote for someone",
    },
    erase=_erase,
    taken_part=_has_taken_part,
    hidden_from_staff={
        ("decisions.Vote", "person"): (
            Q(decision__anonymous_voting=True),
            "How the person voted in secret ballots: only they can see it, in their own "
            "download; the decision shows the totals.",
        ),
    },
)
