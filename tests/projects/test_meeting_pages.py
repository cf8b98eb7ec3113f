"""The staff pages for a project's meetings: schedule, invite, mark who came, minutes."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from projects.models import (
    Attendance,
    AttendanceStatus,
    EmailKind,
    Invitation,
    Meeting,
    MeetingEmail,
    MembershipStatus,
    Response,
)
from stakeholders.models import StakeholderGroup
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _url(name: str, meeting: Meeting) -> str:
    return reverse(name, kwargs={"slug": meeting.project.slug, "meeting_id": meeting.public_id})


def _london(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _meeting_under_way(project, *, hours: float = 2, **fields) -> Meeting:
    """A meeting that started half an hour ago."""
    starts_at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    return MeetingFactory(
        project=project, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields
    )


def _meeting(project, *, days: int = 3, hours: float = 2, **fields) -> Meeting:
    """A meeting `days` from today at 10:00 UK time (negative days: in the past)."""
    starts_at = _london(timezone.localdate() + timedelta(days=days), 10)
    return MeetingFactory(
        project=project,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **fields,
    )


def _form_data(meeting: Meeting | None = None, **overrides) -> dict:
    """What the meeting form posts: the meeting's values, or a good new meeting."""
    if meeting is None:
        starts = _london(timezone.localdate() + timedelta(days=7), 14)
        data = {
            "title": "Planning the crisis line",
            "starts_at": f"{starts:%Y-%m-%dT%H:%M}",
            "ends_at": f"{starts + timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "place": "Riverside Community Centre",
            "online_link": "",
            "access_info": "Step-free entrance; hearing loop.",
            "agenda": "1. Welcome",
            "capacity": "",
            "stage": "planning",
        }
    else:
        data = {
            "title": meeting.title,
            "starts_at": f"{timezone.localtime(meeting.starts_at):%Y-%m-%dT%H:%M}",
            "ends_at": f"{timezone.localtime(meeting.ends_at):%Y-%m-%dT%H:%M}",
            "place": meeting.place,
            "online_link": meeting.online_link,
            "access_info": meeting.access_info,
            "agenda": meeting.agenda,
            "capacity": meeting.capacity or "",
            "stage": meeting.stage,
        }
    return {**data, **overrides}


def _members(project, count: int, **person_fields) -> list:
    return [
        MembershipFactory(project=project, person=PersonFactory(**person_fields)).person
        for _ in range(count)
    ]


# Creating and changing a meeting


def test_creating_a_meeting_stores_utc_and_shows_london_time(staff_client, personas):
    summer_day = f"{timezone.localdate().year + 1}-07-14"
    response = staff_client.post(
        reverse("projects:meeting_add", args=[personas.project.slug]),
        _form_data(starts_at=f"{summer_day}T10:00", ends_at=f"{summer_day}T12:30"),
        follow=True,
    )

    meeting = Meeting.objects.get(title="Planning the crisis line")
    year = timezone.localdate().year + 1
    weekday = f"{date(year, 7, 14):%A}"
    assert meeting.starts_at == datetime(year, 7, 14, 9, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(year, 7, 14, 11, 30, tzinfo=UTC)
    assert meeting.created_by == personas.staff
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == meeting.get_absolute_url()
    assert f"{weekday} 14 July {year}, 10:00 am to 12:30 pm" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"ends_at": "START"},
            "ends_at",
            "The meeting must end after it starts.",
        ),
        ({"place": "", "online_link": ""}, "place", "Say where the meeting is"),
        ({"capacity": "0"}, "capacity", "Enter a number from 1 to 1000"),
        ({"capacity": "1001"}, "capacity", "Enter a number from 1 to 1000"),
        ({"starts_at": "next tuesday-ish"}, "starts_at", "Enter a date and time"),
        ({"starts_at": "PAST", "ends_at": "PAST_END"}, "starts_at", "The start is in the past"),
        ({"online_link": "not a link"}, "online_link", "Enter a web address"),
    ],
)
def test_bad_meeting_input_is_explained_beside_its_field_and_nothing_is_saved(
    staff_client, personas, overrides, field, message
):
    good = _form_data()
    past = timezone.localtime() - timedelta(days=1)
    replacements = {
        "START": good["starts_at"],
        "PAST": f"{past:%Y-%m-%dT%H:%M}",
        "PAST_END": f"{past + timedelta(hours=1):%Y-%m-%dT%H:%M}",
    }
    data = {**good, **{key: replacements.get(value, value) for key, value in overrides.items()}}
    data["title"] = "Typed title"
    before = Meeting.objects.count()

    response = staff_client.post(
        reverse("projects:meeting_add", args=[personas.project.slug]), data
    )

    assert response.status_code == 200
    assert Meeting.objects.count() == before
    html = response.content.decode()
    error = re.search(rf'<[^>]+id="error_\d+_id_{field}"[^>]*>(.*?)</', html, re.S)
    assert error, f"no error shown beside {field}"
    assert message in html[error.start() : error.start() + 300]
    assert 'value="Typed title"' in html


