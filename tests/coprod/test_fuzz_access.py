"""Every form, posted arbitrary data by the person it is for: never a 500, never a row that
breaks its own model's rules (a Decimal too long, an end before its start, a choice that
is not one)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decisions.ballot import ballot_token
from decisions.services import decision_create, voting_open
from evidence.models import EvidenceRecord, MeasureRound, ProjectMeasure
from projects.models import (
    Attendance,
    AttendanceStatus,
    ExpenseClaim,
    Payment,
    ProjectInvitation,
)
from projects.pool_links import pool_invitation_token
from projects.rsvp import RsvpAction, rsvp_token
from tests.factories.measures import ons4
from tests.factories.meetings import InvitationFactory, MeetingFactory

OWN_APPS = ("stakeholders", "projects", "decisions", "evidence")

# Values a careless or hostile person might type, beside the random ones.
TRICKY = [
    "",
    " ",
    "0",
    # A point on a 1 to 5 scale (what people said after a meeting).
    "4",
    "-1",
    "1e400",
    "NaN",
    "Infinity",
    "-0.001",
    "99999999999999999999",
    "12345678.123",
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "2026-06-01 10:00",
    "2026-06-01T25:00",
    "on",
    "true",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a" * 5000,
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    # Real choices, so that some posts get far enough to be saved.
    "entered",
    "lived_experience",
    "carer",
    "email",
    "phone",
    "vote",
    "consensus",
    "co_design",
    "co_production",
    "design",
    "delivery",
    "outcome",
    "lower",
    "higher",
    "travel",
    "mileage",
    "attended",
    "no_show",
    "approve",
    "decline",
    "declined",
    "for",
    "against",
    "abstain",
    "everyone",
    "groups",
    "bank_transfer",
    "voucher",
    "per_hour",
    "per_session",
    "full",
    "charity",
    "yes",
    "not_now",
    "baseline",
    "follow_up",
    "held",
    "separate",
    "total",
    "paper",
]

VALUE = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=300),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.isoformat(sep=" ", timespec="minutes")),
)

PARTICIPANT = "participant"
STAFF = "staff"
ANONYMOUS = "anonymous"

PROJECT_FORM_FIELDS = [
    "name",
    "summary",
    "stage",
    "lead",
    "time_commitment",
    "meeting_format",
    "place",
    "payment_offer",
    "access_support",
    "contact_name",
    "contact_email",
    "contact_phone",
    "is_open_to_join",
    "payment_target_days",
    "cost_centre",
]

# (url name, kwargs placeholders, query string, who posts, field names)
FORMS = [
    (
        "projects:join",
        {"slug": "project"},
        "",
        ANONYMOUS,
        [
            "email",
            "password1",
            "password2",
            "full_name",
            "preferred_name",
            "stakeholder_group",
            "preferred_contact",
            "phone",
            "access_needs",
            "consent_involvement",
            "consent_equality",
            "equality-age_band",
            "equality-gender",
            "equality-ethnicity",
            "equality-disability",
            "equality-long_term_condition",
        ],
    ),
    (
        "stakeholders:profile",
        {},
        "",
        PARTICIPANT,
        [
            "full_name",
            "preferred_name",
            "email",
            "phone",
            "address",
            "preferred_contact",
            "stakeholder_group",
            "access_needs",
            "other_access_needs",
            "availability",
            "other_interests",
            "in_pool",
        ],
    ),
    ("stakeholders:new_confirmation_link", {}, "", ANONYMOUS, ["email", "key"]),
    (
        "stakeholders:equality",
        {},
        "",
        PARTICIPANT,
        ["age_band", "gender", "ethnicity", "disability", "long_term_condition"],
    ),
    (
        "stakeholders:benefits",
        {},
        "",
        PARTICIPANT,
        ["benefits", "uc_period_starts_on", "permitted_work_form"],
    ),
    (
        "projects:roster_add",
        {"slug": "project"},
        "",
        STAFF,
        [
            "full_name",
            "preferred_name",
            "email",
            "phone",
            "address",
            "preferred_contact",
            "stakeholder_group",
            "access_needs",
            "other_access_needs",
            "availability",
            "other_interests",
            "in_pool",
            "consent_method",
            "consent_involvement",
            "consent_equality",
            "equality-age_band",
            "equality-gender",
        ],
    ),
    (
        "projects:coverage_targets",
        {"slug": "project"},
        "",
        STAFF,
        [
            "lived_experience",
            "carer",
            "practitioner",
            "manager",
            "commissioner",
            "community_org",
            "other",
        ],
    ),
    (
        "projects:finder_invite",
        {"slug": "project"},
        "",
        STAFF,
        ["people", "meeting", "groups", "availability", "supported_access"],
    ),
    (
        "projects:meeting_add",
        {"slug": "project"},
        "",
        STAFF,
        [
            "title",
            "stage",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "access_info",
            "agenda",
            "capacity",
        ],
    ),
    (
        "projects:meeting_edit",
        {"slug": "project", "meeting_id": "meeting"},
        "",
        STAFF,
        ["title", "stage", "starts_at", "ends_at", "place", "online_link", "capacity"],
    ),
    (
        "projects:meeting_invite",
        {"slug": "project", "meeting_id": "meeting"},
        "",
        STAFF,
        ["who", "groups", "people", "preview", "send", "checked"],
    ),
    (
        "projects:meeting_record_answer",
        {"slug": "project", "meeting_id": "meeting", "person_id": "invitee"},
        "",
        STAFF,
        ["answer", "support_note"],
    ),
    (
        "projects:meeting_support_arranged",
        {"slug": "project", "meeting_id": "meeting", "person_id": "invitee"},
        "",
        STAFF,
        ["page"],
    ),
    (
        "projects:meeting_attendance",
        {"slug": "project", "meeting_id": "past_meeting"},
        "",
        STAFF,
        ["person", "status", "hours"],
    ),
    (
        "projects:meeting_minutes",
        {"slug": "project", "meeting_id": "past_meeting"},
        "",
        STAFF,
        ["minutes"],
    ),
    (
        "projects:payment_policy",
        {"slug": "project"},
        "",
        STAFF,
        [
            "fee_basis",
            "fee_rate",
            "budget",
            "mileage_rate",
            "covers_travel",
            "covers_mileage",
            "covers_care",
            "covers_food",
            "offers_bank_transfer",
            "offers_voucher",
        ],
    ),
    (
        "projects:payment_approve",
        {"slug": "project", "payment_id": "payment"},
        "",
        STAFF,
        ["benefits_checked"],
    ),
    (
        "projects:payment_decline",
        {"slug": "project", "payment_id": "payment"},
        "",
        STAFF,
        ["new_status", "reason"],
    ),
    (
        "projects:payment_choose",
        {"slug": "project", "payment_id": "payment"},
        "",
        STAFF,
        ["choice", "amount", "charity_name"],
    ),
    (
        "projects:payment_choose_mine",
        {"payment_id": "payment"},
        "",
        PARTICIPANT,
        ["choice", "amount", "charity_name"],
    ),
    (
        "projects:payment_paid",
        {"slug": "project", "payment_id": "payment"},
        "",
        STAFF,
        ["paid_on", "reference"],
    ),
    (
        "projects:payment_reverse",
        {"slug": "project", "payment_id": "payment"},
        "",
        STAFF,
        ["reason"],
    ),
    (
        "projects:claim_decide",
        {"slug": "project", "claim_id": "claim"},
        "",
        STAFF,
        ["decision", "reason"],
    ),
    (
        "projects:claim_paid",
        {"slug": "project", "claim_id": "claim"},
        "",
        STAFF,
        ["paid_on", "reference"],
    ),
    (
        "projects:payment_choices",
        {},
        "",
        PARTICIPANT,
        ["payment_method", "declines_payment"],
    ),
    (
        "projects:bank_details",
        {},
        "",
        PARTICIPANT,
        ["account_name", "sort_code", "account_number"],
    ),
    (
        "projects:claim_new",
        {},
        "",
        PARTICIPANT,
        ["project", "meeting", "spent_on", "category", "miles", "amount", "note"],
    ),
    (
        "decisions:add",
        {"slug": "project"},
        "",
        STAFF,
        [
            "title",
            "question",
            "options",
            "method",
            "ladder_rung",
            "stage",
            "status",
            "decided_on",
            "anonymous_voting",
            "quorum_percent",
            "assisted_votes",
            "outcome",
            "rationale",
            "you_said",
            "we_did",
            "progress",
            "difference_made",
        ],
    ),
    (
        "decisions:edit",
        {"slug": "project", "decision_id": "decision"},
        "",
        STAFF,
        ["title", "question", "method", "ladder_rung", "status", "decided_on", "change_reason"],
    ),
    (
        "decisions:action_add",
        {"slug": "project", "decision_id": "decision"},
        "",
        STAFF,
        ["description", "owner", "due_on"],
    ),
    ("decisions:assess", {"slug": "project"}, "", STAFF, ["rung", "note"]),
    ("decisions:ladder", {"slug": "project"}, "", PARTICIPANT, ["rung", "note"]),
    ("decisions:vote", {"decision_id": "open_vote"}, "", PARTICIPANT, ["choice"]),
    ("decisions:ballot", {"token": "ballot"}, "", ANONYMOUS, ["choice"]),
    (
        "decisions:vote_record",
        {"slug": "project", "decision_id": "open_vote"},
        "",
        STAFF,
        ["person", "choice"],
    ),
    (
        "evidence:evidence_add",
        {"slug": "project"},
        "?kind=outcome",
        STAFF,
        [
            "title",
            "recorded_on",
            "source",
            "unit",
            "better",
            "minimum",
            "maximum",
            "baseline_value",
            "baseline_on",
            "consent_to_publish",
        ],
    ),
    (
        "evidence:evidence_add",
        {"slug": "project"},
        "?kind=cost",
        STAFF,
        ["title", "recorded_on", "source", "amount", "text", "consent_to_publish"],
    ),
    (
        "evidence:outcome_value_add",
        {"slug": "project", "evidence_id": "evidence"},
        "",
        STAFF,
        ["value", "measured_on"],
    ),
    (
        "evidence:learning_add",
        {},
        "",
        STAFF,
        ["title", "project", "stage", "tried", "happened", "learned", "differently", "tag_text"],
    ),
    # Starting and editing a project.
    (
        "projects:add",
        {},
        "",
        STAFF,
        [*PROJECT_FORM_FIELDS, "slug", "budget"],
    ),
    ("projects:edit", {"slug": "project"}, "", STAFF, PROJECT_FORM_FIELDS),
    ("evidence:grants", {"slug": "project"}, "", STAFF, ["commissioner"]),
    (
        "evidence:valuation_outcome_add",
        {"slug": "project"},
        "",
        STAFF,
        [
            "name",
            "unit_value",
            "quantity_source",
            "quantity",
            "quantity_note",
            "question",
            "deadweight",
            "attribution",
            "displacement",
            "drop_off",
            "duration",
        ],
    ),
    (
        "evidence:staff_time_add",
        {"slug": "project"},
        "",
        STAFF,
        ["worked_on", "what", "hours", "hourly_cost"],
    ),
    ("evidence:optimism_bias", {"slug": "project"}, "", STAFF, ["optimism_bias"]),
    ("projects:rsvp", {"token": "rsvp"}, "", ANONYMOUS, ["support_note"]),
    ("stakeholders:signin_link_ask", {}, "", ANONYMOUS, ["address"]),
    ("projects:pool_invitation", {"token": "pool_invitation"}, "", ANONYMOUS, ["answer"]),
    ("stakeholders:consent_give", {}, "", PARTICIPANT, ["join_pool", "next"]),
    # Staff put right someone's details, and record for them what they cannot do online.
    (
        "stakeholders:person_details",
        {"person_id": "person"},
        "",
        STAFF,
        [
            "full_name",
            "preferred_name",
            "email",
            "phone",
            "address",
            "preferred_contact",
            "stakeholder_group",
            "access_needs",
            "availability",
            "in_pool",
        ],
    ),
    (
        "stakeholders:person_benefits",
        {"person_id": "person"},
        "",
        STAFF,
        ["benefits", "uc_period_starts_on", "permitted_work_form", "consent_method", "agreed"],
    ),
    (
        "projects:person_claim_new",
        {"person_id": "person"},
        "",
        STAFF,
        ["project", "meeting", "spent_on", "category", "miles", "amount", "note"],
    ),
    (
        "projects:person_payment_choices",
        {"person_id": "person"},
        "",
        STAFF,
        ["payment_method", "declines_payment"],
    ),
    (
        "projects:person_bank_details",
        {"person_id": "person"},
        "",
        STAFF,
        ["account_name", "sort_code", "account_number"],
    ),
    ("stakeholders:sar_received", {"person_id": "person"}, "", STAFF, ["received_on", "channel"]),
    # Measures: the organisation's own, a project's choice and rounds, paper answers.
    (
        "evidence:measure_add",
        {},
        "",
        STAFF,
        [
            "name",
            "description",
            "source",
            "source_url",
            "licence",
            "licence_details",
            "scale_min",
            "scale_min_label",
            "scale_max",
            "scale_max_label",
            "scoring",
            "meaningful_change",
            "meaningful_change_source",
            "higher_better",
            "lower_better",
        ],
    ),
    ("evidence:project_measure_add", {"slug": "project"}, "", STAFF, ["measure"]),
    (
        "evidence:measure_round_add",
        {"slug": "project", "project_measure_id": "project_measure"},
        "",
        STAFF,
        ["kind", "name", "opens_on", "closes_on"],
    ),
    (
        "evidence:paper_answers",
        {"slug": "project", "round_id": "measure_round"},
        "",
        STAFF,
        ["person", "consent_method", "agreed"],
    ),
    (
        "evidence:meeting_feedback",
        {"meeting_id": "attended_meeting"},
        "",
        PARTICIPANT,
        ["listened", "influence", "accessible", "comment"],
    ),
]


def _placeholders(personas) -> dict:
    started = timezone.now() - timedelta(hours=1)
    past_meeting = MeetingFactory(
        project=personas.project, starts_at=started, ends_at=started + timedelta(hours=2)
    )
    InvitationFactory(meeting=past_meeting, person=personas.participant.person)
    attended_meeting = MeetingFactory(
        project=personas.project, starts_at=started, ends_at=started + timedelta(hours=2)
    )
    Attendance.objects.create(
        meeting=attended_meeting,
        person=personas.participant.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        stakeholder_group=personas.participant.person.stakeholder_group,
    )
    decision = decision_create(
        project=personas.project,
        created_by=personas.staff,
        title="Opening hours",
        question="Should the drop-in open on Saturdays?",
        method="vote",
        ladder_rung="co_design",
    )
    open_vote = voting_open(
        decision=decision_create(
            project=personas.project,
            created_by=personas.staff,
            title="Saturday opening vote",
            question="Should we?",
            method="vote",
            ladder_rung="co_design",
        )
    )
    payment = Payment.objects.create(
        person=personas.participant.person,
        project=personas.project,
        activity="Planning session",
        amount=Decimal("20.00"),
    )
    claim = ExpenseClaim.objects.create(
        person=personas.participant.person,
        project=personas.project,
        spent_on=timezone.localdate(),
        category="travel",
        amount=Decimal("4.50"),
    )
    evidence = EvidenceRecord.objects.create(
        project=personas.project,
        kind="outcome",
        title="Days waiting",
        source="Booking system",
        unit="days",
        better="lower",
        baseline_value=Decimal("42"),
        baseline_on=timezone.localdate(),
    )
    measure_round = MeasureRound.objects.create(
        project_measure=ProjectMeasure.objects.create(project=personas.project, measure=ons4()),
        kind="baseline",
        name="Baseline",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=14),
    )
    return {
        "project": personas.project.slug,
        "project_measure": str(measure_round.project_measure_id),
        "measure_round": str(measure_round.pk),
        "meeting": str(personas.meeting.public_id),
        "past_meeting": str(past_meeting.public_id),
        "attended_meeting": str(attended_meeting.public_id),
        "decision": str(decision.public_id),
        "open_vote": str(open_vote.public_id),
        "payment": str(payment.public_id),
        "claim": str(claim.public_id),
        "evidence": str(evidence.public_id),
        "rsvp": rsvp_token(personas.meeting.invitations.get(), RsvpAction.ACCEPT),
        "pool_invitation": pool_invitation_token(
            ProjectInvitation.objects.create(
                project=personas.other_project, person=personas.participant.person
            )
        ),
        "person": str(personas.participant.person.public_id),
        "ballot": ballot_token(open_vote, personas.participant.person),
        "invitee": str(personas.meeting.invitations.get().person.public_id),
    }


def _own_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in OWN_APPS and not model.__name__.startswith("Historical")
    ]


def _rule_breaking_rows() -> set[tuple[str, int, str]]:
    """(model, pk, field) of every stored row a field of which breaks the model's rules."""
    broken = set()
    for model in _own_models():
        for row in model._base_manager.all():
            try:
                row.clean_fields()
            except ValidationError as error:
                broken |= {(model._meta.label, row.pk, field) for field in error.message_dict}
    return broken


