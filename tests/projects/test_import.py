"""Importing people into a project's roster from a CSV file: preview, confirm, all or nothing.

The rows are checked, and imported, by background tasks (run at once here, when the request
that queued them commits); the upload and the confirmation lead to the job's page."""

import csv
import io
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import ImportStatus, Membership, MembershipStatus, RosterImportJob
from projects.services.roster_import import (
    COLUMNS,
    MAX_BYTES,
    RosterImport,
    roster_file_read,
    roster_import_people,
)
from stakeholders.models import (
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    Person,
    Skill,
    StakeholderGroup,
)
from tests.factories.people import ParticipantFactory
from tests.factories.roster import MembershipFactory, PersonFactory

NOTHING_IMPORTED = "Nothing has been imported. Fix these rows and upload the file again."


def csv_bytes(*rows: dict, columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def person_row(**cells) -> dict:
    return {"full_name": "Ada Lovelace", "consent": "paper", **cells}


def upload(client, project, content: bytes, name: str = "people.csv"):
    """Upload the file; once its rows are checked, the page the upload leads to."""
    url = reverse("projects:roster_import", kwargs={"slug": project.slug})
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            url, {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
        )
    if response.status_code == 302:
        return client.get(response["Location"])
    return response


def job_of(response) -> RosterImportJob:
    return response.context["job"]


def confirm(client, project, job_id, follow: bool = False):
    url = reverse("projects:roster_import_confirm", kwargs={"slug": project.slug, "job_id": job_id})
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url)
    if follow and response.status_code == 302:
        return client.get(response["Location"])
    return response


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        ConsentRecord.objects.count(),
        Membership.objects.count(),
        Skill.objects.count(),
    )


def error_texts(response) -> list[str]:
    return [str(error) for error in response.context["outcome"].errors]


CLEAN_FILE = csv_bytes(
    {
        "full_name": "Ada Lovelace",
        "preferred_name": "Ada",
        "email": "Ada@Example.org",
        "phone": "",
        "stakeholder_group": "CARER OR FAMILY MEMBER",
        "preferred_contact": "",
        "access_needs": "BSL interpreter; step-free",
        "availability": "weekday mornings; Weekends",
        "skills": "Gardening; listening",
        "in_pool": "yes",
        "consent": "paper",
    },
    {
        "full_name": "Grace Hopper",
        "email": "",
        "phone": "07400 123456",
        "stakeholder_group": "practitioner",
        "preferred_contact": "Text message",
        "skills": "Listening",
        "in_pool": "no",
        "consent": "in_person",
    },
)


def test_the_upload_page_has_a_csv_file_field_listing_the_columns_and_a_template_link(
    staff_client, personas
):
    response = staff_client.get(
        reverse("projects:roster_import", kwargs={"slug": personas.project.slug})
    )

    assert response.status_code == 200
    assert b"CSV file" in response.content
    help_text = str(response.context["form"]["file"].help_text)
    assert all(column in help_text for column in COLUMNS)
    template_url = reverse(
        "projects:roster_import_template", kwargs={"slug": personas.project.slug}
    )
    assert template_url in help_text


