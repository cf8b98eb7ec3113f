import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from coprod.core.compiled import CompiledQuery
from coprod.core.suppression import withheld
from projects.models import (
    Attendance,
    AttendanceStatus,
    BenefitRule,
    BenefitRuleKind,
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    FeeChoice,
    Invitation,
    Meeting,
    Membership,
    Payment,
    PaymentKind,
    PaymentPolicy,
    PaymentRun,
    PaymentStatus,
    PersonEarnings,
    Project,
    Response,
)
from stakeholders.models import (
    NO_PAYMENT_METHOD,
    BenefitsAnswers,
    PaymentMethod,
    Person,
    account_number_masked,
    sort_code_masked,
)

MY_PAYMENTS_PER_PAGE = 20


CLAIMABLE_MEETINGS_SINCE = timedelta(days=365)


def projects_of_person(person: Person) -> QuerySet[Project]:
    """Projects a person has joined (whether or not they still take part) or attended."""
    joined = Membership.objects.filter(project=OuterRef("pk"), person=person)
    attended = Attendance.objects.filter(
        meeting__project=OuterRef("pk"), person=person, status=AttendanceStatus.ATTENDED
    )
    return Project.objects.filter(Exists(joined) | Exists(attended)).order_by("name")


def payment_policies_for(projects: Iterable[Project]) -> dict[int, PaymentPolicy]:
    """Each project's payment policy, by project id; a project without one gets the defaults."""
    projects = list(projects)
    saved = {
        policy.project_id: policy
        for policy in PaymentPolicy.objects.filter(project__in=[project.pk for project in projects])
    }
    return {
        project.pk: saved.get(project.pk) or PaymentPolicy(project=project) for project in projects
    }


def payment_methods_offered_to(person: Person) -> list[str]:
    """The ways of being paid that the person's projects offer; both if none offers any."""
    policies = payment_policies_for(projects_of_person(person)).values()
    offered = {
        PaymentMethod.BANK_TRANSFER: any(policy.offers_bank_transfer for policy in policies),
        PaymentMethod.VOUCHER: any(policy.offers_voucher for policy in policies),
    }
    return [method for method, on in offered.items() if on] or list(PaymentMethod.values)


def meetings_to_claim_for(person: Person) -> QuerySet[Meeting]:
    """Meetings of the last year (or to come) the person attended or said they would come to,
    in projects not archived."""
    attended = Attendance.objects.filter(
        meeting=OuterRef("pk"), person=person, status=AttendanceStatus.ATTENDED
    )
    accepted = Invitation.objects.filter(
        meeting=OuterRef("pk"), person=person, response=Response.ACCEPTED
    )
    return (
        Meeting.objects.filter(
            Exists(attended) | Exists(accepted),
            cancelled_at=None,
            starts_at__gte=timezone.now() - CLAIMABLE_MEETINGS_SINCE,
            project__archived_at=None,
        )
        .select_related("project")
        .order_by("-starts_at")
    )


def my_payments_page(person: Person, *, page_number: str | int | None) -> Page:
    payments = (
        Payment.objects.filter(person=person)
        .select_related("project", "person", "choice_made_by")
        .order_by("-created_at", "-pk")
    )
    return Paginator(payments, MY_PAYMENTS_PER_PAGE).get_page(page_number)


def my_claims_page(person: Person, *, page_number: str | int | None) -> Page:
    claims = (
        ExpenseClaim.objects.filter(person=person)
        .select_related("project", "meeting", "recorded_by")
        .order_by("-submitted_at", "-pk")
    )
    return Paginator(claims, MY_PAYMENTS_PER_PAGE).get_page(page_number)


PENNY = Decimal("0.01")


PAYMENTS_PER_PAGE = 25


FINANCE_ROWS_PER_PAGE = 100


# Totals can pass what one payment may be, so they are summed into a wider field.
MONEY = DecimalField(max_digits=14, decimal_places=2)


ZERO = Decimal("0.00")


BUDGET_WARNING_PERCENT = 80


UNPAID_FEES = [PaymentStatus.OWED, PaymentStatus.APPROVED]


UNPAID_CLAIMS = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED]


def _signed_amount() -> Case:
    return Case(
        When(kind=PaymentKind.REVERSAL, then=F("amount") * Value(Decimal("-1"))),
        default=F("amount"),
        output_field=MONEY,
    )


