"""How the roster reads and writes its page: the unfiltered page from written-out SQL (on
PostgreSQL a statement prepared once per connection), the coverage and equality counts in
one query (prepared likewise), and the filter form marked on a blank one rendered once,
each checked against what the ORM and crispy forms give."""

import uuid
from datetime import UTC, datetime
from unittest import mock

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.db import DatabaseError, connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix

from coprod.core import prepared
from projects.forms.roster import RosterFilter
from projects.models import Membership, MembershipStatus
from projects.selectors.roster import roster_memberships, roster_page, roster_summary
from projects.views.roster import _filter_fields, _roster_rows
from stakeholders.models import AccessNeed, Availability, ConsentKind, Person, StakeholderGroup
from stakeholders.services import consent_give, equality_answers_save
from tests.factories.projects import ProjectFactory
from tests.factories.roster import CoverageTargetFactory, MembershipFactory, PersonFactory
from tests.sql_text import statements_run

pytestmark = pytest.mark.django_db


def _filter_form(query: str):
    filters = RosterFilter(QueryDict(query), queryset=Membership.objects.none())
    filters.form.is_valid()
    return filters.form


@pytest.mark.parametrize(
    "query",
    [
        "name=",
        "name=jo",
        "name=+jo+",
        "name=%3Cb%3EBo%3C%2Fb%3E+%22Q%22+O%27Neill+%26+Co",
        "group=&status=&name=",
        *[f"group={group}" for group in StakeholderGroup.values],
        *[f"status={status}" for status in MembershipStatus.values],
        *[f"free={time}" for time in Availability.values],
        *[f"access={need}" for need in AccessNeed.values],
        "free=free_weekends&free=free_weekday_mornings",
        "free=free_weekends&free=free_weekends",
        "access=needs_bsl&access=needs_step_free&free=free_weekends&group=carer&status=left",
        "name=a&group=other&status=interested&access=needs_quiet_space",
        "group=nonsense",
        "status=bogus&name=jo",
        "free=nope&access=needs_bsl",
        "page=2&group=carer",
    ],
)
def test_the_filter_form_shows_what_was_asked_for_exactly_as_crispy_forms_renders_it(query):
    assert _filter_fields(_filter_form(query)) == as_crispy_form(_filter_form(query))


def test_the_blank_filter_form_is_what_crispy_forms_renders():
    assert _filter_fields(None) == as_crispy_form(RosterFilter().form)


def test_what_someone_typed_into_the_filter_is_escaped(staff_client, personas):
    url = reverse("projects:roster", args=[personas.project.slug])
    html = staff_client.get(url, {"name": '"><script>alert(1)</script>'}).content.decode()

    assert "<script>alert(1)" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def _project_with_a_mixed_roster():
    project = ProjectFactory()
    statuses = list(MembershipStatus)
    for number in range(30):
        status = statuses[number % len(statuses)]
        when = datetime(2026, 1 + number % 12, 1 + number % 28, 23, 30, tzinfo=UTC)
        # Some began before their dates were recorded.
        began = when if number % 4 else None
        MembershipFactory(
            project=project,
            person=PersonFactory(
                full_name=f"Member {29 - number:02d}",
                stakeholder_group=StakeholderGroup.values[number % len(StakeholderGroup.values)],
                needs_bsl=number % 2 == 0,
                free_weekends=number % 3 == 0,
            ),
            status=status,
            interested_at=when,
            active_at=began if status == MembershipStatus.ACTIVE else None,
            left_at=began if status == MembershipStatus.LEFT else None,
        )
    MembershipFactory(person=PersonFactory(full_name="Member of another project"))
    return project


@pytest.mark.parametrize("page_number", [None, "1", "2", "3", "0", "x"])
def test_the_written_out_unfiltered_page_reads_what_the_orm_reads(page_number):
    project = _project_with_a_mixed_roster()

    # Twice: on PostgreSQL the first read prepares the statement, the second runs it.
    written_out = [roster_page(project, page_number=page_number) for _ in range(2)]
    built = roster_page(project, page_number=page_number, filtered=roster_memberships(project))

    for page in written_out:
        assert page.object_list == built.object_list
        assert page.number == built.number
        assert page.paginator.count == built.paginator.count == 30
        assert "Member of another project" not in str(page.object_list)
    assert isinstance(written_out[0].object_list[0]["person"]["public_id"], uuid.UUID)
    assert isinstance(written_out[0].object_list[0]["interested_at"], datetime)


def test_an_empty_roster_reads_as_an_empty_first_page():
    project = ProjectFactory()
    MembershipFactory(person=PersonFactory(full_name="Member of another project"))

    page = roster_page(project, page_number=None)

    assert page.object_list == []
    assert page.number == 1
    assert page.paginator.count == 0


def _statements_of(read) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        read()
    return [query["sql"] for query in queries.captured_queries]