def test_the_template_csv_is_an_attachment_whose_example_row_imports_cleanly(
    staff_client, personas
):
    response = staff_client.get(
        reverse("projects:roster_import_template", kwargs={"slug": personas.project.slug})
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == COLUMNS
    assert len(rows) == 2
    preview = upload(staff_client, personas.project, response.content)
    assert preview.context["outcome"].errors == []
    assert preview.context["outcome"].new_count == 1


def test_a_clean_file_previews_each_row_without_importing_anything(staff_client, personas):
    before = counts()

    response = upload(staff_client, personas.project, CLEAN_FILE)

    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.errors == []
    assert [(row.row, row.name_in_file, row.is_new) for row in outcome.rows] == [
        (2, "Ada Lovelace", True),
        (3, "Grace Hopper", True),
    ]
    assert b"Import these 2 people" in response.content
    job = job_of(response)
    assert job.status == ImportStatus.CHECKED
    assert (job.rows_total, job.rows_checked) == (2, 2)
    confirm_url = reverse(
        "projects:roster_import_confirm",
        kwargs={"slug": personas.project.slug, "job_id": job.public_id},
    )
    assert confirm_url.encode() in response.content
    assert counts() == before


def test_confirming_a_clean_file_imports_people_with_consent_and_membership(staff_client, personas):
    preview = upload(staff_client, personas.project, CLEAN_FILE)

    response = confirm(staff_client, personas.project, job_of(preview).public_id, follow=True)

    assert job_of(response).status == ImportStatus.DONE
    assert job_of(response).rows_imported == 2
    assert b"Added 2 people; 0 were already on the roster." in response.content
    ada = Person.objects.get(email="ada@example.org")
    assert ada.stakeholder_group == StakeholderGroup.CARER
    assert ada.preferred_contact == "email"
    assert (ada.needs_bsl, ada.needs_step_free, ada.needs_large_print) == (True, True, False)
    assert (ada.free_weekday_mornings, ada.free_weekends, ada.free_weekday_evenings) == (
        True,
        True,
        False,
    )
    assert ada.in_pool is True
    assert ada.created_by == personas.staff
    assert sorted(skill.name for skill in ada.skills.all()) == ["Gardening", "listening"]
    grace = Person.objects.get(full_name="Grace Hopper")
    assert grace.phone.as_e164 == "+447400123456"
    assert grace.email == ""
    assert grace.preferred_contact == "text"
    assert grace.in_pool is False
    assert [skill.name for skill in grace.skills.all()] == ["listening"]
    assert Skill.objects.count() == 2
    for person, method in [(ada, ConsentMethod.PAPER), (grace, ConsentMethod.IN_PERSON)]:
        consent = ConsentRecord.objects.get(person=person, kind=ConsentKind.INVOLVEMENT)
        assert (consent.method, consent.recorded_by, consent.withdrawn_at) == (
            method,
            personas.staff,
            None,
        )
        person.refresh_from_db()
        assert person.involvement_consent_given is True
        membership = Membership.objects.get(person=person)
        assert (membership.project, membership.status) == (
            personas.project,
            MembershipStatus.INTERESTED,
        )


def test_a_job_imports_once_and_pressing_confirm_again_imports_nothing_more(staff_client, personas):
    job_id = job_of(upload(staff_client, personas.project, CLEAN_FILE)).public_id
    confirm(staff_client, personas.project, job_id)
    after_first = counts()

    response = confirm(staff_client, personas.project, job_id, follow=True)

    assert counts() == after_first
    assert job_of(response).status == ImportStatus.DONE
    assert b"This file is not waiting to be imported" in response.content
    assert b"Nothing more has been imported." in response.content


def test_a_file_with_a_bad_row_lists_the_row_and_reason_and_imports_nothing(staff_client, personas):
    content = csv_bytes(
        person_row(email="ada@example.org"),
        person_row(full_name="Grace Hopper", phone="07400 123456"),
        person_row(full_name="Bad Phone", phone="0123"),
    )
    before = counts()

    response = upload(staff_client, personas.project, content)

    assert response.status_code == 200
    assert error_texts(response) == [
        "Row 4: phone — '0123' is not a valid UK phone number. Numbers from other countries "
        "need their country code, such as +353 1 234 5678"
    ]
    assert NOTHING_IMPORTED.encode() in response.content
    assert b"Row 4" in response.content
    assert b"Import these" not in response.content
    assert counts() == before


def test_pressing_confirm_on_a_file_with_problems_imports_nothing(staff_client, personas):
    response = upload(staff_client, personas.project, csv_bytes(person_row(phone="0123")))
    job = job_of(response)
    before = counts()

    response = confirm(staff_client, personas.project, job.public_id, follow=True)

    assert b"This file is not waiting to be imported" in response.content
    job.refresh_from_db()
    assert (job.status, job.problem_count) == (ImportStatus.CHECKED, 1)
    assert counts() == before


def test_pressing_confirm_for_a_job_that_does_not_exist_is_not_found(staff_client, personas):
    before = counts()

    response = confirm(staff_client, personas.project, uuid.uuid4())

    assert response.status_code == 404
    assert counts() == before


def test_a_job_is_not_found_under_another_project(staff_client, personas):
    job = job_of(upload(staff_client, personas.project, CLEAN_FILE))
    before = counts()
    kwargs = {"slug": personas.other_project.slug, "job_id": job.public_id}

    responses = [
        staff_client.get(reverse("projects:roster_import_job", kwargs=kwargs)),
        staff_client.get(reverse("projects:roster_import_job_status", kwargs=kwargs)),
        confirm(staff_client, personas.other_project, job.public_id),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert counts() == before


def test_an_email_in_a_different_case_matches_the_existing_person(staff_client, personas):
    existing = PersonFactory(full_name="Sam Jones", email="sam.jones@example.org")
    content = csv_bytes(person_row(full_name="Samuel Jones", email="Sam.Jones@EXAMPLE.org"))

    preview = upload(staff_client, personas.project, content)
    response = confirm(staff_client, personas.project, job_of(preview).public_id, follow=True)

    assert [(row.is_new, row.matched_name) for row in preview.context["outcome"].rows] == [
        (False, "Sam Jones")
    ]
    assert b"Matches Sam Jones" in preview.content
    assert b"Added 0 people; 1 was already on the roster." in response.content
    assert Person.objects.filter(email__iexact="sam.jones@example.org").count() == 1
    assert Membership.objects.get(person=existing).project == personas.project


def test_a_phone_number_written_differently_matches_the_existing_person(staff_client, personas):
    existing = PersonFactory(full_name="Sam Jones", email="", phone="+447400123456")
    content = csv_bytes(person_row(full_name="Sam Jones", phone="07400 123456"))

    before = Person.objects.count()

    preview = upload(staff_client, personas.project, content)
    confirm(staff_client, personas.project, job_of(preview).public_id)

    assert preview.context["outcome"].matched_count == 1
    assert Person.objects.filter(phone="+447400123456").count() == 1
    assert Person.objects.count() == before
    assert Membership.objects.filter(person=existing, project=personas.project).exists()


def test_an_existing_persons_details_are_only_added_to_never_overwritten(personas):
    existing = PersonFactory(
        full_name="Sam Jones",
        email="sam@example.org",
        phone="+447400123456",
        stakeholder_group=StakeholderGroup.MANAGER,
        needs_large_print=True,
        consented=False,
    )
    content = csv_bytes(
        person_row(
            full_name="Samuel Jones",
            preferred_name="Sam",
            email="SAM@example.org",
            phone="07911 123456",
            stakeholder_group="carer",
            access_needs="quiet room",
            in_pool="no",
            consent="phone",
        )
    )

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=False,
    )

    assert outcome.rows[0].notes == ["Keeps the phone number on the roster (07400 123456)."]
    existing.refresh_from_db()
    assert existing.full_name == "Sam Jones"
    assert existing.preferred_name == "Sam"
    assert existing.phone.as_e164 == "+447400123456"
    assert existing.stakeholder_group == StakeholderGroup.MANAGER
    assert (existing.needs_large_print, existing.needs_quiet_space) == (True, True)
    consent = ConsentRecord.objects.get(person=existing)
    assert (consent.method, consent.recorded_by) == (ConsentMethod.PHONE, personas.staff)


def test_an_existing_membership_of_the_project_is_kept_as_it_is(staff_client, personas):
    active = MembershipFactory(project=personas.project, status=MembershipStatus.ACTIVE)
    left = MembershipFactory(project=personas.project, status=MembershipStatus.LEFT)
    content = csv_bytes(
        person_row(full_name="Active", email=active.person.email),
        person_row(full_name="Left", email=left.person.email),
    )

    memberships_before = Membership.objects.count()

    preview = upload(staff_client, personas.project, content)
    confirm(staff_client, personas.project, job_of(preview).public_id)

    assert [row.notes for row in preview.context["outcome"].rows] == [
        ["Already on this project (active)."],
        ["Already on this project (left)."],
    ]
    active.refresh_from_db()
    left.refresh_from_db()
    assert (active.status, left.status) == (MembershipStatus.ACTIVE, MembershipStatus.LEFT)
    assert Membership.objects.count() == memberships_before


def test_two_rows_for_the_same_person_in_one_file_is_an_error_on_the_second(staff_client, personas):
    content = csv_bytes(
        person_row(email="ada@example.org", phone="07400 123456"),
        person_row(full_name="Someone", email="other@example.org"),
        person_row(full_name="Ada again", email="ADA@example.org"),
        person_row(full_name="Ada by phone", phone="+44 7400 123456"),
    )
    before = counts()

    response = upload(staff_client, personas.project, content)

    assert error_texts(response) == [
        "Row 4: email — same person as row 2",
        "Row 5: phone — same person as row 2",
    ]
    assert counts() == before


def test_two_rows_matching_the_same_roster_entry_by_email_and_by_phone_is_an_error(personas):
    PersonFactory(email="sam@example.org", phone="+447400123456")
    content = csv_bytes(
        person_row(email="sam@example.org"),
        person_row(phone="07400 123456"),
    )

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=True,
    )

    assert [str(error) for error in outcome.errors] == ["Row 3: phone — same person as row 2"]


