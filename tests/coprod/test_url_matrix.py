"""Who may open which page: every named URL of coprod's own apps, for every kind of visitor,
by GET and by POST.

The walk over the URL resolver means a new URL cannot escape: a test fails until the URL
is given its expectations in MATRIX. A POST that is refused (login, 403, 404 or 405) must
change no row of any table. Third-party pages (allauth, the Django admin) are tested by
their libraries and by tests/stakeholders/test_admin_access.py.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from decisions.ballot import ballot_token
from decisions.models import Decision
from decisions.services import decision_create, voting_open
from evidence.models import (
    EvidenceRecord,
    LearningEntry,
    MeasureRound,
    ProjectMeasure,
    StaffTime,
    ValuationOutcome,
)
from projects.models import (
    ExpenseClaim,
    ImportStatus,
    Payment,
    PaymentRun,
    ProjectInvitation,
    RosterImportJob,
)
from projects.pool_links import pool_invitation_token
from projects.rsvp import RsvpAction, rsvp_token
from stakeholders.models import ErasureRequest
from tests.factories.measures import ons4
from tests.factories.valuation import wellby

OWN_APPS = ("coprod", "projects", "stakeholders", "decisions", "evidence")

OK = 200
# Done, and sent on to the next page (a POST that worked, or a form that needs nothing).
REDIRECT = 302
LOGIN = "login"
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
# A POST meeting one of these answers must have changed nothing.
REFUSED = {LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED}

# Each row of MATRIX answers for these visitors in this order. `participant` is participant A
# (invited to the meeting, owner of the payment and the claim); `participant_b` is another
# participant of the same project, who must get a 404 for anything that is A's.
VISITORS = [
    "anonymous",
    "participant",
    "participant_b",
    "staff",
    "commissioner",
    "ungranted_commissioner",
]
# Placeholders naming something of participant A's.
PARTICIPANT_A_OBJECTS = {"meeting", "payment", "claim"}
# The signed link, not who is logged in, decides what these pages do.
TOKEN_PAGES = {
    "projects:rsvp",
    "projects:pool_invitation",
    "decisions:ballot",
    "stakeholders:signin_link_follow",
}
# Forms for anyone, signed in or not, that send an email and store nothing.
OPEN_FORMS = {"stakeholders:new_confirmation_link"}

# Pages anyone may open without logging in.
PUBLIC = {
    "pages:home",
    "pages:healthz",
    "projects:join",
    "projects:joined",
    "projects:rsvp",
    "projects:pool_invitation",
    "decisions:you_said_we_did",
    "decisions:ballot",
    "stakeholders:new_confirmation_link",
    "stakeholders:signin_link_ask",
    "stakeholders:signin_link_follow",
    "stakeholders:short_link",
}

# url name -> (kwargs placeholders, GET answers, POST answers), answers in VISITORS order.
# The POST is sent with no data. `granted` is the project granted to the commissioner;
# `other` is granted to nobody.
MATRIX = {
    "pages:home": (
        {},
        [OK, OK, OK, OK, OK, OK],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "pages:healthz": (
        {},
        [OK, OK, OK, OK, OK, OK],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "pages:dashboard": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:list": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:detail": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # Starting, editing and archiving a project, and the list of archived ones.
    "projects:add": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:archived": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:edit": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # The project is not closed, so staff are sent back to be told why it cannot be archived.
    "projects:archive": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:finder": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # POST only: staff opening it with GET are told the method is not allowed.
    "projects:finder_invite": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_add": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:coverage_targets": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:membership_status": (
        {"slug": "granted", "person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import_job": (
        {"slug": "granted", "job_id": "import_job"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import_job_status": (
        {"slug": "granted", "job_id": "import_job"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import_confirm": (
        {"slug": "granted", "job_id": "import_job"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import_template": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meetings": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_add": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_edit": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_cancel": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_invite": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_attendance": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_minutes": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_emails_retry": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    # Staff record the answer of the participant, who is invited to the meeting.
    "projects:meeting_record_answer": (
        {"slug": "granted", "meeting_id": "meeting", "person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # POST only; the participant asked for no support, so staff are sent back with a message.
    "projects:meeting_support_arranged": (
        {"slug": "granted", "meeting_id": "meeting", "person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_policy": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payments": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_approve": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_choose": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_decline": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_paid": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_reverse": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:claim": (
        {"slug": "granted", "claim_id": "claim"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:claim_decide": (
        {"slug": "granted", "claim_id": "claim"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:claim_paid": (
        {"slug": "granted", "claim_id": "claim"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:finance": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_run": (
        {"run_id": "payment_run"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_run_undo": (
        {"run_id": "payment_run"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "pages:me": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # Delivery receipts from GOV.UK Notify: only its bearer token is let in, never a login.
    "pages:notify_receipt": (
        {},
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
        [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # How anyone signed in logs in: email, password, and for staff two-step login.
    "stakeholders:account": (
        {},
        [LOGIN, OK, OK, OK, OK, OK],
        [LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    # Anyone may ask for a new link to confirm an email address; an empty POST is asked again.
    "stakeholders:new_confirmation_link": (
        {},
        [OK, OK, OK, OK, OK, OK],
        [OK, OK, OK, OK, OK, OK],
    ),
    "stakeholders:profile": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:equality": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # What a participant tells us about their benefits; an empty POST is asked again.
    "stakeholders:benefits": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:consent_withdraw": (
        {"kind": "equality"},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # Agreeing again after withdrawing; whoever has agreed already is sent back unchanged.
    "stakeholders:consent_give": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_answer": (
        {"meeting_id": "meeting"},
        [LOGIN, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # Only someone marked as having come may answer; the meeting placeholder is still to
    # come, so everyone gets the clear "no record of you coming" page and nothing changes.
    "evidence:meeting_feedback": (
        {"meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # Neither participant came to the meeting: refused as on the questions page.
    "evidence:meeting_feedback_sent": (
        {"meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_calendar": (
        {"meeting_id": "meeting"},
        [LOGIN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:my_payments": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:my_jobcentre_letter": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "projects:payment_choices": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:bank_details": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_choose_mine": (
        {"payment_id": "payment"},
        [LOGIN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_decline_mine": (
        {"payment_id": "payment"},
        [LOGIN, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:claim_new": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # The receipt of the participant's own claim: theirs and staff's only.
    "projects:claim_receipt": (
        {"claim_id": "claim"},
        [LOGIN, OK, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:my_decisions": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:vote": (
        {"decision_id": "open_vote"},
        [LOGIN, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:ladder": (
        {"slug": "granted"},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:my_data": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:my_data_json": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:erasure_request": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:erasure_requests": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:erasure_confirm": (
        {"request_id": "erasure_request"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:export_log": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:sar": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # POST only; an empty POST shows the subject-access page again with its errors.
    "stakeholders:sar_received": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # The people directory and what staff record for someone (an empty POST is a form
    # shown again with its errors).
    "projects:people": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:person": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:person_claim_new": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:person_jobcentre_letter": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "projects:person_payment_choices": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:person_bank_details": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:person_details": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:person_benefits": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # Staff send someone a link to their own area from the person page.
    "stakeholders:person_signin_link": (
        {"person_id": "participant"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    # Anyone may ask for a link to log in; someone logged in already is refused.
    "stakeholders:signin_link_ask": (
        {},
        [OK, OK, OK, OK, OK, OK],
        [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    # The signed link is the key; without a good one everybody gets the friendly page.
    "stakeholders:signin_link_follow": (
        {"link_id": "signin_link"},
        [OK, OK, OK, OK, OK, OK],
        [OK, OK, OK, OK, OK, OK],
    ),
    "stakeholders:short_link": (
        {"code": "short_code"},
        [OK, OK, OK, OK, OK, OK],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    # The public board holds no personal data, so anyone may read it.
    "decisions:you_said_we_did": (
        {"slug": "granted"},
        [OK, OK, OK, OK, OK, OK],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    # The signed link is the key: anyone holding it sees the same page, no login needed.
    "projects:rsvp": (
        {"token": "rsvp_token"},
        [OK, OK, OK, OK, OK, OK],
        [OK, OK, OK, OK, OK, OK],
    ),
    # Like an RSVP link: the signed link to a pool invitation is the key. An empty POST
    # shows the page again, asking for an answer.
    "projects:pool_invitation": (
        {"token": "pool_invitation_token"},
        [OK, OK, OK, OK, OK, OK],
        [OK, OK, OK, OK, OK, OK],
    ),
    "projects:join": (
        {"slug": "granted"},
        [OK, OK, OK, OK, OK, OK],
        [OK, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:joined": (
        {"slug": "granted"},
        [OK, OK, OK, OK, OK, OK],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:reports": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:report": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:report#other": (
        {"slug": "other"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:project_evidence": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_add": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:impact_summary": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:cost_benefit": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_edit": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_delete": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_document": (
        {"slug": "granted", "evidence_id": "evidence_document"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:outcome_value_add": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:valuation": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:valuation_outcome_add": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:valuation_outcome_edit": (
        {"slug": "granted", "outcome_id": "valuation_outcome"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:valuation_outcome_remove": (
        {"slug": "granted", "outcome_id": "valuation_outcome"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:staff_time_add": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:staff_time_remove": (
        {"slug": "granted", "entry_id": "staff_time"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:optimism_bias": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:unit_values": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:unit_values_import": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:unit_values_template": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:grants": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:grant_revoke": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    # Measures people answer themselves: the registry and a project's measures are for staff.
    "evidence:measures": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:measure_add": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:measure": (
        {"code": "measure_code"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:project_measures": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:project_measure_add": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:measure_round_add": (
        {"slug": "granted", "project_measure_id": "project_measure"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:paper_answers": (
        {"slug": "granted", "round_id": "measure_round"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # A participant's own answers, and a round of a project they take part in.
    "evidence:my_measures": (
        {},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED],
    ),
    "evidence:measure_answer": (
        {"round_id": "measure_round"},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:learning": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:learning_add": (
        {},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:learning_entry": (
        {"entry_id": "learning_entry"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "projects:stage": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:list": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:add": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:assess": (
        {"slug": "granted"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:detail": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:edit": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:voting_open": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:voting_close": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    # Staff record a vote for someone not online; an empty POST shows the form's errors.
    "decisions:vote_record": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # The signed link from the "voting is open" email is the key, like an RSVP link; an
    # empty POST shows the vote again with its error.
    "decisions:ballot": (
        {"token": "ballot_token"},
        [OK, OK, OK, OK, OK, OK],
        [OK, OK, OK, OK, OK, OK],
    ),
    "decisions:action_add": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:action_status": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN, FORBIDDEN],
        [LOGIN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN],
    ),
}


def _own_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _own_url_names(entry, inner)
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and entry.callback.__module__.split(".")[0] in OWN_APPS
        ):
            names.add(namespace + entry.name)
    return names


def test_every_url_of_our_apps_has_expectations():
    covered = {name.split("#")[0] for name in MATRIX}
    missing = _own_url_names() - covered
    assert not missing, f"add these URLs to MATRIX in {__file__}: {sorted(missing)}"


def test_url_matrix_answers_for_every_visitor_by_get_and_by_post():
    malformed = [
        name
        for name, row in MATRIX.items()
        if len(row) != 3 or len(row[1]) != len(VISITORS) or len(row[2]) != len(VISITORS)
    ]
    assert not malformed, f"give each a GET and a POST answer for each of {VISITORS}"


def test_public_pages_are_exactly_the_allow_list():
    public = {name for name, (_, get, _) in MATRIX.items() if get[0] == OK}
    assert public == PUBLIC


def _answers(visitor: str, method: str) -> dict[str, object]:
    column = VISITORS.index(visitor)
    return {name: row[1 if method == "GET" else 2][column] for name, row in MATRIX.items()}


@pytest.mark.parametrize("visitor", ["commissioner", "ungranted_commissioner"])
def test_matrix_commissioners_can_post_nothing(visitor):
    allowed = {
        name: answer
        for name, answer in _answers(visitor, "POST").items()
        if answer not in {FORBIDDEN, NOT_FOUND, NOT_ALLOWED}
        and name not in TOKEN_PAGES | OPEN_FORMS
    }
    assert not allowed


def test_matrix_another_participant_gets_404_for_what_is_participant_a_s():
    a = VISITORS.index("participant")
    own_pages = [
        name
        for name, (kwargs, get, post) in MATRIX.items()
        if PARTICIPANT_A_OBJECTS & set(kwargs.values())
        and (get[a] not in REFUSED or post[a] not in REFUSED)
    ]
    assert len(own_pages) >= 4
    for name in own_pages:
        assert _answers("participant_b", "POST")[name] == NOT_FOUND, name
        assert _answers("participant_b", "GET")[name] in (NOT_FOUND, NOT_ALLOWED), name


def _decision(personas) -> Decision:
    """The project's decision, made the first time a URL needs one."""
    existing = personas.project.decisions.first()
    return existing or decision_create(
        project=personas.project,
        created_by=personas.staff,
        title="Opening hours",
        question="Should the drop-in open on Saturdays?",
        method="vote",
        ladder_rung="co_design",
    )