def test_editing_the_time_bumps_the_sequence_and_owes_every_invitee_an_update(
    staff_client, personas
):
    meeting = personas.meeting
    other = personas.other_participant.person
    InvitationFactory(meeting=meeting, person=other)
    later = timezone.localtime(meeting.starts_at) + timedelta(hours=1)

    response = staff_client.post(
        _url("projects:meeting_edit", meeting),
        _form_data(
            meeting,
            starts_at=f"{later:%Y-%m-%dT%H:%M}",
            ends_at=f"{later + timedelta(hours=2):%Y-%m-%dT%H:%M}",
        ),
        follow=True,
    )

    meeting.refresh_from_db()
    assert meeting.sequence == 1
    updates = MeetingEmail.objects.filter(kind=EmailKind.UPDATE, key=1)
    assert {email.invitation.person for email in updates} == {personas.participant.person, other}
    assert "Everyone invited will get an updated calendar entry." in response.content.decode()


def test_editing_only_the_agenda_tells_nobody(staff_client, personas):
    meeting = personas.meeting

    response = staff_client.post(
        _url("projects:meeting_edit", meeting),
        _form_data(meeting, agenda="1. Welcome\n2. Money"),
        follow=True,
    )

    meeting.refresh_from_db()
    assert meeting.agenda == "1. Welcome\n2. Money"
    assert meeting.sequence == 0
    assert not MeetingEmail.objects.filter(kind=EmailKind.UPDATE).exists()
    html = response.content.decode()
    assert "Your changes have been saved." in html
    assert "updated calendar entry" not in html


def test_the_edit_page_says_invitees_get_an_updated_calendar_entry(staff_client, personas):
    html = staff_client.get(_url("projects:meeting_edit", personas.meeting)).content.decode()
    assert "everyone invited will get an updated calendar entry" in html


def test_cancelling_asks_first_then_owes_cancellations_and_shows_the_meeting_as_cancelled(
    staff_client, personas
):
    meeting = personas.meeting
    declined = InvitationFactory(
        meeting=meeting, person=personas.other_participant.person, response=Response.DECLINED
    )

    confirm = staff_client.get(_url("projects:meeting_cancel", meeting))
    assert Meeting.objects.get(pk=meeting.pk).cancelled_at is None
    assert "You cannot undo this" in confirm.content.decode()

    response = staff_client.post(_url("projects:meeting_cancel", meeting), follow=True)

    meeting.refresh_from_db()
    assert meeting.is_cancelled
    cancellations = MeetingEmail.objects.filter(kind=EmailKind.CANCELLATION)
    assert [email.invitation.person for email in cancellations] == [personas.participant.person]
    assert not cancellations.filter(invitation=declined).exists()
    assert "This meeting was cancelled on" in response.content.decode()
    listing = staff_client.get(reverse("projects:meetings", args=[meeting.project.slug]))
    assert "Cancelled" in listing.content.decode()