def test_a_row_with_neither_email_nor_phone_is_an_error(staff_client, personas):
    content = csv_bytes(person_row(email="ada@example.org"), person_row(full_name="No Contact"))
    before = counts()

    response = upload(staff_client, personas.project, content)

    assert error_texts(response) == [
        "Row 3: email — every row needs an email address or a phone number"
    ]
    assert counts() == before


def test_an_email_of_one_person_and_a_phone_of_another_is_an_error(personas):
    PersonFactory(full_name="Sam Jones", email="sam@example.org")
    PersonFactory(full_name="Kim Lee", email="", phone="+447400123456")
    content = csv_bytes(person_row(email="sam@example.org", phone="07400 123456"))

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=True,
    )

    assert [str(error) for error in outcome.errors] == [
        "Row 2: phone — this phone number belongs to Kim Lee on the roster, but the email "
        "address belongs to Sam Jones. Check which is right"
    ]


def test_each_problem_in_a_row_is_named_with_its_column(personas):
    content = csv_bytes(
        {
            "full_name": "",
            "email": "not-an-email",
            "stakeholder_group": "Wizard",
            "access_needs": "step-free; Jetpack",
            "in_pool": "maybe",
            "consent": "online",
        }
    )

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=True,
    )

    messages = [str(error) for error in outcome.errors]
    assert messages[0] == "Row 2: full_name — every row needs a full name"
    assert messages[1] == "Row 2: email — 'not-an-email' is not a valid email address"
    assert messages[2].startswith(
        "Row 2: stakeholder_group — 'Wizard' is not a stakeholder group coprod knows. "
        "Use one of: Person with lived experience, Carer or family member"
    )
    assert messages[3].startswith("Row 2: access_needs — 'Jetpack' is not an access need")
    assert messages[4] == "Row 2: in_pool — 'maybe' is not yes or no"
    assert messages[5].startswith("Row 2: consent — online consent is given by the person")
    assert len(messages) == 6