@dataclass
class PaymentTotals:
    """Sums to the penny by status, and how many there are; a reversal counts against the
    paid total (and as one more entry). `budget` is the payment policy's involvement budget
    (nothing when none is set), read in the same query."""

    fees: dict[str, Decimal]
    claims: dict[str, Decimal]
    fee_counts: dict[str, int]
    claim_counts: dict[str, int]
    budget: Decimal = ZERO


def project_payment_totals(project: Project) -> PaymentTotals:
    """One query, however many payments and claims the project has: the fees and the
    claims summed by status, and the budget."""
    sums = {"fee": {}, "claim": {}, "budget": {}}
    counts = {"fee": {}, "claim": {}, "budget": {}}
    for ledger, status, total, count in _TOTALS.rows(project_id=project.pk):
        sums[ledger][status], counts[ledger][status] = total, count
    fee_sums, fee_counts = sums["fee"], counts["fee"]
    claim_sums, claim_counts = sums["claim"], counts["claim"]
    return PaymentTotals(
        fees={status: _pounds(fee_sums.get(status)) for status in PaymentStatus.values},
        claims={status: _pounds(claim_sums.get(status)) for status in ClaimStatus.values},
        fee_counts={status: fee_counts.get(status, 0) for status in PaymentStatus.values},
        claim_counts={status: claim_counts.get(status, 0) for status in ClaimStatus.values},
        budget=_pounds(sums["budget"].get("")),
    )


def _totals(project_id: int) -> QuerySet:
    fees = (
        Payment.objects.filter(project_id=project_id)
        .values_list(_text("fee"), "status")
        .annotate(total=Sum(_signed_amount()), count=Count("pk"))
        .order_by()
    )
    claims = (
        ExpenseClaim.objects.filter(project_id=project_id)
        .values_list(_text("claim"), "status")
        .annotate(total=Sum("amount", output_field=MONEY), count=Count("pk"))
        .order_by()
    )
    budget = PaymentPolicy.objects.filter(project_id=project_id).values_list(
        _text("budget"), _text(""), Coalesce("budget", Value(ZERO), output_field=MONEY), Value(0)
    )
    return fees.union(claims, budget, all=True)


# Compiled once per process: as three querysets, or their union, building and compiling
# them took this page two to three milliseconds of CPU on every visit, ten times what
# running the query takes.
_TOTALS = CompiledQuery(_totals, project_id=int)


def _pounds(total: Decimal | None) -> Decimal:
    # SQLite sums in floating point; at 15 significant figures that is still exact to the
    # penny, and this puts it back to pounds and pence.
    return (total or ZERO).quantize(PENNY)


def project_budget(project: Project, *, totals: PaymentTotals | None = None) -> dict:
    """The involvement budget against what is spent (paid fees net of reversals, paid
    claims) and committed (fees owed or approved, claims waiting or approved).

    `level` is "ok", "warning" from 80% of the budget used or committed, or "over" from 100%.
    """
    totals = totals or project_payment_totals(project)
    budget = totals.budget
    spent = totals.fees[PaymentStatus.PAID] + totals.claims[ClaimStatus.PAID]
    committed = sum((totals.fees[status] for status in UNPAID_FEES), ZERO)
    committed += sum((totals.claims[status] for status in UNPAID_CLAIMS), ZERO)
    used = spent + committed
    if budget <= 0:
        share, level = None, "ok"
    else:
        share = int((used * 100 / budget).to_integral_value(rounding=ROUND_FLOOR))
        if used >= budget:
            level = "over"
        elif used * 100 >= budget * BUDGET_WARNING_PERCENT:
            level = "warning"
        else:
            level = "ok"
    return {
        "budget": budget,
        "spent": spent,
        "committed": committed,
        "remaining": budget - used,
        "share_used": share,
        "level": level,
    }


