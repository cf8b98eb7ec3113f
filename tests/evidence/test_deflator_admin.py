"""The GDP deflators every valuation is priced with: staff read them in the admin, only
administrators add a year, and a year added is the one the valuation then uses."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evidence.models import Deflator
from evidence.selectors.valuation import prices_for
from stakeholders.models import User
from tests.factories.valuation import wellby

pytestmark = pytest.mark.django_db

YEAR_2025 = {"year": "2025", "index": "103.5000", "source": "HM Treasury, March 2026"}


def test_everyday_staff_may_read_the_deflators_but_not_add_one(client, personas):
    wellby()  # ships the series too
    client.force_login(personas.staff)

    assert client.get(reverse("admin:evidence_deflator_changelist")).status_code == 200
    assert client.get(reverse("admin:evidence_deflator_add")).status_code == 403
    assert client.post(reverse("admin:evidence_deflator_add"), YEAR_2025).status_code == 403
    assert not Deflator.objects.filter(year=2025).exists()


def test_a_year_an_administrator_adds_prices_the_valuation_in_it(client):
    wellby()
    assert prices_for(2025).year_used == 2024
    administrator = User.objects.create_superuser("admin@example.org", "a-long-admin-password-9")
    client.force_login(administrator)

    response = client.post(reverse("admin:evidence_deflator_add"), YEAR_2025)

    assert response.status_code == 302, response.content.decode()[:2000]
    prices = prices_for(2025)
    assert prices.year_used == 2025
    assert prices.ratio(2024) == Decimal("1.035")
