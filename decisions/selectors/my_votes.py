"""Reads for a participant's own votes (/me/decisions): the decisions open to them and the
results of those they voted on, with their own vote and nobody else's."""

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from decisions.models import (
    Decision,
    Vote,
    VotePreference,
)
from projects.models import MembershipStatus, Project
from stakeholders.models import Person

MY_VOTES_PER_PAGE = 25
MY_RESULTS_LIMIT = 10


def _with_own_choice(decisions: QuerySet[Decision], person: Person) -> QuerySet[Decision]:
    """Each decision with this person's own vote as `own_choice`, and nobody else's."""
    own = Vote.objects.filter(decision=OuterRef("pk"), person=person).values("choice")[:1]
    return decisions.annotate(own_choice=Subquery(own)).select_related("project")


def active_projects_of(person: Person) -> QuerySet[Project]:
    return Project.objects.filter(
        memberships__person=person, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")


def with_own_vote(decisions: QuerySet[Decision], person: Person) -> QuerySet[Decision]:
    """Each decision with its options, and this person's own vote (in `own_votes`, a list
    of none or one) with what it chose, and nobody else's."""
    own = Vote.objects.filter(person=person).prefetch_related(
        Prefetch("preferences", queryset=VotePreference.objects.select_related("option"))
    )
    return decisions.prefetch_related(
        "option_rows", Prefetch("votes", queryset=own, to_attr="own_votes")
    )


def open_votes_page(person: Person, *, page_number) -> Page:
    """Decisions open for voting in the projects not archived where this person is an active
    member."""
    decisions = Decision.objects.filter(
        voting_open=True, project__in=active_projects_of(person).current().values("pk")
    ).order_by("-decided_on", "-pk")
    decisions = with_own_vote(_with_own_choice(decisions, person), person)
    return Paginator(decisions, MY_VOTES_PER_PAGE).get_page(page_number)


def assisted_voter_choices(decision: Decision) -> QuerySet[Person]:
    """Whom staff may record a vote for: the project's active members who agreed to be
    involved, whether or not they have an email address."""
    return Person.objects.filter(
        memberships__project_id=decision.project_id,
        memberships__status=MembershipStatus.ACTIVE,
        involvement_consent_given=True,
        erased_at=None,
    ).order_by("full_name", "pk")


def closed_votes_of(person: Person, *, limit: int = MY_RESULTS_LIMIT) -> list[Decision]:
    """The latest decisions this person voted on whose voting has closed, with the outcome."""
    decisions = (
        Decision.objects.filter(votes__person=person, voting_open=False)
        .exclude(closed_at=None)
        .order_by("-closed_at", "-pk")
    )
    return list(with_own_vote(_with_own_choice(decisions, person), person)[:limit])
