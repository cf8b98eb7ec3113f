import uuid
from collections.abc import Iterable

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from projects.models import Membership, MembershipStatus, Project, ProjectInvitation
from stakeholders.models import AccessNeed, Person, Skill

FINDER_LIMIT = 50


# A crafted form cannot make one invitation request arbitrarily large.
MAX_CHOSEN = 200


PHONE_LIST_LIMIT = 100


COMMITTED = [MembershipStatus.ACTIVE, MembershipStatus.INTERESTED]


def pool_matches(
    *,
    project: Project,
    groups: Iterable[str] = (),
    skills: Iterable[Skill] = (),
    availability: Iterable[str] = (),
    supported_access: Iterable[str] = (),
    limit: int = FINDER_LIMIT,
) -> list[Person]:
    """Pool members who fit every chosen option, fewest current commitments first.

    Choosing no access support means "do not filter by access"; choosing some leaves out
    people who need support that was not chosen.

    Each person carries `commitments` (projects they are interested in or active in),
    `already_invited`, `invitation_answer` (blank until they answer) and `already_member`
    (of this project), and their skills prefetched,
    so the finder page runs the same number of queries however many people match.
    """
    people = Person.objects.in_pool()
    groups, skills, availability = list(groups), list(skills), list(availability)
    if groups:
        people = people.filter(stakeholder_group__in=groups)
    if skills:
        people = people.filter(
            Exists(Person.skills.through.objects.filter(person_id=OuterRef("pk"), skill__in=skills))
        )
    if availability:
        free_at_a_chosen_time = Q()
        for time in availability:
            free_at_a_chosen_time |= Q(**{time: True})
        people = people.filter(free_at_a_chosen_time)
    supported = set(supported_access)
    if supported:
        people = people.filter(
            **{need.value: False for need in AccessNeed if need not in supported}
        )

    commitments = (
        Membership.objects.filter(person=OuterRef("pk"), status__in=COMMITTED)
        .order_by()
        .values("person")
        .annotate(count=Count("pk"))
        .values("count")
    )
    invited = ProjectInvitation.objects.filter(project=project, person=OuterRef("pk"))
    people = people.annotate(
        commitments=Coalesce(Subquery(commitments, output_field=IntegerField()), 0),
        already_invited=Exists(invited),
        invitation_answer=Subquery(invited.values("answer")[:1]),
        already_member=Exists(
            Membership.objects.filter(project=project, person=OuterRef("pk"), status__in=COMMITTED)
        ),
    )
    return list(
        people.prefetch_related("skills").order_by("commitments", "full_name", "pk")[:limit]
    )


def people_chosen(values: Iterable[str]) -> QuerySet[Person]:
    """The people whose public ids were ticked; values that are not ids are ignored."""
    public_ids = set()
    for value in list(values)[:MAX_CHOSEN]:
        try:
            public_ids.add(uuid.UUID(value))
        except ValueError:
            continue
    return Person.objects.filter(public_id__in=public_ids, erased_at=None)


def invitations_to_phone(*, project: Project) -> list[ProjectInvitation]:
    """Invitations that reached nobody: the person has no email address and no text went,
    the provider refused the text, or a delivery receipt says it never arrived; leaving out
    anyone who may no longer be contacted or who has answered already."""
    return list(
        ProjectInvitation.objects.filter(
            Q(person__email="", provider_id="")
            | Q(failed_at__isnull=False)
            | Q(bounced_at__isnull=False),
            project=project,
            withdrawn_at=None,
            answer="",
            person__involvement_consent_given=True,
            person__erased_at=None,
        )
        .select_related("person")
        .order_by("person__full_name")[:PHONE_LIST_LIMIT]
    )
