"""The dashboard asks staff to check the benefit rules once the newest figure in force is
over a year old: an April's new figures have been missed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod.pages.selectors import benefit_rules_to_check, one_year_before
from projects.models import BenefitRule, BenefitRuleKind
from tests.pages.test_dashboard import _entry, _page

pytestmark = pytest.mark.django_db


def _only_rule_from(day: date) -> None:
    BenefitRule.objects.all().delete()
    BenefitRule.objects.create(
        kind=BenefitRuleKind.UC_TAPER,
        amount=Decimal("55"),
        period="rate",
        effective_from=day,
        source_url="https://www.gov.uk/rates",
        source_title="Rates",
    )


def test_figures_exactly_a_year_old_are_not_listed(staff_client):
    _only_rule_from(one_year_before(timezone.localdate()))

    assert _entry(_page(staff_client), "benefit-rules") is None


def test_figures_a_year_and_a_day_old_are_listed_with_the_day_and_a_link(staff_client):
    last = one_year_before(timezone.localdate()) - timedelta(days=1)
    _only_rule_from(last)

    entry = _entry(_page(staff_client), "benefit-rules")

    assert entry is not None
    assert (
        f"The benefit rules coprod uses were last updated on {last:%-d %B %Y}. "
        "Check them against GOV.UK." in entry
    )
    assert f'href="{reverse("admin:projects_benefitrule_changelist")}"' in entry


def test_a_figure_not_yet_in_force_does_not_count_as_an_update():
    today = date(2027, 6, 1)
    _only_rule_from(date(2026, 5, 31))
    BenefitRule.objects.create(
        kind=BenefitRuleKind.ESA_PERMITTED_WORK_HIGHER,
        amount=Decimal("210"),
        period="week",
        effective_from=date(2027, 6, 2),
        source_url="https://www.gov.uk/rates",
        source_title="Rates",
    )

    assert benefit_rules_to_check(today) is not None
    assert benefit_rules_to_check(date(2027, 6, 2)) is None


def test_the_figures_shipped_today_are_not_listed(staff_client):
    assert benefit_rules_to_check(date(2026, 12, 3)) is None


def test_a_year_before_the_29th_of_february_is_the_28th():
    assert one_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