@dataclass(slots=True)
class LedgerFee:
    """One row of a project's fees page: the fee, and what the page shows of its person.
    Plain values rather than a Payment and its Person, which cost more to make than the
    rest of the row."""

    pk: int
    public_id: uuid.UUID
    kind: str
    person_id: int
    activity: str
    amount: Decimal
    method: str
    status: str
    reason: str
    owed_since: datetime
    meeting_starts_at: datetime | None
    offered_on: date | None
    paid_on: date | None
    reference: str
    choice: str
    reversal_id: int | None
    person_public_id: uuid.UUID
    person_name: str
    receives_benefits: bool
    # Read (and decrypted) only for a fee approved to be paid by bank transfer, the one
    # row that shows the account, masked; None for every other row.
    bank_sort_code: str | None
    bank_account_number: str | None
    # What ledger_benefit_effects needs to tell that this fee cannot take its person over a
    # limit: their benefits answer (None without answers), the most their fees have come
    # to in a tax year (None for nothing: PersonEarnings), and the lowest trading
    # allowance there has been (None without one).
    benefits: str | None
    most_earned_in_a_tax_year: Decimal | None
    lowest_trading_allowance: Decimal | None

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == PaymentKind.REVERSAL else self.amount

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None

    @property
    def has_bank_details(self) -> bool:
        return bool(self.bank_sort_code and self.bank_account_number)

    @property
    def bank_account_number_masked(self) -> str:
        return account_number_masked(self.bank_account_number)


def _bank_detail_shown(name: str) -> Case:
    """The person's bank detail `name` where the fee is approved to be paid by bank
    transfer; nothing (and nothing to decrypt) on any other row."""
    return Case(
        When(
            status=PaymentStatus.APPROVED,
            method=PaymentMethod.BANK_TRANSFER,
            then=F(f"person__{name}"),
        ),
        default=None,
        output_field=Person._meta.get_field(name),
    )


def _fees_newest_first(project_id: int, status: str | None = None) -> QuerySet:
    fees = Payment.objects.filter(project_id=project_id)
    if status is not None:
        fees = fees.filter(status=status)
    return fees.order_by("-created_at", "-pk").values_list(
        "pk",
        "public_id",
        "kind",
        "person_id",
        "activity",
        "amount",
        "method",
        "status",
        "reason",
        "owed_since",
        "meeting_starts_at",
        "offered_on",
        "paid_on",
        "reference",
        "choice",
        # A subquery rather than a join of the payments to themselves: it plans faster.
        # At most one payment reverses another, so it needs no order (nor a sort).
        Subquery(Payment.objects.filter(reverses_id=OuterRef("pk")).order_by().values("pk")),
        "person__public_id",
        "person__full_name",
        "person__receives_benefits",
        _bank_detail_shown("bank_sort_code"),
        _bank_detail_shown("bank_account_number"),
        # Subqueries rather than joins: PostgreSQL plans these in a fraction of the time
        # two more joins take it, and planning is most of what this query costs.
        Subquery(
            BenefitsAnswers.objects.filter(person_id=OuterRef("person_id")).values("benefits")
        ),
        Subquery(
            PersonEarnings.objects.filter(person_id=OuterRef("person_id")).values(
                "most_in_a_tax_year"
            )
        ),
        Subquery(
            BenefitRule.objects.filter(kind=BenefitRuleKind.TRADING_ALLOWANCE)
            .order_by("amount")
            .values("amount")[:1]
        ),
    )


def _first_fees_newest_first(project_id: int) -> QuerySet:
    return _fees_newest_first(project_id)[:PAYMENTS_PER_PAGE]


_FEES = CompiledQuery(_fees_newest_first, project_id=int)
_FEES_WITH_STATUS = CompiledQuery(_fees_newest_first, project_id=int, status=str)
# The first page of all the fees, the one nearly every visit shows, with its LIMIT written
# in the SQL. With the LIMIT and OFFSET as parameters, PostgreSQL costs the plan it would
# keep for any offset at twice the one it makes for offset 0, so it planned this page
# afresh on every visit (half a millisecond), however often it had run. Filtered by
# status, a written LIMIT did not stop that, so those pages keep their parameters.
_FIRST_FEES = CompiledQuery(_first_fees_newest_first, project_id=int)


