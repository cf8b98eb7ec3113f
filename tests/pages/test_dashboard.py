"""The staff dashboard: what is waiting for staff, oldest first, each kind with its count,
the age of its oldest item and a link to where the work is done; and this quarter's
figures, each with a chart and a table of the same numbers."""

import html
import json
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coprod.core.pagecache import data_changed
from coprod.pages.models import DashboardContent, DashboardFigures
from coprod.pages.selectors import one_calendar_month_after, quarter_of
from decisions.models import Action, ActionStatus, Decision, DecisionMethod, LadderRung
from decisions.services import action_set_status, voting_close
from evidence.models import EvidenceKind, EvidenceRecord
from projects.models import (
    Attendance,
    AttendanceStatus,
    ClaimStatus,
    CoverageTarget,
    EmailKind,
    ExpenseCategory,
    ExpenseClaim,
    Invitation,
    MeetingEmail,
    Membership,
    MembershipStatus,
    Payment,
    PaymentStatus,
    Project,
    Response,
    Stage,
)
from projects.rsvp import RsvpAction
from projects.selectors.payments import wait_median
from projects.services.meetings import (
    invitation_respond,
    invitation_support_arrange,
    meeting_email_retry,
)
from projects.services.memberships import membership_set_status
from projects.services.payments import claim_decide, payment_approve
from stakeholders.models import ErasureRequest, RequestChannel, StakeholderGroup
from stakeholders.privacy import (
    erasure_confirm,
    subject_access_request_answer_oldest,
    subject_access_request_record,
)
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("pages:dashboard")


def _page(client) -> str:
    # Each look follows a change, as after any write (a bulk update too: its request bumps
    # the data version), so the look works the page out afresh; how a look that finds the
    # page kept queues its refresh instead is tested in test_dashboard_content.py.
    data_changed()
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def _entry(page: str, kind: str) -> str | None:
    """The text and links of one to-do entry, or None when it is not listed."""
    found = re.search(rf'<li [^>]*id="todo-{kind}".*?</li>', page, re.S)
    if not found:
        return None
    return html.unescape(re.sub(r"\s+", " ", found.group(0)))


def _assert_entry(page: str, kind: str, *, count: int, says: str, link: str) -> None:
    entry = _entry(page, kind)
    assert entry is not None, f"no {kind} entry"
    assert f'<span class="todo-count">{count}</span>' in entry
    assert says in entry, entry
    assert f'href="{link}"' in entry, entry


def _days_ago(days: int, hour: int = 12) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days), time(hour))
    )


def test_a_new_sign_up_is_listed_with_its_age_and_a_roster_link_until_welcomed(
    staff_client, personas
):
    newcomer = PersonFactory(full_name="Nia Newcomer")
    membership = Membership.objects.create(
        project=personas.project, person=newcomer, interested_at=_days_ago(12)
    )
    Membership.objects.create(
        project=personas.other_project, person=PersonFactory(), interested_at=_days_ago(2)
    )

    page = _page(staff_client)

    _assert_entry(
        page,
        "signups",
        count=2,
        says="The oldest signed up 12 days ago.",
        link=reverse("projects:roster", args=[personas.project.slug]) + "?status=interested",
    )
    assert "1 other project has some too." in _entry(page, "signups")
    membership_set_status(membership=membership, status=MembershipStatus.ACTIVE)
    Membership.objects.filter(status=MembershipStatus.INTERESTED).update(
        status=MembershipStatus.LEFT
    )
    assert _entry(_page(staff_client), "signups") is None


def test_fees_waiting_for_approval_show_the_days_waiting_until_approved(staff_client, personas):
    fee = Payment.objects.create(
        person=personas.participant.person,
        project=personas.project,
        activity="Planning session",
        amount=Decimal("25.00"),
        owed_since=_days_ago(9),
    )

    _assert_entry(
        _page(staff_client),
        "fees",
        count=1,
        says="The oldest has waited 9 days.",
        link=reverse("projects:payments", args=[personas.project.slug]) + "?status=owed",
    )
    payment_approve(payment=fee, approved_by=personas.staff)
    assert _entry(_page(staff_client), "fees") is None


