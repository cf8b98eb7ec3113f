import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from coprod import demo_large
from coprod.management.commands.seed_demo import DEMO_PASSWORD
from decisions.models import Vote
from evidence.models import EvidenceRecord, LearningEntry, ReportGrant
from projects.models import Attendance, Invitation, Payment, Project
from stakeholders.models import ConsentRecord, Person, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_on(settings):
    """pytest-django turns DEBUG off; seed_demo is meant for DEBUG (the embedded default)."""
    settings.DEBUG = True


DEMO_EMAILS = {
    "staff@example.org": Role.STAFF,
    "participant@example.org": Role.PARTICIPANT,
    "commissioner@example.org": Role.COMMISSIONER,
}


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_it_creates_the_three_demo_logins_and_prints_them(capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    for email, role in DEMO_EMAILS.items():
        assert User.objects.get(email=email).role == role
        assert email in printed
    assert DEMO_PASSWORD in printed


def test_running_it_twice_changes_nothing():
    call_command("seed_demo")
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first


def test_at_least_two_projects_are_open_and_the_commissioner_sees_some_not_all():
    call_command("seed_demo")
    assert Project.objects.open_to_join().count() >= 2
    granted = ReportGrant.objects.filter(commissioner__email="commissioner@example.org").count()
    assert 0 < granted < Project.objects.count()


@pytest.mark.parametrize("email", sorted(DEMO_EMAILS))
def test_each_demo_login_works_and_lands_on_its_home(client, email):
    call_command("seed_demo")
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_it_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG is false"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_force_runs_it_when_debug_is_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert User.objects.filter(email="staff@example.org").exists()


def test_large_size_builds_every_kind_of_row_once(monkeypatch):
    """At a tenth of a per-project scale, so the test stays quick; the full build is timed
    by hand (see bench/results.md)."""
    monkeypatch.setattr(
        demo_large,
        "SIZE",
        demo_large.LargeDemoSize(
            people=400, meetings_per_project=5, decisions_per_project=5, evidence_per_project=5
        ),
    )
    call_command("seed_demo", "--size", "large")
    first = _row_counts()
    call_command("seed_demo", "--size", "large")
    assert _row_counts() == first
    assert Project.objects.count() > 200
    large = Person.objects.filter(email__endswith="@large.example.net")
    assert large.count() == 400
    assert not large.filter(involvement_consent_given=False).exists()
    assert ConsentRecord.objects.filter(person__in=large).count() == 400
    for model in (Invitation, Attendance, Payment, Vote, EvidenceRecord, LearningEntry):
        assert model.objects.count() > 200, model


def test_the_demo_shows_something_on_every_home_and_roster(client):
    call_command("seed_demo")
    client.force_login(User.objects.get(email="participant@example.org"))
    assert "Getting started together" in client.get(reverse("pages:me")).content.decode()

    client.force_login(User.objects.get(email="staff@example.org"))
    dashboard = client.get(reverse("pages:dashboard")).content.decode()
    assert "Getting started together" in dashboard
    assert "more needed" in dashboard
    project = Project.objects.open_to_join().first()
    roster = client.get(reverse("projects:roster", args=[project.slug])).content.decode()
    assert "people." in roster
    finder = client.get(reverse("projects:finder", args=[project.slug])).content.decode()
    assert 'name="people"' in finder


def test_the_demo_board_shows_you_said_and_the_participant_has_a_vote_to_cast(client):
    call_command("seed_demo")
    board = client.get(reverse("decisions:you_said_we_did", args=[Project.objects.first().slug]))
    assert "<dt>You said</dt>" in board.content.decode()

    client.force_login(User.objects.get(email="participant@example.org"))
    mine = client.get(reverse("decisions:my_decisions")).content.decode()
    assert "You have not voted yet." in mine
    assert "Save my vote" in mine
    assert "What happened:" in mine
