"""The learning library: adding entries with tags, searching on SQLite and on PostgreSQL,
filtering, a fixed number of queries, and the prompt when a project moves to its next stage."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from evidence.models import LearningEntry, Tag
from evidence.selectors import learning_entries
from projects.models import Stage
from tests.factories.evidence import LearningEntryFactory
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

LEARNING = reverse("evidence:learning")
LEARNING_ADD = reverse("evidence:learning_add")


def assert_error_beside(response, field: str, message: str) -> None:
    html = response.content.decode()
    assert f'<p id="error_1_id_{field}"><strong>{escape(message)}</strong></p>' in html, (
        f"{message!r} is not beside {field}"
    )


def titles(entries) -> set[str]:
    return {entry.title for entry in entries}


# Adding an entry ---------------------------------------------------------------------------


def test_an_entry_is_added_with_tags_typed_as_text_and_a_project(staff_client, personas):
    Tag.objects.create(name="carers")

    response = staff_client.post(
        LEARNING_ADD,
        {
            "title": "Evening meetings brought in more carers",
            "project": personas.project.slug,
            "stage": "design",
            "tried": "Moving the workshops to 6pm.",
            "happened": "Twice as many carers came.",
            "learned": "Ask people when they can come before fixing a time.",
            "differently": "Ask in the sign-up form.",
            "tag_text": "Carers,  online meetings , carers,",
        },
    )

    entry = LearningEntry.objects.get()
    assert response["Location"] == reverse(
        "evidence:learning_entry", kwargs={"entry_id": entry.public_id}
    )
    assert entry.project == personas.project
    assert entry.stage == "design"
    assert entry.created_by == personas.staff
    assert sorted(entry.tags.values_list("name", flat=True)) == ["carers", "online meetings"]
    assert Tag.objects.count() == 2


def test_an_entry_need_not_be_linked_to_a_project(staff_client):
    staff_client.post(
        LEARNING_ADD,
        {"title": "Pay people on the day", "tried": "Cash", "happened": "Fine", "learned": "Yes"},
    )

    entry = LearningEntry.objects.get()
    assert entry.project is None
    assert entry.stage == ""
    assert not entry.tags.exists()


def test_an_entry_needs_what_was_tried_what_happened_and_what_was_learned(staff_client):
    response = staff_client.post(
        LEARNING_ADD, {"title": "Evening meetings", "tag_text": "carers, evenings"}
    )

    assert response.status_code == 200
    assert_error_beside(response, "tried", "Say what you tried.")
    assert_error_beside(response, "happened", "Say what happened.")
    assert_error_beside(response, "learned", "Say what you learned.")
    assert 'value="Evening meetings"' in response.content.decode()
    assert 'value="carers, evenings"' in response.content.decode()
    assert not LearningEntry.objects.exists()
    assert not Tag.objects.exists()


def test_a_tag_longer_than_fifty_characters_is_refused(staff_client):
    long_tag = "a" * 51

    response = staff_client.post(
        LEARNING_ADD,
        {"title": "T", "tried": "T", "happened": "H", "learned": "L", "tag_text": long_tag},
    )

    assert_error_beside(
        response,
        "tag_text",
        f'Each tag must be 50 characters or fewer. Shorten "{long_tag}", or split it with commas.',
    )
    assert not LearningEntry.objects.exists()


def test_an_entry_page_shows_every_part(staff_client, personas):
    entry = LearningEntryFactory(
        title="Evening meetings",
        tried="Six o'clock starts.",
        happened="More carers.",
        learned="Ask first.",
        differently="Ask sooner.",
        project=personas.project,
        stage="planning",
        tags=[Tag.objects.create(name="carers")],
    )

    page = staff_client.get(
        reverse("evidence:learning_entry", kwargs={"entry_id": entry.public_id})
    ).content.decode()

    for text in ["Six o&#x27;clock starts.", "More carers.", "Ask first.", "Ask sooner."]:
        assert text in page
    assert "Planning" in page and "Crisis support" in page and "carers" in page


# Searching and filtering -------------------------------------------------------------------


def test_searching_finds_entries_by_any_of_their_words_on_either_database(db):
    LearningEntryFactory(
        title="Evening sessions",
        tried="We held the planning meetings after work.",
        happened="More carers came.",
        learned="Timing matters.",
    )
    LearningEntryFactory(
        title="Travel vouchers",
        tried="Vouchers for the bus.",
        happened="People came from further away.",
        learned="Pay fares up front.",
        differently="Offer taxis for people who cannot use the bus.",
    )

    with CaptureQueriesContext(connection) as captured:
        found_meeting = titles(learning_entries(search="meeting"))
    assert found_meeting == {"Evening sessions"}
    assert titles(learning_entries(search="taxis")) == {"Travel vouchers"}
    assert titles(learning_entries(search="carers timing")) == {"Evening sessions"}
    assert titles(learning_entries(search="carers vouchers")) == set()
    assert titles(learning_entries(search="  ")) == {"Evening sessions", "Travel vouchers"}
    if connection.vendor == "postgresql":
        # Full-text search: a word is matched by its stem, so the plural finds the singular.
        assert any("to_tsvector" in query["sql"] for query in captured)
        assert titles(learning_entries(search="sessions carer")) == {"Evening sessions"}
        assert titles(learning_entries(search="vouchers -taxi")) == set()


def test_on_postgresql_the_search_stems_words_and_ranks_title_matches_first(postgres):
    LearningEntryFactory(
        title="Payment by voucher",
        tried="Vouchers instead of bank transfers.",
        happened="A meeting went more smoothly.",
        learned="Ask people how they want to be paid.",
    )
    LearningEntryFactory(
        title="Meetings online",
        tried="Video calls.",
        happened="Fewer people came.",
        learned="Offer both.",
    )

    found = list(learning_entries(search="meetings"))

    assert [entry.title for entry in found] == ["Meetings online", "Payment by voucher"]
    assert titles(learning_entries(search='"bank transfers"')) == {"Payment by voucher"}
    assert titles(learning_entries(search="meetings -voucher")) == {"Meetings online"}


def test_the_library_filters_by_tag_and_by_stage(staff_client):
    carers, online = Tag.objects.create(name="carers"), Tag.objects.create(name="online")
    LearningEntryFactory(title="Carers in design", stage="design", tags=[carers])
    LearningEntryFactory(title="Carers in delivery", stage="delivery", tags=[carers, online])
    LearningEntryFactory(title="Online in design", stage="design", tags=[online])

    by_tag = staff_client.get(LEARNING, {"tag": "carers"}).content.decode()
    by_stage = staff_client.get(LEARNING, {"stage": "design"}).content.decode()
    by_both = staff_client.get(LEARNING, {"tag": "carers", "stage": "design"}).content.decode()

    assert "Carers in design" in by_tag and "Carers in delivery" in by_tag
    assert "Online in design" not in by_tag
    assert "Carers in design" in by_stage and "Online in design" in by_stage
    assert "Carers in delivery" not in by_stage
    assert "Carers in design" in by_both
    assert "Carers in delivery" not in by_both and "Online in design" not in by_both


def test_a_search_and_filters_are_kept_on_the_next_page(staff_client):
    LearningEntryFactory.create_batch(25, learned="Meet where people already are.")

    page = staff_client.get(LEARNING, {"q": "people", "stage": ""}).content.decode()

    assert "25 entries found" in page
    assert "?q=people&amp;stage=&amp;page=2" in page


def test_an_unknown_tag_is_left_out_of_the_search_and_said_so(staff_client):
    LearningEntryFactory(title="Something useful")

    response = staff_client.get(LEARNING, {"tag": "no-such-tag", "stage": "sometime"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Something useful" in page
    assert "Nothing has that tag any more." in page
    assert "Choose a stage from the list." in page


def test_the_library_runs_the_same_number_of_queries_for_3_or_30_entries(staff_client):
    tags = [Tag.objects.create(name=name) for name in ["carers", "online", "pay"]]

    def queries_with(count: int) -> int:
        LearningEntry.objects.all().delete()
        for _ in range(count):
            LearningEntryFactory(project=ProjectFactory(), stage="design", tags=tags)
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(LEARNING, {"q": "plan", "tag": "pay", "stage": "design"})
        assert b"Lesson" in response.content
        return len(captured)

    assert queries_with(3) == queries_with(30)


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
def test_only_staff_may_use_the_learning_library(client, personas, visitor):
    entry = LearningEntryFactory(title="Staff only")
    client.force_login(getattr(personas, visitor))

    pages = [
        client.get(LEARNING),
        client.get(reverse("evidence:learning_entry", kwargs={"entry_id": entry.public_id})),
        client.post(LEARNING_ADD, {"title": "T", "tried": "T", "happened": "H", "learned": "L"}),
    ]

    assert [page.status_code for page in pages] == [403, 403, 403]
    assert LearningEntry.objects.count() == 1


def test_staff_see_the_learning_library_in_the_menu(staff_client, client, personas):
    staff_menu = staff_client.get(reverse("pages:dashboard")).content.decode()
    client.force_login(personas.participant)
    participant_menu = client.get(reverse("pages:me")).content.decode()

    assert f'href="{LEARNING}">Learning</a>' in staff_menu
    assert f'href="{LEARNING}"' not in participant_menu


# The prompt when a project moves on --------------------------------------------------------


def stage_url(project) -> str:
    return reverse("projects:stage", kwargs={"slug": project.slug})


def test_moving_to_the_next_stage_prompts_for_what_was_learned_in_the_last(staff_client, personas):
    response = staff_client.post(stage_url(personas.project), {"stage": "planning"})
    prompt = staff_client.get(response["Location"]).content.decode()

    personas.project.refresh_from_db()
    assert personas.project.stage == Stage.PLANNING
    assert response["Location"] == f"{LEARNING_ADD}?project=crisis-support&stage=design"
    assert (
        "The project moved from Design to Planning. What did you learn in Design? Add it to "
        "the learning library so others can use it."
    ) in prompt
    assert '<option value="crisis-support" selected>Crisis support</option>' in prompt
    assert '<option value="design" selected>Design</option>' in prompt


def test_the_prompted_entry_is_saved_with_the_project_and_the_stage_just_finished(
    staff_client, personas
):
    staff_client.post(stage_url(personas.project), {"stage": "planning"})

    staff_client.post(
        LEARNING_ADD,
        {
            "title": "Start recruiting early",
            "project": "crisis-support",
            "stage": "design",
            "tried": "Recruiting in week 1.",
            "happened": "A full group by week 3.",
            "learned": "It takes three weeks.",
        },
    )

    entry = LearningEntry.objects.get()
    assert (entry.project, entry.stage) == (personas.project, "design")


def test_a_made_up_stage_changes_nothing(staff_client, personas):
    response = staff_client.post(stage_url(personas.project), {"stage": "launch"}, follow=True)

    personas.project.refresh_from_db()
    assert personas.project.stage == Stage.DESIGN
    assert response.redirect_chain == [(personas.project.get_absolute_url(), 302)]
    assert b"Choose one of the stages in the list." in response.content
    assert personas.project.history.count() == 1


def test_moving_back_a_stage_does_not_prompt(staff_client, personas):
    personas.project.stage = Stage.DELIVERY
    personas.project.save()

    response = staff_client.post(stage_url(personas.project), {"stage": "planning"}, follow=True)

    personas.project.refresh_from_db()
    assert personas.project.stage == Stage.PLANNING
    assert response.redirect_chain == [(personas.project.get_absolute_url(), 302)]
    assert b"The project moved back from Delivery to Planning." in response.content


def test_choosing_the_stage_it_is_at_changes_nothing(staff_client, personas):
    response = staff_client.post(stage_url(personas.project), {"stage": "design"}, follow=True)

    assert b"The project is already at Design." in response.content
    assert personas.project.history.count() == 1


def test_evaluation_to_closed_asks_about_evaluation(staff_client, personas):
    personas.project.stage = Stage.EVALUATION
    personas.project.save()

    response = staff_client.post(stage_url(personas.project), {"stage": "closed"})

    assert response["Location"].endswith("stage=evaluation")


@pytest.mark.parametrize("visitor", ["participant", "commissioner"])
def test_only_staff_may_change_a_projects_stage(client, personas, visitor):
    client.force_login(getattr(personas, visitor))

    response = client.post(stage_url(personas.project), {"stage": "planning"})

    personas.project.refresh_from_db()
    assert response.status_code == 403
    assert personas.project.stage == Stage.DESIGN


def test_the_project_page_offers_to_change_the_stage(staff_client, personas):
    page = staff_client.get(personas.project.get_absolute_url()).content.decode()

    assert f'action="{stage_url(personas.project)}"' in page
    assert '<option value="design" selected>Design</option>' in page


def test_an_archived_project_is_not_offered_for_new_learning_and_is_refused_if_sent(
    staff_client, personas
):
    personas.project.archived_at = timezone.now()
    personas.project.save(update_fields=["archived_at"])

    page = staff_client.get(LEARNING_ADD).content.decode()
    response = staff_client.post(
        LEARNING_ADD,
        {
            "title": "Evening meetings brought in more carers",
            "project": personas.project.slug,
            "tried": "Moving the workshops to 6pm.",
            "happened": "Twice as many carers came.",
            "learned": "Ask people when they can come before fixing a time.",
        },
    )

    assert 'value="housing-repairs"' in page
    assert 'value="crisis-support"' not in page
    assert response.status_code == 200
    assert_error_beside(
        response,
        "project",
        "This project has ended and its records are kept as they are, so nothing can be changed.",
    )
    assert not LearningEntry.objects.exists()
