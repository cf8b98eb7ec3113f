"""What /me/ reads: the fields it shows of the person and their meetings, never their
address or bank details; and its links, reversed once per process, go where they say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stakeholders.models import ConsentKind

pytestmark = pytest.mark.django_db

LINKS = [
    ("stakeholders:profile", []),
    ("stakeholders:my_data", []),
    ("stakeholders:erasure_request", []),
    ("projects:my_payments", []),
    ("decisions:my_decisions", []),
    ("stakeholders:consent_withdraw", [ConsentKind.INVOLVEMENT]),
    ("stakeholders:equality", []),
    ("stakeholders:benefits", []),
    ("account_email", []),
]


def test_me_reads_no_address_nor_bank_details(client, personas):
    person = personas.participant.person
    person.address = "1 High Street"
    person.bank_account_name = "Pat Participant"
    person.save()
    client.force_login(personas.participant)

    with CaptureQueriesContext(connection) as context:
        page = client.get(reverse("pages:me")).content.decode()

    assert person.full_name in page
    assert personas.meeting.title in page
    read = [query["sql"] for query in context.captured_queries]
    assert not [sql for sql in read if "bank_account" in sql or '"address"' in sql]


def test_the_links_on_me_go_where_they_say(client, personas):
    client.force_login(personas.participant)

    page = client.get(reverse("pages:me")).content.decode()

    for name, args in LINKS:
        assert f'href="{reverse(name, args=args)}"' in page
