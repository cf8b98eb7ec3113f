"""Who may open which page: every named URL of coprod's own apps, for every kind of visitor.

The walk over the URL resolver means a new URL cannot escape: a test fails until the URL
is given its expectations in MATRIX. Third-party pages (allauth, the Django admin) are
tested by their libraries and by tests/stakeholders/test_admin_access.py.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from decisions.models import Decision
from decisions.services import decision_create, voting_open
from evidence.models import EvidenceRecord, LearningEntry
from projects.rsvp import RsvpAction, rsvp_token
from stakeholders.models import ExpenseClaim, Payment

OWN_APPS = ("coprod", "projects", "stakeholders", "decisions", "evidence")

OK = 200
LOGIN = "login"
FORBIDDEN = 403
NOT_FOUND = 404

VISITORS = ["anonymous", "staff", "participant", "commissioner", "ungranted_commissioner"]

# Pages anyone may open without logging in.
PUBLIC = {
    "home",
    "healthz",
    "stakeholders:join",
    "stakeholders:joined",
    "projects:rsvp",
    "decisions:you_said_we_did",
}

# url name -> kwargs builder -> expected result for each visitor, in VISITORS order.
# `granted` is the project granted to the commissioner; `other` is granted to nobody.
MATRIX = {
    "home": ({}, [OK, OK, OK, OK, OK]),
    "healthz": ({}, [OK, OK, OK, OK, OK]),
    "projects:dashboard": ({}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:list": ({}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:detail": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:finder": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    # POST only: staff opening it with GET are told the method is not allowed.
    "projects:finder_invite": ({"slug": "granted"}, [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:roster": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:roster_add": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:coverage_targets": (
        {"slug": "granted"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:membership_status": (
        {"slug": "granted", "person_id": "participant"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:roster_import_confirm": (
        {"slug": "granted"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import_template": (
        {"slug": "granted"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meetings": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:meeting_add": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:meeting": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_edit": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_cancel": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_invite": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_attendance": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_minutes": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_emails_retry": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_policy": (
        {"slug": "granted"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payments": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:payment": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_approve": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_decline": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_paid": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:payment_reverse": (
        {"slug": "granted", "payment_id": "payment"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:claim": (
        {"slug": "granted", "claim_id": "claim"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:claim_decide": (
        {"slug": "granted", "claim_id": "claim"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:claim_paid": (
        {"slug": "granted", "claim_id": "claim"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:finance": ({}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "stakeholders:me": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:profile": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:equality": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:consent_withdraw": (
        {"kind": "equality"},
        [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:meeting_answer": (
        {"meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, 405, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:meeting_calendar": (
        {"meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:my_payments": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:payment_choices": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:payment_decline_mine": (
        {"payment_id": "payment"},
        [LOGIN, FORBIDDEN, 405, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:claim_new": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    # The receipt of the participant's own claim: theirs and staff's only.
    "stakeholders:claim_receipt": (
        {"claim_id": "claim"},
        [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:my_decisions": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:vote": (
        {"decision_id": "open_vote"},
        [LOGIN, FORBIDDEN, 405, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:ladder": ({"slug": "granted"}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    # The public board holds no personal data, so anyone may read it.
    "decisions:you_said_we_did": ({"slug": "granted"}, [OK, OK, OK, OK, OK]),
    # The signed link is the key: anyone holding it sees the same page, no login needed.
    "projects:rsvp": ({"token": "rsvp_token"}, [OK, OK, OK, OK, OK]),
    "stakeholders:join": ({"slug": "granted"}, [OK, OK, OK, OK, OK]),
    "stakeholders:joined": ({"slug": "granted"}, [OK, OK, OK, OK, OK]),
    "evidence:reports": ({}, [LOGIN, OK, FORBIDDEN, OK, OK]),
    "evidence:report": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, OK, FORBIDDEN]),
    "evidence:report#other": ({"slug": "other"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:project_evidence": (
        {"slug": "granted"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_add": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:impact_summary": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:cost_benefit": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:evidence": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_edit": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_delete": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:evidence_document": (
        {"slug": "granted", "evidence_id": "evidence_document"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:outcome_value_add": (
        {"slug": "granted", "evidence_id": "evidence"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "evidence:grants": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:grant_revoke": ({"slug": "granted"}, [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:learning": ({}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:learning_add": ({}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "evidence:learning_entry": (
        {"entry_id": "learning_entry"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:stage": ({"slug": "granted"}, [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "decisions:list": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "decisions:add": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "decisions:assess": ({"slug": "granted"}, [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "decisions:detail": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:edit": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:voting_open": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:voting_close": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:action_add": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "decisions:action_status": (
        {"slug": "granted", "decision_id": "decision"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
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


def test_public_pages_are_exactly_the_allow_list():
    public = {name for name, (_, expected) in MATRIX.items() if expected[0] == OK}
    assert public == PUBLIC


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


def _learning_entry() -> LearningEntry:
    """A learning library entry, made the first time a URL needs one."""
    return LearningEntry.objects.create(
        title="Evening meetings", tried="Meeting at 6pm", happened="More carers", learned="Ask"
    )


def _slug(value: str, personas) -> str:
    if value == "open_vote":
        return str(_open_vote(personas).public_id)
    if value == "evidence":
        return str(_evidence(personas).public_id)
    if value == "evidence_document":
        document = ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf")
        return str(_evidence(personas, kind="document", document=document).public_id)
    if value == "learning_entry":
        return str(_learning_entry().public_id)
    if value == "decision":
        return str(_decision(personas).public_id)
    if value == "payment":
        return str(_payment(personas).public_id)
    if value == "claim":
        return str(_claim(personas).public_id)
    return {
        "granted": personas.project.slug,
        "other": personas.other_project.slug,
        "participant": str(personas.participant.person.public_id),
        "meeting": str(personas.meeting.public_id),
        "rsvp_token": rsvp_token(personas.meeting.invitations.get(), RsvpAction.ACCEPT),
        "equality": "equality",
    }[value]


CASES = [
    (name, visitor, expected[index])
    for name, (_, expected) in MATRIX.items()
    for index, visitor in enumerate(VISITORS)
]


@pytest.mark.parametrize(("name", "visitor", "expected"), CASES)
def test_url_matrix(client, personas, name, visitor, expected):
    kwargs, _ = MATRIX[name]
    resolved = {key: _slug(value, personas) for key, value in kwargs.items()}
    url = reverse(name.split("#")[0], kwargs=resolved)
    if visitor != "anonymous":
        client.force_login(personas.by_role()[visitor])

    response = client.get(url)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    else:
        assert response.status_code == expected, f"{visitor} on {url}"
    if expected == FORBIDDEN:
        assert b"You cannot see this page" in response.content
