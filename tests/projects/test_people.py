"""The staff people directory, one person's page, correcting their details, and what staff
record on behalf of someone who is not online (an expense claim, their payment choices)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.html import escape

from projects.models import ClaimStatus, ExpenseClaim, Payment
from projects.services.meetings import attendance_record
from projects.services.payments import payment_policy_for
from stakeholders import views_privacy
from stakeholders.models import ConsentKind, PaymentMethod, PeopleCount, Person, StakeholderGroup
from stakeholders.privacy import person_erase
from stakeholders.services import consent_withdraw
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")


def offline_person(personas, **fields) -> Person:
    """Someone with no login, in the project: the people staff record things for."""
    person = PersonFactory(
        full_name="Doris Offline",
        email="",
        phone="+447911123456",
        preferred_contact="phone",
        **fields,
    )
    MembershipFactory(project=personas.project, person=person)
    return person


def staff_name(personas) -> str:
    """The staff member's name as a page shows it (a name like O'Neill is escaped)."""
    return escape(str(personas.staff))


def people_url(**query) -> str:
    url = reverse("projects:people")
    return url + "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else url


def listed(response) -> list[str]:
    return [person["full_name"] for person in response.context["page"].object_list]


def person_url(person: Person) -> str:
    return reverse("projects:person", kwargs={"person_id": person.public_id})


# The directory ---------------------------------------------------------------------------


def test_the_directory_finds_people_by_name_email_or_phone_however_the_number_is_typed(
    staff_client, personas
):
    offline_person(personas)

    assert listed(staff_client.get(people_url(q="doris"))) == ["Doris Offline"]
    assert listed(staff_client.get(people_url(q="OTHER.participant@"))) == ["Olu Other"]
    assert listed(staff_client.get(people_url(q="07911%20123456"))) == ["Doris Offline"]
    assert listed(staff_client.get(people_url(q="nobody-like-this"))) == []


def test_the_directory_filters_by_group_pool_and_consent(staff_client, personas):
    carer = PersonFactory(full_name="Cara Carer", stakeholder_group=StakeholderGroup.CARER)
    pooled = PersonFactory(full_name="Pip Pool", in_pool=True)
    withdrawn = PersonFactory(full_name="Wyn Withdrawn")
    consent_withdraw(person=withdrawn, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)

    assert listed(staff_client.get(people_url(group="carer"))) == [carer.full_name]
    assert listed(staff_client.get(people_url(pool="yes"))) == [pooled.full_name]
    assert listed(staff_client.get(people_url(consent="not_given"))) == [withdrawn.full_name]
    assert withdrawn.full_name not in listed(staff_client.get(people_url(consent="given")))


def test_a_filter_value_that_is_not_a_choice_gets_a_plain_message_and_is_ignored(
    staff_client, personas
):
    response = staff_client.get(people_url(group="wizards", pool="maybe"))

    assert response.status_code == 200
    assert response.context["filters"].errors == {
        "group": ["Choose one of the groups listed."],
        "pool": ["Choose in the pool, not in the pool or either."],
    }
    assert listed(response) == ["Olu Other", "Pat Participant"]


def test_the_directory_leaves_out_people_whose_details_were_erased(staff_client, personas):
    person_erase(person=personas.other_participant.person, erased_by=personas.staff)

    assert listed(staff_client.get(people_url())) == ["Pat Participant"]


def test_the_directory_shows_how_many_projects_each_person_is_in(staff_client, personas):
    in_two = PersonFactory(full_name="Ada Twoprojects")
    MembershipFactory(project=personas.project, person=in_two)
    MembershipFactory(project=ProjectFactory(), person=in_two)
    PersonFactory(full_name="Abe Noprojects")

    response = staff_client.get(people_url(q="projects"))

    counts = {row["name"]: row["project_count"] for row in response.context["rows"]}
    assert counts == {"Abe Noprojects": 0, "Ada Twoprojects": 2}
    assert '<td class="text-end">2</td>' in response.content.decode()


def test_the_directory_counts_everyone_not_erased_across_its_pages(staff_client, personas):
    for number in range(30):
        PersonFactory(full_name=f"Lee {number:02}")
    person_erase(person=PersonFactory(full_name="Lee Erased"), erased_by=personas.staff)

    first, second = staff_client.get(people_url()), staff_client.get(people_url(page=2))

    assert first.context["page"].paginator.count == 32
    assert "32 people." in first.content.decode()
    assert len(listed(first)) == 25
    assert listed(second) == [f"Lee {number:02}" for number in range(25, 30)] + [
        "Olu Other",
        "Pat Participant",
    ]


def _people_counts(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if 'COUNT(*) AS "__count" FROM "stakeholders_person"' in query["sql"]
    ]


def test_the_directory_never_reads_anyones_bank_details(staff_client, personas):
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(people_url()).status_code == 200

    assert not [query for query in queries.captured_queries if "bank_" in query["sql"]]


def test_the_unfiltered_directory_reads_the_kept_count_rather_than_counting_everyone(
    staff_client, personas
):
    for number in range(3):
        PersonFactory(full_name=f"Lee {number}")

    with CaptureQueriesContext(connection) as everyone:
        unfiltered = staff_client.get(people_url())
    with CaptureQueriesContext(connection) as searched:
        search = staff_client.get(people_url(q="Lee"))

    assert "5 people." in unfiltered.content.decode()
    assert _people_counts(everyone) == []
    assert "3 people." in search.content.decode()
    assert len(_people_counts(searched)) == 1
    # The kept count is read with the page instead of counting: one query fewer than a
    # search, which counts what it finds.
    assert len(everyone) == len(searched) - 1


def test_the_directory_counts_everyone_itself_when_no_count_is_kept(staff_client, personas):
    PeopleCount.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(people_url())

    assert "2 people." in response.content.decode()
    assert len(_people_counts(queries)) == 1


def test_the_directory_runs_the_same_number_of_queries_however_many_people_there_are(
    staff_client, personas
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(people_url(q="e", pool="no")).status_code == 200
        return len(captured)

    few = queries()
    for number in range(30):
        MembershipFactory(project=personas.project, person=PersonFactory(full_name=f"Lee {number}"))
    assert queries() == few


# One person's page -----------------------------------------------------------------------


def past_meeting(personas, **fields):
    starts = timezone.now() - timedelta(days=3)
    return MeetingFactory(
        project=personas.project, starts_at=starts, ends_at=starts + timedelta(hours=2), **fields
    )


def test_the_person_page_shows_their_consents_projects_meetings_hours_payments_and_claims(
    staff_client, personas
):
    person = personas.participant.person
    policy = payment_policy_for(personas.project)
    policy.fee_rate = Decimal("20.00")
    policy.save()
    attendance_record(
        meeting=past_meeting(personas, title="Design workshop"),
        person=person,
        status="attended",
        hours=Decimal("2.5"),
        recorded_by=personas.staff,
    )
    ExpenseClaim.objects.create(
        person=person,
        project=personas.project,
        spent_on=timezone.localdate(),
        category="travel",
        amount=Decimal("4.50"),
    )

    response = staff_client.get(person_url(person))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Holding my details for involvement" in page and "Still stands" in page
    assert "Crisis support" in page
    assert "Planning session" in page and "Yes" in page  # invited, and said yes
    assert "Design workshop" in page
    assert "for 2.5 hours in all" in page
    assert "£50.00" in page  # the fee for 2.5 hours at £20
    assert "£4.50" in page and "Pat Participant, online" in page
    sar = reverse("stakeholders:sar", kwargs={"person_id": person.public_id})
    assert f'href="{sar}"' in page


def test_the_person_page_runs_the_same_number_of_queries_however_much_they_have_done(
    staff_client, personas
):
    person = personas.participant.person

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(person_url(person)).status_code == 200
        return len(captured)

    def add(number: int) -> None:
        meeting = past_meeting(personas, title=f"Meeting {number}")
        InvitationFactory(meeting=meeting, person=person)
        attendance_record(
            meeting=meeting,
            person=person,
            status="attended",
            hours=Decimal("1"),
            recorded_by=personas.staff,
        )
        Payment.objects.create(
            person=person, project=personas.project, activity=f"Fee {number}", amount=1
        )
        ExpenseClaim.objects.create(
            person=person,
            project=personas.project,
            spent_on=timezone.localdate(),
            category="travel",
            amount=Decimal("1.00"),
            recorded_by=personas.staff,
        )
        person.full_name = f"Pat Participant {number}"
        person.save()

    add(0)  # an empty list is never fetched, so each list starts with one row
    few = queries()
    for number in range(1, 13):
        add(number)
    assert queries() == few


def test_the_old_people_pages_still_reach_their_own_views(personas):
    assert resolve("/people/erasure-requests/").func == views_privacy.erasure_requests
    assert resolve("/people/data-exports/").func == views_privacy.export_log
    sar = f"/people/{personas.participant.person.public_id}/data/"
    assert resolve(sar).func == views_privacy.subject_access


# Correcting details ----------------------------------------------------------------------


def details_url(person: Person) -> str:
    return reverse("stakeholders:person_details", kwargs={"person_id": person.public_id})


def details_data(person: Person, **changes) -> dict:
    data = {
        "full_name": person.full_name,
        "preferred_name": person.preferred_name,
        "email": person.email,
        "phone": str(person.phone or ""),
        "address": person.address,
        "preferred_contact": person.preferred_contact,
        "stakeholder_group": person.stakeholder_group,
        "other_access_needs": "",
        "other_interests": "",
    }
    data.update(changes)
    return data


def test_staff_correct_someones_details_and_their_page_shows_who_changed_what(
    staff_client, personas
):
    person = offline_person(personas)

    response = staff_client.post(
        details_url(person),
        details_data(person, full_name="Doris Online", address="1 High Street", in_pool="on"),
    )

    assert response.status_code == 302
    assert response["Location"] == person_url(person)
    person.refresh_from_db()
    assert (person.full_name, person.address, person.in_pool) == (
        "Doris Online",
        "1 High Street",
        True,
    )
    latest = person.history.latest()
    assert latest.history_user == personas.staff
    page = staff_client.get(person_url(person)).content.decode()
    assert "Full name: Doris Offline → Doris Online" in page
    assert "Postal address: – → 1 High Street" in page
    assert staff_name(personas) in page


def test_staff_cannot_change_the_email_address_someone_logs_in_with(staff_client, personas):
    person = personas.participant.person

    staff_client.post(details_url(person), details_data(person, email="taken.over@example.org"))

    person.refresh_from_db()
    assert person.email == "participant@example.org"


def test_staff_cannot_give_someone_the_phone_number_of_another_person(staff_client, personas):
    doris = offline_person(personas)
    person = PersonFactory(full_name="Sam Second", email="sam@example.org")
    versions = person.history.count()

    response = staff_client.post(details_url(person), details_data(person, phone=str(doris.phone)))

    assert response.status_code == 200
    assert "Someone on the roster already has this phone number." in response.content.decode()
    person.refresh_from_db()
    assert person.phone == "" and person.history.count() == versions


def test_staff_cannot_put_someone_who_has_not_consented_into_the_pool(staff_client, personas):
    person = offline_person(personas)
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=personas.staff)

    response = staff_client.post(details_url(person), details_data(person, in_pool="on"))

    assert response.status_code == 200
    assert response.context["form"].errors["in_pool"] == [
        "They have not agreed to us keeping their details for involvement, so they cannot be "
        "in the pool."
    ]
    person.refresh_from_db()
    assert person.in_pool is False


def test_an_erased_persons_details_cannot_be_corrected(staff_client, personas):
    person = offline_person(personas)
    person_erase(person=person, erased_by=personas.staff)

    response = staff_client.post(details_url(person), details_data(person, full_name="Back"))

    assert response.status_code == 200
    assert "nothing to correct" in response.content.decode()
    person.refresh_from_db()
    assert person.full_name == "Erased person"


def test_erasing_someone_deletes_every_earlier_version_of_their_details(staff_client, personas):
    person = offline_person(personas)
    staff_client.post(details_url(person), details_data(person, address="1 High Street"))

    person_erase(person=person, erased_by=personas.staff)

    kept = list(person.history.values_list("full_name", "address", "phone"))
    assert kept == [("Erased person", "", "")]


# Recorded on someone's behalf -------------------------------------------------------------


def claim_url(person: Person) -> str:
    return reverse("projects:person_claim_new", kwargs={"person_id": person.public_id})


def claim_data(personas, **changes) -> dict:
    data = {
        "project": personas.project.slug,
        "spent_on": timezone.localdate().isoformat(),
        "category": "travel",
        "amount": "4.50",
        "note": "Bus to the meeting",
        "receipt": receipt(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_record_an_expense_claim_with_a_receipt_on_behalf_of_someone_not_online(
    staff_client, personas
):
    person = offline_person(personas)

    response = staff_client.post(claim_url(person), claim_data(personas))

    assert response.status_code == 302
    claim = ExpenseClaim.objects.get()
    assert (claim.person, claim.recorded_by, claim.status) == (
        person,
        personas.staff,
        ClaimStatus.SUBMITTED,
    )
    assert claim.receipt.read() == PDF_BYTES
    on_behalf = f"Recorded by {staff_name(personas)} on behalf of Doris Offline"
    claim_page = reverse(
        "projects:claim", kwargs={"slug": personas.project.slug, "claim_id": claim.public_id}
    )
    ledger = reverse("projects:payments", kwargs={"slug": personas.project.slug})
    assert on_behalf in staff_client.get(claim_page).content.decode()
    assert on_behalf in staff_client.get(ledger + "?show=claims").content.decode()
    assert on_behalf in staff_client.get(person_url(person)).content.decode()


def test_the_person_sees_a_claim_staff_recorded_for_them_marked_so_on_their_own_page(
    client, staff_client, personas
):
    person = personas.participant.person
    staff_client.post(claim_url(person), claim_data(personas))

    client.force_login(personas.participant)
    page = client.get(reverse("projects:my_payments")).content.decode()

    assert f"Recorded by {staff_name(personas)} on your behalf" in page


def test_a_claim_recorded_without_a_receipt_is_refused_in_plain_words_and_saves_nothing(
    staff_client, personas
):
    person = offline_person(personas)

    response = staff_client.post(claim_url(person), claim_data(personas, receipt=None))

    assert response.status_code == 200
    assert response.context["form"].errors["receipt"] == ["Add a photo or scan of your receipt."]
    assert not ExpenseClaim.objects.exists()


def test_staff_record_payment_choices_on_behalf_and_the_person_sees_who_recorded_them(
    client, staff_client, personas
):
    person = personas.participant.person
    url = reverse("projects:person_payment_choices", kwargs={"person_id": person.public_id})

    response = staff_client.post(url, {"payment_method": PaymentMethod.VOUCHER})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.payment_method == PaymentMethod.VOUCHER
    assert person.payment_choices_recorded_by == personas.staff
    assert person.payment_choices_recorded_for_them
    staff_page = staff_client.get(person_url(person)).content.decode()
    assert f"Recorded by {staff_name(personas)} on behalf of Pat Participant" in staff_page
    client.force_login(personas.participant)
    own = f"recorded by {staff_name(personas)} on your behalf"
    assert own in client.get(reverse("projects:my_payments")).content.decode()
    assert own in client.get(reverse("projects:payment_choices")).content.decode()


def test_payment_choices_saved_by_the_person_are_not_marked_as_recorded_for_them(
    participant_client, personas
):
    participant_client.post(
        reverse("projects:payment_choices"), {"payment_method": PaymentMethod.VOUCHER}
    )

    person = Person.objects.get(pk=personas.participant.person.pk)
    assert person.payment_choices_recorded_by == personas.participant
    assert not person.payment_choices_recorded_for_them
    page = participant_client.get(reverse("projects:my_payments")).content.decode()
    assert "on your behalf" not in page


def test_payment_choices_with_nothing_chosen_get_a_message_in_staffs_words(staff_client, personas):
    person = offline_person(personas)
    url = reverse("projects:person_payment_choices", kwargs={"person_id": person.public_id})

    response = staff_client.post(url, {"payment_method": ""})

    assert response.context["form"].errors["payment_method"] == [
        "Choose how they would like to be paid, or tick "
        "“They do not want to be paid for taking part”."
    ]
    person.refresh_from_db()
    assert person.payment_choices_recorded_by is None


def test_nothing_can_be_recorded_for_someone_whose_details_were_erased(staff_client, personas):
    person = offline_person(personas)
    person_erase(person=person, erased_by=personas.staff)
    choices = reverse("projects:person_payment_choices", kwargs={"person_id": person.public_id})

    claim = staff_client.post(claim_url(person), claim_data(personas))
    chosen = staff_client.post(choices, {"payment_method": PaymentMethod.VOUCHER})

    assert claim["Location"] == chosen["Location"] == person_url(person)
    assert not ExpenseClaim.objects.exists()
    person.refresh_from_db()
    assert person.payment_choices_recorded_by is None


def test_staff_cannot_record_a_claim_for_an_archived_project_nor_are_they_offered_one(
    staff_client, personas
):
    person = personas.participant.person
    personas.project.archived_at = timezone.now()
    personas.project.save(update_fields=["archived_at"])

    page = staff_client.get(claim_url(person)).content.decode()
    response = staff_client.post(claim_url(person), claim_data(personas))

    assert 'value="crisis-support"' not in page
    assert response.status_code == 200
    assert response.context["form"].errors["project"] == [
        "This project has ended and its records are kept as they are, so nothing can be changed."
    ]
    assert not ExpenseClaim.objects.exists()


def test_names_in_the_directory_are_escaped(staff_client, personas):
    PersonFactory(full_name="<b>Bo</b> O'Neill & Co", preferred_name='<i>"Bo"</i>')

    html = staff_client.get(people_url()).content.decode()

    assert "<b>Bo</b>" not in html and "<i>" not in html
    assert escape("<b>Bo</b> O'Neill & Co") in html
    preferred = escape('<i>"Bo"</i>')
    assert f'<span class="text-body-secondary">({preferred})</span>' in html


def test_a_directory_page_past_the_end_shows_the_last_page_with_the_kept_count(
    staff_client, personas
):
    for number in range(30):
        PersonFactory(full_name=f"Lee {number:02d}")

    response = staff_client.get(people_url(page=9))

    html = response.content.decode()
    assert "32 people." in html
    assert "Page 2 of 2" in html
    assert len(listed(response)) == 7