def _meetings_end_after_they_start() -> bool:
    Meeting = apps.get_model("projects", "Meeting")
    return all(
        meeting.ends_at is None or meeting.ends_at > meeting.starts_at
        for meeting in Meeting.objects.all()
    )


def _posts(fields: list[str]):
    return st.dictionaries(
        st.sampled_from(fields), st.one_of(VALUE, st.lists(VALUE, max_size=3)), max_size=20
    )


@pytest.mark.parametrize(
    ("name", "kwargs", "query", "visitor", "fields"),
    [pytest.param(*form, id=f"{form[0]}{form[2]}") for form in FORMS],
)
def test_access_fuzzed_forms_never_fail_or_store_anything_invalid(
    client, personas, name, kwargs, query, visitor, fields
):
    values = _placeholders(personas)
    url = reverse(name, kwargs={key: values[value] for key, value in kwargs.items()}) + query
    if visitor == STAFF:
        client.force_login(personas.staff)
    elif visitor == PARTICIPANT:
        client.force_login(personas.participant)
    broken_before = _rule_breaking_rows()

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_posts(fields))
    def post_anything(data):
        cache.clear()  # the rate limits would otherwise answer 429 before the form is tried
        response = client.post(url, data)

        assert response.status_code < 500
        assert _rule_breaking_rows() <= broken_before
        assert _meetings_end_after_they_start()

    post_anything()
