"""Answering a round: by the person, or typed in by staff from paper; consent is recorded,
and withdrawing it deletes every answer."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evidence.models import MeasureAnswer, MeasureResponse, RoundKind
from evidence.services_measures import MeasureError, measure_answers_save
from stakeholders.models import ConsentKind, ConsentMethod, ConsentRecord
from stakeholders.privacy import person_data_export, person_erase
from stakeholders.services import consent_withdraw
from tests.factories.measures import MeasureRoundFactory, ProjectMeasureFactory, ons4
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(personas):
    """ONS4 in the participants' project, its baseline open today."""
    today = timezone.localdate()
    return MeasureRoundFactory(
        project_measure=ProjectMeasureFactory(project=personas.project, measure=ons4()),
        kind=RoundKind.BASELINE,
        name="Baseline",
        opens_on=today,
        closes_on=today + timedelta(days=14),
    )


def _values(measure_round, value=6) -> dict[int, int]:
    return {q.pk: value for q in measure_round.project_measure.measure.questions.all()}


def _answer_form(measure_round, value="6", **extra) -> dict:
    return {f"q{pk}": value for pk in _values(measure_round)} | extra


def test_answering_records_the_measures_consent_and_every_answer(personas, open_round):
    person = personas.participant.person

    response = measure_answers_save(
        measure_round=open_round, person=person, values=_values(open_round), recorded_by=None
    )

    assert not response.on_their_behalf and response.entered_by is None
    assert response.answers.count() == 4
    consent = ConsentRecord.objects.get(person=person, kind=ConsentKind.MEASURES)
    assert consent.method == ConsentMethod.ONLINE and consent.wording.version == "2026-12"


def test_an_answer_off_the_scale_saves_nothing(personas, open_round):
    values = _values(open_round) | {next(iter(_values(open_round))): 11}

    with pytest.raises(MeasureError, match="from 0 to 10"):
        measure_answers_save(
            measure_round=open_round,
            person=personas.participant.person,
            values=values,
            recorded_by=None,
        )

    assert not MeasureResponse.objects.exists()
    assert not ConsentRecord.objects.filter(kind=ConsentKind.MEASURES).exists()


def test_someone_not_in_the_project_cannot_answer_for_themselves(personas, open_round):
    open_round.project_measure.project = personas.other_project
    open_round.project_measure.save()

    with pytest.raises(MeasureError, match="taking part"):
        measure_answers_save(
            measure_round=open_round,
            person=personas.participant.person,
            values=_values(open_round),
            recorded_by=None,
        )


def test_a_closed_round_takes_paper_answers_but_not_the_persons_own(personas, open_round):
    open_round.opens_on -= timedelta(days=30)
    open_round.closes_on = timezone.localdate() - timedelta(days=1)
    open_round.save()
    person = personas.participant.person

    with pytest.raises(MeasureError, match="closed"):
        measure_answers_save(
            measure_round=open_round, person=person, values=_values(open_round), recorded_by=None
        )
    response = measure_answers_save(
        measure_round=open_round,
        person=person,
        values=_values(open_round),
        recorded_by=personas.staff,
        method=ConsentMethod.PAPER,
    )

    assert response.on_their_behalf and response.entered_by == personas.staff


def test_withdrawing_measures_consent_deletes_every_answer(personas, open_round):
    person = personas.participant.person
    measure_answers_save(
        measure_round=open_round, person=person, values=_values(open_round), recorded_by=None
    )
    other = personas.other_participant.person
    measure_answers_save(
        measure_round=open_round, person=other, values=_values(open_round), recorded_by=None
    )

    consent_withdraw(person=person, kind=ConsentKind.MEASURES, withdrawn_by=personas.participant)

    assert not MeasureResponse.objects.filter(person=person).exists()
    assert not MeasureAnswer.objects.filter(person=person).exists()
    assert MeasureAnswer.objects.filter(person=other).count() == 4


def test_withdrawing_another_consent_keeps_the_answers(personas, open_round):
    person = personas.participant.person
    measure_answers_save(
        measure_round=open_round, person=person, values=_values(open_round), recorded_by=None
    )

    consent_withdraw(person=person, kind=ConsentKind.EQUALITY, withdrawn_by=None)
    consent_withdraw(person=person, kind=ConsentKind.BENEFITS, withdrawn_by=None)

    assert MeasureAnswer.objects.filter(person=person).count() == 4


# Pages -------------------------------------------------------------------------------------


def test_my_page_asks_the_open_round_until_it_is_answered(participant_client, open_round):
    page = participant_client.get(reverse("pages:me")).content.decode()
    assert "Questions for Crisis support: Baseline" in page

    participant_client.post(
        reverse("evidence:measure_answer", args=[open_round.pk]),
        _answer_form(open_round, agree="on"),
    )

    page = participant_client.get(reverse("pages:me")).content.decode()
    assert "Questions for Crisis support: Baseline" not in page


def test_the_answer_page_asks_each_question_as_a_fieldset_of_radios(participant_client, open_round):
    page = participant_client.get(reverse("evidence:measure_answer", args=[open_round.pk]))

    html = page.content.decode()
    assert html.count("<fieldset") == 4
    assert '<legend class="h5">Overall, how anxious did you feel yesterday?</legend>' in html
    assert html.count('type="radio"') == 44
    assert "Not at all" in html and "Completely" in html
    assert "Save my answers" in html