def test_expense_claims_waiting_show_the_days_waiting_until_decided(staff_client, personas):
    claim = ExpenseClaim.objects.create(
        person=personas.participant.person,
        project=personas.project,
        spent_on=timezone.localdate() - timedelta(days=5),
        category=ExpenseCategory.TRAVEL,
        amount=Decimal("4.80"),
        submitted_at=_days_ago(4),
    )

    _assert_entry(
        _page(staff_client),
        "claims",
        count=1,
        says="The oldest has waited 4 days.",
        link=reverse("projects:payments", args=[personas.project.slug])
        + "?show=claims&status=submitted",
    )
    claim_decide(claim=claim, decided_by=personas.staff, approve=True)
    assert ExpenseClaim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    assert _entry(_page(staff_client), "claims") is None


def test_an_erasure_request_shows_the_days_left_of_the_legal_month_until_confirmed(
    staff_client, personas
):
    requested = _days_ago(10)
    erasure = ErasureRequest.objects.create(
        person=personas.other_participant.person, requested_at=requested
    )
    due = one_calendar_month_after(timezone.localdate(requested))
    left = (due - timezone.localdate()).days

    _assert_entry(
        _page(staff_client),
        "erasures",
        count=1,
        says=f"The oldest must be done by {due.day} {due:%B %Y}: {left} days left.",
        link=reverse("stakeholders:erasure_requests"),
    )
    erasure_confirm(request=erasure, confirmed_by=personas.staff)
    assert _entry(_page(staff_client), "erasures") is None


def test_an_erasure_request_older_than_a_month_is_marked_late(staff_client, personas):
    requested = _days_ago(40)
    ErasureRequest.objects.create(person=personas.other_participant.person, requested_at=requested)
    late = (timezone.localdate() - one_calendar_month_after(timezone.localdate(requested))).days

    entry = _entry(_page(staff_client), "erasures")

    assert f"{late} days late." in entry
    assert "(late)" in entry


def test_a_subject_access_request_shows_the_days_left_of_the_legal_month_until_answered(
    staff_client, personas
):
    person = personas.other_participant.person
    received_on = timezone.localdate() - timedelta(days=10)
    subject_access_request_record(
        person=person, received_on=received_on, channel=RequestChannel.LETTER, noted_by=None
    )
    due = one_calendar_month_after(received_on)
    left = (due - timezone.localdate()).days

    page = _page(staff_client)

    _assert_entry(
        page,
        "subject-access",
        count=1,
        says=f"The oldest must be done by {due.day} {due:%B %Y}: {left} days left.",
        link=reverse("stakeholders:sar", args=[person.public_id]),
    )
    assert "(late)" not in _entry(page, "subject-access")
    assert "Subject-access requests are not listed here" not in page
    subject_access_request_answer_oldest(person=person, answered_by=personas.staff)
    assert _entry(_page(staff_client), "subject-access") is None


def test_a_subject_access_request_older_than_a_month_is_marked_late(staff_client, personas):
    received_on = timezone.localdate() - timedelta(days=40)
    subject_access_request_record(
        person=personas.other_participant.person,
        received_on=received_on,
        channel=RequestChannel.PHONE,
        noted_by=personas.staff,
    )
    late = (timezone.localdate() - one_calendar_month_after(received_on)).days

    entry = _entry(_page(staff_client), "subject-access")

    assert f"{late} days late." in entry
    assert "(late)" in entry


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (date(2026, 3, 3), date(2026, 4, 3)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 30), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),
    ],
)
def test_one_calendar_month_ends_on_the_same_date_or_the_last_day_of_a_shorter_month(asked, due):
    assert one_calendar_month_after(asked) == due


def test_support_asked_for_in_an_answer_is_listed_until_the_person_says_they_are_not_coming(
    staff_client, personas
):
    invitation = Invitation.objects.get(meeting=personas.meeting)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=_days_ago(3))
    invitation_respond(
        invitation=invitation, action=RsvpAction.SUPPORT, support_note="A step-free way in"
    )
    past = MeetingFactory(
        project=personas.project,
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )
    InvitationFactory(meeting=past, person=personas.other_participant.person, needs_support=True)

    _assert_entry(
        _page(staff_client),
        "support",
        count=1,
        says="The oldest request came 3 days ago, for Planning session on",
        link=personas.meeting.get_absolute_url() + "#answers-heading",
    )
    invitation_respond(invitation=invitation, action=RsvpAction.DECLINE)
    assert _entry(_page(staff_client), "support") is None


