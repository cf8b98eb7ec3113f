"""Download my data, subject access requests, and the log of every export."""

import json

import pytest
from django.urls import reverse

from decisions.models import VoteChoice
from decisions.services import decision_create, vote_cast, voting_open
from stakeholders.models import DataExportLog, ExportKind
from stakeholders.privacy import (
    EXPORTED,
    NOT_EXPORTED,
    erasure_request_make,
    person_data_export,
    person_references,
)
from tests.factories.privacy import CLAIM_NOTE, SUPPORT_NOTE, give_everything


@pytest.fixture
def both_busy(personas):
    """Both participants share the project, a meeting, a secret ballot and payments."""
    ballot = give_everything(
        personas.participant.person, project=personas.project, staff=personas.staff
    )
    give_everything(
        personas.other_participant.person,
        project=personas.project,
        staff=personas.staff,
        secret_ballot=ballot,
    )
    return personas


def _download(client, user) -> tuple:
    client.force_login(user)
    response = client.get(reverse("stakeholders:my_data_json"))
    return response, json.loads(response.content)


def _section(export: dict, key: str) -> list[dict]:
    return next(section["rows"] for section in export["records"] if section["key"] == key)


def test_every_model_that_refers_to_a_person_is_exported_or_deliberately_left_out():
    found = person_references()

    unlisted = found - EXPORTED.keys() - NOT_EXPORTED.keys()
    stale = (EXPORTED.keys() | NOT_EXPORTED.keys()) - found
    assert not unlisted, (
        f"export these in their app's privacy.py (exported=), or say why not (not_exported=): "
        f"{sorted(unlisted)}"
    )
    assert not stale, f"these no longer exist; remove them from their app's privacy.py: {stale}"
    assert not EXPORTED.keys() & NOT_EXPORTED.keys()


def test_every_exported_reference_has_a_section_in_the_export(both_busy):
    export = person_data_export(both_busy.participant.person)

    keys = {section["key"] for section in export["records"]}
    assert keys == {f"{label}.{field}" for label, field in EXPORTED}


def test_the_export_holds_the_participants_own_email_and_nobody_elses(client, both_busy):
    response, _ = _download(client, both_busy.participant)

    text = response.content.decode()
    assert "participant@example.org" in text
    for someone_else in [
        "other.participant@example.org",
        "Olu Other",
        "staff@example.org",
        both_busy.staff.name,
        "commissioner@example.org",
        f"BACS-{both_busy.other_participant.person.pk}",
    ]:
        assert someone_else not in text


def test_the_json_download_is_an_attachment(client, both_busy):
    response, _ = _download(client, both_busy.participant)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_export_holds_every_kind_of_record_the_participant_has(client, both_busy):
    erasure_request_make(person=both_busy.participant.person)
    _download(client, both_busy.participant)

    _, export = _download(client, both_busy.participant)

    assert export["account"]["email"] == "participant@example.org"
    assert export["person"]["full_name"] == "Pat Participant"
    for label, field in EXPORTED:
        assert _section(export, f"{label}.{field}"), f"{label}.{field} is empty"
    invitations = _section(export, "projects.Invitation.person")
    assert SUPPORT_NOTE in [row["support_note"] for row in invitations]
    claim = _section(export, "projects.ExpenseClaim.person")[0]
    assert claim["note"] == CLAIM_NOTE
    assert claim["receipt"] == f"ticket-{both_busy.participant.person.pk}.pdf"
    payment = _section(export, "projects.Payment.person")[0]
    assert payment["reference"] == f"BACS-{both_busy.participant.person.pk}"
    assert payment["approved_by"] == "Staff"


def test_consents_carry_the_exact_wording_and_its_hash(client, both_busy):
    _, export = _download(client, both_busy.participant)

    consents = _section(export, "stakeholders.ConsentRecord.person")
    wordings = [row["wording"] for row in consents]
    assert {"version", "text", "sha256"} <= wordings[0].keys()
    assert all(len(wording["sha256"]) == 64 and wording["text"] for wording in wordings)


def test_the_own_vote_in_a_secret_ballot_is_in_the_export(client, both_busy):
    _, export = _download(client, both_busy.participant)

    votes = _section(export, "decisions.Vote.person")
    assert [(vote["decision"], vote["choice"]) for vote in votes] == [("Saturday opening", "For")]


