"""How the roster reads and writes its page: the unfiltered page from SQL compiled once per
process, the coverage and equality counts in one query, and the filter form marked on a
blank one rendered once, each checked against what the ORM and crispy forms give."""

from datetime import UTC, datetime

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.forms.roster import RosterFilter
from projects.models import Membership, MembershipStatus
from projects.selectors.roster import roster_memberships, roster_page
from projects.views.roster import _filter_fields
from stakeholders.models import AccessNeed, Availability, ConsentKind, StakeholderGroup
from stakeholders.services import consent_give, equality_answers_save
from tests.factories.projects import ProjectFactory
from tests.factories.roster import CoverageTargetFactory, MembershipFactory, PersonFactory

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
def test_the_compiled_unfiltered_page_reads_what_the_orm_reads(page_number):
    project = _project_with_a_mixed_roster()

    compiled = roster_page(project, page_number=page_number)
    built = roster_page(project, page_number=page_number, filtered=roster_memberships(project))

    assert compiled.object_list == built.object_list
    assert compiled.number == built.number
    assert compiled.paginator.count == built.paginator.count == 30
    assert "Member of another project" not in str(compiled.object_list)


def test_the_coverage_and_the_equality_counts_are_read_in_one_query(staff_client):
    project = ProjectFactory()
    CoverageTargetFactory(project=project, stakeholder_group="carer", target=3)
    MembershipFactory(project=project, person=PersonFactory(stakeholder_group="carer"))

    with CaptureQueriesContext(connection) as queries:
        staff_client.get(reverse("projects:roster", args=[project.slug]))

    summary_reads = [
        query["sql"]
        for query in queries.captured_queries
        if any(
            table in query["sql"]
            for table in ("coveragetarget", "projectgroupcount", "equalitymonitoring")
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
