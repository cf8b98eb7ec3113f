"""The rapid-response finder: matching pool members, inviting them once, sending the emails."""

import re
import time
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import MembershipStatus, ProjectInvitation
from projects.pool_links import pool_invitation_url
from projects.selectors.finder import pool_matches
from projects.services.pool import pool_invitation_send, pool_invitations_sweep, pool_invite
from projects.tasks import send_pool_invitation
from stakeholders.models import (
    AccessNeed,
    Availability,
    ConsentKind,
    ConsentMethod,
    StakeholderGroup,
)
from stakeholders.services import consent_give, consent_withdraw
from tests.factories.people import StaffFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory, SkillFactory


def pool_member(**fields):
    return PersonFactory(in_pool=True, **fields)


def match(project, **choices) -> list:
    return pool_matches(
        project=project,
        groups=choices.get("groups", []),
        skills=choices.get("skills", []),
        availability=choices.get("availability", []),
        supported_access=choices.get("supported_access", []),
    )


def finder_url(project) -> str:
    return reverse("projects:finder", kwargs={"slug": project.slug})


def invite_url(project) -> str:
    return reverse("projects:finder_invite", kwargs={"slug": project.slug})


# Matching


def test_it_finds_only_pool_members_whose_consent_stands(personas):
    member = pool_member(full_name="Asha Patel")
    pool_member(full_name="Withdrawn Consent", consented=False)
    PersonFactory(full_name="Not In Pool", in_pool=False)
    pool_member(full_name="Erased Person", erased_at=timezone.now())

    assert match(personas.project) == [member]


def test_it_matches_people_in_any_chosen_group(personas):
    carer = pool_member(stakeholder_group=StakeholderGroup.CARER)
    practitioner = pool_member(stakeholder_group=StakeholderGroup.PRACTITIONER)
    pool_member(stakeholder_group=StakeholderGroup.MANAGER)

    found = match(personas.project, groups=[StakeholderGroup.CARER, StakeholderGroup.PRACTITIONER])

    assert set(found) == {carer, practitioner}


def test_it_matches_people_with_at_least_one_chosen_skill_and_lists_each_once(personas):
    writing, art, cooking = SkillFactory(name="Writing"), SkillFactory(name="Art"), SkillFactory()
    both = pool_member()
    both.skills.set([writing, art])
    one = pool_member()
    one.skills.set([art])
    pool_member().skills.set([cooking])
    pool_member()

    found = match(personas.project, skills=[writing, art])

    assert sorted(person.pk for person in found) == sorted([both.pk, one.pk])


def test_it_matches_people_free_at_one_of_the_chosen_times(personas):
    evenings = pool_member(free_weekday_evenings=True)
    weekends = pool_member(free_weekends=True)
    pool_member(free_weekday_mornings=True)

    found = match(
        personas.project, availability=[Availability.WEEKDAY_EVENINGS, Availability.WEEKENDS]
    )

    assert set(found) == {evenings, weekends}


def test_a_person_who_needs_bsl_is_left_out_unless_bsl_is_supported(personas):
    needs_bsl = pool_member(needs_bsl=True)
    needs_nothing = pool_member()

    assert set(match(personas.project)) == {needs_bsl, needs_nothing}, "no choice, no filter"
    assert match(personas.project, supported_access=[AccessNeed.STEP_FREE]) == [needs_nothing]
    assert set(match(personas.project, supported_access=[AccessNeed.BSL])) == {
        needs_bsl,
        needs_nothing,
    }


def test_a_person_with_two_needs_is_shown_only_when_both_are_supported(personas):
    two_needs = pool_member(needs_bsl=True, needs_step_free=True)

    assert match(personas.project, supported_access=[AccessNeed.BSL]) == []
    assert match(personas.project, supported_access=[AccessNeed.BSL, AccessNeed.STEP_FREE]) == [
        two_needs
    ]


def test_people_with_the_fewest_current_commitments_come_first(personas):
    busy = pool_member(full_name="Busy Bee")
    MembershipFactory(person=busy, status=MembershipStatus.ACTIVE)
    MembershipFactory(person=busy, status=MembershipStatus.INTERESTED)
    once = pool_member(full_name="Once Only")
    MembershipFactory(person=once, status=MembershipStatus.ACTIVE)
    MembershipFactory(person=once, status=MembershipStatus.LEFT)
    free_b = pool_member(full_name="Bea Free")
    free_a = pool_member(full_name="Abe Free")

    found = match(personas.project)

    assert found == [free_a, free_b, once, busy]
    assert [person.commitments for person in found] == [0, 0, 1, 2]


