"""A participant with something in every kind of record coprod keeps about people, for the
export and erasure tests."""

from datetime import timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.utils import timezone

from decisions.models import AssessorRole, VoteChoice
from decisions.services import decision_create, ladder_assessment_add, vote_cast, voting_open
from evidence.models import FeedbackRequest, MeasureReminder, MeasureRound, ProjectMeasure
from evidence.services_feedback import meeting_feedback_save
from evidence.services_measures import measure_answers_save
from projects.models import (
    AttendanceStatus,
    ExpenseClaim,
    HeldSignup,
    ProjectInvitation,
    Response,
)
from projects.services.meetings import attendance_record
from projects.services.payments import payment_approve, payment_mark_paid, payment_policy_update
from stakeholders.models import Benefits, ConsentKind, ConsentMethod, RequestChannel
from stakeholders.privacy import subject_access_request_record
from stakeholders.services import (
    benefits_answers_save,
    consent_give,
    equality_answers_save,
)
from stakeholders.signin import signin_link_invite
from tests.factories.measures import ons4
from tests.factories.meetings import InvitationFactory, MeetingFactory

SUPPORT_NOTE = "Wheelchair space near the door please"
CLAIM_NOTE = "Bus from my flat on Acacia Avenue"
FEEDBACK_COMMENT = "The room was too noisy for my hearing aid"


def give_everything(person, *, project, staff, secret_ballot=None):
    """Consents, equality answers, answers about benefits, a request for a copy of their
    data, a pool invitation, a past meeting attended with a paid fee, an expense claim with
    a receipt, a decision taken part in and a vote in a secret ballot, a ladder assessment
    and an authenticator. Returns the secret ballot."""
    consent_give(
        person=person, kind=ConsentKind.EQUALITY, method=ConsentMethod.ONLINE, recorded_by=None
    )
    equality_answers_save(person=person, answers={"age_band": "25_34", "gender": "woman"})
    benefits_answers_save(
        person=person,
        benefits=Benefits.UC_HOUSING,
        uc_period_starts_on=14,
        permitted_work_form=False,
        method=ConsentMethod.PHONE,
        recorded_by=staff,
    )
    subject_access_request_record(
        person=person,
        received_on=timezone.localdate() - timedelta(days=3),
        channel=RequestChannel.LETTER,
        noted_by=staff,
    )
    ProjectInvitation.objects.get_or_create(project=project, person=person)
    payment_policy_update(project=project, fee_rate=Decimal("15.00"))
    starts_at = timezone.now() - timedelta(days=7)
    meeting = MeetingFactory(
        project=project,
        title=f"Last week's workshop {person.pk}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        created_by=staff,
    )
    InvitationFactory(
        meeting=meeting,
        person=person,
        response=Response.ACCEPTED,
        needs_support=True,
        support_note=SUPPORT_NOTE,
    )
    attendance = attendance_record(
        meeting=meeting,
        person=person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        recorded_by=staff,
    )
    FeedbackRequest.objects.get_or_create(meeting=meeting, person=person)
    meeting_feedback_save(
        meeting=meeting,
        person=person,
        listened=4,
        influence=3,
        accessible=None,
        comment=FEEDBACK_COMMENT,
    )
    measure_round = _measure_round(project)
    measure_answers_save(
        measure_round=measure_round,
        person=person,
        values={
            question.pk: 6 for question in measure_round.project_measure.measure.questions.all()
        },
        recorded_by=staff,
        method=ConsentMethod.PAPER,
    )
    MeasureReminder.objects.get_or_create(round=measure_round, person=person, which="opened")
    payment = payment_approve(payment=attendance.payment, approved_by=staff, benefits_checked=True)
    payment_mark_paid(payment=payment, paid_on=timezone.localdate(), reference=f"BACS-{person.pk}")
    ExpenseClaim.objects.create(
        person=person,
        project=project,
        meeting=meeting,
        spent_on=timezone.localdate() - timedelta(days=7),
        category="travel",
        amount=Decimal("4.50"),
        note=CLAIM_NOTE,
        receipt=ContentFile(b"%PDF-1.4 a bus ticket", name=f"receipts/ticket-{person.pk}.pdf"),
    )
    if secret_ballot is None:
        secret_ballot = voting_open(
            decision=decision_create(
                project=project,
                created_by=staff,
                title="Saturday opening",
                question="Should the drop-in open on Saturdays?",
                method="vote",
                ladder_rung="co_design",
                anonymous_voting=True,
                participants=[person],
            )
        )
    else:
        secret_ballot.participants.create(person=person, stakeholder_group=person.stakeholder_group)
    vote_cast(decision=secret_ballot, person=person, choice=VoteChoice.FOR)
    if person.user is not None:
        # A later sign-up to another project, held until an address is confirmed.
        HeldSignup.objects.create(
            user=person.user,
            project=project,
            person_fields={"full_name": person.full_name, "email": person.email},
        )
        ladder_assessment_add(
            project=project,
            assessed_by=person.user,
            role=AssessorRole.PARTICIPANT,
            rung="consultation",
            note="We are asked but not listened to",
        )
        Authenticator.objects.create(
            user=person.user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
        signin_link_invite(person=person, sent_by=staff)
    return secret_ballot


def _measure_round(project) -> MeasureRound:
    """ONS4 in the project with a baseline that opened last week."""
    project_measure, _ = ProjectMeasure.objects.get_or_create(project=project, measure=ons4())
    opened = timezone.localdate() - timedelta(days=7)
    measure_round, _ = MeasureRound.objects.get_or_create(
        project_measure=project_measure,
        kind="baseline",
        defaults={"name": "Baseline", "opens_on": opened, "closes_on": opened + timedelta(days=28)},
    )
    return measure_round