class _FeeRows:
    """The fees, newest first, for a Paginator: it asks how many there are, then for the
    slice of one page, which is read then as LedgerFee rows."""

    def __init__(self, project: Project, status: str | None, count: int | None) -> None:
        self.project_id, self.status = project.pk, status
        if count is None:
            fees = Payment.objects.filter(project_id=project.pk)
            count = (fees.filter(status=status) if status else fees).count()
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, page: slice) -> list[LedgerFee]:
        limit, offset = page.stop - page.start, page.start
        if self.status:
            rows = _FEES_WITH_STATUS.rows(
                project_id=self.project_id, status=self.status, limit=limit, offset=offset
            )
        elif offset == 0 and limit <= PAYMENTS_PER_PAGE:
            # The paginator asks for less than a page when it counted fewer fees.
            rows = _FIRST_FEES.rows(project_id=self.project_id)[:limit]
        else:
            rows = _FEES.rows(project_id=self.project_id, limit=limit, offset=offset)
        return [LedgerFee(*row) for row in rows]


def project_fees_page(
    project: Project, *, status: str | None, page_number: str | int | None, count: int | None = None
) -> Page:
    """The project's fees and reversals, newest first, as LedgerFee rows holding only what
    the page shows (no contact details): one query for the page, and one more to count
    them unless the caller knows `count` (how many fees have the status;
    project_payment_totals counts them)."""
    return Paginator(_FeeRows(project, status, count), PAYMENTS_PER_PAGE).get_page(page_number)


def project_claims_page(
    project: Project, *, status: str | None, page_number: str | int | None, count: int | None = None
) -> Page:
    """As project_fees_page, for the project's expense claims."""
    claims = ExpenseClaim.objects.filter(project=project).select_related(
        "person", "meeting", "recorded_by"
    )
    if status:
        claims = claims.filter(status=status)
    return _page(claims.order_by("-submitted_at", "-pk"), page_number, count)


def _page(rows: QuerySet, page_number: str | int | None, count: int | None) -> Page:
    paginator = Paginator(rows, PAYMENTS_PER_PAGE)
    if count is not None:
        # Known already, so the paginator does not count them again.
        paginator.count = count
    return paginator.get_page(page_number)


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    what: str
    record: object
    changed: list[str]


HISTORY_WHAT = {"+": "Created", "~": "Changed", "-": "Deleted"}


def payment_history(payment: Payment) -> list[HistoryEntry]:
    """Every saved change to a payment, oldest first: who made it, when, and which fields."""
    records = list(
        payment.history.select_related("history_user").order_by("history_date", "history_id")
    )
    labels = {field.name: field.verbose_name for field in Payment._meta.fields}
    entries, previous = [], None
    for record in records:
        changed = []
        if previous is not None:
            changed = [labels[change.field] for change in record.diff_against(previous).changes]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                what=HISTORY_WHAT.get(record.history_type, "Changed"),
                record=record,
                changed=changed,
            )
        )
        previous = record
    return entries


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


FINANCE_COLUMNS = [
    "item_type",
    "item_id",
    "owed",
    "person_name",
    "pay_method",
    "money",
    "project_name",
    "activity_text",
    "claim_category",
    "meeting_title",
    "spent",
    "person_key",
    "person_public_id",
    "item_status",
    "charity",
    "cost_centre",
    "paid",
]


def _approved_fees(date_from: date, date_to: date) -> QuerySet[Payment]:
    return Payment.objects.filter(
        status=PaymentStatus.APPROVED,
        owed_since__date__gte=date_from,
        owed_since__date__lte=date_to,
    )


def _approved_claims(date_from: date, date_to: date) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.filter(
        status=ClaimStatus.APPROVED,
        submitted_at__date__gte=date_from,
        submitted_at__date__lte=date_to,
    )


def finance_approved_items(*, date_from: date, date_to: date) -> QuerySet:
    """Approved fees and approved expense claims owed from `date_from` to `date_to` (UK
    dates), oldest first, as rows of plain values for `finance_rows`: one query."""
    return _finance_items(_approved_fees(date_from, date_to), _approved_claims(date_from, date_to))


def payment_run_items(run: PaymentRun) -> QuerySet:
    """The fees and claims paid in a payment run, oldest first, as rows for `finance_rows`:
    one query."""
    return _finance_items(
        Payment.objects.filter(payment_run=run), ExpenseClaim.objects.filter(payment_run=run)
    )


def _finance_items(fees: QuerySet[Payment], claims: QuerySet[ExpenseClaim]) -> QuerySet:
    return (
        _finance_fee_values(fees)
        .order_by()
        .values(*FINANCE_COLUMNS)
        .union(_finance_claim_values(claims).order_by().values(*FINANCE_COLUMNS), all=True)
        .order_by("owed", "item_type", "item_id")
    )