def test_consent_is_required_on_every_row(personas):
    content = csv_bytes(person_row(email="ada@example.org", consent=""))

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=True,
    )

    assert [error.column for error in outcome.errors] == ["consent"]


def test_the_real_import_rolls_back_every_row_if_one_fails(personas):
    content = csv_bytes(
        person_row(email="ada@example.org", skills="Gardening"),
        person_row(full_name="Grace Hopper", phone="07400 123456"),
        person_row(full_name="Bad", email="bad@example.org", consent="carrier pigeon"),
    )
    before = counts()

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=False,
    )

    assert [str(error) for error in outcome.errors] == [
        "Row 4: consent — 'carrier pigeon' is not paper, phone or in_person"
    ]
    assert counts() == before


def test_a_roster_change_after_the_preview_is_caught_by_the_real_import(staff_client, personas):
    content = csv_bytes(
        person_row(email="ada@example.org"),
        person_row(full_name="Ada by phone", phone="07400 123456"),
    )
    job_id = job_of(upload(staff_client, personas.project, content)).public_id
    PersonFactory(full_name="Ada", email="ada@example.org", phone="+447400123456")
    before = counts()

    response = confirm(staff_client, personas.project, job_id, follow=True)

    assert response.status_code == 200
    assert job_of(response).status == ImportStatus.CHECKED
    assert error_texts(response) == ["Row 3: phone — same person as row 2"]
    assert NOTHING_IMPORTED.encode() in response.content
    assert counts() == before


