"""The benefit figures in force on 3 December 2026, each with its source.

Where a 2026/27 figure could not be checked against a source, the latest figure that could
be is shipped with its true date, and the note says so: administrators check them against
GOV.UK and add the newer figure in the admin or with `manage.py benefit_rules_add_april`.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

RULES = [
    {
        "kind": "uc_work_allowance_housing",
        "amount": Decimal("411.00"),
        "period": "month",
        "effective_from": date(2026, 4, 13),
        "source_url": "https://thebusinesstimes.co.uk/universal-credit-payment-delay-for-millions-of-dwp-benefit-claimants",
        "source_title": "The Business Times: Universal Credit payment rates 2026/27",
        "note": "Reported as £411 a month for 2026/27 with help with housing costs; the new UC "
        "rates apply to assessment periods starting on or after 13 April 2026. Only a news "
        "report of the rates was found, not GOV.UK's own page: check it against GOV.UK "
        "'Universal Credit and earnings'. If the true figure is higher, this one warns early, "
        "never late.",
    },
    {
        "kind": "uc_work_allowance_no_housing",
        "amount": Decimal("684.00"),
        "period": "month",
        "effective_from": date(2026, 4, 13),
        "source_url": "https://thebusinesstimes.co.uk/universal-credit-payment-delay-for-millions-of-dwp-benefit-claimants",
        "source_title": "The Business Times: Universal Credit payment rates 2026/27",
        "note": "Reported as £684 a month for 2026/27 without help with housing costs; the new "
        "UC rates apply to assessment periods starting on or after 13 April 2026. Only a news "
        "report was found: check it against GOV.UK 'Universal Credit and earnings'.",
    },
    {
        "kind": "uc_taper",
        "amount": Decimal("55.00"),
        "period": "rate",
        "effective_from": date(2021, 11, 24),
        "source_url": "https://www.legislation.gov.uk/uksi/2021/1283/made",
        "source_title": "The Universal Credit (Work Allowance and Taper) (Amendment) Regulations "
        "2021 (SI 2021/1283)",
        "note": "55p of Universal Credit goes for each £1 earned above the work allowance; "
        "down from 63% on 24 November 2021.",
    },
    {
        "kind": "esa_pw_higher",
        "amount": Decimal("195.50"),
        "period": "week",
        "effective_from": date(2025, 4, 7),
        "source_url": "https://s4me.info/threads/uk-disability-benefits-uc-esa-and-pip-news-"
        "and-updates-2024-and-2025.38319/post-616439",
        "source_title": "DWP 'Pathways to Work' green paper (2025), paragraph 122, as quoted "
        "on s4me.info",
        "note": "Up to £195.50 a week after tax and National Insurance, from April 2025 (the "
        "2025/26 uprating; the exact first day was not checked). The 2026/27 figure could not be checked against a source: "
        "check GOV.UK 'Benefit and pension rates 2026 to 2027' and add it.",
    },
    {
        "kind": "esa_pw_lower",
        "amount": Decimal("20.00"),
        "period": "week",
        "effective_from": date(2002, 4, 1),
        "source_url": "https://www.scope.org.uk/support/disabled-people/work/permitted",
        "source_title": "Scope: Permitted work",
        "note": "Up to £20 a week, for an unlimited period. Unchanged since the permitted work "
        "rules of April 2002 (House of Commons Library CBP-7909); the exact first day was not "
        "checked.",
    },
    {
        "kind": "esa_pw_hours",
        "amount": Decimal("16.00"),
        "period": "week",
        "effective_from": date(2002, 4, 1),
        "source_url": "https://commonslibrary.parliament.uk/research-briefings/cbp-7909/",
        "source_title": "House of Commons Library CBP-7909: ESA and the Permitted Work rules",
        "note": "Permitted work must be fewer than 16 hours a week (supported permitted work "
        "has no hours limit). The exact first day of the April 2002 rules was not checked.",
    },
    {
        "kind": "trading_allowance",
        "amount": Decimal("1000.00"),
        "period": "tax_year",
        "effective_from": date(2017, 4, 6),
        "source_url": "https://www.gov.uk/guidance/tax-free-allowances-on-property-and-"
        "trading-income",
        "source_title": "HMRC: Tax-free allowances on property and trading income",
        "note": "Up to £1,000 of gross trading income a tax year, from 6 April 2017.",
    },
]


def add_rules(apps, schema_editor):
    BenefitRule = apps.get_model("projects", "BenefitRule")
    for rule in RULES:
        BenefitRule.objects.get_or_create(
            kind=rule["kind"], effective_from=rule["effective_from"], defaults=rule
        )


def remove_rules(apps, schema_editor):
    BenefitRule = apps.get_model("projects", "BenefitRule")
    for rule in RULES:
        BenefitRule.objects.filter(
            kind=rule["kind"], effective_from=rule["effective_from"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0011_benefit_rules"),
    ]

    operations = [migrations.RunPython(add_rules, remove_rules)]