def test_it_marks_people_already_invited_or_already_taking_part_in_this_project(personas):
    invited = pool_member()
    ProjectInvitation.objects.create(project=personas.project, person=invited)
    member = pool_member()
    MembershipFactory(person=member, project=personas.project)
    elsewhere = pool_member()
    ProjectInvitation.objects.create(project=personas.other_project, person=elsewhere)

    found = {person.pk: person for person in match(personas.project)}

    assert found[invited.pk].already_invited and not found[invited.pk].already_member
    assert found[member.pk].already_member and not found[member.pk].already_invited
    assert not found[elsewhere.pk].already_invited and not found[elsewhere.pk].already_member


# Inviting and sending


def test_inviting_creates_invitations_and_emails_a_link_to_the_invitation_page(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.COPROD_BASE_URL = "https://coprod.example.org"
    asha = pool_member(full_name="Asha Patel", email="asha@example.org")
    ben = pool_member(email="ben@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        invitations = pool_invite(
            project=personas.project, people=[asha, ben], invited_by=personas.staff
        )

    assert {invitation.person for invitation in invitations} == {asha, ben}
    assert ProjectInvitation.objects.filter(project=personas.project, sent_at=None).count() == 0
    assert sorted(message.to[0] for message in mail.outbox) == [
        "asha@example.org",
        "ben@example.org",
    ]
    message = next(message for message in mail.outbox if message.to == ["asha@example.org"])
    assert message.subject == "We think you could help with Crisis support"
    link = pool_invitation_url(ProjectInvitation.objects.get(person=asha))
    assert link.startswith("https://coprod.example.org/invitation/")
    assert link in message.body
    assert f'href="{link}"' in message.alternatives[0][0]
    assert "You do not have to take part" in message.body


def test_inviting_the_same_person_twice_makes_one_invitation_and_sends_one_email(
    personas, django_capture_on_commit_callbacks
):
    asha = pool_member()

    with django_capture_on_commit_callbacks(execute=True):
        first = pool_invite(project=personas.project, people=[asha], invited_by=personas.staff)
    with django_capture_on_commit_callbacks(execute=True):
        second = pool_invite(project=personas.project, people=[asha], invited_by=personas.staff)

    assert len(first) == 1
    assert second == []
    assert ProjectInvitation.objects.filter(person=asha).count() == 1
    assert len(mail.outbox) == 1


def test_people_outside_the_pool_or_already_taking_part_are_not_invited(
    personas, django_capture_on_commit_callbacks
):
    outside = PersonFactory(in_pool=False)
    member = pool_member()
    MembershipFactory(person=member, project=personas.project)

    with django_capture_on_commit_callbacks(execute=True):
        invitations = pool_invite(
            project=personas.project, people=[outside, member], invited_by=personas.staff
        )

    assert invitations == []
    assert not ProjectInvitation.objects.exists()
    assert mail.outbox == []


def test_emails_are_queued_only_after_the_transaction_commits(
    personas, django_capture_on_commit_callbacks
):
    people = [pool_member(), pool_member()]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pool_invite(project=personas.project, people=people, invited_by=personas.staff)
        assert mail.outbox == []

    assert mail.outbox == []
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2


def test_running_the_task_twice_for_one_invitation_sends_one_email(personas):
    invitation = ProjectInvitation.objects.create(project=personas.project, person=pool_member())

    send_pool_invitation.delay(invitation.pk)
    send_pool_invitation.delay(invitation.pk)

    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_a_failed_send_is_released_so_that_a_retry_can_send_it(personas, monkeypatch):
    invitation = ProjectInvitation.objects.create(project=personas.project, person=pool_member())

    def smtp_down(*args, **kwargs):
        raise SMTPException("connection refused")

    monkeypatch.setattr("projects.services.pool._pool_invitation_email", smtp_down)
    with pytest.raises(SMTPException):
        pool_invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is None

    monkeypatch.undo()
    assert pool_invitation_send(invitation_id=invitation.pk) is True
    assert len(mail.outbox) == 1


def test_someone_who_leaves_the_pool_before_the_email_goes_is_not_emailed(personas):
    person = pool_member()
    invitation = ProjectInvitation.objects.create(project=personas.project, person=person)
    person.in_pool = False
    person.save(update_fields=["in_pool"])

    assert pool_invitation_send(invitation_id=invitation.pk) is False
    assert mail.outbox == []


def test_a_person_with_no_email_gets_a_text_with_a_short_link_and_is_not_listed_to_phone(
    client, personas, django_capture_on_commit_callbacks, text_outbox
):
    no_email = pool_member(full_name="Phone Only", email="", phone="+447911123456")
    client.force_login(personas.staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite_url(personas.project), {"people": [str(no_email.public_id)]})

    assert mail.outbox == []
    [text] = text_outbox
    assert text["to"] == "+447911123456"
    assert "Would you like to take part in Crisis support?" in text["body"]
    assert re.search(r"https?://\S+/l/[\w-]+/$", text["body"])
    invitation = ProjectInvitation.objects.get(person=no_email)
    assert (invitation.channel, invitation.provider_id) == ("text", text["id"])
    page = client.get(finder_url(personas.project)).content.decode()
    assert "Phone Only: contact by phone" not in page


def test_a_person_with_no_email_or_phone_is_listed_to_contact_another_way(
    client, personas, django_capture_on_commit_callbacks, text_outbox
):
    unreachable = pool_member(full_name="Nell Nocontact", email="", phone="")
    client.force_login(personas.staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(personas.project), {"people": [str(unreachable.public_id)]}, follow=True
        )

    assert mail.outbox == [] and text_outbox == []
    assert ProjectInvitation.objects.get(person=unreachable).sent_at is not None
    assert (
        "These people have no email address or phone number, so please contact them another "
        "way: Nell Nocontact." in response.content.decode()
    )
    page = client.get(finder_url(personas.project)).content.decode()
    assert "Nell Nocontact: contact by phone: no phone number on record" in page


def test_an_invitation_withdrawn_with_consent_is_not_sent_even_after_consent_is_given_again(
    personas,
):
    person = pool_member()
    invitation = ProjectInvitation.objects.create(
        project=personas.project,
        person=person,
        created_at=timezone.now() - timedelta(minutes=5),
    )
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)
    consent_give(
        person=person, kind=ConsentKind.INVOLVEMENT, method=ConsentMethod.ONLINE, recorded_by=None
    )
    person.in_pool = True
    person.save(update_fields=["in_pool"])

    assert pool_invitations_sweep() == 0
    assert pool_invitation_send(invitation_id=invitation.pk) is False
    assert mail.outbox == []


