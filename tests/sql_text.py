"""What a page's queries read, whether a statement was written out in full or run as
one prepared earlier on the same connection (`EXECUTE name(...)`, on PostgreSQL), so that
tests looking at the tables and columns a page reads see the prepared statement's text."""

import re

from django.db import connection

_EXECUTE = re.compile(r"^EXECUTE (\w+)\(")


def statements_run(captured_queries: list[dict]) -> list[str]:
    """The SQL of each captured query, each EXECUTE replaced by what it runs (read after
    the capture, so it adds no query to it)."""
    statements = []
    for query in captured_queries:
        sql = query["sql"]
        executed = _EXECUTE.match(sql)
        if executed:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT statement FROM pg_prepared_statements WHERE name = %s",
                    [executed[1]],
                )
                sql = cursor.fetchone()[0]
        statements.append(sql)
    return statements
