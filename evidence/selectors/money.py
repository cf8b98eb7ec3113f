"""The money a project has cost, and how the commissioner report shows it: one home for both,
so the cost and benefit section, the payments section and the valuation can never differ."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from coprod.core.suppression import protect_total, withheld
from evidence.models import EvidenceKind, EvidenceRecord
from projects.models import ClaimStatus, ExpenseClaim, Payment, PaymentStatus, Project
from projects.selectors.payments import MONEY, ZERO, project_payment_totals

PENNY = Decimal("0.01")
# Which kind of money a person was paid, in report_money's one query.
FEES, CLAIMS = "fees", "claims"


def cost_benefit(project: Project) -> dict:
    """What involvement cost beside the savings recorded for it: three queries, however
    much money has moved.

    Money is Decimal to the penny. `involvement_costs` is fees paid (net of reversals) plus
    expenses paid; `total_costs` adds the costs recorded as evidence. `ratio` is the savings
    per £1 spent, to 2 decimal places, or None when nothing has been spent yet.
    """
    totals = project_payment_totals(project)
    fees_paid = totals.fees[PaymentStatus.PAID]
    expenses_paid = totals.claims[ClaimStatus.PAID]
    recorded = EvidenceRecord.objects.filter(
        project=project, kind__in=[EvidenceKind.SAVING, EvidenceKind.COST]
    ).aggregate(
        savings=Coalesce(
            Sum("amount", filter=Q(kind=EvidenceKind.SAVING)), Value(ZERO), output_field=MONEY
        ),
        costs=Coalesce(
            Sum("amount", filter=Q(kind=EvidenceKind.COST)), Value(ZERO), output_field=MONEY
        ),
        saving_records=Count("pk", filter=Q(kind=EvidenceKind.SAVING)),
        cost_records=Count("pk", filter=Q(kind=EvidenceKind.COST)),
    )
    involvement_costs = fees_paid + expenses_paid
    total_costs = involvement_costs + recorded["costs"]
    savings = recorded["savings"]
    ratio = (
        (savings / total_costs).quantize(PENNY, rounding=ROUND_HALF_UP) if total_costs > 0 else None
    )
    return {
        "fees_paid": fees_paid,
        "expenses_paid": expenses_paid,
        "involvement_costs": involvement_costs,
        "recorded_costs": recorded["costs"],
        "total_costs": total_costs,
        "savings": savings,
        "net": savings - total_costs,
        "ratio": ratio,
        "saving_records": recorded["saving_records"],
        "cost_records": recorded["cost_records"],
    }


def report_money(project: Project, *, costs: dict) -> dict:
    """The money in the report, shared by its payments and its cost and benefit sections so
    that the two can never differ. One query.

    Money paid to 1 to 4 people is withheld, and then so is every total it could be worked
    out from (`protect_total`): the total paid beside the fees and the expenses, the total
    costs beside that and the other costs, and the savings less costs and the savings for
    each £1, either of which gives back the total costs from the savings shown.
    """
    fee_payees = Payment.objects.filter(project=project, status=PaymentStatus.PAID).values_list(
        "person_id", Value(FEES, output_field=CharField())
    )
    claimants = ExpenseClaim.objects.filter(project=project, status=ClaimStatus.PAID).values_list(
        "person_id", Value(CLAIMS, output_field=CharField())
    )
    paid_fees_to, paid_claims_of = set(), set()
    # One query: each person once for fees and once for expenses (UNION drops repeats).
    for person_id, paid_for in fee_payees.order_by().union(claimants.order_by()):
        (paid_fees_to if paid_for == FEES else paid_claims_of).add(person_id)
    fees_paid = withheld(costs["fees_paid"], len(paid_fees_to))
    expenses_paid = withheld(costs["expenses_paid"], len(paid_claims_of))
    total_paid = protect_total(
        withheld(costs["involvement_costs"], len(paid_fees_to | paid_claims_of)),
        fees_paid,
        expenses_paid,
    )
    total_costs = protect_total(costs["total_costs"], total_paid, costs["recorded_costs"])
    return {
        "fees_paid": fees_paid,
        "expenses_paid": expenses_paid,
        "total_paid": total_paid,
        "recorded_costs": costs["recorded_costs"],
        "total_costs": total_costs,
        "savings": costs["savings"],
        "net": protect_total(costs["net"], costs["savings"], total_costs),
        "ratio": protect_total(costs["ratio"], costs["savings"], total_costs),
    }