def _forget_prepared_statements() -> None:
    """As a new connection would be: nothing prepared on it."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared._prepared_on.pop(connection.connection, None)


def test_postgresql_prepares_each_statement_in_the_query_that_first_runs_it_then_reuses_it(
    postgres,
):
    project = _project_with_a_mixed_roster()
    _forget_prepared_statements()

    def read():
        return roster_page(project, page_number="2"), roster_summary(project)

    first = _statements_of(read)
    again = [_statements_of(read) for _ in range(6)]

    assert len(first) == 2
    assert all(sql.startswith("PREPARE ") and "; EXECUTE " in sql for sql in first)
    assert all(
        len(statements) == 2 and all(sql.startswith("EXECUTE ") for sql in statements)
        for statements in again
    )
    # By the sixth run PostgreSQL plans each statement once for all the runs to come.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans FROM pg_prepared_statements")
        generic_plans = dict(cursor.fetchall())
    assert len(generic_plans) == 2
    assert all(plans > 0 for plans in generic_plans.values())


def test_postgresql_prepared_statements_read_what_the_written_out_sql_reads(postgres):
    project = _project_with_a_mixed_roster()
    CoverageTargetFactory(project=project, stakeholder_group="carer", target=9)
    active = Person.objects.filter(memberships__project=project, memberships__status="active")
    for person in active[:6]:
        consent_give(person=person, kind=ConsentKind.EQUALITY, method="online", recorded_by=None)
        equality_answers_save(person=person, answers={"gender": "woman"})
    _forget_prepared_statements()

    prepared = [
        (roster_page(project, page_number="2").object_list, roster_summary(project))
        for _ in range(7)
    ]
    with mock.patch.object(connection, "vendor", "written-out"):
        written_out = (roster_page(project, page_number="2").object_list, roster_summary(project))

    assert all(read == written_out for read in prepared)
    _, (coverage, equality) = written_out
    assert [row["target"] for row in coverage if row["group"] == "carer"] == [9]
    assert ("Woman", 6) in equality[1]["answers"]


def test_a_statement_lost_from_the_connection_is_prepared_afresh_on_the_next_read(postgres):
    project = _project_with_a_mixed_roster()
    expected = roster_page(project, page_number=None).object_list
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler resetting the session would
    try:
        with pytest.raises(DatabaseError), transaction.atomic():
            roster_page(project, page_number=None)
        statements = _statements_of(lambda: roster_page(project, page_number=None))

        assert statements[0].startswith("PREPARE ")
        assert roster_page(project, page_number=None).object_list == expected
    finally:
        _forget_prepared_statements()  # the summary's, lost too, for the tests to come


def test_the_rows_links_follow_the_script_prefix(personas):
    project = _project_with_a_mixed_roster()
    page = roster_page(project, page_number=None)
    person_id = page.object_list[0]["person"]["public_id"]

    plain = _roster_rows(project, page)
    set_script_prefix("/coprod/")
    try:
        prefixed = _roster_rows(project, page)
    finally:
        set_script_prefix("/")

    assert f"/{person_id}/" in plain
    assert plain.replace('"/', '"/coprod/') == prefixed
    assert f'action="/coprod/projects/{project.slug}/roster/{person_id}/status/"' in prefixed


def test_the_coverage_and_the_equality_counts_are_read_in_one_query(staff_client):
    project = ProjectFactory()
    CoverageTargetFactory(project=project, stakeholder_group="carer", target=3)
    MembershipFactory(project=project, person=PersonFactory(stakeholder_group="carer"))

    with CaptureQueriesContext(connection) as queries:
        staff_client.get(reverse("projects:roster", args=[project.slug]))

    summary_reads = [
        sql
        for sql in statements_run(queries.captured_queries)
        if any(
            table in sql for table in ("coveragetarget", "projectgroupcount", "equalitymonitoring")
        )
    ]
    assert len(summary_reads) == 1


def test_the_equality_counts_leave_out_people_who_have_left(staff_client):
    project = ProjectFactory()
    for number in range(8):
        person = PersonFactory()
        status = MembershipStatus.LEFT if number < 3 else MembershipStatus.ACTIVE
        MembershipFactory(project=project, person=person, status=status)
        consent_give(person=person, kind=ConsentKind.EQUALITY, method="online", recorded_by=None)
        equality_answers_save(person=person, answers={"gender": "woman"})
    CoverageTargetFactory(project=project, stakeholder_group="carer", target=2)

    html = staff_client.get(reverse("projects:roster", args=[project.slug])).content.decode()

    assert "Woman: 5" in html
    assert "Woman: 8" not in html
    assert "Carer or family member (2)" in html


@pytest.mark.parametrize(
    "params",
    [
        {"name": "carol"},
        {"group": "carer"},
        {"free": ["free_weekends", "free_weekday_mornings"]},
        {"access": ["needs_bsl", "needs_step_free"]},
        {"name": "c", "group": "carer", "status": "active", "free": ["free_weekends"]},
    ],
)
def test_the_filters_look_each_member_up_rather_than_joining_every_person(staff_client, params):
    project = ProjectFactory()
    carol = PersonFactory(
        full_name="Carol Carer",
        stakeholder_group="carer",
        free_weekends=True,
        needs_bsl=True,
        needs_step_free=True,
    )
    MembershipFactory(project=project, person=carol)
    MembershipFactory(project=project, person=PersonFactory(full_name="Manny Manager"))

    with CaptureQueriesContext(connection) as queries:
        html = staff_client.get(reverse("projects:roster", args=[project.slug]), params)

    page_reads = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(page_reads) == 1
    assert "JOIN" not in page_reads[0]
    assert "Carol Carer" in html.content.decode()
    assert "Manny Manager" not in html.content.decode()