def test_passwords_and_authenticator_secrets_are_never_exported(client, both_busy):
    response, export = _download(client, both_busy.participant)

    assert "JBSWY3DPEHPK3PXP" not in response.content.decode()
    assert "password" not in export["account"]
    assert _section(export, "mfa.Authenticator.user")[0]["type"] == "TOTP Authenticator"


def test_the_export_says_evidence_is_held_without_names(client, personas):
    _, export = _download(client, personas.participant)

    assert any("Evidence records" in line for line in export["not_included"])


def test_downloading_my_data_is_logged(client, personas):
    _download(client, personas.participant)

    log = DataExportLog.objects.get()
    assert (log.person, log.exported_by, log.kind) == (
        personas.participant.person,
        personas.participant,
        ExportKind.OWN,
    )


def test_the_my_data_page_shows_my_records_and_is_logged(client, both_busy):
    client.force_login(both_busy.participant)

    response = client.get(reverse("stakeholders:my_data"))

    assert response.status_code == 200
    assert b"Everything we keep about you" in response.content
    assert SUPPORT_NOTE.encode() in response.content
    assert b"Olu Other" not in response.content
    assert DataExportLog.objects.filter(kind=ExportKind.OWN).count() == 1


def test_another_participant_cannot_reach_my_export_through_theirs(client, both_busy):
    _, export = _download(client, both_busy.other_participant)

    assert export["account"]["email"] == "other.participant@example.org"
    assert "Pat Participant" not in json.dumps(export)


def test_staff_record_a_subject_access_request_and_get_the_file(client, both_busy):
    person = both_busy.participant.person
    client.force_login(both_busy.staff)

    response = client.post(
        reverse("stakeholders:sar", args=[person.public_id]),
        {"note": "Letter received 3 March", "format": "json"},
    )

    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["person"]["email"] == "participant@example.org"
    log = DataExportLog.objects.get()
    assert (log.exported_by, log.kind, log.note) == (
        both_busy.staff,
        ExportKind.SUBJECT_ACCESS,
        "Letter received 3 March",
    )


def test_staff_exports_never_show_how_someone_voted_in_a_secret_ballot(client, both_busy):
    person = both_busy.participant.person
    open_decision = voting_open(
        decision=decision_create(
            project=both_busy.project,
            created_by=both_busy.staff,
            title="Name of the group",
            question="Should we be called the Voice group?",
            method="vote",
            ladder_rung="co_design",
            anonymous_voting=False,
            participants=[person],
        )
    )
    vote_cast(decision=open_decision, person=person, choice=VoteChoice.AGAINST)
    client.force_login(both_busy.staff)

    url = reverse("stakeholders:sar", args=[person.public_id])
    as_file = json.loads(client.post(url, {"note": "Letter", "format": "json"}).content)
    as_page = client.post(url, {"note": "Letter", "format": "page"}).content.decode()

    votes = _section(as_file, "decisions.Vote.person")
    assert [(vote["decision"], vote["choice"]) for vote in votes] == [
        ("Name of the group", "Against")
    ]
    assert "Saturday opening" not in json.dumps(votes)
    assert any("secret ballots" in line for line in as_file["not_included"])
    assert "secret ballots" in as_page


def test_a_subject_access_request_can_be_printed_as_a_page(client, both_busy):
    client.force_login(both_busy.staff)

    response = client.post(
        reverse("stakeholders:sar", args=[both_busy.participant.person.public_id]),
        {"note": "Asked by phone", "format": "page"},
    )

    assert response.status_code == 200
    assert b"Data held about Pat Participant" in response.content
    assert DataExportLog.objects.filter(kind=ExportKind.SUBJECT_ACCESS).count() == 1


def test_a_subject_access_request_without_a_note_says_why_beside_the_field(client, personas):
    client.force_login(personas.staff)

    response = client.post(
        reverse("stakeholders:sar", args=[personas.participant.person.public_id]),
        {"note": "", "format": "json"},
    )

    assert response.status_code == 200
    assert b"Say how the request reached us, for the record." in response.content
    assert not DataExportLog.objects.exists()


def test_the_export_log_lists_who_exported_whose_data_and_when(client, personas):
    _download(client, personas.participant)
    client.force_login(personas.staff)

    response = client.get(reverse("stakeholders:export_log"))

    assert b"Pat Participant" in response.content
    assert b"Downloaded by the person" in response.content


def test_the_export_log_is_for_staff_only(client, personas):
    client.force_login(personas.participant)

    response = client.get(reverse("stakeholders:export_log"))

    assert response.status_code == 403