def test_blank_rows_are_skipped_and_rows_are_numbered_as_in_a_spreadsheet(personas):
    content = (
        "Full Name,Email,Consent\r\n"
        "Ada Lovelace,ada@example.org,paper\r\n"
        ",,\r\n"
        "\r\n"
        "Grace Hopper,bad-email,paper\r\n"
    ).encode("utf-8-sig")

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=True,
    )

    assert [str(error) for error in outcome.errors] == [
        "Row 5: email — 'bad-email' is not a valid email address"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", b"The file is empty."),
        (b"  \r\n\r\n ", b"The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", b"not a CSV file saved as UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00", b"This looks like a spreadsheet workbook"),
        (b"full_name,email,consent\n\x00\x01\x02,a@b.org,paper\n", b"contains binary data"),
        ("full_name,email,consent\nJosé,jose@example.org,paper\n".encode("latin-1"), b"UTF-8"),
        (b"name;email;consent\nAda;ada@example.org;paper\n", b"columns coprod does not know"),
        (b"full_name,consent\nAda,paper\n", b"an email column, a phone column, or both"),
        (b"email,consent\nada@example.org,paper\n", b"The file needs these columns: full_name"),
        (b"full_name,email,email,consent\n", b"appear more than once: email"),
        (b"full_name,email,consent\n", b"The file has column headings but nobody in it."),
        (b"full_name,email,consent\nAda,ada@example.org,paper,extra\n", b"without a heading"),
    ],
)
def test_an_unreadable_upload_gets_a_clear_message_and_no_500(
    staff_client, personas, content, message
):
    before = Person.objects.count()

    response = upload(staff_client, personas.project, content)

    assert response.status_code == 200
    assert message in response.content
    assert "outcome" not in response.context
    assert Person.objects.count() == before


def test_sending_no_file_asks_for_one(staff_client, personas):
    response = staff_client.post(
        reverse("projects:roster_import", kwargs={"slug": personas.project.slug})
    )

    assert response.status_code == 200
    assert b"Choose a CSV file to upload." in response.content


def test_an_over_size_file_gets_a_clear_message(staff_client, personas):
    content = csv_bytes(person_row(email="ada@example.org")) + b"x" * MAX_BYTES

    response = upload(staff_client, personas.project, content)

    assert response.status_code == 200
    assert b"The file is larger than 20 MB. Split it into smaller files." in response.content
    assert not RosterImportJob.objects.exists()


