import uuid
from collections import Counter

from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import (
    CharField,
    Count,
    F,
    Func,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce

from coprod.core import prepared
from coprod.core.suppression import suppress_small
from projects.models import (
    CoverageTarget,
    Membership,
    MembershipStatus,
    Project,
    ProjectGroupCount,
    Stage,
)
from stakeholders.models import (
    AccessNeed,
    AgeBand,
    Availability,
    EqualityMonitoring,
    Ethnicity,
    Gender,
    Person,
    StakeholderGroup,
    YesNoPreferNot,
)

ROSTER_PER_PAGE = 25


# What a roster row shows of a person: the rest (bank details among them) is not read.
ROSTER_PERSON_FIELDS = (
    "public_id",
    "full_name",
    "stakeholder_group",
    "involvement_consent_given",
    *AccessNeed.values,
    *Availability.values,
)


# What a roster row shows of a membership.
ROSTER_MEMBERSHIP_FIELDS = ("person_id", "status", "interested_at", "active_at", "left_at")


def _person_column(field: str) -> str:
    return f'"_person"."{Person._meta.get_field(field).column}"'


class _OfPerson(Func):
    """A subquery reading the membership's person by primary key, written out once here:
    built by the ORM (Subquery, JSONObject) it took longer to compile, each request, than
    PostgreSQL takes to run it."""

    output_field = CharField()
    # "%(columns)s" is what is read of the person, "%(expressions)s" the person's id. Only
    # names from the Person model go into it, never anything a user typed.
    subquery = (
        f'(SELECT %(columns)s FROM "{Person._meta.db_table}" "_person"'  # noqa: S608
        ' WHERE "_person"."id" = %(expressions)s)'
    )

    def __init__(self, person_id: F, *, columns: str, **extra) -> None:
        super().__init__(person_id, template=self.subquery.replace("%(columns)s", columns), **extra)


class _PersonName(_OfPerson):
    def __init__(self, person_id: F) -> None:
        super().__init__(person_id, columns=_person_column("full_name"))


def _json_of(function: str, fields: tuple[str, ...]) -> str:
    pairs = ", ".join(f"'{field}', {_person_column(field)}" for field in fields)
    return f"{function}({pairs})"


class _RosterPerson(_OfPerson):
    """The person's ROSTER_PERSON_FIELDS as one JSON object."""

    output_field = JSONField()

    def __init__(self, person_id: F) -> None:
        super().__init__(person_id, columns=_json_of("JSONB_BUILD_OBJECT", ROSTER_PERSON_FIELDS))

    def as_sqlite(self, compiler, connection, **extra_context):
        template = self.subquery.replace(
            "%(columns)s", _json_of("JSON_OBJECT", ROSTER_PERSON_FIELDS)
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


def roster_memberships(project: Project) -> QuerySet[Membership]:
    """The project's memberships by their person's name, to filter and then page through
    with roster_page. The name to sort by is read by a subquery per membership rather than
    a join: joined, PostgreSQL reads every person in the organisation to sort one project's
    few hundred (5.5 ms against 1.2 ms on the large demo)."""
    return _memberships_by_name(project.pk)


def _memberships_by_name(project_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(project_id=project_id)
        .annotate(person_name=_PersonName(F("person_id")))
        .order_by("person_name", "pk")
    )


def _page_rows(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Each membership's ROSTER_MEMBERSHIP_FIELDS, its person as one JSON object, and how
    many memberships there are in all (COUNT(*) OVER ()), to be sliced to one page."""
    return memberships.values_list(*ROSTER_MEMBERSHIP_FIELDS).annotate(
        person=_RosterPerson(F("person_id")), total=Window(Count("pk"))
    )


# The unfiltered roster, the one most visited, written out: the page of memberships sorted
# by name (each name read by a subquery per membership, as roster_memberships says), then
# the page's people joined to those 25 rows alone, each person's fields as plain columns,
# and the count by a subquery PostgreSQL runs once. Built by the ORM it needed each person
# as a JSON object (a join would be made before the sort), which took PostgreSQL longer to
# build and Python longer to read than plain columns. Only names from the models go in.
_PAGE_PERSON_FIELDS = [Person._meta.get_field(name) for name in ROSTER_PERSON_FIELDS]
_PAGE_MEMBERSHIP_FIELDS = [Membership._meta.get_field(name) for name in ROSTER_MEMBERSHIP_FIELDS]
_MEMBERSHIPS, _PEOPLE = Membership._meta.db_table, Person._meta.db_table
_PAGE_COLUMNS = ", ".join(
    [
        *(f"page.{field.column}" for field in _PAGE_MEMBERSHIP_FIELDS),
        *(f"person.{field.column}" for field in _PAGE_PERSON_FIELDS),
    ]
)
_SORTED_COLUMNS = ", ".join(f"membership.{field.column}" for field in _PAGE_MEMBERSHIP_FIELDS)
_PAGE_SQL = (
    f"SELECT {_PAGE_COLUMNS}, (SELECT COUNT(*) FROM {_MEMBERSHIPS} WHERE project_id = %s)"  # noqa: S608
    f" FROM (SELECT membership.id, {_SORTED_COLUMNS}"
    f", (SELECT full_name FROM {_PEOPLE} WHERE id = membership.person_id) AS name"
    f" FROM {_MEMBERSHIPS} membership WHERE membership.project_id = %s"
    " ORDER BY name, membership.id LIMIT %s OFFSET %s) page"
    f" INNER JOIN {_PEOPLE} person ON person.id = page.person_id"
    " ORDER BY page.name, page.id"
)


class _CountedPaginator(Paginator):
    """A paginator told how many objects there are, rather than counting them."""

    def __init__(self, per_page: int, *, count: int) -> None:
        super().__init__((), per_page)
        self.count = count


def roster_page(
    project: Project, *, page_number, filtered: QuerySet[Membership] | None = None
) -> Page:
    """One page of the project's memberships, or of `filtered` (those of roster_memberships
    that a filter kept), as plain rows of ROSTER_MEMBERSHIP_FIELDS, each with its person's
    ROSTER_PERSON_FIELDS under "person". One query, the count coming with the rows, and the
    people read only for the rows of the page, after sorting (a join before the sort would
    read every person in the organisation, as roster_memberships says): unfiltered, by
    _PAGE_SQL; filtered, with each row's person as one JSON object from a subquery and the
    count as COUNT(*) OVER (). Plain rows, because model instances cost more than the query
    itself. A page number past the end or below 1 shows the last page and one that is not
    a number the first, as Paginator.get_page does; only a page past the end costs more
    queries."""
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * ROSTER_PER_PAGE
    if number < 1:
        rows, count = [], 0
    elif filtered is None:
        rows, count = _unfiltered_page_rows(project.pk, start=start)
    else:
        rows, count = _filtered_page_rows(filtered, start=start)
    if not rows and number != 1:
        memberships = roster_memberships(project) if filtered is None else filtered
        return _page_of_plain_rows(memberships, page_number=page_number)
    return Page(rows, number, _CountedPaginator(ROSTER_PER_PAGE, count=count))


def _unfiltered_page_rows(project_id: int, *, start: int) -> tuple[list[dict], int]:
    rows = prepared.read(
        Membership,
        _PAGE_SQL,
        [project_id, project_id, ROSTER_PER_PAGE, start],
        fields=[*_PAGE_MEMBERSHIP_FIELDS, *_PAGE_PERSON_FIELDS],
    )
    split = len(ROSTER_MEMBERSHIP_FIELDS)
    page_rows = [
        dict(
            zip(ROSTER_MEMBERSHIP_FIELDS, row[:split], strict=True),
            person=dict(zip(ROSTER_PERSON_FIELDS, row[split:-1], strict=True)),
        )
        for row in rows
    ]
    return page_rows, rows[0][-1] if rows else 0


def _filtered_page_rows(filtered: QuerySet[Membership], *, start: int) -> tuple[list[dict], int]:
    rows = list(_page_rows(filtered)[start : start + ROSTER_PER_PAGE])
    page_rows = []
    for *fields, person, _ in rows:
        person["public_id"] = uuid.UUID(person["public_id"])
        page_rows.append(dict(zip(ROSTER_MEMBERSHIP_FIELDS, fields, strict=True), person=person))
    return page_rows, rows[0][-1] if rows else 0


def _page_of_plain_rows(memberships: QuerySet[Membership], *, page_number) -> Page:
    """Paginator.get_page's page, as roster_page's rows: the count, the page, its people."""
    page = Paginator(memberships.values(*ROSTER_MEMBERSHIP_FIELDS), ROSTER_PER_PAGE).get_page(
        page_number
    )
    rows = list(page.object_list)
    if rows:
        people = {
            person["pk"]: person
            for person in Person.objects.filter(pk__in=[row["person_id"] for row in rows])
            .order_by()
            .values("pk", *ROSTER_PERSON_FIELDS)
        }
        for row in rows:
            row["person"] = people[row["person_id"]]
    page.object_list = rows
    return page


def _read(model, sql: str, params: list) -> list[tuple]:
    """The rows of a fixed SQL statement, from the database the router reads `model` from
    (the replica, inside coprod.core.replica.replica_reads)."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Written out rather than built by the ORM (a union of two querysets), which took several
# times longer to compile, each visit, than the database takes to answer. Only names from
# the models go into it, never anything a user typed.
_COVERAGE_SQL = (
    f"SELECT 'target', stakeholder_group, target FROM {CoverageTarget._meta.db_table}"  # noqa: S608
    " WHERE project_id = %s UNION ALL"
    f" SELECT 'active', stakeholder_group, active FROM {ProjectGroupCount._meta.db_table}"
    " WHERE project_id = %s"
)


def project_coverage(project: Project) -> list[dict]:
    """Each stakeholder group with a target or active members: active count, target, gap.
    One query, reading the counts kept by projects.services.coverage beside the targets."""
    figures: dict[str, dict[str, int]] = {"target": {}, "active": {}}
    for kind, group, figure in _read(CoverageTarget, _COVERAGE_SQL, [project.pk, project.pk]):
        figures[kind][group] = figure
    return _coverage(figures)


# The groups in order, as plain values and labels: read from the enum on each visit, they
# cost the roster a tenth of what its summary query does.
_GROUPS = tuple(StakeholderGroup.choices)


def _coverage(figures: dict[str, dict]) -> list[dict]:
    active, targets = figures["active"], figures["target"]
    return [
        {
            "group": group,
            "label": label,
            "active": active.get(group, 0),
            "target": targets.get(group, 0),
            "gap": max(targets.get(group, 0) - active.get(group, 0), 0),
        }
        for group, label in _GROUPS
        if group in targets or group in active
    ]


def _targets_not_met(projects: QuerySet[Project] | list[int]) -> QuerySet[CoverageTarget]:
    """The coverage targets of these projects that their active members fall short of, in
    group order, each with `active` from the counts kept by projects.services.coverage."""
    active = ProjectGroupCount.objects.filter(
        project=OuterRef("project"), stakeholder_group=OuterRef("stakeholder_group")
    ).values("active")
    return (
        CoverageTarget.objects.filter(project__in=projects)
        .annotate(active=Coalesce(Subquery(active), 0))
        .filter(target__gt=F("active"))
        .order_by("project_id", "stakeholder_group")
    )


def coverage_shortfalls(projects: list[int]) -> dict[int, list[tuple[str, int]]]:
    """For each of these projects (by id) short of a coverage target, by project id: the groups
    short and how many more each needs. One query."""
    labels = dict(StakeholderGroup.choices)
    short: dict[int, list[tuple[str, int]]] = {}
    for project_id, group, target, active in _targets_not_met(projects).values_list(
        "project_id", "stakeholder_group", "target", "active"
    ):
        short.setdefault(project_id, []).append((labels[group], target - active))
    return short


def projects_with_largest_gaps(*, limit: int = 5) -> list[dict]:
    """Open projects furthest from their coverage targets, with the groups that are short:
    one query, of plain rows (every open project's targets, which is hundreds)."""
    open_projects = Project.objects.filter(archived_at=None).exclude(stage=Stage.CLOSED)
    labels = dict(StakeholderGroup.choices)
    gaps: dict[int, dict] = {}
    for project_id, slug, name, group, target, active in _targets_not_met(
        open_projects
    ).values_list(
        "project_id", "project__slug", "project__name", "stakeholder_group", "target", "active"
    ):
        short = target - active
        entry = gaps.setdefault(
            project_id,
            {"project": {"slug": slug, "name": name}, "total_gap": 0, "groups": []},
        )
        entry["total_gap"] += short
        entry["groups"].append((labels[group], short))
    return sorted(gaps.values(), key=lambda entry: -entry["total_gap"])[:limit]


EQUALITY_QUESTIONS = [
    ("age_band", "Age", AgeBand),
    ("gender", "Gender", Gender),
    ("ethnicity", "Ethnic group", Ethnicity),
    ("disability", "Disabled", YesNoPreferNot),
    ("long_term_condition", "Long-term health condition", YesNoPreferNot),
]


# The roster's summary in one statement, written out for the same reason as _COVERAGE_SQL:
# the coverage's rows ("target" or "active", group, how many), then a row of equality
# answers for each member who gave some ("answers", then the answers), one per member as
# each person is a member once. The answers are counted in Python: counted by the database
# (a GROUP BY for each question), the statement took PostgreSQL longer to plan than Python
# takes to count them. Only names from the models go into it.
# Each question's choices as plain values and labels, for the same reason as _GROUPS.
_EQUALITY_CHOICES = [(question, choices.choices) for _, question, choices in EQUALITY_QUESTIONS]
_EQUALITY_FIELDS = ", ".join(f"answers.{field}" for field, _, _ in EQUALITY_QUESTIONS)
_NO_ANSWERS = ", NULL" * len(EQUALITY_QUESTIONS)
_SUMMARY_SQL = (
    f"SELECT 'target', stakeholder_group, target{_NO_ANSWERS}"  # noqa: S608
    f" FROM {CoverageTarget._meta.db_table} WHERE project_id = %s"
    f" UNION ALL SELECT 'active', stakeholder_group, active{_NO_ANSWERS}"
    f" FROM {ProjectGroupCount._meta.db_table} WHERE project_id = %s"
    f" UNION ALL SELECT 'answers', NULL, NULL, {_EQUALITY_FIELDS}"
    f" FROM {EqualityMonitoring._meta.db_table} answers"
    f" INNER JOIN {Membership._meta.db_table} membership"
    " ON membership.person_id = answers.person_id"
    " WHERE membership.project_id = %s AND membership.status IN (%s, %s)"
)


def roster_summary(project: Project) -> tuple[list[dict], list[dict]]:
    """The project's coverage, as project_coverage gives it, and the counts of its members'
    equality answers (counts under 5 suppressed), in one query."""
    figures: dict[str, dict[str, int]] = {"target": {}, "active": {}}
    answers = []
    for kind, group, figure, *member_answers in prepared.read(
        CoverageTarget,
        _SUMMARY_SQL,
        [
            project.pk,
            project.pk,
            project.pk,
            MembershipStatus.INTERESTED.value,
            MembershipStatus.ACTIVE.value,
        ],
    ):
        if kind == "answers":
            answers.append(member_answers)
        else:
            figures[kind][group] = figure
    equality = []
    for index, (question, choices) in enumerate(_EQUALITY_CHOICES):
        counts = Counter(row[index] for row in answers if row[index])
        equality.append(
            {
                "question": question,
                "answers": [
                    (label, suppress_small(counts[value]))
                    for value, label in choices
                    if counts[value]
                ],
            }
        )
    return _coverage(figures), equality