def test_a_cancelled_meeting_cannot_be_changed(staff_client, personas):
    meeting = _meeting(personas.project, cancelled_at=timezone.now())
    response = staff_client.post(
        _url("projects:meeting_edit", meeting), _form_data(meeting, title="New"), follow=True
    )
    meeting.refresh_from_db()
    assert meeting.title != "New"
    assert "This meeting was cancelled, so it cannot be changed." in response.content.decode()


# Inviting people


def _preview(response) -> str:
    html = response.content.decode()
    return html[html.index('id="preview-heading"') :].split("</section>")[0]


def _invite(client, meeting, *, send: bool = False, **data):
    """Check who would be invited; with `send`, then send to exactly those people."""
    url = _url("projects:meeting_invite", meeting)
    checked = client.post(url, {**data, "preview": "1"})
    if not send:
        return checked
    fingerprint = (checked.context or {}).get("checked") or ""
    return client.post(url, {**data, "send": "1", "checked": fingerprint}, follow=True)


@pytest.fixture
def invite_setup(personas):
    """The project has Pat (active, invited already) and Olu (active) from the personas,
    plus 2 active carers, 1 active manager, 1 interested carer, 1 active carer without
    consent, 1 member who left, and 1 carer in another project."""
    project = personas.project
    carers = _members(project, 2, stakeholder_group=StakeholderGroup.CARER)
    manager = _members(project, 1, stakeholder_group=StakeholderGroup.MANAGER)[0]
    interested = PersonFactory(stakeholder_group=StakeholderGroup.CARER)
    MembershipFactory(project=project, person=interested, status=MembershipStatus.INTERESTED)
    no_consent = PersonFactory(stakeholder_group=StakeholderGroup.CARER, consented=False)
    MembershipFactory(project=project, person=no_consent)
    left = PersonFactory(stakeholder_group=StakeholderGroup.CARER)
    MembershipFactory(project=project, person=left, status=MembershipStatus.LEFT)
    MembershipFactory(
        project=personas.other_project,
        person=PersonFactory(stakeholder_group=StakeholderGroup.CARER),
    )
    return {
        "carers": carers,
        "manager": manager,
        "interested": interested,
        "no_consent": no_consent,
    }


def test_the_preview_for_all_active_members_leaves_out_the_unconsented_and_the_invited(
    staff_client, personas, invite_setup
):
    html = _preview(_invite(staff_client, personas.meeting, who="all"))

    # Olu, 2 carers and the manager; Pat is already invited.
    assert "This will invite 4 people (1 already invited is left out)" in html
    assert escape(invite_setup["manager"].full_name) in html
    assert escape(invite_setup["no_consent"].full_name) not in html
    assert not Invitation.objects.exclude(person=personas.participant.person).exists()


def test_the_preview_for_groups_counts_only_active_members_of_those_groups(
    staff_client, personas, invite_setup
):
    html = _preview(
        _invite(staff_client, personas.meeting, who="groups", groups=["carer", "manager"])
    )
    assert "This will invite 3 people</h2>" in html
    assert escape(invite_setup["interested"].full_name) not in html


def test_the_preview_for_chosen_people_counts_those_chosen(staff_client, personas, invite_setup):
    chosen = [invite_setup["interested"], personas.participant.person]
    html = _preview(
        _invite(
            staff_client,
            personas.meeting,
            who="chosen",
            people=[str(person.public_id) for person in chosen],
        )
    )
    assert "This will invite 1 person (1 already invited is left out)" in html
    assert escape(invite_setup["interested"].full_name) in html
    assert personas.participant.person.full_name not in html


def test_people_without_consent_cannot_even_be_chosen(staff_client, personas, invite_setup):
    page = staff_client.get(_url("projects:meeting_invite", personas.meeting)).content.decode()
    assert invite_setup["no_consent"].full_name not in page
    assert invite_setup["interested"].full_name in page

    response = _invite(
        staff_client,
        personas.meeting,
        send=True,
        who="chosen",
        people=[str(invite_setup["no_consent"].public_id)],
    )
    assert not Invitation.objects.filter(person=invite_setup["no_consent"]).exists()
    assert "can no longer be invited" in response.content.decode()