def _finance_fee_values(fees: QuerySet[Payment]) -> QuerySet:
    return fees.annotate(
        item_type=_text("fee"),
        item_id=F("public_id"),
        owed=F("owed_since"),
        person_name=F("person__full_name"),
        pay_method=F("method"),
        money=F("amount"),
        project_name=F("project__name"),
        activity_text=F("activity"),
        claim_category=_text(""),
        meeting_title=_text(""),
        spent=Value(None, output_field=DateField()),
        person_key=F("person_id"),
        person_public_id=F("person__public_id"),
        item_status=F("status"),
        charity=Case(
            When(choice=FeeChoice.CHARITY, then=F("charity_name")),
            default=_text(""),
            output_field=CharField(),
        ),
        cost_centre=F("project__cost_centre"),
        paid=F("paid_on"),
    )


def _finance_claim_values(claims: QuerySet[ExpenseClaim]) -> QuerySet:
    return claims.annotate(
        item_type=_text("expense"),
        item_id=F("public_id"),
        owed=F("submitted_at"),
        person_name=F("person__full_name"),
        pay_method=F("person__payment_method"),
        money=F("amount"),
        project_name=F("project__name"),
        activity_text=_text(""),
        claim_category=F("category"),
        meeting_title=Coalesce(F("meeting__title"), _text("")),
        spent=F("spent_on"),
        person_key=F("person_id"),
        person_public_id=F("person__public_id"),
        item_status=F("status"),
        charity=_text(""),
        cost_centre=F("project__cost_centre"),
        paid=F("paid_on"),
    )


def finance_approved_total(*, date_from: date, date_to: date) -> dict:
    """How many approved fees and claims the period has, and their total: two queries."""
    fees = _approved_fees(date_from, date_to).aggregate(
        count=Count("pk"), total=Sum("amount", output_field=MONEY)
    )
    claims = _approved_claims(date_from, date_to).aggregate(
        count=Count("pk"), total=Sum("amount", output_field=MONEY)
    )
    return {
        "fees": fees["count"],
        "claims": claims["count"],
        "total": _pounds(fees["total"]) + _pounds(claims["total"]),
    }


@dataclass
class FinanceRow:
    type: str
    public_id: object
    name: str
    method: str
    amount: Decimal
    project: str
    activity: str
    owed_on: date
    person_id: int
    person_public_id: object
    status: str
    method_value: str
    # Who the money goes to: the person, or the charity they chose.
    payee: str = ""
    to_charity: bool = False
    cost_centre: str = ""
    paid_on: date | None = None
    # Set by finance_add_bank_details, for approved rows paid by bank transfer only.
    bank: "BankDetails | None" = None

    @property
    def reference(self) -> str:
        """coprod's own reference for this payment, the same in every export."""
        return payment_reference(self.type, self.public_id)

    @property
    def tax_year(self) -> str:
        """The UK tax year it is paid in: when paid, or today for a payment still to make."""
        return tax_year_of(self.paid_on or timezone.localdate())


def payment_reference(kind: str, public_id) -> str:
    """A short, stable reference finance can quote: F for a fee, E for expenses."""
    return f"CP{'E' if kind == 'expense' else 'F'}-{str(public_id).replace('-', '')[:10].upper()}"


def tax_year_of(day: date) -> str:
    """The UK tax year, 6 April to 5 April, holding `day`, as finance writes it: 2026-27."""
    starts = day.year if (day.month, day.day) >= (4, 6) else day.year - 1
    return f"{starts}-{(starts + 1) % 100:02d}"


METHOD_LABELS = dict(PaymentMethod.choices)


CATEGORY_LABELS = dict(ExpenseCategory.choices)


