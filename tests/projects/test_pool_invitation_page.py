"""The page of an invitation from the pool to join a project (/invitation/<token>/),
reached by its signed link without logging in, and the pending ones listed on /me/."""

import re
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    Membership,
    MembershipStatus,
    PaymentPolicy,
    PoolAnswer,
    ProjectInvitation,
    Stage,
)
from projects.pool_links import pool_invitation_path, pool_invitation_token, pool_invitation_url
from projects.selectors.finder import invitations_to_phone, pool_matches
from projects.services.pool import pool_invitation_send, pool_invite
from stakeholders.models import ConsentKind, ConsentMethod
from stakeholders.privacy import person_erase
from stakeholders.services import consent_give, consent_withdraw
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_project():
    """A project not open for sign-up: its join page is not found."""
    return ProjectFactory(
        name="Discharge planning",
        slug="discharge-planning",
        summary="Making leaving hospital less frightening.",
        is_open_to_join=False,
        time_commitment="Two hours a month",
        place="Civic Centre",
        payment_offer="£20 an hour plus travel",
        access_support="Step-free rooms and BSL interpreters.",
        contact_name="Jo Bloggs",
        contact_email="jo@example.org",
    )


@pytest.fixture
def policy(closed_project):
    return PaymentPolicy.objects.create(project=closed_project, fee_rate=Decimal("20.00"))


@pytest.fixture
def asha():
    return PersonFactory(full_name="Asha Patel", email="asha@example.org", in_pool=True)


@pytest.fixture
def invitation(closed_project, asha):
    return ProjectInvitation.objects.create(project=closed_project, person=asha)


def answer(client, invitation, value: str):
    return client.post(pool_invitation_path(invitation), {"answer": value})


def test_the_page_of_an_invitation_to_a_project_not_open_for_sign_up_says_what_it_involves(
    client, invitation, policy
):
    assert client.get(reverse("projects:join", args=["discharge-planning"])).status_code == 404

    response = client.get(pool_invitation_path(invitation))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Would you like to take part in Discharge planning?",
        "We pay £20 an hour for the time you take part.",
        "Making leaving hospital less frightening.",
        "Two hours a month",
        "Civic Centre",
        "£20 an hour plus travel",
        "We pay back what it costs you to take part: travel (fares), mileage at £0.45 a mile",
        "Step-free rooms and BSL interpreters.",
        "jo@example.org",
        "Yes, I&rsquo;d like to take part",
        "Not now",
    ):
        assert text in html, text
    assert "no-store" in response["Cache-Control"]


def test_a_project_without_a_payment_policy_shows_no_made_up_figures(client, invitation):
    html = client.get(pool_invitation_path(invitation)).content.decode()

    assert "£20 an hour plus travel" in html, "what staff wrote"
    assert "does not pay a fee" not in html
    assert "We pay back" not in html


def test_opening_the_page_changes_nothing(client, invitation):
    client.get(pool_invitation_path(invitation))

    invitation.refresh_from_db()
    assert invitation.answer == ""
    assert not Membership.objects.filter(person=invitation.person).exists()


def test_yes_makes_them_a_member_and_says_what_happens_next(client, invitation):
    response = answer(client, invitation, PoolAnswer.YES)

    assert response.status_code == 302
    membership = Membership.objects.get(person=invitation.person, project=invitation.project)
    assert membership.status == MembershipStatus.INTERESTED
    invitation.refresh_from_db()
    assert invitation.answer == PoolAnswer.YES and invitation.answered_at is not None
    html = client.get(response["Location"]).content.decode()
    assert "Thank you for saying yes" in html
    assert "Jo Bloggs will get in touch with you" in html


def test_not_now_is_recorded_and_they_are_thanked(client, invitation):
    response = answer(client, invitation, PoolAnswer.NOT_NOW)

    invitation.refresh_from_db()
    assert invitation.answer == PoolAnswer.NOT_NOW
    assert not Membership.objects.filter(person=invitation.person).exists()
    html = client.get(response["Location"]).content.decode()
    assert "Thank you &mdash; we will not ask about this project again" in html