def _payment(personas) -> Payment:
    """A fee owed to the participant, made the first time a URL needs one."""
    return Payment.objects.create(
        person=personas.participant.person,
        project=personas.project,
        activity="Planning session",
        amount=Decimal("20.00"),
    )


def _claim(personas) -> ExpenseClaim:
    """The participant's expense claim with a receipt, made the first time a URL needs one."""
    return ExpenseClaim.objects.create(
        person=personas.participant.person,
        project=personas.project,
        spent_on=date.today(),
        category="travel",
        amount=Decimal("4.50"),
        receipt=ContentFile(b"%PDF-1.4 a bus ticket", name="receipt.pdf"),
    )


def _open_vote(personas) -> Decision:
    """An open vote in the project, made the first time a URL needs one."""
    return voting_open(
        decision=decision_create(
            project=personas.project,
            created_by=personas.staff,
            title="Saturday opening vote",
            question="Should the drop-in open on Saturdays?",
            method="vote",
            ladder_rung="co_design",
        )
    )


def _evidence(personas, **fields) -> EvidenceRecord:
    """An outcome measure of the project, made the first time a URL needs one."""
    return EvidenceRecord.objects.create(
        project=personas.project,
        kind=fields.pop("kind", "outcome"),
        title="Days waiting for a first appointment",
        source="Booking system",
        unit="days",
        better="lower",
        baseline_value=Decimal("42"),
        baseline_on=date(2026, 1, 5),
        **fields,
    )


