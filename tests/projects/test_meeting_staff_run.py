"""Staff run a meeting from its pages: meetings over several days, inviting only after
checking who gets what, answers taken by phone, and retrying only emails that can work."""

import re
from datetime import datetime, time, timedelta
from html import escape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects.models import EmailKind, Invitation, Meeting, MeetingEmail, Response
from projects.services.meetings import invitation_respond, meeting_email_send
from stakeholders.models import ConsentKind
from stakeholders.services import consent_withdraw
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _url(name: str, meeting: Meeting, **kwargs) -> str:
    return reverse(
        name, kwargs={"slug": meeting.project.slug, "meeting_id": meeting.public_id, **kwargs}
    )


def _two_day_meeting(project) -> Meeting:
    """Monday 10:00 to Tuesday 16:00, UK time, at least a week from now."""
    today = timezone.localdate()
    monday = today + timedelta(days=7 + (7 - today.weekday()) % 7)
    starts_at = timezone.make_aware(datetime.combine(monday, time(10)))
    ends_at = timezone.make_aware(datetime.combine(monday + timedelta(days=1), time(16)))
    return MeetingFactory(
        project=project, title="Two-day design sprint", starts_at=starts_at, ends_at=ends_at
    )


def _long_span(meeting: Meeting) -> str:
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    return (
        f"Monday {starts.day} {starts:%B %Y}, 10:00 am to Tuesday {ends.day} {ends:%B %Y}, 4:00 pm"
    )


# Meetings over more than one day


def test_a_meeting_that_ends_on_a_later_day_shows_its_end_date_on_every_staff_page(
    staff_client, personas
):
    meeting = _two_day_meeting(personas.project)
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)

    for name in ("projects:meeting", "projects:meeting_attendance", "projects:meeting_invite"):
        html = staff_client.get(_url(name, meeting)).content.decode()
        assert _long_span(meeting) in html, name
    listing = staff_client.get(reverse("projects:meetings", args=[personas.project.slug]))
    short = f"Mon {starts.day} {starts:%b %Y}, 10:00 am to Tue {ends.day} {ends:%b %Y}, 4:00 pm"
    assert short in listing.content.decode()


def test_a_meeting_on_one_day_shows_the_day_once(staff_client, personas):
    html = staff_client.get(personas.meeting.get_absolute_url()).content.decode()
    starts = timezone.localtime(personas.meeting.starts_at)
    assert f"{starts:%A} {starts.day} {starts:%B %Y}, 10:00 am to 12:00 pm" in html


def test_the_invitation_email_and_my_page_show_a_multi_day_meeting_s_end_date(client, personas):
    meeting = _two_day_meeting(personas.project)
    invitation = InvitationFactory(meeting=meeting, person=personas.participant.person)
    email = MeetingEmail.objects.create(invitation=invitation, kind=EmailKind.INVITATION)

    assert meeting_email_send(email_id=email.pk)

    message = mail.outbox[-1]
    assert f"When: {_long_span(meeting)}" in message.body
    assert _long_span(meeting) in message.alternatives[0][0]
    client.force_login(personas.participant)
    assert _long_span(meeting) in client.get(reverse("pages:me")).content.decode()


# Inviting: nobody chosen at first, and a check of who gets what before anything is sent


def _invite_url(meeting: Meeting) -> str:
    return _url("projects:meeting_invite", meeting)


def test_the_invite_form_starts_with_nobody_chosen_and_no_send_button(staff_client, personas):
    html = staff_client.get(_invite_url(personas.meeting)).content.decode()

    assert not re.search(r'name="who"[^>]*checked', html)
    assert 'name="send"' not in html
    assert "Check who will be invited" in html


def test_pressing_send_without_choosing_anyone_says_so_and_invites_nobody(staff_client, personas):
    response = staff_client.post(_invite_url(personas.meeting), {"send": "1"})

    assert "Choose who to invite." in response.content.decode()
    assert personas.meeting.invitations.count() == 1


def test_the_check_shows_who_gets_an_email_who_a_text_and_who_must_be_told_another_way(
    staff_client, personas
):
    no_email = PersonFactory(full_name="Nina Noemail", email="", phone="+447700900982")
    MembershipFactory(project=personas.project, person=no_email)
    nothing = PersonFactory(full_name="Nell Nocontact", email="", phone="")
    MembershipFactory(project=personas.project, person=nothing)

    response = staff_client.post(_invite_url(personas.meeting), {"who": "all", "preview": "1"})

    html = response.content.decode()
    preview = html[html.index('id="preview-heading"') :]
    assert "This will invite 3 people" in preview
    by_email, rest = preview.split("will get a text message")
    by_text, unreachable = rest.split("no email address or phone number")
    assert "1 will get an email" in by_email
    assert personas.other_participant.person.full_name in by_email
    assert "Nina Noemail" in by_text and "Nina Noemail" not in by_email
    assert "Nell Nocontact" in unreachable
    assert "Send the invitations to 3 people" in html
    assert personas.meeting.invitations.count() == 1
    assert not MeetingEmail.objects.exists()