def test_answering_twice_is_harmless(client, invitation):
    answer(client, invitation, PoolAnswer.YES)
    first = ProjectInvitation.objects.get(pk=invitation.pk).answered_at

    answer(client, invitation, PoolAnswer.YES)
    answer(client, invitation, PoolAnswer.NOT_NOW)

    invitation.refresh_from_db()
    assert invitation.answer == PoolAnswer.YES, "a yes stands"
    assert invitation.answered_at == first
    assert Membership.objects.filter(person=invitation.person).count() == 1
    assert Membership.objects.get(person=invitation.person).status == MembershipStatus.INTERESTED


def test_someone_who_said_not_now_can_still_say_yes(client, invitation):
    answer(client, invitation, PoolAnswer.NOT_NOW)
    answer(client, invitation, PoolAnswer.NOT_NOW)
    assert not Membership.objects.filter(person=invitation.person).exists()

    answer(client, invitation, PoolAnswer.YES)

    assert Membership.objects.filter(person=invitation.person).exists()


def test_saying_yes_keeps_an_active_member_active(client, invitation):
    MembershipFactory(
        person=invitation.person, project=invitation.project, status=MembershipStatus.ACTIVE
    )

    answer(client, invitation, PoolAnswer.YES)

    assert Membership.objects.get(person=invitation.person).status == MembershipStatus.ACTIVE


def test_a_post_without_an_answer_asks_for_one_and_changes_nothing(client, invitation):
    response = client.post(pool_invitation_path(invitation), {"answer": "maybe"})

    assert response.status_code == 200
    assert "Choose &ldquo;Yes, I&rsquo;d like to take part&rdquo; or &ldquo;Not now&rdquo;" in (
        response.content.decode()
    )
    invitation.refresh_from_db()
    assert invitation.answer == ""


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "",
        signing.dumps({"i": "not-a-real-id"}, salt="coprod.rsvp"),
        signing.dumps(["a list"], salt="coprod.pool-invitation"),
    ],
    # Named, not shown: a signed token holds the time, so each process would collect a
    # different id (and pytest-xdist refuses to run).
    ids=["nonsense", "empty", "signed-for-another-use", "signed-but-not-an-invitation"],
)
def test_a_bad_or_changed_link_gets_a_friendly_page(client, invitation, token):
    url = reverse("projects:pool_invitation", args=[token]) if token else "/invitation/x/"
    for response in (client.get(url), client.post(url, {"answer": PoolAnswer.YES})):
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not Membership.objects.exists()


def test_a_tampered_token_gets_a_friendly_page_and_changes_nothing(client, invitation):
    token = pool_invitation_token(invitation)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client.post(
        reverse("projects:pool_invitation", args=[tampered]), {"answer": PoolAnswer.YES}
    )

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not Membership.objects.exists()


def test_a_link_to_an_invitation_that_is_gone_gets_a_friendly_page(client, invitation):
    url = pool_invitation_path(invitation)
    invitation.delete()

    response = client.get(url)

    assert response.status_code == 410
    assert "We could not find this invitation" in response.content.decode()


def test_an_invitation_withdrawn_with_consent_is_refused_even_after_consent_is_given_again(
    client, invitation
):
    person = invitation.person
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)
    consent_give(
        person=person, kind=ConsentKind.INVOLVEMENT, method=ConsentMethod.ONLINE, recorded_by=None
    )

    response = answer(client, invitation, PoolAnswer.YES)

    assert response.status_code == 410
    assert "This invitation is no longer active" in response.content.decode()
    assert "jo@example.org" in response.content.decode(), "the team's contact is given"
    assert not Membership.objects.filter(person=person).exists()


def test_an_erased_persons_invitation_is_refused(client, invitation):
    person_erase(person=invitation.person, erased_by=None)

    response = answer(client, invitation, PoolAnswer.YES)

    assert response.status_code == 410
    assert "The details it was sent to have been erased" in response.content.decode()
    assert not Membership.objects.filter(person=invitation.person).exists()


@pytest.mark.parametrize(
    ("change", "title"),
    [
        ({"archived_at": timezone.now()}, "This project has ended"),
        ({"stage": Stage.CLOSED}, "This project has finished"),
    ],
)
def test_an_invitation_to_a_project_that_has_ended_is_refused(client, invitation, change, title):
    ProjectFactory._meta.model.objects.filter(pk=invitation.project_id).update(**change)

    for response in (
        client.get(pool_invitation_path(invitation)),
        answer(client, invitation, "yes"),
    ):
        assert response.status_code == 410
        assert title in response.content.decode()
    assert not Membership.objects.filter(person=invitation.person).exists()