def test_the_first_time_the_consent_must_be_ticked_and_nothing_is_lost(
    participant_client, open_round
):
    response = participant_client.post(
        reverse("evidence:measure_answer", args=[open_round.pk]), _answer_form(open_round, "3")
    )

    assert response.status_code == 200
    assert "Tick “I agree”" in response.content.decode()
    # What they chose is still chosen.
    assert len(re.findall(r'value="3" id="id_q\d+_3" checked', response.content.decode())) == 4
    assert not MeasureResponse.objects.exists()


def test_saving_shows_a_confirmation_and_the_answers(participant_client, open_round):
    response = participant_client.post(
        reverse("evidence:measure_answer", args=[open_round.pk]),
        _answer_form(open_round, "7", agree="on"),
        follow=True,
    )

    html = response.content.decode()
    assert "Thank you. Your answers are saved." in html
    assert "Overall, how satisfied are you with your life nowadays?" in html
    assert MeasureAnswer.objects.filter(value=7).count() == 4


def test_a_missing_answer_is_named_beside_its_question(participant_client, open_round):
    form = _answer_form(open_round, agree="on")
    form.pop(next(iter(form)))

    response = participant_client.post(
        reverse("evidence:measure_answer", args=[open_round.pk]), form
    )

    assert "Choose an answer from 0 (Not at all) to 10 (Completely)." in response.content.decode()
    assert not MeasureResponse.objects.exists()


def test_a_round_of_another_project_is_not_found(participant_client, personas, open_round):
    open_round.project_measure.project = personas.other_project
    open_round.project_measure.save()

    response = participant_client.get(reverse("evidence:measure_answer", args=[open_round.pk]))

    assert response.status_code == 404


def test_staff_type_in_paper_answers_marked_so_for_staff_and_the_person(
    client, personas, open_round
):
    client.force_login(personas.staff)
    person = personas.participant.person
    url = reverse("evidence:paper_answers", args=[personas.project.slug, open_round.pk])

    response = client.post(
        url,
        _answer_form(
            open_round, "4", person=person.pk, consent_method=ConsentMethod.PAPER, agreed="on"
        ),
        follow=True,
    )

    assert "marked as entered by staff from a paper form" in response.content.decode()
    saved = MeasureResponse.objects.get(person=person)
    assert saved.on_their_behalf and saved.entered_by == personas.staff
    assert ConsentRecord.objects.get(person=person, kind=ConsentKind.MEASURES).method == "paper"
    client.force_login(personas.participant)
    mine = client.get(reverse("evidence:my_measures")).content.decode()
    assert "Entered by staff from a paper form." in mine


def test_staff_see_how_many_answered_each_round(client, personas, open_round):
    measure_answers_save(
        measure_round=open_round,
        person=personas.participant.person,
        values=_values(open_round),
        recorded_by=personas.staff,
        method=ConsentMethod.PAPER,
    )
    client.force_login(personas.staff)

    page = client.get(reverse("evidence:project_measures", args=[personas.project.slug]))

    assert "1 (1 from paper)" in page.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_staff_and_participant_pages_run_the_same_queries_whatever_the_answers(
    client, personas, open_round
):
    person = personas.participant.person
    follow_up = MeasureRoundFactory(
        project_measure=open_round.project_measure,
        opens_on=open_round.opens_on,
        closes_on=open_round.closes_on,
    )
    measure_answers_save(
        measure_round=open_round, person=person, values=_values(open_round), recorded_by=None
    )
    staff_page = reverse("evidence:project_measures", args=[personas.project.slug])
    my_page = reverse("evidence:my_measures")
    client.force_login(personas.staff)
    staff_before = _queries(client, staff_page)
    client.force_login(personas.participant)
    mine_before = _queries(client, my_page)

    measure_answers_save(
        measure_round=follow_up,
        person=person,
        values=_values(open_round),
        recorded_by=personas.staff,
        method=ConsentMethod.PAPER,
    )
    for someone in PersonFactory.create_batch(5):
        measure_answers_save(
            measure_round=open_round,
            person=someone,
            values=_values(open_round),
            recorded_by=personas.staff,
            method=ConsentMethod.PAPER,
        )

    client.force_login(personas.staff)
    assert _queries(client, staff_page) == staff_before
    client.force_login(personas.participant)
    assert _queries(client, my_page) == mine_before


def test_answers_are_in_the_persons_export_and_erased_with_them(personas, open_round):
    person = personas.participant.person
    measure_answers_save(
        measure_round=open_round, person=person, values=_values(open_round, 8), recorded_by=None
    )

    export = person_data_export(person)
    section = next(s for s in export["records"] if s["key"] == "evidence.MeasureAnswer.person")
    assert sorted((row["question"], row["value"]) for row in section["rows"]) == [
        ("Anxiety yesterday", 8),
        ("Happiness yesterday", 8),
        ("Life satisfaction", 8),
        ("Worthwhile", 8),
    ]

    person_erase(person=person, erased_by=personas.staff)

    assert not MeasureResponse.objects.filter(person=person).exists()
    assert not MeasureAnswer.objects.filter(person=person).exists()