def test_someone_who_withdrew_consent_is_no_longer_listed_for_a_phone_call(client, personas):
    no_email = pool_member(full_name="Phone Only", email="", phone="+447911123456")
    ProjectInvitation.objects.create(
        project=personas.project, person=no_email, sent_at=timezone.now()
    )
    consent_withdraw(person=no_email, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)
    client.force_login(personas.staff)

    page = client.get(finder_url(personas.project)).content.decode()

    assert "Phone Only" not in page


# The pages


def test_the_finder_page_lists_matching_people_with_a_labelled_checkbox_each(client, personas):
    asha = pool_member(full_name="Asha Patel", stakeholder_group=StakeholderGroup.CARER)
    pool_member(full_name="Manny Ager", stakeholder_group=StakeholderGroup.MANAGER)
    client.force_login(personas.staff)

    response = client.get(finder_url(personas.project), {"groups": StakeholderGroup.CARER})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Asha Patel" in page
    assert "Manny Ager" not in page
    assert f'name="people" value="{asha.public_id}" id="choose-{asha.public_id}"' in page
    assert f'for="choose-{asha.public_id}">Choose Asha Patel</label>' in page
    assert "Access support we can provide" in page
    assert "People who need access support you have not chosen above are not shown." not in page
    narrowed = client.get(
        finder_url(personas.project),
        {"groups": StakeholderGroup.CARER, "supported_access": "needs_bsl"},
    ).content.decode()
    assert "People who need access support you have not chosen above are not shown." in narrowed


def test_people_already_invited_are_shown_with_their_checkbox_disabled(client, personas):
    asha = pool_member(full_name="Asha Patel")
    ProjectInvitation.objects.create(project=personas.project, person=asha)
    client.force_login(personas.staff)

    page = client.get(finder_url(personas.project)).content.decode()

    assert f'id="choose-{asha.public_id}" disabled>' in page
    assert f'value="{asha.public_id}"' not in page
    assert "Already invited" in page


def test_when_nobody_matches_the_page_says_to_choose_fewer_options(client, personas):
    pool_member(stakeholder_group=StakeholderGroup.CARER)
    client.force_login(personas.staff)

    response = client.get(finder_url(personas.project), {"groups": StakeholderGroup.MANAGER})

    assert b"Nobody in the pool matches. Try choosing fewer options." in response.content


def test_a_made_up_choice_in_the_address_is_an_error_on_the_page_not_a_crash(client, personas):
    client.force_login(personas.staff)

    response = client.get(finder_url(personas.project), {"groups": "wizards", "skills": "x"})

    assert response.status_code == 200
    assert b"could not be used" in response.content