def test_the_link_can_be_tried_only_so_often(client, invitation, settings):
    settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE = 2
    url = reverse("projects:pool_invitation", args=["guess"])

    statuses = [client.get(url).status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


# The email


def test_the_invitation_email_links_to_the_invitation_page_not_the_join_page(settings, invitation):
    settings.COPROD_BASE_URL = "https://coprod.example.org"

    assert pool_invitation_send(invitation_id=invitation.pk) is True

    message = mail.outbox[0]
    link = pool_invitation_url(invitation)
    assert link.startswith("https://coprod.example.org/invitation/")
    assert link in message.body
    assert f'href="{link}"' in message.alternatives[0][0]
    assert "/join/" not in message.body


# What staff see


def test_the_finder_shows_staff_who_said_not_now_and_the_phone_list_leaves_them_out(
    client, personas, invitation
):
    phone_only = PersonFactory(email="", phone="+447911123456", in_pool=True)
    pool_invite(project=invitation.project, people=[phone_only], invited_by=personas.staff)
    phoned = ProjectInvitation.objects.get(person=phone_only)
    assert invitations_to_phone(project=invitation.project) == [phoned]
    answer(client, invitation, PoolAnswer.NOT_NOW)
    answer(client, phoned, PoolAnswer.NOT_NOW)

    assert invitations_to_phone(project=invitation.project) == []
    found = {
        person.pk: person
        for person in pool_matches(
            project=invitation.project, groups=[], skills=[], availability=[], supported_access=[]
        )
    }
    assert found[invitation.person_id].invitation_answer == PoolAnswer.NOT_NOW
    client.force_login(personas.staff)
    html = client.get(reverse("projects:finder", args=[invitation.project.slug])).content.decode()
    assert "Invited: said &ldquo;not now&rdquo;" in html


# /me/


def test_me_lists_the_participants_pending_invitations_with_a_link_to_each(
    client, personas, closed_project
):
    mine = ProjectInvitation.objects.create(
        project=closed_project, person=personas.participant.person
    )
    client.force_login(personas.participant)

    html = client.get(reverse("pages:me")).content.decode()

    assert "Projects you&rsquo;re invited to" in html
    assert "Discharge planning" in html
    assert pool_invitation_path(mine) in html


def test_me_never_shows_another_persons_invitation(client, personas, closed_project):
    theirs = ProjectInvitation.objects.create(
        project=closed_project, person=personas.other_participant.person
    )
    client.force_login(personas.participant)

    html = client.get(reverse("pages:me")).content.decode()

    assert "Discharge planning" not in html
    assert pool_invitation_path(theirs) not in html
    assert "Projects you&rsquo;re invited to" not in html


def test_me_leaves_out_invitations_answered_withdrawn_or_to_projects_that_ended(client, personas):
    person = personas.participant.person
    for fields, project_fields in [
        ({"answer": PoolAnswer.NOT_NOW}, {"name": "Answered project"}),
        ({"withdrawn_at": timezone.now()}, {"name": "Withdrawn project"}),
        ({}, {"name": "Archived project", "archived_at": timezone.now()}),
        ({}, {"name": "Closed project", "stage": Stage.CLOSED}),
    ]:
        ProjectInvitation.objects.create(
            project=ProjectFactory(**project_fields), person=person, **fields
        )
    ProjectInvitation.objects.create(project=personas.project, person=person)
    client.force_login(personas.participant)

    html = client.get(reverse("pages:me")).content.decode()

    for name in ("Answered project", "Withdrawn project", "Archived project", "Closed project"):
        assert name not in html
    assert "Projects you&rsquo;re invited to" not in html, "already taking part in the last"


def test_answering_from_me_takes_the_invitation_off_the_list(client, personas, closed_project):
    mine = ProjectInvitation.objects.create(
        project=closed_project, person=personas.participant.person
    )
    client.force_login(personas.participant)
    assert "Discharge planning" in client.get(reverse("pages:me")).content.decode()

    answer(client, mine, PoolAnswer.YES)

    html = client.get(reverse("pages:me")).content.decode()
    assert "Projects you&rsquo;re invited to" not in html
    assert re.search(r"Discharge planning</strong>:\s+you said you are interested", html)
