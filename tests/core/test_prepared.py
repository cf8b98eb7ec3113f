"""coprod.core.prepared: fixed SQL prepared once per PostgreSQL connection, in the same
query as its first run, reused afterwards, read back as the plain SQL reads it, shown in
the query log with its text, and run plainly on SQLite or when turned off."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coprod.core import prepared
from coprod.core.compiled import CompiledQuery
from projects.models import Project
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

_SQL = f"SELECT name, slug FROM {Project._meta.db_table} WHERE slug = %s OR name = %s"  # noqa: S608


def _forget_prepared_statements() -> None:
    """As a new connection would be: nothing prepared on it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        prepared._prepared_on.pop(connection.connection, None)


def _read(name: str = "coprod_test_projects") -> tuple[list, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        rows = prepared.read(Project, _SQL, ["first", "Second project"], name=name)
    return sorted(rows), [query["sql"] for query in queries.captured_queries]


def _plain() -> list:
    with connection.cursor() as cursor:
        cursor.execute(_SQL, ["first", "Second project"])
        return sorted(cursor.fetchall())


def _prepared_statements() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.fixture
def projects(db):
    ProjectFactory(name="First project", slug="first")
    ProjectFactory(name="Second project", slug="second")
    ProjectFactory(name="Third project", slug="third")


def test_a_read_gives_what_the_plain_sql_gives_every_time(projects):
    _forget_prepared_statements()

    reads = [_read()[0] for _ in range(7)]

    assert reads[0] == _plain() == [("First project", "first"), ("Second project", "second")]
    assert all(rows == reads[0] for rows in reads)


def test_postgresql_prepares_in_the_first_query_then_only_executes(projects, postgres):
    _forget_prepared_statements()

    _, first = _read()
    later = [_read()[1] for _ in range(6)]

    assert len(first) == 1 and first[0].startswith("PREPARE coprod_test_projects_")
    assert all(
        len(run) == 1 and run[0].startswith("EXECUTE coprod_test_projects_") for run in later
    )
    # The log holds what was run: the statement's text, not only its name.
    assert f"FROM {Project._meta.db_table} WHERE slug = %s OR name = %s" in later[0][0]
    statements = _prepared_statements()
    assert len(statements) == 1
    # By the sixth run PostgreSQL plans the statement once for all the runs to come.
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans FROM pg_prepared_statements")
        assert cursor.fetchone()[0] > 0


def test_a_statement_lost_from_the_connection_is_prepared_again_after_one_failure(
    projects, postgres
):
    _read()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    with pytest.raises(Exception, match="does not exist"), connection.cursor() as cursor:
        cursor.execute("SAVEPOINT lost")
        try:
            _read()
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT lost")

    rows, run = _read()
    assert rows == _plain()
    assert run[0].startswith("PREPARE ")


def test_turned_off_or_on_sqlite_the_sql_runs_as_it_is(projects, settings):
    settings.COPROD_PREPARED_STATEMENTS = False
    _forget_prepared_statements()

    rows, run = _read("coprod_test_off")

    assert rows == _plain()
    assert run == [_SQL % ("'first'", "'Second project'")]
    if connection.vendor == "postgresql":
        assert _prepared_statements() == {}


def test_a_statement_with_a_comment_end_in_it_is_refused(projects, postgres):
    with pytest.raises(ValueError, match="cannot hold"):
        prepared.read(Project, "SELECT 1 /* x */ WHERE %s", [True])


def test_a_compiled_query_is_prepared_once_and_reads_what_the_orm_reads(projects, postgres):
    _forget_prepared_statements()
    compiled = CompiledQuery(
        lambda slug: Project.objects.filter(slug=slug).values_list("name"), slug=str
    )

    with CaptureQueriesContext(connection) as queries:
        reads = [compiled.rows(slug=slug) for slug in ("first", "second", "third", "none")]
        paged = compiled.rows(slug="first", limit=1)

    assert reads == [[("First project",)], [("Second project",)], [("Third project",)], []]
    assert paged == [("First project",)]
    runs = [query["sql"] for query in queries.captured_queries]
    assert [run.split()[0] for run in runs] == [
        "PREPARE",
        "EXECUTE",
        "EXECUTE",
        "EXECUTE",
        "PREPARE",
    ]
    assert len(_prepared_statements()) == 2


def test_statements_not_named_are_named_by_their_text(projects, postgres):
    _forget_prepared_statements()
    other = f"SELECT slug FROM {Project._meta.db_table} WHERE slug = %s"  # noqa: S608

    for _ in range(2):
        first = prepared.read(Project, _SQL, ["first", "none"])
        second = prepared.read(Project, other, ["second"])

    assert first == [("First project", "first")] and second == [("second",)]
    statements = _prepared_statements()
    assert len(statements) == 2
    prepared_texts = [
        text.split(" AS ", 1)[1].split("; EXECUTE")[0] for text in statements.values()
    ]
    assert sorted(prepared_texts) == sorted(
        sql.replace("%s", "$1", 1).replace("%s", "$2") for sql in (_SQL, other)
    )