def test_staff_invite_the_chosen_people_in_one_step_and_return_to_their_search(
    client, personas, django_capture_on_commit_callbacks
):
    people = [pool_member(), pool_member()]
    client.force_login(personas.staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(personas.project) + "?groups=carer",
            {"people": [str(person.public_id) for person in people]},
        )

    assert response.status_code == 302
    assert response["Location"] == finder_url(personas.project) + "?groups=carer"
    assert ProjectInvitation.objects.filter(project=personas.project).count() == 2
    assert len(mail.outbox) == 2
    page = client.get(response["Location"]).content.decode()
    assert "Invited 2 people. Invitations are on their way by email or text message." in page


def test_people_already_invited_are_named_as_not_invited_again(
    client, personas, django_capture_on_commit_callbacks
):
    asha = pool_member(full_name="Asha Patel")
    ProjectInvitation.objects.create(project=personas.project, person=asha)
    ben = pool_member()
    client.force_login(personas.staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(personas.project),
            {"people": [str(asha.public_id), str(ben.public_id)]},
            follow=True,
        )

    page = response.content.decode()
    assert "Invited 1 person. Invitations are on their way by email or text message." in page
    assert "Not invited, because they were already invited" in page
    assert "Asha Patel." in page
    assert ProjectInvitation.objects.filter(person=asha).count() == 1
    assert [message.to for message in mail.outbox] == [[ben.email]]


def test_inviting_with_nobody_chosen_changes_nothing_and_says_so(client, personas):
    pool_member()
    client.force_login(personas.staff)

    response = client.post(invite_url(personas.project), follow=True)

    assert b"Nobody was chosen." in response.content
    assert not ProjectInvitation.objects.exists()


def test_unknown_or_malformed_ids_are_ignored(client, personas):
    client.force_login(personas.staff)

    response = client.post(
        invite_url(personas.project),
        {"people": ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"]},
        follow=True,
    )

    assert response.status_code == 200
    assert b"Nobody was chosen." in response.content
    assert not ProjectInvitation.objects.exists()


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
def test_only_staff_may_find_and_invite_and_nobody_else_sees_a_name(client, personas, visitor):
    asha = pool_member(full_name="Asha Patel")
    client.force_login(personas.by_role()[visitor])

    found = client.get(finder_url(personas.project))
    invited = client.post(invite_url(personas.project), {"people": [str(asha.public_id)]})

    assert found.status_code == 403
    assert invited.status_code == 403
    assert b"Asha Patel" not in found.content + invited.content
    assert not ProjectInvitation.objects.exists()


def test_the_finder_page_runs_the_same_number_of_queries_for_5_or_50_people(
    client, personas, django_assert_num_queries
):
    skills = [SkillFactory(name="Listening"), SkillFactory(name="Art")]
    client.force_login(personas.staff)

    def add_people(count: int) -> None:
        for index in range(count):
            person = pool_member(free_weekends=True)
            person.skills.set(skills)
            MembershipFactory(person=person)
            if index % 2:
                ProjectInvitation.objects.create(project=personas.project, person=person)
        no_email = pool_member(email="", free_weekends=True)
        ProjectInvitation.objects.create(project=personas.project, person=no_email)

    url = finder_url(personas.project) + "?availability=free_weekends"
    add_people(4)
    with CaptureQueriesContext(connection) as five_people:
        assert client.get(url).content.count(b'<th scope="row">') == 5
    add_people(44)
    with django_assert_num_queries(len(five_people)):
        assert client.get(url).content.count(b'<th scope="row">') == 50


# Through real Redis to a real worker


@pytest.mark.redis
def test_invitations_go_through_redis_to_a_real_worker_and_are_sent(
    transactional_db, postgres, celery_worker
):
    project = ProjectFactory()
    people = [pool_member(), pool_member(), pool_member(email="")]

    invitations = pool_invite(project=project, people=people, invited_by=StaffFactory())

    assert len(invitations) == 3
    deadline = time.monotonic() + 30
    while ProjectInvitation.objects.filter(project=project, sent_at=None).exists():
        if time.monotonic() > deadline:
            celery_worker.terminate()
            print(celery_worker.communicate(timeout=10)[0])
            pytest.fail("the worker did not send the invitations within 30 seconds")
        time.sleep(0.5)


def test_an_invitation_the_broker_never_received_is_sent_by_the_sweep(personas):
    person = pool_member()
    invitation = ProjectInvitation.objects.create(
        project=personas.project, person=person, created_at=timezone.now() - timedelta(minutes=5)
    )
    assert pool_invitations_sweep() == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert pool_invitations_sweep() == 0


@pytest.mark.parametrize("skills", ["99999999999999999999", "9223372036854775808", "-1", "1e5"])
def test_a_skill_number_out_of_range_in_the_link_is_refused_plainly_not_a_500(
    staff_client, personas, skills
):
    url = reverse("projects:finder", args=[personas.project.slug])

    response = staff_client.get(url, {"skills": skills})

    assert response.status_code == 200
