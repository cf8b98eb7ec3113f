"""Writes to the benefit rules: adding the figures for a new April."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import RULE_PERIODS, BenefitRule, BenefitRuleKind


def next_sixth_of_april(today: date) -> date:
    """The start of the next tax year, when most benefit figures change."""
    this_year = date(today.year, 4, 6)
    return this_year if today < this_year else date(today.year + 1, 4, 6)


def benefit_rules_add(
    *,
    figures: dict[str, Decimal],
    effective_from: date,
    source_url: str,
    source_title: str,
    note: str = "",
) -> list[BenefitRule]:
    """Add one figure for each kind in `figures`, all in force from `effective_from` and
    from the same source. Every figure is checked first: one bad figure adds none."""
    if not figures:
        raise ValidationError("Give at least one figure, like uc_taper=55.")
    rules = [
        BenefitRule(
            kind=kind,
            amount=amount,
            period=RULE_PERIODS[BenefitRuleKind(kind)],
            effective_from=effective_from,
            source_url=source_url,
            source_title=source_title,
            note=note,
        )
        for kind, amount in figures.items()
    ]
    problems = []
    for rule in rules:
        try:
            rule.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                where = rule.get_kind_display() if field == "__all__" else f"{rule.kind}: {field}"
                problems += [f"{where}: {message}" for message in messages]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for rule in rules:
            rule.save()
    return rules