def finance_rows(items: Iterable[dict]) -> list[FinanceRow]:
    """Rows from `finance_approved_items`, with the words finance reads."""
    rows = []
    for item in items:
        if item["item_type"] == "expense":
            activity = f"Expenses: {CATEGORY_LABELS.get(item['claim_category'], 'other')}"
            if item["meeting_title"]:
                activity += f", {item['meeting_title']}"
            if item["spent"]:
                activity += f" ({item['spent']:%d %b %Y})"
        else:
            activity = item["activity_text"]
        rows.append(
            FinanceRow(
                type=item["item_type"],
                public_id=item["item_id"],
                name=item["person_name"],
                method=METHOD_LABELS.get(item["pay_method"], NO_PAYMENT_METHOD),
                amount=Decimal(item["money"]).quantize(PENNY),
                project=item["project_name"],
                activity=activity,
                owed_on=timezone.localdate(item["owed"]),
                person_id=item["person_key"],
                person_public_id=item["person_public_id"],
                status=item["item_status"],
                method_value=item["pay_method"] or "",
                payee=item["charity"] or item["person_name"],
                to_charity=bool(item["charity"]),
                cost_centre=item["cost_centre"] or "",
                paid_on=item["paid"],
            )
        )
    return rows


@dataclass(frozen=True)
class BankDetails:
    account_name: str
    sort_code: str
    account_number: str

    @property
    def sort_code_masked(self) -> str:
        return sort_code_masked(self.sort_code)

    @property
    def account_number_masked(self) -> str:
        return account_number_masked(self.account_number)


def finance_add_bank_details(
    rows: list[FinanceRow], *, statuses: tuple[str, ...] = (PaymentStatus.APPROVED,)
) -> list[FinanceRow]:
    """Give the fees and claims of `statuses` (approved: to be paid; a payment run's file
    adds paid) paid by bank transfer the person's bank details (in clear: pages show them
    masked): one query. Rows of any other status or method get none."""
    # A fee the person gave to a charity is paid to the charity, never into their account.
    payable = [
        row
        for row in rows
        if row.status in statuses
        and row.method_value == PaymentMethod.BANK_TRANSFER
        and not row.to_charity
    ]
    people = Person.objects.filter(
        pk__in={row.person_id for row in payable},
        erased_at=None,
        payment_method=PaymentMethod.BANK_TRANSFER,
    ).only("bank_account_name", "bank_sort_code", "bank_account_number")
    details = {
        person.pk: BankDetails(
            person.bank_account_name, person.bank_sort_code, person.bank_account_number
        )
        for person in people
        if person.has_bank_details
    }
    for row in payable:
        row.bank = details.get(row.person_id)
    return rows


@dataclass
class OverdueItem:
    type: str
    person_name: str
    # {"slug": ..., "name": ...}: all the panel shows of the project.
    project: dict
    amount: Decimal
    status_label: str
    since: datetime
    public_id: object


def _oldest_overdue(
    queryset: QuerySet, *, since: str, type: str, labels: dict, limit: int
) -> tuple[int, list[OverdueItem]]:
    """How many there are and the oldest few, as plain rows of only what the panel shows:
    two queries. Counted apart, as the count reads only the index of unpaid rows, where a
    count beside each row would join every waiting row to its person and project."""
    rows = list(
        queryset.order_by(since, "pk").values(
            "public_id",
            "amount",
            "status",
            since,
            "person__full_name",
            "project__slug",
            "project__name",
        )[:limit]
    )
    items = [
        OverdueItem(
            type=type,
            person_name=row["person__full_name"],
            project={"slug": row["project__slug"], "name": row["project__name"]},
            amount=row["amount"],
            status_label=labels[row["status"]],
            since=row[since],
            public_id=row["public_id"],
        )
        for row in rows
    ]
    return queryset.count(), items


def overdue_payments_panel(*, limit: int = 8) -> dict:
    """Fees and expense claims still unpaid after COPROD_PAYMENT_OVERDUE_DAYS, oldest first,
    with how many of each: four queries."""
    days = settings.COPROD_PAYMENT_OVERDUE_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    fee_count, fees = _oldest_overdue(
        Payment.objects.filter(status__in=UNPAID_FEES, owed_since__lt=cutoff),
        since="owed_since",
        type="fee",
        labels=dict(PaymentStatus.choices),
        limit=limit,
    )
    claim_count, claims = _oldest_overdue(
        ExpenseClaim.objects.filter(status__in=UNPAID_CLAIMS, submitted_at__lt=cutoff),
        since="submitted_at",
        type="expense",
        labels=dict(ClaimStatus.choices),
        limit=limit,
    )
    items = sorted(fees + claims, key=lambda item: item.since)
    return {
        "days": days,
        "fee_count": fee_count,
        "claim_count": claim_count,
        "items": items[:limit],
    }