def test_choosing_groups_without_ticking_one_says_so_beside_the_groups(staff_client, personas):
    html = _invite(staff_client, personas.meeting, who="groups").content.decode()
    assert re.search(r'id="error_\d+_id_groups"[^>]*><strong>Tick at least one group', html)


def test_sending_invites_each_person_once_and_owes_each_one_invitation_email(
    staff_client, personas, invite_setup
):
    meeting = personas.meeting

    response = _invite(staff_client, meeting, send=True, who="all")

    assert response.redirect_chain[-1][0] == meeting.get_absolute_url()
    assert "Invited 4 people. The invitations are on their way." in response.content.decode()
    assert meeting.invitations.count() == 5
    assert MeetingEmail.objects.filter(kind=EmailKind.INVITATION).count() == 4

    again = _invite(staff_client, meeting, send=True, who="all")

    assert "Nobody new would be invited" in again.content.decode()
    assert meeting.invitations.count() == 5
    assert MeetingEmail.objects.filter(kind=EmailKind.INVITATION).count() == 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"days": -2}, "This meeting is over, so nobody can be invited to it."),
        ({"cancelled_at": "now"}, "This meeting was cancelled, so nobody can be invited to it."),
    ],
)
def test_a_past_or_cancelled_meeting_refuses_invitations(staff_client, personas, fields, message):
    if fields.get("cancelled_at") == "now":
        fields = {"cancelled_at": timezone.now()}
    meeting = _meeting(personas.project, **fields)

    for response in (
        staff_client.get(_url("projects:meeting_invite", meeting), follow=True),
        _invite(staff_client, meeting, send=True, who="all"),
    ):
        assert message in response.content.decode()
    assert not meeting.invitations.exists()


# Attendance on the day


def _mark(client, meeting, person, status, hours="2"):
    return client.post(
        _url("projects:meeting_attendance", meeting),
        {"person": str(person.public_id), "status": status, "hours": hours},
    )


def test_the_attendance_screen_lists_those_coming_first_with_the_meeting_length_as_hours(
    staff_client, personas
):
    meeting = _meeting_under_way(personas.project, hours=2.5)
    no_answer = PersonFactory(full_name="Aaron Noanswer")
    InvitationFactory(meeting=meeting, person=no_answer)
    coming = PersonFactory(full_name="Zoe Coming")
    InvitationFactory(meeting=meeting, person=coming, response=Response.ACCEPTED)

    html = staff_client.get(_url("projects:meeting_attendance", meeting)).content.decode()

    assert html.index("Zoe Coming") < html.index("Aaron Noanswer")
    assert 'value="2.50"' in html
    assert "Did not come" in html


def test_marking_came_records_hours_and_returns_to_the_row(staff_client, personas):
    meeting = _meeting_under_way(personas.project)
    pat = personas.participant.person
    InvitationFactory(meeting=meeting, person=pat, response=Response.ACCEPTED)

    response = _mark(staff_client, meeting, pat, AttendanceStatus.ATTENDED, "2.5")

    assert response.status_code == 302
    assert response["Location"].endswith(f"attendance/#person-{pat.public_id}")
    attendance = Attendance.objects.get(meeting=meeting, person=pat)
    assert attendance.hours == Decimal("2.50")
    assert attendance.recorded_by == personas.staff
    page = staff_client.get(response["Location"]).content.decode()
    assert "Marked Pat Participant as came (2.5 hours)." in page


def test_changing_an_answer_back_and_forth_updates_one_record_that_keeps_the_group_of_the_day(
    staff_client, personas
):
    meeting = _meeting(personas.project, days=-1)
    person = PersonFactory(stakeholder_group=StakeholderGroup.CARER)
    InvitationFactory(meeting=meeting, person=person, response=Response.ACCEPTED)

    _mark(staff_client, meeting, person, AttendanceStatus.ATTENDED, "2")
    _mark(staff_client, meeting, person, AttendanceStatus.NO_SHOW, "2")
    _mark(staff_client, meeting, person, AttendanceStatus.ATTENDED, "1.75")
    person.stakeholder_group = StakeholderGroup.MANAGER
    person.save()

    attendance = Attendance.objects.get(meeting=meeting, person=person)
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    assert attendance.status == AttendanceStatus.ATTENDED
    assert attendance.hours == Decimal("1.75")
    assert attendance.stakeholder_group == StakeholderGroup.CARER
    assert attendance.history.count() == 3


