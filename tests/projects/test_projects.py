"""Staff run a whole project from their pages: start it, change it, close and archive it,
and find their way round it by one project navigation."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Decision
from evidence.models import EvidenceRecord
from projects.models import Meeting, Payment, PaymentPolicy, Project, Stage
from projects.services.payments import payment_policy_update
from projects.services.projects import (
    NIHR_HOURLY_RATE,
    ProjectNotArchivable,
    project_archive,
    project_create,
)
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

NEW_PROJECT = {
    "name": "Better bus stops",
    "summary": "Making bus stops safer and easier to use.",
    "stage": "design",
    "meeting_format": "both",
    "time_commitment": "Two hours a month",
    "place": "Town hall",
    "contact_name": "Sam",
    "contact_email": "sam@example.org",
    "contact_phone": "0113 496 0000",
    "is_open_to_join": "on",
    "budget": "£2,500",
}


def _field_error(html: str, field: str) -> str:
    """The message shown beside a field (crispy puts it under the field's id)."""
    match = re.search(rf'id="error_1_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    return match.group(1).strip() if match else ""


def _archived(project: Project) -> Project:
    project.stage = Stage.CLOSED
    project.save(update_fields=["stage"])
    return project_archive(project=project)


def test_staff_start_a_project_with_nihr_hourly_rate_and_their_budget(staff_client, personas):
    response = staff_client.post(
        reverse("projects:add"), {**NEW_PROJECT, "lead": personas.staff.pk}
    )

    project = Project.objects.get(name="Better bus stops")
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:coverage_targets", args=[project.slug])
    assert project.slug == "better-bus-stops"
    assert project.lead == personas.staff
    assert project.contact_phone == "0113 496 0000"
    policy = PaymentPolicy.objects.get(project=project)
    assert policy.fee_rate == NIHR_HOURLY_RATE
    assert policy.budget == Decimal("2500.00")


def test_the_new_project_page_is_linked_from_projects_and_dashboard(staff_client, personas):
    add = reverse("projects:add")
    assert f'href="{add}"' in staff_client.get(reverse("projects:list")).content.decode()
    assert f'href="{add}"' in staff_client.get(reverse("pages:dashboard")).content.decode()


def test_a_project_without_a_name_is_refused_with_the_message_beside_the_field(
    staff_client, personas
):
    before = Project.objects.count()

    response = staff_client.post(reverse("projects:add"), {**NEW_PROJECT, "name": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in html
    assert _field_error(html, "name") == "Enter the project&#x27;s name."
    assert Project.objects.count() == before


def test_a_name_whose_web_address_is_taken_asks_for_another_and_creates_nothing(
    staff_client, personas
):
    before = Project.objects.count()

    response = staff_client.post(reverse("projects:add"), {**NEW_PROJECT, "name": "Crisis support"})

    html = response.content.decode()
    assert "crisis-support-2" in _field_error(html, "slug")
    assert 'type="text" name="slug"' in html
    assert Project.objects.count() == before

    response = staff_client.post(
        reverse("projects:add"),
        {**NEW_PROJECT, "name": "Crisis support", "slug": "crisis-support-north"},
    )
    assert response.status_code == 302
    assert Project.objects.filter(slug="crisis-support-north", name="Crisis support").exists()


def test_the_web_address_field_is_hidden_unless_it_is_needed(staff_client, personas):
    html = staff_client.get(reverse("projects:add")).content.decode()
    assert 'type="hidden" name="slug"' in html


@pytest.mark.parametrize("name", ["Add", "Archived", "!!!"])
def test_a_name_that_cannot_be_a_web_address_asks_for_one(staff_client, personas, name):
    before = Project.objects.count()

    response = staff_client.post(reverse("projects:add"), {**NEW_PROJECT, "name": name})

    assert _field_error(response.content.decode(), "slug")
    assert Project.objects.count() == before


def test_the_service_refuses_a_web_address_already_taken(personas):
    with pytest.raises(ValidationError) as error:
        project_create(name="Another", summary="x", slug=personas.project.slug)
    assert "slug" in error.value.message_dict


def test_the_lead_must_be_a_member_of_staff(staff_client, personas):
    before = Project.objects.count()

    response = staff_client.post(
        reverse("projects:add"), {**NEW_PROJECT, "lead": personas.participant.pk}
    )

    assert _field_error(response.content.decode(), "lead") == (
        "Choose a member of staff from the list."
    )
    assert Project.objects.count() == before
    with pytest.raises(ValidationError) as error:
        project_create(name="Led wrongly", summary="x", lead=personas.participant)
    assert "lead" in error.value.message_dict


def test_staff_edit_a_project_and_its_web_address_stays_the_same(staff_client, personas):
    project = personas.project
    data = {**NEW_PROJECT, "name": "Crisis support (North)", "stage": "delivery"}
    del data["budget"]

    response = staff_client.post(reverse("projects:edit", args=[project.slug]), data)

    project.refresh_from_db()
    assert response.status_code == 302
    assert project.name == "Crisis support (North)"
    assert project.stage == Stage.DELIVERY
    assert project.slug == "crisis-support"


def test_the_edit_page_is_linked_from_the_project_page(staff_client, personas):
    html = staff_client.get(personas.project.get_absolute_url()).content.decode()
    assert reverse("projects:edit", args=[personas.project.slug]) in html


def test_a_bad_email_or_phone_on_edit_is_shown_beside_the_field_and_saves_nothing(
    staff_client, personas
):
    data = {**NEW_PROJECT, "contact_email": "not an email", "contact_phone": "call me"}

    response = staff_client.post(reverse("projects:edit", args=[personas.project.slug]), data)

    html = response.content.decode()
    assert _field_error(html, "contact_email") == "Enter an email address, like team@example.org."
    assert _field_error(html, "contact_phone") == "Enter a UK phone number, like 0113 496 0000."
    personas.project.refresh_from_db()
    assert personas.project.name == "Crisis support"


def test_a_project_cannot_be_archived_before_it_is_closed(staff_client, personas):
    response = staff_client.post(reverse("projects:archive", args=[personas.project.slug]))

    personas.project.refresh_from_db()
    assert response.status_code == 302
    assert personas.project.archived_at is None
    page = staff_client.get(response["Location"]).content.decode()
    assert "Close the project first" in page


def test_a_project_with_fees_still_to_pay_cannot_be_archived(personas):
    project = personas.project
    Payment.objects.create(
        person=personas.participant.person, project=project, activity="Meeting", amount=20
    )
    project.stage = Stage.CLOSED
    project.save(update_fields=["stage"])

    with pytest.raises(ProjectNotArchivable, match="1 fees and 0 expense claims"):
        project_archive(project=project)
    project.refresh_from_db()
    assert project.archived_at is None


def test_staff_archive_a_closed_project(staff_client, personas):
    project = personas.other_project
    project.stage = Stage.CLOSED
    project.save(update_fields=["stage"])

    response = staff_client.post(reverse("projects:archive", args=[project.slug]))

    project.refresh_from_db()
    assert response.status_code == 302
    assert project.archived_at is not None


def _row_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Project, Meeting, Decision, EvidenceRecord, PaymentPolicy, Payment)
    }


def test_an_archived_project_refuses_every_post_on_its_staff_pages(staff_client, personas):
    project = _archived(personas.project)
    slug = project.slug
    before = _row_counts()
    posts = {
        reverse("projects:stage", args=[slug]): {"stage": "design"},
        reverse("projects:edit", args=[slug]): {**NEW_PROJECT, "name": "Changed"},
        reverse("projects:archive", args=[slug]): {},
        reverse("projects:meeting_add", args=[slug]): {"title": "New"},
        reverse("projects:meeting_cancel", args=[slug, personas.meeting.public_id]): {},
        reverse("projects:roster_add", args=[slug]): {"full_name": "New person"},
        reverse("projects:coverage_targets", args=[slug]): {"lived_experience": "3"},
        reverse("projects:payment_policy", args=[slug]): {"fee_rate": "1"},
        reverse("decisions:add", args=[slug]): {"title": "New decision"},
        reverse("evidence:evidence_add", args=[slug]) + "?kind=story": {"title": "New"},
    }

    for url, data in posts.items():
        response = staff_client.post(url, data)
        assert response.status_code == 403, url
        assert "This project is archived, so nothing in it can be changed" in (
            response.content.decode()
        ), url

    assert _row_counts() == before
    project.refresh_from_db()
    assert project.name == "Crisis support"
    assert project.stage == Stage.CLOSED


def test_the_stage_list_has_each_projects_own_stage_chosen(staff_client):
    for stage in [Stage.DESIGN, Stage.DELIVERY, Stage.DESIGN]:
        project = ProjectFactory(stage=stage)
        html = staff_client.get(project.get_absolute_url()).content.decode()
        chosen = re.findall(r'<option value="(\w+)" selected>', html)
        assert chosen == [stage.value]
        assert 'for="id_stage"' in html and "Move the project to" in html


def test_the_projects_list_links_each_project_with_its_stage_and_lead(staff_client, personas):
    project = ProjectFactory(name="Bus stops", stage=Stage.DELIVERY, is_open_to_join=False)
    html = staff_client.get(reverse("projects:list")).content.decode()
    row = html.split(f'<a href="/projects/{project.slug}/">Bus stops</a>', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", row) == ["Delivery", "No one yet", "No"]


def test_an_archived_project_can_still_be_read(staff_client, personas):
    project = _archived(personas.project)

    for url in [
        project.get_absolute_url(),
        reverse("projects:roster", args=[project.slug]),
        reverse("projects:meetings", args=[project.slug]),
        reverse("projects:payments", args=[project.slug]),
        reverse("decisions:list", args=[project.slug]),
        reverse("evidence:project_evidence", args=[project.slug]),
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert "This project was archived on" in response.content.decode(), url


def test_an_archived_project_leaves_the_lists_and_is_under_archived_projects(
    staff_client, personas
):
    project = _archived(personas.project)

    assert project.name not in staff_client.get(reverse("projects:list")).content.decode()
    # The project's meeting tomorrow would otherwise be among the dashboard's next meetings.
    dashboard = staff_client.get(reverse("pages:dashboard")).content.decode()
    assert personas.meeting.title not in dashboard
    assert project.name not in staff_client.get(reverse("pages:home")).content.decode()
    assert staff_client.get(reverse("projects:join", args=[project.slug])).status_code == 404
    archived = staff_client.get(reverse("projects:archived")).content.decode()
    assert project.name in archived
    assert personas.other_project.name not in archived


def test_the_join_page_says_call_us_only_when_a_phone_is_given(client):
    with_phone = ProjectFactory(contact_name="Sam", contact_phone="01632 960001")
    without_phone = ProjectFactory(contact_name="Sam", contact_email="sam@example.org")

    html = client.get(reverse("projects:join", args=[with_phone.slug])).content.decode()
    assert "Call us on" in html
    assert "01632 960001" in html
    assert "over the phone" in html

    html = client.get(reverse("projects:join", args=[without_phone.slug])).content.decode()
    assert "Call us" not in html
    assert "over the phone" not in html
    assert "sam@example.org" in html


@pytest.mark.parametrize(
    ("url_name", "current"),
    [
        ("projects:detail", "Overview"),
        ("projects:roster", "People"),
        ("projects:coverage_targets", "People"),
        ("projects:meetings", "Meetings"),
        ("projects:payments", "Payments"),
        ("decisions:list", "Decisions"),
        ("evidence:project_evidence", "Evidence"),
        ("evidence:report", "Report"),
    ],
)
def test_the_project_navigation_marks_the_current_section(
    staff_client, personas, url_name, current
):
    html = staff_client.get(reverse(url_name, args=[personas.project.slug])).content.decode()

    nav = re.search(r'<nav aria-label="Project: Crisis support".*?</nav>', html, re.S).group(0)
    marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', nav)
    assert marked == [current]
    assert 'aria-label="Breadcrumb"' not in html


def test_the_project_navigation_wraps_on_a_narrow_screen(staff_client, personas):
    html = staff_client.get(personas.project.get_absolute_url()).content.decode()
    nav = re.search(r'<nav aria-label="Project: Crisis support".*?</nav>', html, re.S).group(0)
    assert 'class="nav nav-pills flex-wrap"' in nav


def test_the_project_page_reads_the_project_its_lead_and_budget_in_one_query(
    staff_client, personas, django_assert_num_queries
):
    project = personas.project
    project.lead = personas.staff
    project.save()
    payment_policy_update(project=project, budget=Decimal("2500.00"))
    url = reverse("projects:detail", args=[project.slug])
    staff_client.get(url)

    # The signed-in user, the project with its lead, and the payment totals with the budget.
    with django_assert_num_queries(3):
        html = staff_client.get(url).content.decode()

    assert f'<dd class="col-sm-9">{personas.staff}</dd>' in html
    assert "£2,500.00" in html


def test_the_projects_list_runs_three_queries_however_many_projects_and_leads(
    staff_client, personas, django_assert_num_queries
):
    for number in range(30):
        ProjectFactory(name=f"Project {number}", lead=personas.staff)
    url = reverse("projects:list")
    staff_client.get(url)

    # The signed-in user, how many projects there are, and one page of them with their leads.
    with django_assert_num_queries(3):
        html = staff_client.get(url).content.decode()

    # 25 rows: the personas' two projects, led by no one, and 23 of these.
    assert html.count("<tr>") == 26
    assert html.count(f"<td>{personas.staff}</td>") == 23


def test_the_project_page_reads_only_what_it_shows_of_the_project_and_its_lead(
    staff_client, personas
):
    project = personas.project
    project.lead = personas.staff
    project.save()

    with CaptureQueriesContext(connection) as queries:
        html = staff_client.get(project.get_absolute_url()).content.decode()

    reads = [
        query["sql"] for query in queries.captured_queries if "projects_project" in query["sql"]
    ]
    assert len(reads) == 1
    assert "password" not in reads[0] and "cost_centre" not in reads[0]
    assert f'<dd class="col-sm-9">{personas.staff}</dd>' in html