def test_a_file_of_more_than_a_thousand_people_is_checked_and_imported(staff_client, personas):
    content = csv_bytes(*[person_row(email=f"p{n}@example.org") for n in range(2500)])
    members_before = Membership.objects.filter(project=personas.project).count()

    preview = upload(staff_client, personas.project, content)
    response = confirm(staff_client, personas.project, job_of(preview).public_id, follow=True)

    assert preview.context["outcome"].new_count == 2500
    assert len(preview.context["outcome"].rows) == 200
    assert b"And 2,300 more rows, not listed here." in preview.content
    assert b"Added 2,500 people; 0 were already on the roster." in response.content
    assert Membership.objects.filter(project=personas.project).count() == members_before + 2500


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
def test_only_staff_may_import(client, personas, visitor):
    client.force_login(personas.by_role()[visitor])
    kwargs = {"slug": personas.project.slug}
    before = counts()

    responses = [
        client.get(reverse("projects:roster_import", kwargs=kwargs)),
        client.get(reverse("projects:roster_import_template", kwargs=kwargs)),
        upload(client, personas.project, CLEAN_FILE),
        confirm(client, personas.project, uuid.uuid4()),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert not RosterImportJob.objects.exists()
    assert counts() == before


NO_HEALTH_CHECK = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@NO_HEALTH_CHECK
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(str.encode),
        st.text(max_size=500).map(lambda text: ("full_name,email,consent\n" + text).encode()),
    )
)
def test_any_bytes_uploaded_never_give_a_500_or_create_anyone(staff_client, personas, content):
    before = counts()

    response = upload(staff_client, personas.project, content)

    assert response.status_code == 200
    assert counts() == before


PLAUSIBLE_CELLS = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "yes",
            "no",
            "paper",
            "phone",
            "in_person",
            "carer",
            "Weekends",
            "BSL interpreter",
            "ada@example.org",
            "ADA@example.org",
            "07400 123456",
            "+447400123456",
            "0123",
        ]
    ),
)


@NO_HEALTH_CHECK
@given(rows=st.lists(st.fixed_dictionaries(dict.fromkeys(COLUMNS, PLAUSIBLE_CELLS)), max_size=6))
def test_any_cells_under_the_right_headings_never_give_a_500_or_create_anyone(
    staff_client, personas, rows
):
    before = counts()

    response = upload(staff_client, personas.project, csv_bytes(*rows))

    assert response.status_code == 200
    assert counts() == before


def test_someone_added_to_the_roster_during_the_import_is_reported_and_nothing_imported(
    personas, monkeypatch
):
    PersonFactory(full_name="Added Meanwhile", email="ada@example.org")
    # As if the person was added after the chunk's lookups ran: the database refuses the row.
    monkeypatch.setattr(RosterImport, "_look_up", lambda self, records: None)
    content = csv_bytes(
        person_row(full_name="Grace Hopper", phone="07400 123456"),
        person_row(email="ada@example.org"),
        person_row(full_name="Katherine Johnson", email="kj@example.org"),
    )
    before = counts()

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=False,
    )

    assert [str(error) for error in outcome.errors] == [
        "Row 3: someone with this email address or phone number was added to the roster while "
        "the file was being imported. Upload the file again to match them"
    ]
    assert counts() == before


def test_a_file_never_merges_into_someone_whose_signed_up_email_is_unconfirmed(personas):
    """Anyone can type someone else's address when signing up; a file matching it must not
    pour that person's phone and needs into the stranger's entry."""
    stranger = ParticipantFactory(email="victim@example.org")
    EmailAddress.objects.filter(user=stranger).update(verified=False)
    entry = PersonFactory(full_name="Not Really", email="victim@example.org", user=stranger)
    content = csv_bytes(person_row(email="victim@example.org", phone="07400 123456"))

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=False,
    )

    entry.refresh_from_db()
    assert [str(error) for error in outcome.errors] == [
        "Row 2: email — this matches Not Really, who signed up online but has not yet "
        "confirmed their email address, so nothing can be added to their entry from a file "
        "until they do"
    ]
    assert entry.phone == ""


def test_a_file_matches_someone_whose_email_is_confirmed(personas):
    person = personas.participant.person
    assert EmailAddress.objects.filter(user=personas.participant, verified=True).exists()
    content = csv_bytes(person_row(email=person.email, phone="07400 123456"))

    outcome = roster_import_people(
        roster_file=roster_file_read(content),
        project=personas.project,
        recorded_by=personas.staff,
        dry_run=True,
    )

    assert outcome.errors == []