def test_a_no_show_is_recorded_with_no_hours(staff_client, personas):
    meeting = _meeting_under_way(personas.project)
    person = PersonFactory()
    InvitationFactory(meeting=meeting, person=person)

    response = _mark(staff_client, meeting, person, AttendanceStatus.NO_SHOW, "")

    assert Attendance.objects.get(person=person).hours == Decimal("0")
    assert "as did not come." in staff_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("hours", ["25", "-1", "lots", ""])
def test_impossible_hours_are_explained_beside_the_row_and_nothing_is_saved(
    staff_client, personas, hours
):
    meeting = _meeting_under_way(personas.project)
    person = PersonFactory()
    InvitationFactory(meeting=meeting, person=person)

    response = _mark(staff_client, meeting, person, AttendanceStatus.ATTENDED, hours)

    assert response.status_code == 200
    assert not Attendance.objects.exists()
    html = response.content.decode()
    assert f'id="hours-error-{person.public_id}"' in html
    assert "Enter the hours they took part, from 0 to 24" in html


def test_someone_who_came_without_an_invitation_can_be_added_from_the_members(
    staff_client, personas
):
    meeting = _meeting_under_way(personas.project)
    walk_in = personas.other_participant.person
    outsider = PersonFactory(full_name="Not A Member")

    page = staff_client.get(_url("projects:meeting_attendance", meeting)).content.decode()
    walk_in_section = page.split('id="walk-in"')[1]
    assert walk_in.full_name in walk_in_section
    assert "Not A Member" not in page

    _mark(staff_client, meeting, walk_in, AttendanceStatus.ATTENDED, "1")
    _mark(staff_client, meeting, outsider, AttendanceStatus.ATTENDED, "1")

    assert list(Attendance.objects.values_list("person", flat=True)) == [walk_in.pk]
    page = staff_client.get(_url("projects:meeting_attendance", meeting)).content.decode()
    assert f'id="person-{walk_in.public_id}"' in page
    assert "Not invited" in page


