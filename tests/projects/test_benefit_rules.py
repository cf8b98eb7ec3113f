"""The benefit rules as data: the shipped figures and their sources, the figure in force on
a day, who may change them in the admin, and the command that adds next April's."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects.models import BenefitRule, BenefitRuleKind
from projects.selectors.benefits import benefit_rule_in_force
from projects.services.benefits import next_sixth_of_april
from stakeholders.models import User

pytestmark = pytest.mark.django_db

SOURCE = ["--source-url", "https://www.gov.uk/rates-2027", "--source-title", "Rates 2027 to 2028"]


def test_every_kind_of_rule_ships_with_a_figure_in_force_today_and_its_source():
    today = date(2026, 12, 3)
    for kind in BenefitRuleKind:
        rule = benefit_rule_in_force(kind, today)
        assert rule is not None, kind
        assert rule.source_url.startswith("https://") and rule.source_title, kind
    assert benefit_rule_in_force(BenefitRuleKind.UC_TAPER, today).amount == Decimal("55.00")
    assert benefit_rule_in_force(BenefitRuleKind.TRADING_ALLOWANCE, today).amount == Decimal(
        "1000.00"
    )


def test_the_day_before_a_change_uses_the_old_figure_and_the_day_of_it_the_new():
    kind = BenefitRuleKind.UC_WORK_ALLOWANCE_HOUSING
    old = benefit_rule_in_force(kind, date(2026, 12, 3))
    new = BenefitRule.objects.create(
        kind=kind,
        amount=Decimal("427.00"),
        period="month",
        effective_from=date(2027, 4, 12),
        source_url="https://www.gov.uk/rates-2027",
        source_title="Rates 2027 to 2028",
    )

    assert benefit_rule_in_force(kind, date(2027, 4, 11)) == old
    assert benefit_rule_in_force(kind, date(2027, 4, 12)) == new
    assert benefit_rule_in_force(kind, date(1999, 1, 1)) is None


def test_everyday_staff_may_read_the_rules_but_not_change_them(client, personas):
    rule = BenefitRule.objects.get(kind=BenefitRuleKind.UC_TAPER)
    change_url = reverse("admin:projects_benefitrule_change", args=[rule.pk])
    client.force_login(personas.staff)

    assert client.get(reverse("admin:projects_benefitrule_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_benefitrule_add")).status_code == 403
    refused = client.post(change_url, _admin_form(rule, amount="1.00"))
    delete = client.post(
        reverse("admin:projects_benefitrule_delete", args=[rule.pk]), {"post": "yes"}
    )

    assert refused.status_code == 403 and delete.status_code == 403
    rule.refresh_from_db()
    assert rule.amount == Decimal("55.00")


def test_administrators_change_the_rules(client):
    administrator = User.objects.create_superuser("admin@example.org", "a-long-admin-password-9")
    rule = BenefitRule.objects.get(kind=BenefitRuleKind.UC_TAPER)
    client.force_login(administrator)

    response = client.post(
        reverse("admin:projects_benefitrule_change", args=[rule.pk]),
        _admin_form(rule, amount="50.00"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.amount == Decimal("50.00")


def _admin_form(rule: BenefitRule, **changes) -> dict:
    return {
        "kind": rule.kind,
        "amount": str(rule.amount),
        "period": rule.period,
        "effective_from": rule.effective_from.isoformat(),
        "source_url": rule.source_url,
        "source_title": rule.source_title,
        "note": rule.note,
        **changes,
    }


# The command that adds next April's figures ---------------------------------------------


def test_the_command_adds_each_figure_from_the_next_sixth_of_april_with_its_source():
    out = StringIO()
    call_command(
        "benefit_rules_add_april",
        "uc_work_allowance_housing=427",
        "esa_pw_higher=203.00",
        *SOURCE,
        stdout=out,
    )

    april = next_sixth_of_april(date.today())
    added = BenefitRule.objects.filter(effective_from=april)
    assert {(rule.kind, rule.amount, rule.period) for rule in added} == {
        ("uc_work_allowance_housing", Decimal("427.00"), "month"),
        ("esa_pw_higher", Decimal("203.00"), "week"),
    }
    assert all(rule.source_title == "Rates 2027 to 2028" for rule in added)
    assert "Added" in out.getvalue()


def test_the_next_sixth_of_april_is_this_years_until_it_comes():
    assert next_sixth_of_april(date(2027, 4, 5)) == date(2027, 4, 6)
    assert next_sixth_of_april(date(2027, 4, 6)) == date(2028, 4, 6)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([*SOURCE], "Give at least one figure, like uc_taper=55."),
        (["uc_taper", *SOURCE], "“uc_taper” is not kind=amount, like uc_taper=55."),
        (["council_tax=5", *SOURCE], "“council_tax” is not a benefit rule."),
        (["uc_taper=lots", *SOURCE], "“lots” for uc_taper is not an amount, like 411.00."),
        (["uc_taper=NaN", *SOURCE], "“NaN” for uc_taper is not an amount"),
        (["uc_taper=50", "uc_taper=55", *SOURCE], "uc_taper is given twice."),
        (["uc_taper=50"], "Say where the figures come from"),
        (["uc_taper=50", *SOURCE, "--from", "6/4/2027"], "“6/4/2027” is not a date"),
        (["uc_taper=-1", *SOURCE], "greater than or equal to 0"),
        (
            ["uc_taper=50", "--source-url", "not a web address", "--source-title", "Rates"],
            "Enter a valid URL.",
        ),
    ],
)
def test_the_command_refuses_bad_input_clearly_and_adds_nothing(arguments, message):
    before = BenefitRule.objects.count()

    with pytest.raises(CommandError, match=message):
        call_command("benefit_rules_add_april", *arguments)

    assert BenefitRule.objects.count() == before


def test_the_command_adds_nothing_when_one_figure_is_already_there():
    day = date(2027, 4, 6)
    call_command("benefit_rules_add_april", "uc_taper=50", *SOURCE, "--from", day.isoformat())
    before = BenefitRule.objects.count()

    with pytest.raises(CommandError, match="already a figure for this rule from that day"):
        call_command(
            "benefit_rules_add_april",
            "esa_pw_lower=25",
            "uc_taper=45",
            *SOURCE,
            "--from",
            day.isoformat(),
        )

    assert BenefitRule.objects.count() == before
    assert not BenefitRule.objects.filter(kind="esa_pw_lower", effective_from=day).exists()
    assert benefit_rule_in_force("uc_taper", day + timedelta(days=1)).amount == Decimal("50.00")