def test_support_marked_as_arranged_leaves_the_list_until_the_person_asks_for_something_else(
    staff_client, personas
):
    invitation = Invitation.objects.get(meeting=personas.meeting)
    invitation_respond(
        invitation=invitation, action=RsvpAction.SUPPORT, support_note="A step-free way in"
    )
    assert _entry(_page(staff_client), "support") is not None

    invitation_support_arrange(invitation=invitation, arranged_by=personas.staff)
    assert _entry(_page(staff_client), "support") is None

    invitation_respond(invitation=invitation, action=RsvpAction.SUPPORT, support_note="A lift")
    entry = _entry(_page(staff_client), "support")
    assert entry is not None
    assert '<span class="todo-count">1</span>' in entry


def _failed_email(invitation, *, days_ago: int) -> MeetingEmail:
    return MeetingEmail.objects.create(
        invitation=invitation,
        kind=EmailKind.INVITATION,
        failed_at=_days_ago(days_ago),
        last_error="Mailbox full",
    )


def test_an_email_that_could_not_be_sent_is_listed_until_tried_again(staff_client, personas):
    email = _failed_email(Invitation.objects.get(meeting=personas.meeting), days_ago=2)

    _assert_entry(
        _page(staff_client),
        "emails",
        count=1,
        says="The oldest failed 2 days ago, for Planning session.",
        link=personas.meeting.get_absolute_url() + "#failed-emails",
    )
    meeting_email_retry(email=email)
    assert _entry(_page(staff_client), "emails") is None


def test_an_email_not_sent_because_the_person_withdrew_is_not_work_to_do(staff_client, personas):
    invitation = Invitation.objects.get(meeting=personas.meeting)
    _failed_email(invitation, days_ago=1)
    Invitation.objects.filter(pk=invitation.pk).update(response=Response.WITHDRAWN)

    assert _entry(_page(staff_client), "emails") is None


def _decision(project, **fields) -> Decision:
    defaults = {
        "title": "Where to meet",
        "question": "Which room?",
        "method": DecisionMethod.VOTE,
        "ladder_rung": LadderRung.CO_DESIGN,
    }
    return Decision.objects.create(project=project, **{**defaults, **fields})


def test_overdue_actions_are_listed_with_how_late_until_done(staff_client, personas):
    decision = _decision(personas.project)
    action = Action.objects.create(
        decision=decision,
        description="Book the room",
        owner="Sam",
        due_on=timezone.localdate() - timedelta(days=10),
    )
    Action.objects.create(
        decision=decision, description="Not yet due", owner="Sam", due_on=timezone.localdate()
    )

    _assert_entry(
        _page(staff_client),
        "actions",
        count=1,
        says="The oldest was due 10 days ago: Book the room.",
        link=decision.get_absolute_url() + "#actions",
    )
    action_set_status(action=action, status=ActionStatus.DONE)
    assert _entry(_page(staff_client), "actions") is None


def test_open_votes_are_listed_by_how_long_they_have_been_open_until_closed(staff_client, personas):
    older = _decision(personas.project, title="Opening hours", voting_open=True)
    older.history.update(history_date=_days_ago(8))
    _decision(personas.other_project, title="Newer vote", voting_open=True)
    _decision(personas.project, title="Not open")

    page = _page(staff_client)

    _assert_entry(
        page,
        "votes",
        count=2,
        says="The oldest opened 8 days ago: Opening hours. Votes have no closing date",
        link=older.get_absolute_url(),
    )
    voting_close(decision=older)
    entry = _entry(_page(staff_client), "votes")
    assert '<span class="todo-count">1</span>' in entry
    assert "Newer vote" in entry


def test_votes_closing_in_the_next_7_days_are_listed_soonest_first_with_the_days_left_until_closed(
    staff_client, personas
):
    today = timezone.localdate()
    later = _decision(
        personas.other_project,
        title="Later vote",
        voting_open=True,
        voting_closes_on=today + timedelta(days=6),
    )
    soonest = _decision(
        personas.project,
        title="Opening hours",
        voting_open=True,
        voting_closes_on=today + timedelta(days=2),
    )
    _decision(
        personas.project,
        title="Next month",
        voting_open=True,
        voting_closes_on=today + timedelta(days=8),
    )
    _decision(personas.project, title="Closed", voting_closes_on=today + timedelta(days=1))

    page = _page(staff_client)

    _assert_entry(
        page,
        "votes-closing",
        count=2,
        says=f"The soonest closes in 2 days, on {today + timedelta(days=2):%A %-d %B}: "
        "Opening hours.",
        link=soonest.get_absolute_url() + "#votes",
    )
    entry = _entry(page, "votes-closing")
    assert f"Then Later vote ({personas.other_project.name}): closes in 6 days" in entry
    assert "Next month" not in entry and "(late)" not in entry
    assert _entry(page, "votes") is None
    voting_close(decision=soonest)
    entry = _entry(_page(staff_client), "votes-closing")
    assert '<span class="todo-count">1</span>' in entry
    assert "The soonest closes in 6 days" in entry
    voting_close(decision=later)
    assert _entry(_page(staff_client), "votes-closing") is None