def _valuation_outcome(personas) -> ValuationOutcome:
    """An outcome in the project's valuation, made the first time a URL needs one."""
    return ValuationOutcome.objects.create(
        project=personas.project,
        name="Nights not spent in hospital",
        unit_value=wellby(),
        quantity_source="entered",
        quantity=Decimal("12"),
        quantity_note="Ward records",
    )


def _staff_time(personas) -> StaffTime:
    """Staff time in the project's valuation, made the first time a URL needs one."""
    return StaffTime.objects.create(
        project=personas.project,
        worked_on=date(2026, 3, 1),
        what="Planning",
        hours=Decimal("2"),
        hourly_cost=Decimal("25"),
    )


def _learning_entry() -> LearningEntry:
    """A learning library entry, made the first time a URL needs one."""
    return LearningEntry.objects.create(
        title="Evening meetings", tried="Meeting at 6pm", happened="More carers", learned="Ask"
    )


def _measure_round(personas) -> MeasureRound:
    """ONS4 in the project, with its baseline open today, made the first time a URL needs it."""
    project_measure, _ = ProjectMeasure.objects.get_or_create(
        project=personas.project, measure=ons4()
    )
    today = date.today()
    measure_round, _ = MeasureRound.objects.get_or_create(
        project_measure=project_measure,
        kind="baseline",
        defaults={"name": "Baseline", "opens_on": today, "closes_on": today + timedelta(days=14)},
    )
    return measure_round