def test_attendance_cannot_be_taken_before_the_meeting_starts(staff_client, personas):
    # Later today: the day has come, but the meeting has not started.
    starts_at = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=2)
    meeting = MeetingFactory(
        project=personas.project, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
    pat = personas.participant.person
    InvitationFactory(meeting=meeting, person=pat, response=Response.ACCEPTED)
    opens = timezone.localtime(starts_at)

    page = staff_client.get(_url("projects:meeting_attendance", meeting)).content.decode()
    response = _mark(staff_client, meeting, pat, AttendanceStatus.ATTENDED)

    clock = f"{opens:%-I:%M %p}".lower()
    assert f"You can mark who came once the meeting starts, at {clock} on" in page
    assert 'name="status"' not in page
    assert response.status_code == 302
    assert not Attendance.objects.exists()
    follow = staff_client.get(response["Location"]).content.decode()
    assert "Nothing has been recorded." in follow


@pytest.mark.parametrize("cancelled", [False, True], ids=["not started", "cancelled"])
def test_the_attendance_service_itself_refuses_a_meeting_not_started_or_cancelled(
    personas, cancelled
):
    """The rule lives in the service, so no other caller (an import, a task, a future
    page) can mark, and so pay, someone for a meeting that has not happened."""
    from django.core.exceptions import ValidationError

    from projects.services.meetings import attendance_record

    meeting = MeetingFactory(project=personas.project, past=cancelled)
    if cancelled:
        meeting.cancelled_at = timezone.now()
        meeting.save()

    with pytest.raises(ValidationError) as refused:
        attendance_record(
            meeting=meeting,
            person=personas.participant.person,
            status=AttendanceStatus.ATTENDED,
            hours=Decimal("2"),
            recorded_by=personas.staff,
        )

    assert ("cancelled" if cancelled else "once the meeting has started") in str(refused.value)
    assert not Attendance.objects.exists()
    assert not personas.participant.person.payments.exists()


def test_attendance_can_be_taken_once_the_meeting_has_started(staff_client, personas):
    meeting = _meeting_under_way(personas.project)
    pat = personas.participant.person
    InvitationFactory(meeting=meeting, person=pat, response=Response.ACCEPTED)

    assert (
        'name="status"'
        in staff_client.get(_url("projects:meeting_attendance", meeting)).content.decode()
    )
    _mark(staff_client, meeting, pat, AttendanceStatus.ATTENDED)

    assert Attendance.objects.filter(meeting=meeting, person=pat).exists()


# After the meeting


def test_participation_by_group_suppresses_small_counts(staff_client, personas):
    meeting = _meeting(personas.project, days=-1)
    for _ in range(5):
        Attendance.objects.create(
            meeting=meeting,
            person=PersonFactory(),
            status=AttendanceStatus.ATTENDED,
            hours=2,
            stakeholder_group=StakeholderGroup.LIVED_EXPERIENCE,
        )
    for status in (AttendanceStatus.ATTENDED, AttendanceStatus.NO_SHOW):
        Attendance.objects.create(
            meeting=meeting,
            person=PersonFactory(),
            status=status,
            stakeholder_group=StakeholderGroup.CARER,
        )

    html = staff_client.get(meeting.get_absolute_url()).content.decode()

    assert re.search(r"Person with lived experience</th><td>5</td>", html)
    assert re.search(r"Carer or family member</th><td>fewer than 5</td>", html)


def test_minutes_can_be_saved_once_the_meeting_has_started(staff_client, personas):
    past = _meeting(personas.project, days=-1)
    future = personas.meeting

    staff_client.post(_url("projects:meeting_minutes", past), {"minutes": "We agreed a plan."})
    response = staff_client.post(
        _url("projects:meeting_minutes", future), {"minutes": "Too early"}, follow=True
    )

    past.refresh_from_db()
    future.refresh_from_db()
    assert past.minutes == "We agreed a plan."
    assert future.minutes == ""
    assert "You can add minutes once the meeting has started." in response.content.decode()


def test_a_failed_email_shows_its_reason_and_try_again_clears_the_failure(
    staff_client, personas, django_capture_on_commit_callbacks
):
    invitation = personas.meeting.invitations.get()
    email = MeetingEmail.objects.create(
        invitation=invitation,
        kind=EmailKind.INVITATION,
        attempts=6,
        failed_at=timezone.now(),
        last_error="SMTP 550: mailbox unavailable",
    )

    page = staff_client.get(personas.meeting.get_absolute_url()).content.decode()
    assert "SMTP 550: mailbox unavailable" in page
    assert "Try again" in page

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            _url("projects:meeting_emails_retry", personas.meeting), {"email": email.pk}
        )

    email.refresh_from_db()
    assert email.failed_at is None
    assert len(callbacks) == 1
    assert response["Location"].endswith("#failed-emails")


def test_try_again_ignores_emails_of_other_meetings(staff_client, personas):
    other = InvitationFactory(meeting=_meeting(personas.project))
    email = MeetingEmail.objects.create(
        invitation=other, kind=EmailKind.INVITATION, failed_at=timezone.now(), last_error="x"
    )

    staff_client.post(_url("projects:meeting_emails_retry", personas.meeting), {"email": email.pk})

    email.refresh_from_db()
    assert email.failed_at is not None


# The dashboard and the list