def test_a_vote_whose_closing_date_passed_is_listed_first_and_late_until_closed(
    staff_client, personas
):
    today = timezone.localdate()
    passed = _decision(
        personas.project,
        title="Opening hours",
        voting_open=True,
        voting_closes_on=today - timedelta(days=3),
    )
    _decision(personas.project, voting_open=True, voting_closes_on=today)

    entry = _entry(_page(staff_client), "votes-closing")

    assert "(late)" in entry
    assert (
        f"The soonest closing date passed 3 days ago, on {today - timedelta(days=3):%A %-d %B}: "
        "Opening hours." in entry
    )
    assert "Then Where to meet" in entry and "closes today" in entry
    voting_close(decision=passed)
    assert "(late)" not in _entry(_page(staff_client), "votes-closing")


def test_open_votes_with_no_closing_date_are_still_listed_on_their_own_oldest_first(
    staff_client, personas
):
    undated = _decision(personas.project, title="No date", voting_open=True)
    undated.history.update(history_date=_days_ago(2))
    _decision(
        personas.project,
        title="Dated",
        voting_open=True,
        voting_closes_on=timezone.localdate() + timedelta(days=3),
    )

    page = _page(staff_client)

    assert "No date" in _entry(page, "votes") and "Dated" not in _entry(page, "votes")
    assert "Dated" in _entry(page, "votes-closing")


def test_a_vote_closing_soon_counts_as_waiting_from_a_week_before_its_closing_date(
    staff_client, personas
):
    today = timezone.localdate()
    vote = _decision(personas.project, voting_open=True, voting_closes_on=today + timedelta(days=3))
    Action.objects.create(
        decision=_decision(personas.other_project),
        description="Write to the GP surgery",
        owner="Sam",
        due_on=today - timedelta(days=5),
    )

    page = _page(staff_client)
    assert page.index('id="todo-actions"') < page.index('id="todo-votes-closing"')

    Decision.objects.filter(pk=vote.pk).update(voting_closes_on=today)
    page = _page(staff_client)
    assert page.index('id="todo-votes-closing"') < page.index('id="todo-actions"')


def test_a_project_short_of_voices_with_a_meeting_in_the_next_14_days_is_listed_until_filled(
    staff_client, personas
):
    CoverageTarget.objects.create(
        project=personas.project, stakeholder_group=StakeholderGroup.CARER, target=2
    )
    CoverageTarget.objects.create(
        project=personas.other_project, stakeholder_group=StakeholderGroup.CARER, target=2
    )
    MeetingFactory(
        project=personas.other_project,
        starts_at=timezone.now() + timedelta(days=20),
        ends_at=timezone.now() + timedelta(days=20, hours=2),
    )

    _assert_entry(
        _page(staff_client),
        "voices",
        count=1,
        says="The soonest meeting is in 1 day, still short of: Carer or family member (2).",
        link=reverse("projects:finder", args=[personas.project.slug]),
    )
    for _ in range(2):
        carer = PersonFactory(stakeholder_group=StakeholderGroup.CARER)
        MembershipFactory(project=personas.project, person=carer)
    assert _entry(_page(staff_client), "voices") is None


