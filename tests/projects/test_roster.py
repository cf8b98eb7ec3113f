"""A project's roster: filters, coverage of voices against targets, equality counts."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape

from projects.models import CoverageTarget, MembershipStatus
from stakeholders.models import ConsentKind, StakeholderGroup
from stakeholders.services import consent_give, equality_answers_save
from tests.factories.projects import ProjectFactory
from tests.factories.roster import CoverageTargetFactory, MembershipFactory, PersonFactory
from tests.sql_text import statements_run

pytestmark = pytest.mark.django_db


def _roster(client, project, **params):
    return client.get(reverse("projects:roster", args=[project.slug]), params)


def test_the_roster_lists_the_projects_people(staff_client, personas):
    html = _roster(staff_client, personas.project).content.decode()
    assert "Pat Participant" in html and "Olu Other" in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"name": "carol"}, "Carol Carer", "Manny Manager"),
        ({"group": "manager"}, "Manny Manager", "Carol Carer"),
        ({"status": "interested"}, "Manny Manager", "Carol Carer"),
        ({"free": ["free_weekends"]}, "Carol Carer", "Manny Manager"),
        ({"access": ["needs_bsl"]}, "Carol Carer", "Manny Manager"),
    ],
)
def test_the_roster_filters(staff_client, params, shown, hidden):
    project = ProjectFactory()
    carol = PersonFactory(
        full_name="Carol Carer", stakeholder_group="carer", free_weekends=True, needs_bsl=True
    )
    MembershipFactory(project=project, person=carol)
    manny = PersonFactory(full_name="Manny Manager", stakeholder_group="manager")
    MembershipFactory(project=project, person=manny, status=MembershipStatus.INTERESTED)

    html = _roster(staff_client, project, **params).content.decode()
    assert shown in html
    assert hidden not in html


def test_the_roster_paginates_and_keeps_the_filter(staff_client):
    project = ProjectFactory()
    for number in range(30):
        MembershipFactory(
            project=project,
            person=PersonFactory(full_name=f"Carer {number:02d}", stakeholder_group="carer"),
        )
    html = _roster(staff_client, project, group="carer").content.decode()
    assert "Page 1 of 2" in html
    assert "group=carer&amp;page=2" in html


def test_the_roster_lists_people_by_name_across_its_pages(staff_client):
    project = ProjectFactory()
    names = [f"Person {letter}{number}" for letter in "ZYXWV" for number in range(6)]
    for name in names:
        MembershipFactory(project=project, person=PersonFactory(full_name=name))
    first = _roster(staff_client, project).content.decode()
    second = _roster(staff_client, project, page=2).content.decode()

    shown = [name for name in sorted(names) if name in first]
    assert shown == sorted(names)[:25]
    assert [name for name in sorted(names) if name in second] == sorted(names)[25:]
    assert [first.index(name) for name in shown] == sorted(first.index(name) for name in shown)


def test_each_row_has_its_own_status_chosen_and_the_date_it_began(staff_client):
    project = ProjectFactory()
    for name, status in [("Amy Active", "active"), ("Ian Interested", "interested")]:
        MembershipFactory(
            project=project,
            person=PersonFactory(full_name=name),
            status=status,
            active_at=datetime(2026, 3, 4, 23, 30, tzinfo=UTC) if status == "active" else None,
        )
    html = _roster(staff_client, project).content.decode()
    amy, ian = html.split("Amy Active", 1)[1].split("Ian Interested", 1)

    assert '<option value="active" selected>' in amy
    assert '<option value="interested" selected>' not in amy
    # 23:30 UTC on 4 March is 4 March in London, before the clocks change.
    assert "since 4 Mar 2026" in amy
    assert '<option value="interested" selected>' in ian
    assert '<option value="active" selected>' not in ian


def test_the_date_a_status_began_reads_as_the_date_filter_writes_it_in_every_month(
    staff_client,
):
    project = ProjectFactory()
    began = [datetime(2026, month, 1, 12, tzinfo=UTC) for month in range(1, 13)]
    for number, when in enumerate(began):
        MembershipFactory(
            project=project, person=PersonFactory(full_name=f"Member {number:02}"), active_at=when
        )
    html = _roster(staff_client, project).content.decode()

    for when in began:
        assert f"since {date_format(timezone.localtime(when), 'j M Y')}" in html


def test_the_filter_shows_what_was_asked_for_and_the_next_blank_one_does_not(staff_client):
    project = ProjectFactory()
    asked = _roster(staff_client, project, name="Zebedee", group="carer").content.decode()
    assert 'value="Zebedee"' in asked
    assert '<option value="carer" selected>' in asked

    blank = _roster(staff_client, project).content.decode()
    assert "Zebedee" not in blank
    assert '<option value="carer" selected>' not in blank
    assert '<option value="" selected>Any group</option>' in blank


def test_coverage_shows_active_counts_against_targets_and_names_the_gaps(staff_client):
    project = ProjectFactory()
    CoverageTargetFactory(project=project, stakeholder_group="carer", target=3)
    CoverageTargetFactory(project=project, stakeholder_group="practitioner", target=1)
    MembershipFactory(project=project, person=PersonFactory(stakeholder_group="carer"))
    MembershipFactory(
        project=project,
        person=PersonFactory(stakeholder_group="carer"),
        status=MembershipStatus.INTERESTED,
    )
    MembershipFactory(project=project, person=PersonFactory(stakeholder_group="practitioner"))

    html = _roster(staff_client, project).content.decode()
    assert "2 more needed" in html
    assert "Gaps:</strong> Carer or family member (2)" in html
    assert "Target met" in html


def test_equality_counts_under_five_are_shown_as_fewer_than_five(staff_client):
    project = ProjectFactory()
    for number in range(7):
        person = PersonFactory()
        MembershipFactory(project=project, person=person)
        consent_give(person=person, kind=ConsentKind.EQUALITY, method="online", recorded_by=None)
        equality_answers_save(
            person=person,
            answers={"age_band": "25_34" if number < 5 else "65_79", "gender": "woman"},
        )

    html = _roster(staff_client, project).content.decode()
    assert "25 to 34: 5" in html
    assert "65 to 79: fewer than 5" in html
    assert "65 to 79: 2" not in html
    assert "Woman: 7" in html


def test_staff_move_a_member_from_interested_to_active_to_left_with_dates(staff_client, personas):
    person = personas.participant.person
    url = reverse("projects:membership_status", args=[personas.project.slug, person.public_id])
    membership = person.memberships.get(project=personas.project)

    staff_client.post(url, {"status": "left"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT and membership.left_at is not None

    staff_client.post(url, {"status": "active"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE and membership.left_at is None
    assert membership.active_at is not None


def test_a_bad_status_changes_nothing(staff_client, personas):
    person = personas.participant.person
    url = reverse("projects:membership_status", args=[personas.project.slug, person.public_id])
    response = staff_client.post(url, {"status": "boss"}, follow=True)
    assert b"Choose interested, active or left." in response.content
    assert person.memberships.get().status == MembershipStatus.ACTIVE


def test_someone_who_withdrew_consent_cannot_be_made_active(staff_client, personas):
    from stakeholders.services import consent_withdraw

    person = personas.participant.person
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)
    url = reverse("projects:membership_status", args=[personas.project.slug, person.public_id])
    response = staff_client.post(url, {"status": "active"}, follow=True)
    assert b"has withdrawn consent" in response.content
    assert person.memberships.get().status == MembershipStatus.LEFT


def test_staff_set_coverage_targets(staff_client, personas):
    data = {group.value: 0 for group in StakeholderGroup}
    data["carer"] = 4
    response = staff_client.post(
        reverse("projects:coverage_targets", args=[personas.project.slug]), data
    )
    assert response.status_code == 302
    assert dict(personas.project.coverage_targets.values_list("stakeholder_group", "target")) == {
        "carer": 4
    }


def test_a_bad_target_is_explained_and_nothing_changes(staff_client, personas):
    data = {group.value: 0 for group in StakeholderGroup}
    data["carer"] = "lots"
    response = staff_client.post(
        reverse("projects:coverage_targets", args=[personas.project.slug]), data
    )
    assert b"Enter a whole number, like 3." in response.content
    assert not CoverageTarget.objects.exists()


def test_the_dashboard_lists_projects_with_the_largest_gaps(client, personas):
    small_gap = ProjectFactory(name="Small gap")
    CoverageTargetFactory(project=small_gap, stakeholder_group="carer", target=1)
    big_gap = ProjectFactory(name="Big gap")
    CoverageTargetFactory(project=big_gap, stakeholder_group="carer", target=6)
    CoverageTargetFactory(project=big_gap, stakeholder_group="manager", target=2)
    met = ProjectFactory(name="Target met")
    CoverageTargetFactory(project=met, stakeholder_group="carer", target=1)
    MembershipFactory(project=met, person=PersonFactory(stakeholder_group="carer"))

    client.force_login(personas.staff)
    html = client.get(reverse("pages:dashboard")).content.decode()
    assert html.index("Big gap") < html.index("Small gap")
    assert "8 more needed" in html
    assert "Target met" not in html


def test_the_roster_runs_the_same_number_of_queries_for_5_and_500_people(staff_client):
    def roster_queries(size: int) -> int:
        project = ProjectFactory()
        CoverageTargetFactory(project=project, stakeholder_group="carer", target=3)
        people = PersonFactory.create_batch(size, stakeholder_group="carer", needs_bsl=True)
        for person in people:
            MembershipFactory(project=project, person=person)
        with CaptureQueriesContext(connection) as queries:
            assert _roster(staff_client, project).status_code == 200
        return len(queries)

    assert roster_queries(5) == roster_queries(500)


def test_the_roster_never_reads_anyones_bank_details(staff_client, personas):
    with CaptureQueriesContext(connection) as queries:
        assert _roster(staff_client, personas.project).status_code == 200

    assert not [sql for sql in statements_run(queries.captured_queries) if "bank_" in sql]


def test_commissioners_and_participants_cannot_see_the_roster(client, personas):
    for user in (personas.commissioner, personas.participant):
        client.force_login(user)
        response = _roster(client, personas.project)
        assert response.status_code == 403
        assert b"Pat Participant" not in response.content


def test_the_roster_reads_a_page_its_count_and_its_people_in_one_query(staff_client, personas):
    with CaptureQueriesContext(connection) as queries:
        html = _roster(staff_client, personas.project).content.decode()

    # The equality counts join the memberships too; every other read of them is the page's.
    statements = statements_run(queries.captured_queries)
    page_reads = [
        sql
        for sql in statements
        if "projects_membership" in sql and "equalitymonitoring" not in sql
    ]
    assert len(page_reads) == 1
    assert not [sql for sql in statements if "COUNT(*) AS" in sql]
    assert "2 people." in html
    assert "Pat Participant" in html and "Olu Other" in html


@pytest.mark.parametrize(
    ("page", "shown", "first_name"),
    [
        ("2", "Page 2 of 2", "Carer 25"),
        ("9", "Page 2 of 2", "Carer 25"),
        ("0", "Page 2 of 2", "Carer 25"),
        ("x", "Page 1 of 2", "Carer 00"),
    ],
)
def test_a_page_past_the_end_shows_the_last_and_one_that_is_not_a_number_the_first(
    staff_client, page, shown, first_name
):
    project = ProjectFactory()
    for number in range(30):
        MembershipFactory(project=project, person=PersonFactory(full_name=f"Carer {number:02d}"))

    html = _roster(staff_client, project, page=page).content.decode()

    assert shown in html
    assert "30 people." in html
    assert first_name in html


def test_names_on_the_roster_are_escaped(staff_client):
    project = ProjectFactory()
    name = '<b>Bo</b> "Q" O\'Neill & Co'
    MembershipFactory(project=project, person=PersonFactory(full_name=name))

    html = _roster(staff_client, project).content.decode()

    assert "<b>Bo</b>" not in html
    assert html.count(escape(name)) == 3  # the link, the link to their data, the label


def test_each_rows_form_carries_the_visitors_csrf_token_and_saves_the_status(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.staff)

    html = _roster(client, personas.project).content.decode()
    forms = re.findall(
        r'<form method="post" action="([^"]+/status/)" class="d-flex gap-1">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        html,
    )

    assert len(forms) == 2
    action, token = forms[0]
    response = client.post(action, {"status": "left", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "is now left" in client.get(response.url).content.decode()