def _slug(value: str, personas) -> str:
    if value == "measure_code":
        return "ons4"
    if value == "project_measure":
        return str(_measure_round(personas).project_measure_id)
    if value == "measure_round":
        return str(_measure_round(personas).pk)
    if value == "erasure_request":
        return str(ErasureRequest.objects.create(person=personas.participant.person).public_id)
    if value == "pool_invitation_token":
        return pool_invitation_token(
            ProjectInvitation.objects.create(
                project=personas.other_project, person=personas.participant.person
            )
        )
    if value == "open_vote":
        return str(_open_vote(personas).public_id)
    if value == "ballot_token":
        return ballot_token(_open_vote(personas), personas.participant.person)
    if value == "evidence":
        return str(_evidence(personas).public_id)
    if value == "evidence_document":
        document = ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf")
        return str(_evidence(personas, kind="document", document=document).public_id)
    if value == "valuation_outcome":
        return str(_valuation_outcome(personas).public_id)
    if value == "staff_time":
        return str(_staff_time(personas).public_id)
    if value == "learning_entry":
        return str(_learning_entry().public_id)
    if value == "decision":
        return str(_decision(personas).public_id)
    if value == "payment":
        return str(_payment(personas).public_id)
    if value == "claim":
        return str(_claim(personas).public_id)
    if value == "import_job":
        job = RosterImportJob.objects.create(
            project=personas.project,
            started_by=personas.staff,
            status=ImportStatus.CHECKED,
            rows_total=1,
            file="roster-imports/matrix.csv",
        )
        return str(job.public_id)
    if value == "payment_run":
        run = PaymentRun.objects.create(paid_on=date.today(), made_by=personas.staff)
        return str(run.public_id)
    return {
        "granted": personas.project.slug,
        "other": personas.other_project.slug,
        "participant": str(personas.participant.person.public_id),
        "meeting": str(personas.meeting.public_id),
        "rsvp_token": rsvp_token(personas.meeting.invitations.get(), RsvpAction.ACCEPT),
        "equality": "equality",
        "signin_link": "00000000-0000-0000-0000-000000000000",
        "short_code": "Abc123_-",
    }[value]


CASES = [
    pytest.param(name, method, visitor, answers[column], id=f"{name}-{method}-{visitor}")
    for name, (_, get, post) in MATRIX.items()
    for method, answers in (("GET", get), ("POST", post))
    for column, visitor in enumerate(VISITORS)
]


def _visitor(personas, visitor: str):
    if visitor == "participant_b":
        return personas.other_participant
    return personas.by_role()[visitor]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.mark.parametrize(("name", "method", "visitor", "expected"), CASES)
def test_url_matrix(client, personas, name, method, visitor, expected):
    kwargs = MATRIX[name][0]
    resolved = {key: _slug(value, personas) for key, value in kwargs.items()}
    url = reverse(name.split("#")[0], kwargs=resolved)
    if visitor != "anonymous":
        client.force_login(_visitor(personas, visitor))
    refused_post = method == "POST" and expected in REFUSED
    rows_before = _row_counts() if refused_post else None

    response = client.get(url) if method == "GET" else client.post(url, {})

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    else:
        assert response.status_code == expected, f"{visitor} {method} {url}"
    if expected == FORBIDDEN:
        assert b"You cannot see this page" in response.content
    if refused_post:
        assert _row_counts() == rows_before, f"a refused POST by {visitor} to {url} changed rows"
