"""Members are emailed when a vote opens, once each, with a signed link that lets them vote
without logging in."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from decisions.ballot import ballot_token
from decisions.models import DecisionMethod, Vote, VoteEmail
from decisions.services import (
    decision_create,
    vote_email_send,
    vote_emails_sweep,
    voting_close,
    voting_open,
)
from decisions.tasks import send_vote_email, send_vote_emails
from projects.models import MembershipStatus
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _decision(personas, **fields):
    defaults = {
        "title": "Saturday opening",
        "question": "Should the drop-in open on Saturdays?",
        "options": "Every Saturday\nOnce a month",
        "method": DecisionMethod.OPTIONS,
        "ladder_rung": "co_design",
    }
    return decision_create(
        project=personas.project, created_by=personas.staff, **{**defaults, **fields}
    )


def _open(decision, capture):
    with capture(execute=True):
        return voting_open(decision=decision)


def _link(message) -> str:
    return re.search(r"http://\S+/vote/\S+/", message.body).group(0)


def test_opening_a_vote_emails_each_active_member_who_agreed_to_be_involved(
    personas, django_capture_on_commit_callbacks
):
    withdrawn = PersonFactory(full_name="No Consent", consented=False)
    MembershipFactory(project=personas.project, person=withdrawn)
    left = PersonFactory(full_name="Has Left")
    MembershipFactory(project=personas.project, person=left, status=MembershipStatus.LEFT)

    _open(_decision(personas), django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "other.participant@example.org",
        "participant@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["participant@example.org"])
    assert message.subject == "Please vote: Saturday opening"
    assert "Should the drop-in open on Saturdays?" in message.body
    assert "- Once a month" in message.body
    assert "You do not need to log in" in message.body
    assert _link(message) in message.alternatives[0][0]


def test_a_retried_task_never_sends_the_vote_email_twice(
    personas, django_capture_on_commit_callbacks
):
    _open(_decision(personas), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    email_ids = list(VoteEmail.objects.values_list("pk", flat=True))

    send_vote_emails.delay(email_ids)
    for email_id in email_ids:
        send_vote_email.delay(email_id)
        assert vote_email_send(email_id=email_id) is False

    assert len(mail.outbox) == 2
    assert VoteEmail.objects.filter(sent_at=None).count() == 0


def test_an_email_claimed_by_another_worker_is_not_sent_again(personas):
    decision = voting_open(decision=_decision(personas))
    email = VoteEmail.objects.filter(decision=decision).first()
    VoteEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now())

    assert vote_email_send(email_id=email.pk) is False
    assert mail.outbox == []


def test_a_failed_send_is_released_for_the_retry_and_then_sent_once(personas, monkeypatch):
    decision = voting_open(decision=_decision(personas))
    email = VoteEmail.objects.filter(decision=decision).first()

    def broken(self, fail_silently=False):
        raise OSError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
        with pytest.raises(OSError):
            vote_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.claimed_at is None
    assert email.last_error == "mail server down"

    assert vote_email_send(email_id=email.pk) is True
    assert vote_email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_the_sweep_sends_emails_the_broker_never_got(personas):
    # Opened outside a transaction callback: the emails wait in the outbox.
    voting_open(decision=_decision(personas))
    VoteEmail.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    vote_emails_sweep()
    vote_emails_sweep()

    assert len(mail.outbox) == 2


def test_no_email_goes_once_the_vote_has_closed(personas):
    decision = voting_open(decision=_decision(personas))
    voting_close(decision=decision)

    for email in VoteEmail.objects.all():
        assert vote_email_send(email_id=email.pk) is False
    assert mail.outbox == []


def test_withdrawing_consent_before_the_email_goes_stops_it(personas):
    decision = voting_open(decision=_decision(personas))
    person = personas.participant.person
    person.involvement_consent_given = False
    person.save(update_fields=["involvement_consent_given"])

    email = VoteEmail.objects.get(decision=decision, person=person)
    assert vote_email_send(email_id=email.pk) is False
    assert mail.outbox == []


def test_the_emailed_link_lets_the_member_vote_without_logging_in(
    client, personas, django_capture_on_commit_callbacks
):
    decision = _open(_decision(personas), django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["participant@example.org"])
    path = _link(message).split("8000", 1)[-1]

    page = client.get(path)
    assert page.status_code == 200
    assert "Saturday opening: how do you vote?" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert not Vote.objects.exists()

    monthly = decision.option_rows.get(label="Once a month").pk
    done = client.post(path, {"choice": str(monthly)})

    assert "Your vote on Saturday opening: <strong>Once a month</strong>" in (done.content.decode())
    vote = Vote.objects.get()
    assert vote.person == personas.participant.person
    assert vote.recorded_by is None


def test_a_changed_link_does_nothing_and_says_so(client, personas):
    decision = voting_open(decision=_decision(personas))
    token = ballot_token(decision, personas.participant.person)
    response = client.post(
        reverse("decisions:ballot", args=[token[:-3] + "abc"]),
        {"choice": str(decision.option_rows.first().pk)},
    )
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not Vote.objects.exists()


def test_the_link_of_a_closed_vote_says_it_has_closed_and_changes_nothing(client, personas):
    decision = voting_open(decision=_decision(personas))
    token = ballot_token(decision, personas.participant.person)
    voting_close(decision=decision)

    response = client.post(
        reverse("decisions:ballot", args=[token]), {"choice": str(decision.option_rows.first().pk)}
    )

    assert response.status_code == 410
    assert "This vote has closed" in response.content.decode()
    assert not Vote.objects.exists()


def test_the_link_of_someone_who_has_left_no_longer_works(client, personas):
    decision = voting_open(decision=_decision(personas))
    person = personas.participant.person
    token = ballot_token(decision, person)
    person.memberships.update(status=MembershipStatus.LEFT)

    response = client.post(
        reverse("decisions:ballot", args=[token]), {"choice": str(decision.option_rows.first().pk)}
    )

    assert response.status_code == 410
    assert "This link is no longer active" in response.content.decode()
    assert not Vote.objects.exists()


def test_a_link_with_a_bad_choice_shows_a_plain_error_and_saves_nothing(client, personas):
    decision = voting_open(decision=_decision(personas))
    token = ballot_token(decision, personas.participant.person)

    response = client.post(reverse("decisions:ballot", args=[token]), {"choice": "99999999999"})

    assert response.status_code == 200
    assert "Choose one of the options shown." in response.content.decode()
    assert not Vote.objects.exists()


def test_the_link_of_a_vote_in_an_archived_project_says_it_has_ended_and_changes_nothing(
    client, personas
):
    decision = voting_open(decision=_decision(personas))
    token = ballot_token(decision, personas.participant.person)
    personas.project.archived_at = timezone.now()
    personas.project.save(update_fields=["archived_at"])

    opened = client.get(reverse("decisions:ballot", args=[token]))
    response = client.post(
        reverse("decisions:ballot", args=[token]), {"choice": str(decision.option_rows.first().pk)}
    )

    for page in (opened, response):
        assert page.status_code == 410
        assert "This project has ended and its records are kept as they are" in (
            page.content.decode()
        )
    assert not Vote.objects.exists()
