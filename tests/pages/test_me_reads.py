"""What /me/ reads: the fields it shows of the person and their meetings, never their
address or bank details, nor anything of anyone else; the same few queries however much
the person has; and its links, reversed once per process, go where they say."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coprod.pages.my_page import my_page
from projects.models import Attendance, AttendanceStatus, ProjectInvitation
from stakeholders.models import ConsentKind
from stakeholders.services import consent_give
from tests.factories.measures import MeasureRoundFactory, ProjectMeasureFactory
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory

pytestmark = pytest.mark.django_db

LINKS = [
    ("stakeholders:profile", []),
    ("stakeholders:my_data", []),
    ("stakeholders:erasure_request", []),
    ("projects:my_payments", []),
    ("decisions:my_decisions", []),
    ("stakeholders:consent_withdraw", [ConsentKind.INVOLVEMENT]),
    ("stakeholders:equality", []),
    ("stakeholders:benefits", []),
    ("account_email", []),
]


def test_me_reads_no_address_nor_bank_details(client, personas):
    person = personas.participant.person
    person.address = "1 High Street"
    person.bank_account_name = "Pat Participant"
    person.save()
    client.force_login(personas.participant)

    with CaptureQueriesContext(connection) as context:
        page = client.get(reverse("pages:me")).content.decode()

    assert person.full_name in page
    assert personas.meeting.title in page
    read = [query["sql"] for query in context.captured_queries]
    assert not [sql for sql in read if "bank_account" in sql or '"address"' in sql]


def test_the_links_on_me_go_where_they_say(client, personas):
    client.force_login(personas.participant)

    page = client.get(reverse("pages:me")).content.decode()

    for name, args in LINKS:
        assert f'href="{reverse(name, args=args)}"' in page


def _theirs_everywhere(personas) -> None:
    """Something of every kind /me/ lists, for the other participant only: a standing
    consent the participant has not given, a membership, a meeting to come, an invitation
    to join, a meeting to say how it went and a round of questions."""
    other = personas.other_participant.person
    consent_give(person=other, kind=ConsentKind.EQUALITY, method="online", recorded_by=None)
    theirs = ProjectFactory(name="Their own project")
    MembershipFactory(project=theirs, person=other)
    InvitationFactory(
        meeting=MeetingFactory(project=theirs, title="Their own meeting"), person=other
    )
    ProjectInvitation.objects.create(project=ProjectFactory(name="Their invitation"), person=other)
    starts_at = timezone.now() - timedelta(days=2)
    came = MeetingFactory(
        project=theirs,
        title="Their last meeting",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
    )
    Attendance.objects.create(
        meeting=came, person=other, status=AttendanceStatus.ATTENDED, stakeholder_group="other"
    )
    today = timezone.localdate()
    MeasureRoundFactory(
        project_measure=ProjectMeasureFactory(project=theirs),
        name="Their questions",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=1),
    )


def test_me_shows_nothing_of_anyone_else(client, personas):
    _theirs_everywhere(personas)
    client.force_login(personas.participant)

    page = client.get(reverse("pages:me")).content.decode()
    mine = my_page(personas.participant)

    assert mine.person == personas.participant.person
    assert set(mine.consents) == {ConsentKind.INVOLVEMENT}
    assert [m["project_name"] for m in mine.memberships] == [personas.project.name]
    assert [i["title"] for i in mine.invitations] == [personas.meeting.title]
    assert (mine.pool_invitations, mine.feedback_due, mine.measure_rounds) == ([], [], [])
    for theirs in ("Olu", "Their own", "Their invitation", "Their last", "Their questions"):
        assert theirs not in page
    assert "Answer the equality questions" in page


def test_a_login_with_no_person_yet_is_read_in_one_query(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert my_page(personas.staff).person is None


def test_me_runs_the_same_queries_however_much_the_person_has(
    client, personas, settings, django_assert_num_queries
):
    settings.PAGE_CACHE = False  # measured cold, as every visit after a change is
    client.force_login(personas.participant)
    client.get(reverse("pages:me"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("pages:me"))
    person = personas.participant.person
    consent_give(person=person, kind=ConsentKind.EQUALITY, method="online", recorded_by=None)
    today, now = timezone.localdate(), timezone.now()
    for n in range(4):
        project = ProjectFactory()
        MembershipFactory(project=project, person=person)
        ProjectInvitation.objects.create(project=ProjectFactory(), person=person)
        InvitationFactory(
            meeting=MeetingFactory(project=project),
            person=person,
            answer_recorded_by=personas.staff,
            responded_at=now,
        )
        came = MeetingFactory(
            project=project, starts_at=now - timedelta(days=n + 1), ends_at=now - timedelta(days=n)
        )
        Attendance.objects.create(
            meeting=came, person=person, status=AttendanceStatus.ATTENDED, stakeholder_group="other"
        )
        MeasureRoundFactory(
            project_measure=ProjectMeasureFactory(project=project),
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=1),
        )

    with django_assert_num_queries(len(few)):
        page = client.get(reverse("pages:me")).content.decode()

    assert page.count("Answer the questions<") == 8
    assert page.count("See the invitation and answer") == 4
    assert page.count(f"Recorded by {personas.staff}") == 4


@pytest.mark.parametrize("page_cache", [False, True])
def test_the_links_of_each_meeting_feedback_and_round_go_where_they_say(
    client, personas, settings, page_cache
):
    # Built once per process from a pattern (coprod.pages.my_page._links), not by {% url %}
    # per item; read at once with the page cache off, lazily with it on.
    settings.PAGE_CACHE = page_cache
    person = personas.participant.person
    invitation = InvitationFactory(meeting=MeetingFactory(project=personas.project), person=person)
    starts_at = timezone.now() - timedelta(days=2)
    came = MeetingFactory(
        project=personas.project, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
    Attendance.objects.create(
        meeting=came, person=person, status=AttendanceStatus.ATTENDED, stakeholder_group="other"
    )
    today = timezone.localdate()
    measure_round = MeasureRoundFactory(
        project_measure=ProjectMeasureFactory(project=personas.project),
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=1),
    )
    client.force_login(personas.participant)

    page = client.get(reverse("pages:me")).content.decode()

    meeting_id = invitation.meeting.public_id
    assert f'action="{reverse("projects:meeting_answer", args=[meeting_id])}"' in page
    assert f'href="{reverse("projects:meeting_calendar", args=[meeting_id])}"' in page
    assert f'href="{reverse("evidence:meeting_feedback", args=[came.public_id])}"' in page
    assert f'href="{reverse("evidence:measure_answer", args=[measure_round.pk])}"' in page