def test_send_invites_exactly_the_people_that_were_checked(staff_client, personas):
    checked = staff_client.post(_invite_url(personas.meeting), {"who": "all", "preview": "1"})

    response = staff_client.post(
        _invite_url(personas.meeting),
        {"who": "all", "send": "1", "checked": checked.context["checked"]},
        follow=True,
    )

    assert "Invited 1 person." in response.content.decode()
    assert personas.meeting.invitations.filter(person=personas.other_participant.person).exists()


def test_if_who_would_be_invited_changes_after_the_check_nothing_is_sent_and_it_is_shown_again(
    staff_client, personas
):
    checked = staff_client.post(_invite_url(personas.meeting), {"who": "all", "preview": "1"})
    MembershipFactory(project=personas.project, person=PersonFactory(full_name="Late Joiner"))

    response = staff_client.post(
        _invite_url(personas.meeting),
        {"who": "all", "send": "1", "checked": checked.context["checked"]},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing has been sent yet" in html
    assert "Late Joiner" in html
    assert personas.meeting.invitations.count() == 1
    assert not MeetingEmail.objects.exists()


# The agenda on the participant's own page


def test_my_page_shows_the_agenda_of_meetings_i_am_invited_to(client, personas):
    Meeting.objects.filter(pk=personas.meeting.pk).update(agenda="1. Welcome\n2. The new rota")
    other = MeetingFactory(project=personas.project, agenda="Secret agenda of another meeting")
    InvitationFactory(meeting=other, person=personas.other_participant.person)
    client.force_login(personas.participant)

    html = client.get(reverse("pages:me")).content.decode()

    assert "What we will talk about" in html
    assert "1. Welcome<br>2. The new rota" in html
    assert "Secret agenda" not in html


# Answers recorded by staff for people who are not online


def _record(client, invitation: Invitation, **data):
    url = _url(
        "projects:meeting_record_answer", invitation.meeting, person_id=invitation.person.public_id
    )
    return client.post(url, data, follow=True)


@pytest.fixture
def phone_only(personas) -> Invitation:
    person = PersonFactory(full_name="Phoebe Phoneonly", email="", phone="+447700900123")
    MembershipFactory(project=personas.project, person=person)
    return InvitationFactory(meeting=personas.meeting, person=person)


def test_staff_record_a_phone_answer_marked_as_recorded_on_behalf_of_the_person(
    staff_client, personas, phone_only
):
    response = _record(staff_client, phone_only, answer="accept")

    phone_only.refresh_from_db()
    assert phone_only.response == Response.ACCEPTED
    assert phone_only.answer_recorded_by == personas.staff
    assert phone_only.responded_at is not None
    html = response.content.decode()
    assert "Phoebe Phoneonly is coming." in html
    assert f"Recorded by {escape(str(personas.staff))} on behalf of Phoebe Phoneonly" in html


def test_the_meeting_page_offers_to_record_each_invitee_s_answer(
    staff_client, personas, phone_only
):
    html = staff_client.get(personas.meeting.get_absolute_url()).content.decode()
    url = _url(
        "projects:meeting_record_answer", personas.meeting, person_id=phone_only.person.public_id
    )
    assert f'href="{url}"' in html
    assert "Record their answer" in html


def test_staff_record_that_someone_needs_support_to_come(staff_client, personas, phone_only):
    _record(staff_client, phone_only, answer="support", support_note="A lift both ways")

    phone_only.refresh_from_db()
    assert phone_only.response == Response.ACCEPTED
    assert phone_only.needs_support
    assert phone_only.support_note == "A lift both ways"
    assert phone_only.answer_recorded_by == personas.staff


def test_support_needed_without_saying_what_support_is_explained_and_changes_nothing(
    staff_client, personas, phone_only
):
    response = _record(staff_client, phone_only, answer="support", support_note="")

    phone_only.refresh_from_db()
    assert phone_only.response == Response.NO_ANSWER
    assert phone_only.answer_recorded_by is None
    assert re.search(
        r'id="error_\d+_id_support_note"[^>]*><strong>Say what support', response.content.decode()
    )


@pytest.mark.parametrize("answer", ["", "maybe", "withdrawn"])
def test_a_made_up_recorded_answer_is_explained_and_changes_nothing(
    staff_client, personas, phone_only, answer
):
    response = _record(staff_client, phone_only, answer=answer)

    phone_only.refresh_from_db()
    assert response.status_code == 200
    assert phone_only.response == Response.NO_ANSWER
    assert "Choose what they said" in response.content.decode()


def test_a_recorded_no_frees_the_place_for_the_waiting_list(staff_client, personas, phone_only):
    Meeting.objects.filter(pk=personas.meeting.pk).update(capacity=1)
    _record(staff_client, phone_only, answer="accept")
    phone_only.refresh_from_db()
    assert phone_only.response == Response.WAITLISTED

    pat = personas.meeting.invitations.get(person=personas.participant.person)
    _record(staff_client, pat, answer="decline")

    phone_only.refresh_from_db()
    assert phone_only.response == Response.ACCEPTED


def test_the_person_sees_on_their_own_page_that_staff_recorded_their_answer(
    client, staff_client, personas
):
    pat = personas.meeting.invitations.get(person=personas.participant.person)
    _record(staff_client, pat, answer="decline")
    client.force_login(personas.participant)

    html = client.get(reverse("pages:me")).content.decode()

    assert "Your answer: <strong>Not coming</strong>" in html
    assert f"Recorded by {escape(str(personas.staff))} on behalf of Pat Participant" in html


def test_an_answer_the_person_gives_themselves_is_no_longer_marked_as_recorded_by_staff(
    staff_client, personas
):
    pat = personas.meeting.invitations.get(person=personas.participant.person)
    _record(staff_client, pat, answer="decline")

    invitation_respond(invitation=pat, action="accept")

    pat.refresh_from_db()
    assert pat.response == Response.ACCEPTED
    assert pat.answer_recorded_by is None


def test_no_answer_can_be_recorded_for_someone_who_withdrew(staff_client, personas, phone_only):
    consent_withdraw(person=phone_only.person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)

    response = _record(staff_client, phone_only, answer="accept")

    phone_only.refresh_from_db()
    assert phone_only.answer_recorded_by is None
    assert phone_only.response != Response.ACCEPTED
    assert "no longer taking part" in response.content.decode()


def test_no_answer_can_be_recorded_once_the_meeting_is_over(staff_client, personas):
    Meeting.objects.filter(pk=personas.meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    pat = personas.meeting.invitations.get(person=personas.participant.person)

    response = _record(staff_client, pat, answer="decline")

    pat.refresh_from_db()
    assert pat.response == Response.ACCEPTED
    assert "answers can no longer change" in response.content.decode()


def test_recording_an_answer_for_someone_not_invited_is_not_found(staff_client, personas):
    stranger = PersonFactory()
    url = _url("projects:meeting_record_answer", personas.meeting, person_id=stranger.public_id)

    assert staff_client.get(url).status_code == 404
    assert staff_client.post(url, {"answer": "accept"}).status_code == 404
    assert not Invitation.objects.filter(person=stranger).exists()


# Trying a failed email again


def _failed_email(invitation: Invitation, reason: str) -> MeetingEmail:
    return MeetingEmail.objects.create(
        invitation=invitation,
        kind=EmailKind.INVITATION,
        failed_at=timezone.now(),
        last_error=reason,
    )


@pytest.fixture
def unreachable(personas) -> Invitation:
    person = PersonFactory(full_name="Nell Nocontact", email="", phone="")
    MembershipFactory(project=personas.project, person=person)
    return InvitationFactory(meeting=personas.meeting, person=person)


def test_try_again_is_offered_only_where_there_is_an_address_or_a_number(
    staff_client, personas, phone_only, unreachable
):
    pat = personas.meeting.invitations.get(person=personas.participant.person)
    with_email = _failed_email(pat, "SMTP 550")
    by_text = _failed_email(phone_only, "GOV.UK Notify refused it (400): Not a UK mobile number")
    without = _failed_email(unreachable, "This person has no email address or mobile number.")

    html = staff_client.get(personas.meeting.get_absolute_url()).content.decode()

    assert f'name="email" value="{with_email.pk}"' in html
    assert f'name="email" value="{by_text.pk}"' in html
    assert f'name="email" value="{without.pk}"' not in html
    assert "No email address or phone number on record: contact them another way." in html
    assert "Try all of them again" in html


def test_trying_again_a_message_to_someone_without_an_address_or_number_changes_nothing(
    staff_client, personas, unreachable
):
    without = _failed_email(unreachable, "This person has no email address or mobile number.")

    response = staff_client.post(
        _url("projects:meeting_emails_retry", personas.meeting), {"email": without.pk}, follow=True
    )

    without.refresh_from_db()
    assert without.failed_at is not None
    assert "There are no failed messages to try again." in response.content.decode()
