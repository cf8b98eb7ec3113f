"""The dashboard's to-do entry for emails and texts that failed or did not arrive (issue 16):
about meetings, votes, invitations to join and sign-in links; counted, oldest first, and
linking to where staff can act."""

import pytest
from django.urls import reverse

from decisions.models import DecisionMethod, VoteEmail
from decisions.services import decision_create, voting_open
from projects.models import EmailKind, Invitation, MeetingEmail, ProjectInvitation
from projects.services.meetings import meeting_email_retry
from stakeholders.models import SigninLink
from tests.pages.test_dashboard import _assert_entry, _days_ago, _entry, _page

pytestmark = pytest.mark.django_db

BOUNCED = "The phone number or email address does not work. Check it with them."


def _person_url(person) -> str:
    return reverse("projects:person", args=[person.public_id])


def test_a_text_that_did_not_arrive_is_listed_with_a_link_to_its_meeting(staff_client, personas):
    email = MeetingEmail.objects.create(
        invitation=Invitation.objects.get(meeting=personas.meeting),
        kind=EmailKind.INVITATION,
        channel="text",
        provider_id="notify-1",
        sent_at=_days_ago(4),
        bounced_at=_days_ago(3),
        last_error=BOUNCED,
    )

    _assert_entry(
        _page(staff_client),
        "emails",
        count=1,
        says="The oldest did not arrive (we heard 3 days ago), for Planning session.",
        link=personas.meeting.get_absolute_url() + "#failed-emails",
    )
    meeting_email_retry(email=email)
    assert _entry(_page(staff_client), "emails") is None


def test_a_bounced_message_shows_on_the_meeting_page_with_try_again(staff_client, personas):
    email = MeetingEmail.objects.create(
        invitation=Invitation.objects.get(meeting=personas.meeting),
        kind=EmailKind.REMINDER,
        channel="email",
        sent_at=_days_ago(1),
        bounced_at=_days_ago(1),
        last_error=BOUNCED,
    )

    page = staff_client.get(personas.meeting.get_absolute_url()).content.decode()

    assert BOUNCED in page
    assert f'name="email" value="{email.pk}"' in page
    assert "Check their email address first" in page


def test_a_failed_vote_message_is_listed_with_a_link_to_the_decision(staff_client, personas):
    decision = voting_open(
        decision=decision_create(
            project=personas.project,
            created_by=personas.staff,
            title="Saturday opening",
            question="Open on Saturdays?",
            method=DecisionMethod.VOTE,
            ladder_rung="co_design",
        )
    )
    VoteEmail.objects.filter(decision=decision, person=personas.participant.person).update(
        failed_at=_days_ago(2), last_error="SMTP 550"
    )

    _assert_entry(
        _page(staff_client),
        "emails",
        count=1,
        says="The oldest failed 2 days ago, for the vote on Saturday opening, to Pat Participant.",
        link=decision.get_absolute_url(),
    )


def test_a_bounced_pool_invitation_is_listed_with_a_link_to_the_person(staff_client, personas):
    person = personas.participant.person
    ProjectInvitation.objects.create(
        project=personas.other_project,
        person=person,
        sent_at=_days_ago(6),
        bounced_at=_days_ago(5),
        last_error=BOUNCED,
    )

    _assert_entry(
        _page(staff_client),
        "emails",
        count=1,
        says=f"did not arrive (we heard 5 days ago), for an invitation to join "
        f"{personas.other_project.name}, to Pat Participant.",
        link=_person_url(person),
    )


def test_a_failed_sign_in_link_is_listed_with_a_link_to_the_person(staff_client, personas):
    person = personas.participant.person
    SigninLink.objects.create(
        person=person,
        user=personas.participant,
        kind="invitation",
        channel="text",
        to="+447700900982",
        failed_at=_days_ago(1),
        last_error="GOV.UK Notify refused it (400): Not a UK mobile number",
    )

    _assert_entry(
        _page(staff_client),
        "emails",
        count=1,
        says="The oldest failed 1 day ago, for a sign-in link to Pat Participant.",
        link=_person_url(person),
    )


def test_all_kinds_are_counted_together_and_the_oldest_comes_first(staff_client, personas):
    MeetingEmail.objects.create(
        invitation=Invitation.objects.get(meeting=personas.meeting),
        kind=EmailKind.INVITATION,
        failed_at=_days_ago(2),
        last_error="SMTP 550",
    )
    person = personas.other_participant.person
    ProjectInvitation.objects.create(
        project=personas.other_project,
        person=person,
        sent_at=_days_ago(8),
        bounced_at=_days_ago(7),
        last_error=BOUNCED,
    )

    page = _page(staff_client)

    _assert_entry(
        page,
        "emails",
        count=2,
        says="The oldest did not arrive (we heard 7 days ago)",
        link=_person_url(person),
    )
    assert "Then 1 more: the oldest failed 2 days ago, for Planning session." in _entry(
        page, "emails"
    )
