"""Searching the learning library for a phrase in quotes: full-text search on PostgreSQL,
and the plain search used elsewhere (SQLite), which is tested on either database."""

import pytest
from django.db import connection
from django.urls import reverse

from evidence.models import LearningEntry
from evidence.selectors import learning_entries, learning_entries_containing
from tests.factories.evidence import LearningEntryFactory

pytestmark = pytest.mark.django_db


def titles(entries) -> set[str]:
    return {entry.title for entry in entries}


@pytest.fixture
def transfers(db) -> None:
    LearningEntryFactory(
        title="Paying people",
        tried="We paid everyone by bank transfer after each session.",
        happened="Some people waited a week.",
        learned="Say when the money will arrive.",
    )
    LearningEntryFactory(
        title="Vouchers",
        tried="Vouchers instead of a transfer to the bank.",
        happened="People on benefits were glad of it.",
        learned="Offer a choice.",
    )
    LearningEntryFactory(
        title="Evening meetings",
        tried="Meetings at 6pm.",
        happened="More carers came.",
        learned="Ask people when they are free.",
    )


def plain(search: str) -> set[str]:
    return titles(learning_entries_containing(LearningEntry.objects.all(), search))


def test_without_full_text_search_a_quoted_phrase_must_appear_as_it_is_written(transfers):
    assert plain('"bank transfer"') == {"Paying people"}
    assert plain('"transfer to the bank"') == {"Vouchers"}
    assert plain("bank transfer") == {"Paying people", "Vouchers"}
    assert plain('"transfer bank"') == set()


def test_without_full_text_search_words_outside_the_quotes_may_be_anywhere(transfers):
    assert plain('glad "transfer to"') == {"Vouchers"}
    assert plain('"BANK Transfer" week') == {"Paying people"}
    assert plain('"bank transfer" carers') == set()
    assert plain('  "bank    transfer"  ') == {"Paying people"}


def test_without_full_text_search_odd_quotes_never_fail(transfers):
    assert plain('"bank transfer') == {"Paying people"}
    assert plain('""') == {"Paying people", "Vouchers", "Evening meetings"}
    assert plain('" "  "carers"') == {"Evening meetings"}


def test_the_library_finds_a_quoted_phrase_on_either_database(staff_client, transfers):
    page = staff_client.get(reverse("evidence:learning"), {"q": '"bank transfer"'}).content.decode()

    assert "1 entry found" in page
    assert "Paying people" in page
    assert "Vouchers" not in page


def test_on_sqlite_the_library_uses_the_plain_search(transfers):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL uses full-text search, tested below")

    assert titles(learning_entries(search='"transfer to the bank"')) == {"Vouchers"}
    assert titles(learning_entries(search='"transfer bank"')) == set()


def test_on_postgresql_a_quoted_phrase_matches_only_entries_with_the_words_in_that_order(
    postgres, transfers
):
    assert titles(learning_entries(search='"bank transfer"')) == {"Paying people"}
    assert titles(learning_entries(search='"transfer to the bank"')) == {"Vouchers"}
    assert titles(learning_entries(search="bank transfer")) == {"Paying people", "Vouchers"}
    assert titles(learning_entries(search='"transfer bank"')) == set()
    assert titles(learning_entries(search='"bank transfers" week')) == {"Paying people"}
    assert titles(learning_entries(search='"bank transfer" carers')) == set()
