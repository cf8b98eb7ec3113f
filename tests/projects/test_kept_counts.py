"""The counts kept for busy pages (projects.services.coverage and fee_waits) always equal
what counting the rows themselves gives, after every operation that changes them."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from projects.models import (
    AttendanceStatus,
    FeeChoice,
    FeeWaitCount,
    Membership,
    MembershipStatus,
    Payment,
    PaymentStatus,
    ProjectGroupCount,
)
from projects.services.coverage import coverage_recount_all
from projects.services.fee_waits import fee_waits_counted, fee_waits_recount_all
from projects.services.meetings import attendance_record, meeting_update
from projects.services.memberships import membership_express_interest, membership_set_status
from projects.services.payments import (
    payment_approve,
    payment_choose,
    payment_mark_paid,
    payment_policy_update,
    payment_reverse,
    payment_run_undo,
    payments_mark_paid_in_bulk,
)
from projects.services.pool import pool_invitation_answer, pool_invite
from projects.services.roster_import import roster_file_read, roster_import_people
from stakeholders.models import ConsentKind, PaymentMethod, StakeholderGroup
from stakeholders.privacy import person_erase, unconfirmed_signups_delete
from stakeholders.services import consent_withdraw, person_details_correct
from tests.factories.meetings import MeetingFactory
from tests.factories.people import ParticipantFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def kept_coverage() -> dict:
    return {
        (row.project_id, row.stakeholder_group): row.active
        for row in ProjectGroupCount.objects.all()
    }


def counted_coverage() -> dict:
    return {
        (project_id, group): active
        for project_id, group, active in Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .values_list("project_id", "person__stakeholder_group")
        .annotate(active=Count("pk"))
        .order_by()
    }


@pytest.fixture
def members(personas):
    """Active members of two projects in three groups, one of them in both, besides the
    personas' two participants (active in `project`)."""
    carer = PersonFactory(full_name="Carol Carer", stakeholder_group=StakeholderGroup.CARER)
    manager = PersonFactory(full_name="Manny Manager", stakeholder_group=StakeholderGroup.MANAGER)
    for person in (carer, manager):
        MembershipFactory(project=personas.project, person=person)
    MembershipFactory(project=personas.other_project, person=carer)
    interested = MembershipFactory(
        project=personas.other_project,
        person=PersonFactory(full_name="Ivy Interested", in_pool=True),
        status=MembershipStatus.INTERESTED,
    )
    return {"carer": carer, "manager": manager, "interested": interested}


