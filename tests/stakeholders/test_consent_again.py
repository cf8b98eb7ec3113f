"""Coming back: someone who withdrew their involvement consent agrees again themselves,
from /me/ or from a project's join page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    Membership,
    MembershipStatus,
    Payment,
    PaymentStatus,
    ProjectInvitation,
)
from projects.services.payments import payment_approve, payment_mark_paid
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import ConsentKind, ConsentMethod, ConsentRecord
from stakeholders.services import consent_withdraw

pytestmark = pytest.mark.django_db

AGREE = reverse("stakeholders:consent_give")


@pytest.fixture
def withdrawn(personas):
    """The participant was in the pool, invited to the other project, then withdrew."""
    person = personas.participant.person
    person.in_pool = True
    person.save(update_fields=["in_pool"])
    ProjectInvitation.objects.create(project=personas.other_project, person=person)
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)
    person.refresh_from_db()
    return person


def test_me_offers_a_way_back_only_to_someone_who_withdrew(participant_client, withdrawn):
    html = participant_client.get(reverse("pages:me")).content.decode()
    assert "You asked us to stop contacting you about taking part. Changed your mind?" in html
    assert AGREE in html


def test_me_offers_no_way_back_while_consent_stands(participant_client):
    html = participant_client.get(reverse("pages:me")).content.decode()
    assert "Changed your mind?" not in html


def test_the_page_shows_the_words_they_agree_to(participant_client, withdrawn):
    response = participant_client.get(AGREE)

    assert response.status_code == 200
    assert CONSENT_TEXTS[ConsentKind.INVOLVEMENT][1] in response.content.decode()


def test_agreeing_again_records_a_new_consent_with_its_wording_and_they_may_be_contacted(
    participant_client, personas, withdrawn
):
    response = participant_client.post(AGREE, {})

    assert response.status_code == 302 and response["Location"] == reverse("pages:me")
    withdrawn.refresh_from_db()
    assert withdrawn.involvement_consent_given and withdrawn.may_be_contacted
    records = ConsentRecord.objects.filter(person=withdrawn, kind=ConsentKind.INVOLVEMENT)
    assert records.count() == 2
    new = records.get(withdrawn_at=None)
    assert new.method == ConsentMethod.ONLINE
    assert new.recorded_by == personas.participant
    assert new.wording.text == CONSENT_TEXTS[ConsentKind.INVOLVEMENT][1]
    assert new.wording.version == CONSENT_TEXTS[ConsentKind.INVOLVEMENT][0]
    assert records.exclude(withdrawn_at=None).count() == 1, "the withdrawal is kept"
    assert not withdrawn.in_pool, "the pool is a choice of its own"
    html = participant_client.get(reverse("pages:me")).content.decode()
    assert "Changed your mind?" not in html
    assert "Thank you. You have agreed again" in html


def test_what_was_withdrawn_with_the_old_consent_stays_withdrawn(
    participant_client, personas, withdrawn
):
    participant_client.post(AGREE, {"join_pool": "on"})

    withdrawn.refresh_from_db()
    assert withdrawn.in_pool
    invitation = ProjectInvitation.objects.get(person=withdrawn)
    assert invitation.withdrawn_at is not None
    assert Membership.objects.get(person=withdrawn).status == MembershipStatus.LEFT
    html = participant_client.get(reverse("pages:me")).content.decode()
    assert "Projects you&rsquo;re invited to" not in html


def test_agreeing_twice_records_one_consent(participant_client, withdrawn):
    participant_client.post(AGREE, {})
    response = participant_client.post(AGREE, {})

    assert response.status_code == 302
    assert ConsentRecord.objects.filter(person=withdrawn, withdrawn_at=None).count() == 1
    page = participant_client.get(AGREE).content.decode()
    assert "You have already agreed" in page


def test_it_changes_only_the_signed_in_persons_own_consent(client, personas, withdrawn):
    other = personas.other_participant.person
    consent_withdraw(person=other, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)
    client.force_login(personas.other_participant)

    client.post(AGREE, {})

    withdrawn.refresh_from_db()
    other.refresh_from_db()
    assert other.involvement_consent_given
    assert not withdrawn.involvement_consent_given


def test_from_a_join_page_they_go_back_to_it_and_can_then_join(
    participant_client, personas, withdrawn
):
    join_url = reverse("projects:join", args=[personas.other_project.slug])
    page = participant_client.get(join_url).content.decode()
    assert f"{AGREE}?next={join_url}" in page

    response = participant_client.post(AGREE, {"next": join_url})

    assert response["Location"] == join_url
    assert "Yes, I am interested" in participant_client.get(join_url).content.decode()
    participant_client.post(join_url)
    membership = Membership.objects.get(person=withdrawn, project=personas.other_project)
    assert membership.status == MembershipStatus.INTERESTED


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/", "//evil.example.com/", "0", "pages:me"]
)
def test_a_next_address_elsewhere_is_ignored(participant_client, withdrawn, next_url):
    response = participant_client.post(AGREE, {"next": next_url})
    assert response["Location"] == reverse("pages:me")


def test_the_withdrawal_page_says_what_happens_to_money_owed_and_how_to_be_erased(
    participant_client,
):
    html = participant_client.get(
        reverse("stakeholders:consent_withdraw", args=["involvement"])
    ).content.decode()

    assert "Fees and expense claims we owe you are still paid as usual" in html
    assert reverse("stakeholders:erasure_request") in html
    assert reverse("projects:my_payments") in html


def test_fees_owed_are_still_paid_after_withdrawing(personas):
    """What the withdrawal page promises: withdrawing cancels nothing owed."""
    person = personas.participant.person
    payment = Payment.objects.create(
        person=person,
        project=personas.project,
        activity="Planning",
        amount=Decimal("20"),
        method="voucher",
    )

    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OWED
    payment_approve(payment=payment, approved_by=personas.staff, benefits_checked=True)
    paid = payment_mark_paid(payment=payment, paid_on=timezone.localdate(), reference="BACS-1")
    assert paid.status == PaymentStatus.PAID
