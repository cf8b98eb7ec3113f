"""The commissioner report reads from the read replica when one is configured, and nothing
else does; writes always go to the primary."""

import pytest
from django.db import router

from coprod.core import replica
from coprod.core.replica import REPLICA, ReplicaRouter, replica_reads
from evidence.models import ReportFigures
from evidence.selectors import report_for_project
from evidence.services_report_figures import report_figures_refresh
from projects.models import Project


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: dict(settings.DATABASES["default"])}


def test_reads_go_to_the_replica_only_inside_replica_reads(with_replica):
    assert ReplicaRouter().db_for_read(Project) is None
    with replica_reads():
        assert ReplicaRouter().db_for_read(Project) == REPLICA
        assert ReplicaRouter().db_for_write(Project) is None
    assert ReplicaRouter().db_for_read(Project) is None


def test_without_a_replica_everything_reads_from_the_primary(settings):
    assert REPLICA not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(Project) is None
        assert router.db_for_read(Project) == "default"


def test_nothing_is_migrated_on_the_replica():
    assert ReplicaRouter().allow_migrate(REPLICA, "projects") is False
    assert ReplicaRouter().allow_migrate("default", "projects") is None


def test_every_query_of_the_report_is_a_read_the_replica_may_serve(personas, monkeypatch):
    reads = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        reads.append((model.__name__, replica._reading_from_replica.get()))
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)

    report = report_for_project(personas.project)

    assert report["engagement"] is not None
    assert len(reads) > 10
    outside = [model for model, inside in reads if not inside]
    assert outside == []


def test_the_kept_report_figures_are_worked_out_from_the_replica_and_kept_on_the_primary(
    personas, monkeypatch
):
    reads = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        reads.append((model.__name__, replica._reading_from_replica.get()))
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)

    kept = report_figures_refresh(project=personas.project)

    counted = [model for model, inside in reads if model != "ReportFigures"]
    assert len(counted) > 10
    assert [model for model, inside in reads if not inside and model != "ReportFigures"] == []
    assert kept._state.db == "default"
    assert router.db_for_write(ReportFigures) == "default"
