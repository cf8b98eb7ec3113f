"""The demo data shows a newcomer the payment warnings: the demo participant has fees owed
and paid and an expense claim, and two people on benefits have fees over a limit."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import ExpenseClaim, Payment, PaymentStatus
from projects.selectors.fee_benefits import fee_benefit_effect
from stakeholders.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_the_demo_participant_has_fees_owed_and_paid_and_an_expense_claim(client):
    pat = {"person__user__email": "participant@example.org"}
    assert Payment.objects.filter(**pat, status=PaymentStatus.OWED).exists()
    assert Payment.objects.filter(**pat, status=PaymentStatus.PAID).exists()
    assert ExpenseClaim.objects.filter(**pat).exists()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Jordan Ellis", "could go down by about £4.95"),
        ("Morgan Price", "no permitted work form (PW1) in place"),
    ],
)
def test_people_on_universal_credit_and_esa_show_the_warnings(name, words):
    fee = Payment.objects.get(person__full_name=name, status=PaymentStatus.OWED)

    effect = fee_benefit_effect(fee)

    assert effect.is_over
    assert any(words in line for line in effect.staff_lines)


def test_staff_see_the_warnings_on_the_payments_ledger(client):
    client.force_login(User.objects.get(email="staff@example.org"))
    fee = Payment.objects.get(person__full_name="Jordan Ellis", status=PaymentStatus.OWED)

    html = client.get(reverse("projects:payments", args=[fee.project.slug])).content.decode()

    assert "Needs their choice before it can be approved" in html
