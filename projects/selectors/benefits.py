"""Reads of the benefit rules: the figure in force on a day, and how fresh the figures are."""

from datetime import date

from django.db.models import Max

from projects.models import BenefitRule


def benefit_rule_in_force(kind: str, on: date) -> BenefitRule | None:
    """The figure of `kind` in force on the day `on`: the latest to take effect on or
    before it, so a period that spans a change in April uses the right one for each day.
    None when coprod holds no figure that early."""
    return (
        BenefitRule.objects.filter(kind=kind, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def benefit_rules_last_updated(today: date) -> date | None:
    """The day the newest figure in force took effect: when the figures were last brought
    up to date. None when coprod holds no figures in force."""
    return BenefitRule.objects.filter(effective_from__lte=today).aggregate(
        last=Max("effective_from")
    )["last"]
