"""Demo fees and expenses (part of `seed_demo`): the demo participant's fees owed and paid and
an expense claim, and two people on benefits whose fees show the warnings staff see before
approving: one on Universal Credit whose fees go over the work allowance, one on New Style
ESA with no permitted work form. Running it again adds nothing."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from projects.models import (
    Attendance,
    AttendanceStatus,
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    FeeBasis,
    FeeChoice,
    Meeting,
    Membership,
    MembershipStatus,
    Payment,
    PaymentStatus,
    Project,
)
from stakeholders.models import (
    Benefits,
    BenefitsAnswers,
    ConsentKind,
    ConsentMethod,
    PaymentMethod,
    Person,
    StakeholderGroup,
    User,
)
from stakeholders.services import benefits_answers_save, consent_give

# The meeting held last week, which seed_demo's meetings include for every project.
HELD_MEETING = "Looking back: what we heard"


def demo_payments_build(*, project: Project, participant: User, staff: User) -> None:
    meeting = Meeting.objects.filter(project=project, title=HELD_MEETING).first()
    if meeting is None:
        return
    held_on = timezone.localtime(meeting.starts_at).date()
    pat = Person.objects.get(user=participant)
    # On Universal Credit without housing costs, so /me/payments/ shows what each fee does.
    _benefits_once(
        pat,
        staff,
        benefits=Benefits.UC_NO_HOUSING,
        uc_period_starts_on=1,
        method=ConsentMethod.ONLINE,
    )
    _fee(
        pat,
        meeting,
        amount=Decimal("30.00"),
        activity=f"{HELD_MEETING}, {held_on:%-d %B %Y}",
        attendance=_attended(meeting, pat, staff),
    )
    _fee(
        pat,
        meeting,
        amount=Decimal("45.00"),
        activity=f"Interview panel, {held_on - timedelta(days=21):%-d %B %Y}",
        on=held_on - timedelta(days=21),
        paid_on=held_on - timedelta(days=10),
    )
    ExpenseClaim.objects.get_or_create(
        person=pat,
        project=project,
        meeting=meeting,
        category=ExpenseCategory.TRAVEL,
        defaults={
            "spent_on": held_on,
            "amount": Decimal("6.40"),
            "note": "Bus there and back",
            "status": ClaimStatus.APPROVED,
            "decided_by": staff,
            "decided_at": timezone.now(),
        },
    )

    # On Universal Credit with housing costs: a training day the day before the meeting
    # and the meeting itself fall in one assessment period and go over the work allowance.
    jordan = _person_on_benefits(
        "Jordan Ellis",
        "jordan.ellis@example.com",
        project,
        staff,
        benefits=Benefits.UC_HOUSING,
        uc_period_starts_on=(held_on - timedelta(days=1)).day,
    )
    _fee(
        jordan,
        meeting,
        amount=Decimal("390.00"),
        activity=f"Peer trainer day, {held_on - timedelta(days=1):%-d %B %Y}",
        on=held_on - timedelta(days=1),
        paid_on=held_on,
    )
    _fee(
        jordan,
        meeting,
        amount=Decimal("30.00"),
        activity=f"{HELD_MEETING}, {held_on:%-d %B %Y}",
        attendance=_attended(meeting, jordan, staff),
    )
    # On New Style ESA without a permitted work form: any fee is a problem.
    morgan = _person_on_benefits(
        "Morgan Price",
        "morgan.price@example.com",
        project,
        staff,
        benefits=Benefits.NEW_STYLE_ESA,
        uc_period_starts_on=None,
    )
    _fee(
        morgan,
        meeting,
        amount=Decimal("30.00"),
        activity=f"{HELD_MEETING}, {held_on:%-d %B %Y}",
        attendance=_attended(meeting, morgan, staff),
    )


def _person_on_benefits(name: str, email: str, project: Project, staff: User, **answers) -> Person:
    person, _ = Person.objects.get_or_create(
        email=email,
        defaults={
            "full_name": name,
            "stakeholder_group": StakeholderGroup.LIVED_EXPERIENCE,
            "payment_method": PaymentMethod.BANK_TRANSFER,
            "created_by": staff,
        },
    )
    consent_give(
        person=person, kind=ConsentKind.INVOLVEMENT, method=ConsentMethod.PHONE, recorded_by=staff
    )
    Membership.objects.get_or_create(
        project=project, person=person, defaults={"status": MembershipStatus.ACTIVE}
    )
    _benefits_once(person, staff, method=ConsentMethod.PHONE, **answers)
    return person


def _benefits_once(person: Person, staff: User, *, method: str, **answers) -> None:
    # Saved once: saving again would add a history row to the person on every run.
    if not BenefitsAnswers.objects.filter(person=person).exists():
        benefits_answers_save(
            person=person,
            permitted_work_form=False,
            method=method,
            recorded_by=person.user if method == ConsentMethod.ONLINE else staff,
            **answers,
        )


def _attended(meeting: Meeting, person: Person, staff: User) -> Attendance:
    attendance, _ = Attendance.objects.get_or_create(
        meeting=meeting,
        person=person,
        defaults={
            "status": AttendanceStatus.ATTENDED,
            "hours": Decimal("2"),
            "stakeholder_group": person.stakeholder_group,
            "recorded_by": staff,
        },
    )
    return attendance


def _fee(
    person: Person,
    meeting: Meeting,
    *,
    amount: Decimal,
    activity: str,
    attendance: Attendance | None = None,
    on: date | None = None,
    paid_on: date | None = None,
) -> Payment:
    lookup = {"attendance": attendance} if attendance else {"person": person, "activity": activity}
    payment, _ = Payment.objects.get_or_create(
        **lookup,
        defaults={
            "person": person,
            "project": meeting.project,
            "activity": activity,
            "amount": amount,
            "offer_amount": amount,
            "offer_basis": FeeBasis.PER_SESSION,
            "offered_on": on or timezone.localtime(meeting.starts_at).date(),
            "status": PaymentStatus.PAID if paid_on else PaymentStatus.OWED,
            "method": PaymentMethod.BANK_TRANSFER if paid_on else "",
            "paid_on": paid_on,
            # A paid fee was chosen in full, recorded by staff when the person said so.
            "choice": FeeChoice.FULL if paid_on else "",
            "choice_made_at": timezone.now() if paid_on else None,
            "choice_made_by": meeting.created_by if paid_on else None,
            "reference": f"DEMO-{person.pk}-{amount}" if paid_on else "",
        },
    )
    return payment
