"""Fixed SQL that busy pages run on every visit, prepared once per PostgreSQL connection.

PostgreSQL plans a statement each time it is sent. For the short reads a page makes,
planning took from a sixth of the time of running them to three times as long (the
roster's summary). A statement prepared once per connection (PREPARE, then EXECUTE) is
planned for that connection once PostgreSQL has found, by its fifth run, that the plan
does not depend on the values. The PREPARE goes in the same round trip as the first run,
so to anyone counting queries nothing changes. SQLite, which plans in microseconds, runs
the SQL as it is.

A statement lives as long as the database session, whatever happens to the transaction it
was prepared in. Anything that resets sessions behind Django's back (PgBouncer in
transaction pooling mode) would lose them: turn this off there with
COPROD_PREPARED_STATEMENTS=false.

The query log shows `EXECUTE name(...)` followed by the statement's text in a comment, so
tests that look at what a page reads see it.
"""

import functools
import hashlib
import itertools
import re
import weakref

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

# What each PostgreSQL connection has prepared: the name each statement was prepared under,
# by the statement's own name.
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_preparations = itertools.count()
# The ORM's converters for the columns each read gives (SQLite's dates, UUIDs and
# booleans; none on PostgreSQL), by the id of the connection and the statement.
_converters_on: dict[tuple, tuple] = {}


def execute(
    connection: BaseDatabaseWrapper, cursor, sql: str, params, *, name: str | None = None
) -> None:
    """Runs `sql` with `params` (one %s each) on `cursor`: on PostgreSQL as a statement
    prepared on this connection, prepared now if it is not yet. Its `name` (by default one
    made from the text) must always mean the same `sql`."""
    if connection.vendor != "postgresql" or not settings.COPROD_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name = name or _name_for(sql)
    names = _prepared_on.setdefault(connection.connection, {})
    prepared_as = names.pop(name, None)
    if prepared_as is None:
        # A new name each time it is prepared: a statement outlives the transaction it was
        # prepared in, even one that failed after preparing it, and the same name could not
        # be prepared again.
        prepared_as = f"{name}_{next(_preparations)}"
        numbered = iter(range(1, len(params) + 1))
        numbered_sql = re.sub("%s", lambda _: f"${next(numbered)}", sql)
        run = f"PREPARE {prepared_as} AS {numbered_sql}; "
    else:
        run = ""
    run += f"EXECUTE {prepared_as}" + (f"({', '.join(['%s'] * len(params))})" if params else "")
    # The statement's text goes along in a comment, which PostgreSQL skips: whatever logs
    # or tests what was run (the query log, pg_stat_activity) sees what it reads.
    cursor.execute(f"{run} /* {_commented(sql)} */", params)
    # Kept only once it has run: after an error it is prepared afresh.
    names[name] = prepared_as


@functools.cache
def _name_for(sql: str) -> str:
    return "coprod_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()


def _commented(sql: str) -> str:
    if "*/" in sql:
        raise ValueError("A prepared statement's text cannot hold '*/'.")
    # As text, not placeholders, where the driver puts in the values.
    return sql.replace("%", "%%")


def read(model, sql: str, params, *, name: str | None = None, fields=()) -> list:
    """The rows of `sql`, run as by `execute` on the database the router reads `model`
    from (the replica, inside coprod.core.replica.replica_reads). `fields` are the model
    fields of the first columns, whose values are converted as the ORM converts them
    (SQLite gives dates and UUIDs as text)."""
    connection = connections[router.db_for_read(model)]
    with connection.cursor() as cursor:
        execute(connection, cursor, sql, params, name=name)
        rows = cursor.fetchall()
    converters = _column_converters(connection, sql, fields)
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for index, field_converters, column in converters:
            for converter in field_converters:
                row[index] = converter(row[index], column, connection)
        converted.append(row)
    return converted


def _column_converters(connection, sql: str, fields) -> list[tuple]:
    if not fields:
        return []
    key = (id(connection), sql)
    found = _converters_on.get(key)
    if found is None or found[0] is not connection:
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(field.model._meta.db_table)
            field_converters = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            if field_converters:
                converters.append((index, field_converters, column))
        found = _converters_on[key] = (connection, converters)
    return found[1]