# How long people wait to be paid: from the day of the meeting to the day the fee is paid.


@dataclass(frozen=True)
class PaymentWait:
    """Days from attending to being paid, over `paid` fees: the median and the 90th
    percentile, or WITHHELD when they rest on fewer than 5 payments; None when none."""

    paid: int
    median: float | str | None
    p90: int | str | None


def wait_median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many times}: the middle value, or halfway
    between the two middle ones."""
    total = sum(histogram.values())
    if not total:
        return None
    lower, upper = _nth(histogram, (total - 1) // 2), _nth(histogram, total // 2)
    return (lower + upper) / 2


def wait_percentile(histogram: dict[int, int], percent: int) -> int | None:
    """The nearest-rank percentile: the smallest value that at least `percent`% of the
    values are at or below, so it is always one of the values."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = -(-total * percent // 100)  # ceiling, in whole numbers
    return _nth(histogram, rank - 1)


def _nth(histogram: dict[int, int], index: int) -> int:
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen > index:
            return value
    raise IndexError(index)


def _wait(histogram: dict[int, int]) -> PaymentWait:
    paid = sum(histogram.values())
    return PaymentWait(
        paid=paid,
        median=withheld(wait_median(histogram), paid),
        p90=withheld(wait_percentile(histogram, 90), paid),
    )


def payment_waits(
    *,
    projects: Iterable[Project] | QuerySet | None = None,
    paid_from: date | None = None,
    paid_to: date | None = None,
) -> tuple[PaymentWait, dict[int, PaymentWait]]:
    """Days from attending to being paid, for fees paid from `paid_from` to `paid_to` in
    `projects` (all when None): organisation-wide, and by project id. One query, whose rows
    are one per project and number of days, never one per payment."""
    paid = Payment.objects.filter(
        kind=PaymentKind.FEE, status=PaymentStatus.PAID, attendance__isnull=False
    )
    if projects is not None:
        paid = paid.filter(project__in=projects)
    if paid_from is not None:
        paid = paid.filter(paid_on__gte=paid_from)
    if paid_to is not None:
        paid = paid.filter(paid_on__lte=paid_to)
    rows = (
        paid.annotate(
            wait=ExpressionWrapper(
                F("paid_on") - TruncDate("attendance__meeting__starts_at"),
                output_field=DurationField(),
            )
        )
        .values("project_id", "wait")
        .annotate(count=Count("pk"))
        .order_by()
    )
    everyone: Counter = Counter()
    by_project: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        days = max(row["wait"].days, 0)
        everyone[days] += row["count"]
        by_project[row["project_id"]][days] += row["count"]
    return _wait(everyone), {pk: _wait(histogram) for pk, histogram in by_project.items()}


def fees_past_target(*, today: date | None = None) -> QuerySet:
    """Fees owed or approved whose meeting was more than its project's target days ago
    (a fee paid on the target day is in time), oldest meeting first. Projects share a few
    targets, so the test is one condition per target in use rather than date arithmetic
    that each database spells differently."""
    today = today or timezone.localdate()
    unpaid = Payment.objects.filter(
        kind=PaymentKind.FEE,
        status__in=[PaymentStatus.OWED, PaymentStatus.APPROVED],
        attendance__isnull=False,
        project__archived_at=None,
    )
    # Every current project's target, not only those with fees unpaid: a target no unpaid
    # fee has matches nothing, and finding which have any read every project's payments.
    targets = (
        Project.objects.filter(archived_at=None)
        .values_list("payment_target_days", flat=True)
        .distinct()
        .order_by()
    )
    past = Q(pk__in=[])
    for days in targets:
        # Past the target once the meeting's day is more than `days` days before today.
        day_after_last_late_meeting = today - timedelta(days=days)
        starts_before = timezone.make_aware(
            datetime.combine(day_after_last_late_meeting, datetime.min.time())
        )
        past |= Q(project__payment_target_days=days, meeting_starts_at__lt=starts_before)
    return unpaid.filter(past).order_by("meeting_starts_at", "pk")


PAYMENT_RUNS_SHOWN = 10


def payment_runs_recent() -> list[PaymentRun]:
    """The latest payment runs, newest first, for the finance page: one query."""
    return list(PaymentRun.objects.select_related("made_by", "undone_by")[:PAYMENT_RUNS_SHOWN])