def test_the_dashboard_panel_shows_upcoming_meetings_with_their_answers(staff_client, personas):
    meeting = personas.meeting
    for response, count in [
        (Response.ACCEPTED, 2),
        (Response.DECLINED, 1),
        (Response.WAITLISTED, 2),
        (Response.NO_ANSWER, 4),
    ]:
        for _ in range(count):
            InvitationFactory(meeting=meeting, response=response)
    _meeting(personas.project, title="Called off", cancelled_at=timezone.now())
    _meeting(personas.project, days=-3, title="Last week")

    html = staff_client.get(reverse("pages:dashboard")).content.decode()

    assert "Planning session" in html
    assert "3 coming, 1 not coming, 2 on the waiting list, 4 not answered" in html
    assert "Called off" not in html and "Last week" not in html


def test_the_dashboard_says_when_no_meetings_are_coming_up(staff_client, personas):
    Meeting.objects.all().delete()
    html = staff_client.get(reverse("pages:dashboard")).content.decode()
    assert "No meetings are coming up." in html


def test_the_meetings_list_shows_upcoming_meetings_before_past_ones(staff_client, personas):
    _meeting(personas.project, days=-10, title="Long ago")
    _meeting(personas.project, days=10, title="Later on")

    html = staff_client.get(reverse("projects:meetings", args=["crisis-support"])).content.decode()

    assert html.index("Planning session") < html.index("Later on") < html.index("Long ago")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("page", ["projects:meetings", "projects:meeting_attendance"])
def test_the_list_and_attendance_screen_run_the_same_queries_for_3_or_30_invitees(
    staff_client, page
):
    counts = []
    for size in (3, 30):
        project = ProjectFactory()
        meeting = _meeting_under_way(project)
        for person in _members(project, size):
            InvitationFactory(meeting=meeting, person=person, response=Response.ACCEPTED)
        Attendance.objects.create(
            meeting=meeting,
            person=person,
            status=AttendanceStatus.ATTENDED,
            hours=2,
            stakeholder_group=person.stakeholder_group,
        )
        url = (
            reverse(page, args=[project.slug])
            if page == "projects:meetings"
            else _url(page, meeting)
        )
        counts.append(_queries(staff_client, url))
    assert counts[0] == counts[1]


def test_the_meeting_page_runs_the_same_queries_for_3_or_30_invitees(staff_client):
    counts = []
    for size in (3, 30):
        meeting = _meeting(ProjectFactory(), days=-1)
        for person in _members(meeting.project, size):
            invitation = InvitationFactory(meeting=meeting, person=person)
            MeetingEmail.objects.create(
                invitation=invitation, kind="invitation", failed_at=timezone.now()
            )
        counts.append(_queries(staff_client, meeting.get_absolute_url()))
    assert counts[0] == counts[1]


# Who may see the pages

PAGES = [
    ("get", "projects:meetings"),
    ("get", "projects:meeting_add"),
    ("post", "projects:meeting_add"),
    ("get", "projects:meeting"),
    ("get", "projects:meeting_edit"),
    ("post", "projects:meeting_edit"),
    ("get", "projects:meeting_cancel"),
    ("post", "projects:meeting_cancel"),
    ("get", "projects:meeting_invite"),
    ("post", "projects:meeting_invite"),
    ("get", "projects:meeting_attendance"),
    ("post", "projects:meeting_attendance"),
    ("post", "projects:meeting_minutes"),
    ("post", "projects:meeting_emails_retry"),
]


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
@pytest.mark.parametrize(("method", "name"), PAGES)
def test_participants_and_commissioners_cannot_use_any_meeting_page(
    client, personas, visitor, method, name
):
    client.force_login(personas.by_role()[visitor])
    meeting = personas.meeting
    if name in ("projects:meetings", "projects:meeting_add"):
        url = reverse(name, args=[meeting.project.slug])
    else:
        url = _url(name, meeting)

    response = getattr(client, method)(url, {"who": "all", "status": "attended", "hours": "2"})

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.cancelled_at is None
    assert meeting.invitations.count() == 1


def test_a_meeting_of_another_project_is_not_found(staff_client, personas):
    url = reverse(
        "projects:meeting",
        kwargs={"slug": personas.other_project.slug, "meeting_id": personas.meeting.public_id},
    )
    assert staff_client.get(url).status_code == 404