def _import_file(personas, members) -> None:
    """A file naming a new person and an active member, whose group it gives differently
    (the roster's own answer is kept)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["full_name", "email", "stakeholder_group", "consent"])
    writer.writeheader()
    writer.writerow({"full_name": "Nia New", "email": "nia@example.org", "consent": "paper"})
    writer.writerow(
        {
            "full_name": members["carer"].full_name,
            "email": members["carer"].email,
            "stakeholder_group": "manager",
            "consent": "paper",
        }
    )
    roster_import_people(
        roster_file=roster_file_read(out.getvalue().encode()),
        project=personas.other_project,
        recorded_by=personas.staff,
        dry_run=False,
    )


def _unconfirmed_signup_deleted(personas, members) -> None:
    user = ParticipantFactory(date_joined=timezone.now() - timedelta(days=400))
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": False, "primary": True}
    )
    person = PersonFactory(user=user, created_by=user, stakeholder_group=StakeholderGroup.OTHER)
    MembershipFactory(project=personas.project, person=person)
    assert kept_coverage() == counted_coverage()
    assert unconfirmed_signups_delete() == 1


def _pool_yes(personas, members) -> None:
    person = members["interested"].person
    (invitation,) = pool_invite(project=personas.project, people=[person], invited_by=None)
    pool_invitation_answer(invitation=invitation, answer="yes")


OPERATIONS = {
    "made active": lambda p, m: membership_set_status(
        membership=m["interested"], status=MembershipStatus.ACTIVE
    ),
    "left": lambda p, m: membership_set_status(
        membership=Membership.objects.get(project=p.project, person=m["manager"]),
        status=MembershipStatus.LEFT,
    ),
    "interest expressed": lambda p, m: membership_express_interest(
        person=m["manager"], project=p.other_project
    ),
    "group corrected by staff": lambda p, m: person_details_correct(
        person=m["carer"],
        corrected_by=p.staff,
        details={"stakeholder_group": StakeholderGroup.PRACTITIONER},
    ),
    # What a form (their own details page, the admin) does: save the person.
    "person saved with a new group": lambda p, m: (
        setattr(m["manager"], "stakeholder_group", StakeholderGroup.OTHER),
        m["manager"].save(),
    ),
    "involvement consent withdrawn": lambda p, m: consent_withdraw(
        person=m["carer"], kind=ConsentKind.INVOLVEMENT, withdrawn_by=None
    ),
    "erased": lambda p, m: person_erase(person=m["carer"], erased_by=p.staff),
    "membership deleted": lambda p, m: Membership.objects.get(
        project=p.project, person=m["carer"]
    ).delete(),
    "project deleted": lambda p, m: ProjectFactory._meta.model.objects.filter(
        pk=p.other_project.pk
    ).delete(),
    "roster imported": _import_file,
    "unconfirmed sign-up deleted": _unconfirmed_signup_deleted,
    "pool invitation answered yes": _pool_yes,
}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_the_kept_coverage_counts_equal_the_memberships_after_each_operation(
    personas, members, operation
):
    before = counted_coverage()
    assert kept_coverage() == before

    operation(personas, members)

    assert kept_coverage() == counted_coverage()


def test_the_operations_do_change_the_counts(personas, members):
    """Each operation above that should change a count does, so the test above compares
    counts that moved."""
    before = counted_coverage()
    OPERATIONS["group corrected by staff"](personas, members)
    assert counted_coverage() != before


def test_recounting_everything_puts_right_counts_changed_in_bulk(personas, members):
    Membership.objects.update(status=MembershipStatus.ACTIVE)
    assert kept_coverage() != counted_coverage()

    coverage_recount_all()

    assert kept_coverage() == counted_coverage()


def test_the_command_recounts_coverage_and_fee_waits(personas, members):
    _paid_one_by_one(personas)
    ProjectGroupCount.objects.all().delete()
    FeeWaitCount.objects.all().delete()

    call_command("kept_counts_recount", stdout=io.StringIO())

    assert kept_coverage() == counted_coverage()
    assert kept_waits() == fee_waits_counted()
    assert kept_waits()


# Fee waits -----------------------------------------------------------------------------


def kept_waits() -> dict:
    return {(row.quarter, row.days): row.fees for row in FeeWaitCount.objects.filter(fees__gt=0)}


def _approved_fees(personas, count: int, *, days_ago: int = 20) -> list[Payment]:
    payment_policy_update(project=personas.project, fee_rate=Decimal("20.00"))
    meeting = MeetingFactory(
        project=personas.project, starts_at=timezone.now() - timedelta(days=days_ago)
    )
    fees = []
    for _ in range(count):
        person = PersonFactory(payment_method=PaymentMethod.BANK_TRANSFER)
        attendance = attendance_record(
            meeting=meeting,
            person=person,
            status=AttendanceStatus.ATTENDED,
            hours=Decimal("2"),
            recorded_by=personas.staff,
        )
        fee = Payment.objects.get(attendance=attendance)
        fee = payment_choose(payment=fee, choice=FeeChoice.FULL, made_by=personas.staff)
        fees.append(payment_approve(payment=fee, approved_by=personas.staff))
    return fees


def _paid_one_by_one(personas) -> None:
    for fee in _approved_fees(personas, 2):
        payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")


def _paid_in_a_run(personas) -> None:
    fees = _approved_fees(personas, 3)
    payments_mark_paid_in_bulk(
        items=[(fee, f"RUN-{fee.pk}") for fee in fees],
        paid_on=timezone.localdate(),
        made_by=personas.staff,
    )


def _run_undone(personas) -> None:
    fees = _approved_fees(personas, 3)
    run = payments_mark_paid_in_bulk(
        items=[(fee, f"RUN-{fee.pk}") for fee in fees],
        paid_on=timezone.localdate(),
        made_by=personas.staff,
    )
    assert kept_waits() == fee_waits_counted()
    payment_run_undo(run=run, undone_by=personas.staff)


def _reversed(personas) -> None:
    (fee,) = _approved_fees(personas, 1)
    fee = payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")
    payment_reverse(payment=fee, reason="Paid twice", reversed_by=personas.staff)


def _meeting_moved(personas) -> None:
    fees = _approved_fees(personas, 2, days_ago=3)
    for fee in fees:
        payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")
    meeting = fees[0].attendance.meeting
    assert kept_waits() == fee_waits_counted()
    meeting_update(meeting=meeting, starts_at=meeting.starts_at - timedelta(days=10))


def _paid_fee_deleted(personas) -> None:
    (fee,) = _approved_fees(personas, 1)
    payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")
    assert kept_waits() == fee_waits_counted()
    Payment.objects.filter(pk=fee.pk).delete()


FEE_OPERATIONS = {
    "paid one by one": _paid_one_by_one,
    "paid in a run": _paid_in_a_run,
    "run undone": _run_undone,
    "reversed": _reversed,
    "meeting moved": _meeting_moved,
    "paid fee deleted": _paid_fee_deleted,
}


@pytest.mark.parametrize("operation", FEE_OPERATIONS.values(), ids=FEE_OPERATIONS.keys())
def test_the_kept_fee_waits_equal_the_payments_after_each_operation(personas, operation):
    operation(personas)

    assert kept_waits() == fee_waits_counted()


def test_paying_fees_does_count_them(personas):
    _paid_one_by_one(personas)

    assert sum(kept_waits().values()) == 2
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 2


def test_recounting_every_fee_wait_puts_right_fees_made_in_bulk(personas):
    _paid_one_by_one(personas)
    FeeWaitCount.objects.all().delete()

    fee_waits_recount_all()

    assert kept_waits() == fee_waits_counted()
    assert kept_waits()