def test_voices_missing_looks_at_the_next_meeting_not_cancelled_of_running_projects_only(
    staff_client, personas
):
    now = timezone.now()

    def short_of_a_carer(*, meeting_in_days: int, **fields) -> Project:
        project = ProjectFactory(**fields)
        CoverageTarget.objects.create(
            project=project, stakeholder_group=StakeholderGroup.CARER, target=1
        )
        starts_at = now + timedelta(days=meeting_in_days)
        MeetingFactory(project=project, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
        return project

    waiting = short_of_a_carer(meeting_in_days=5)
    MeetingFactory(
        project=waiting,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        cancelled_at=now,
    )
    short_of_a_carer(meeting_in_days=1, stage=Stage.CLOSED)
    short_of_a_carer(meeting_in_days=1, archived_at=now)

    _assert_entry(
        _page(staff_client),
        "voices",
        count=1,
        says="The soonest meeting is in 5 days, still short of: Carer or family member (1).",
        link=reverse("projects:finder", args=[waiting.slug]),
    )


def test_the_list_puts_the_work_that_has_waited_longest_first(staff_client, personas):
    Membership.objects.create(
        project=personas.other_project, person=PersonFactory(), interested_at=_days_ago(3)
    )
    Action.objects.create(
        decision=_decision(personas.project),
        description="Write to the GP surgery",
        owner="Sam",
        due_on=timezone.localdate() - timedelta(days=30),
    )

    page = _page(staff_client)

    assert page.index('id="todo-actions"') < page.index('id="todo-signups"')


def test_an_empty_list_says_plainly_that_nothing_is_waiting(staff_client, personas):
    page = _page(staff_client)

    assert "Nothing is waiting for you." in page
    assert 'class="todo-count"' not in page


def test_the_figures_show_this_quarters_people_payments_decisions_and_evidence(
    staff_client, personas
):
    quarter = quarter_of(timezone.localdate())
    first = timezone.make_aware(datetime.combine(quarter.first_day, time(10)))
    meeting = MeetingFactory(
        project=personas.project, starts_at=first, ends_at=first + timedelta(hours=2)
    )
    came = [
        personas.participant.person,
        personas.other_participant.person,
        PersonFactory(stakeholder_group=StakeholderGroup.CARER),
    ]
    attendances = [
        Attendance.objects.create(
            meeting=meeting,
            person=person,
            status=AttendanceStatus.ATTENDED,
            hours=Decimal("2"),
            stakeholder_group=person.stakeholder_group,
        )
        for person in came
    ]
    CoverageTarget.objects.create(
        project=personas.project, stakeholder_group=StakeholderGroup.LIVED_EXPERIENCE, target=5
    )
    for attendance, days in zip(attendances[:2], [4, 10], strict=True):
        Payment.objects.create(
            person=attendance.person,
            project=personas.project,
            attendance=attendance,
            activity="Planning session",
            amount=Decimal("20.00"),
            status=PaymentStatus.PAID,
            paid_on=quarter.first_day + timedelta(days=days),
        )
    for rung in [LadderRung.CO_DESIGN, LadderRung.CO_PRODUCTION, LadderRung.CONSULTATION]:
        _decision(personas.project, ladder_rung=rung, decided_on=timezone.localdate())
    for _ in range(2):
        EvidenceRecord.objects.create(
            project=personas.project,
            kind=EvidenceKind.FEEDBACK,
            title="What people said",
            source="Workshop",
            recorded_on=timezone.localdate(),
        )

    page = re.sub(r"\s+", " ", _page(staff_client))

    assert f"This quarter: {quarter.label}." in page
    assert "3 people" in page
    assert '<th scope="row">Person with lived experience</th><td>2</td><td>5</td>' in page
    assert '<th scope="row">Carer or family member</th><td>1</td><td>0</td>' in page
    # Two fees paid: too few to show how long people waited.
    assert "Fewer than 5 fees paid this quarter" in page
    assert f'<th scope="row">{quarter.short_label}</th><td>not shown (small numbers)</td>' in page
    assert "3 decisions" in page
    assert "2 co-designed or co-produced" in page
    assert '<th scope="row">Consultation</th><td>1</td>' in page
    assert "2 records" in page
    assert '<th scope="row">Feedback or a quote</th><td>2</td>' in page
    charts = json.loads(re.search(r'id="dashboard-chart-data"[^>]*>(.*?)</script>', page).group(1))
    assert charts["ladder"]["datasets"][0]["data"] == [0, 0, 0, 1, 0, 1, 1]
    assert charts["payment-wait"]["datasets"][0]["data"][-1] is None
    assert page.count("<canvas") == 4
    assert page.count('role="img"') == 4


def test_the_figures_say_when_no_fee_has_been_paid_this_quarter(staff_client, personas):
    page = _page(staff_client)

    assert "No fees paid yet this quarter" in page
    assert "0 people" in page


@pytest.mark.parametrize(
    ("histogram", "median"),
    [({}, None), ({3: 1}, 3), ({1: 1, 9: 1}, 5), ({1: 2, 4: 1}, 1), ({2: 1, 5: 2, 30: 1}, 5)],
)
def test_the_median_is_the_middle_value_or_halfway_between_the_two_middle_ones(histogram, median):
    assert wait_median(histogram) == median


def _grow(personas, count: int) -> None:
    """`count` rows of every kind the dashboard counts, across `count` projects."""
    now = timezone.now()
    today = timezone.localdate()
    quarter = quarter_of(today)
    first = timezone.make_aware(datetime.combine(quarter.first_day, time(10)))
    for n in range(count):
        project = ProjectFactory()
        CoverageTarget.objects.create(
            project=project, stakeholder_group=StakeholderGroup.CARER, target=3
        )
        soon = MeetingFactory(project=project, starts_at=now + timedelta(days=2))
        held = MeetingFactory(project=project, starts_at=first, ends_at=first + timedelta(hours=2))
        person = PersonFactory()
        Membership.objects.create(project=project, person=person, interested_at=_days_ago(n))
        invitation = InvitationFactory(
            meeting=soon, person=person, needs_support=True, support_note="Hearing loop"
        )
        _failed_email(invitation, days_ago=n)
        attendance = Attendance.objects.create(
            meeting=held,
            person=person,
            status=AttendanceStatus.ATTENDED,
            hours=Decimal("2"),
            stakeholder_group=person.stakeholder_group,
        )
        for paid in [None, attendance]:
            Payment.objects.create(
                person=person,
                project=project,
                attendance=paid,
                activity="Meeting",
                amount=Decimal("20.00"),
                status=PaymentStatus.PAID if paid else PaymentStatus.OWED,
                paid_on=today if paid else None,
            )
        ExpenseClaim.objects.create(
            person=person,
            project=project,
            spent_on=today,
            category=ExpenseCategory.TRAVEL,
            amount=Decimal("3.00"),
        )
        ErasureRequest.objects.create(person=person, requested_at=_days_ago(n))
        subject_access_request_record(
            person=person,
            received_on=today - timedelta(days=n),
            channel=RequestChannel.EMAIL,
            noted_by=personas.staff,
        )
        decision = _decision(project, voting_open=True, ladder_rung=LadderRung.INFORMING)
        _decision(project, voting_open=True, voting_closes_on=today + timedelta(days=n % 8))
        Action.objects.create(
            decision=decision, description="Do it", owner="Sam", due_on=today - timedelta(days=1)
        )
        EvidenceRecord.objects.create(
            project=project, kind=EvidenceKind.STORY, title="A story", source="Sam"
        )


def _query_count(client, *, figures_kept: bool) -> list[str]:
    """The queries of one look at the dashboard that works out what it shows (as the first
    ever does), with the quarter's figures already worked out, or worked out too."""
    DashboardContent.objects.all().delete()
    if not figures_kept:
        DashboardFigures.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_dashboard_runs_as_many_queries_with_ten_times_the_rows(staff_client, personas):
    _grow(personas, 2)
    small = _query_count(staff_client, figures_kept=False)
    small_kept = _query_count(staff_client, figures_kept=True)
    page = _page(staff_client)
    for kind in [
        "signups",
        "fees",
        "claims",
        "erasures",
        "subject-access",
        "support",
        "emails",
        "actions",
    ]:
        assert _entry(page, kind) is not None, kind
    assert _entry(page, "votes") is not None and _entry(page, "voices") is not None
    assert _entry(page, "votes-closing") is not None

    _grow(personas, 18)
    large_kept = _query_count(staff_client, figures_kept=True)
    large = _query_count(staff_client, figures_kept=False)

    assert len(large) == len(small), "\n".join(large)
    assert len(large_kept) == len(small_kept), "\n".join(large_kept)


def test_work_in_an_archived_project_is_not_on_the_to_do_list(staff_client, personas):
    decision = _decision(personas.other_project, voting_open=True)
    Action.objects.create(
        decision=decision,
        description="Send the minutes",
        owner="Sam",
        due_on=timezone.localdate() - timedelta(days=3),
    )
    page = _page(staff_client)
    assert _entry(page, "actions") is not None
    assert _entry(page, "votes") is not None

    Project.objects.filter(pk=personas.other_project.pk).update(
        stage=Stage.CLOSED, archived_at=timezone.now()
    )

    page = _page(staff_client)
    assert _entry(page, "actions") is None
    assert _entry(page, "votes") is None
