"""Add next April's benefit figures, all from one source:

    manage.py benefit_rules_add_april uc_work_allowance_housing=427 esa_pw_higher=203 \
        --source-url https://www.gov.uk/... --source-title "Benefit and pension rates 2027 to 2028"

They take effect on the next 6 April unless --from gives another day (Universal Credit's
new figures start with the first assessment period after it: give that day with --from).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from projects.models import BenefitRuleKind
from projects.services.benefits import benefit_rules_add, next_sixth_of_april

KINDS = ", ".join(BenefitRuleKind.values)


def _figures(pairs: list[str]) -> dict[str, Decimal]:
    figures: dict[str, Decimal] = {}
    for pair in pairs:
        kind, equals, text = pair.partition("=")
        if not equals:
            raise CommandError(f"“{pair}” is not kind=amount, like uc_taper=55.")
        if kind not in BenefitRuleKind.values:
            raise CommandError(f"“{kind}” is not a benefit rule. The rules are: {KINDS}.")
        if kind in figures:
            raise CommandError(f"{kind} is given twice. Give each rule once.")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise CommandError(f"“{text}” for {kind} is not an amount, like 411.00.")
        figures[kind] = amount
    return figures


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date: write it as 2027-04-06.") from None


class Command(BaseCommand):
    help = "Add next April's benefit figures (kind=amount ...), with their source."

    def add_arguments(self, parser):
        parser.add_argument("figures", nargs="*", metavar="kind=amount", help=f"Kinds: {KINDS}")
        parser.add_argument("--source-url", default="", help="Where the figures come from.")
        parser.add_argument("--source-title", default="", help="The title of that page.")
        parser.add_argument("--from", dest="effective_from", default="", help="YYYY-MM-DD")
        parser.add_argument("--note", default="")

    def handle(self, *args, **options):
        figures = _figures(options["figures"])
        if not figures:
            raise CommandError("Give at least one figure, like uc_taper=55.")
        if not options["source_url"] or not options["source_title"]:
            raise CommandError(
                "Say where the figures come from with --source-url and --source-title."
            )
        effective_from = (
            _day(options["effective_from"])
            if options["effective_from"]
            else next_sixth_of_april(timezone.localdate())
        )
        try:
            rules = benefit_rules_add(
                figures=figures,
                effective_from=effective_from,
                source_url=options["source_url"],
                source_title=options["source_title"],
                note=options["note"],
            )
        except ValidationError as error:
            raise CommandError("Nothing was added. " + " ".join(error.messages)) from None
        for rule in rules:
            self.stdout.write(f"Added {rule}")
