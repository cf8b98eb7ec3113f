"""Querysets a busy page runs on every visit, worked out to SQL once per process.

Building a queryset (its filters, joins and expressions) and compiling it to SQL costs the
ORM from half a millisecond to a millisecond and a half of CPU each time, more than the
database takes to answer it: on a project's payments page that was a third of the visit.
A CompiledQuery builds its queryset once, with stand-in values for what changes between
visits, keeps the SQL and the ORM's converters for the columns (dates, decimals, UUIDs,
encrypted fields), and from then on only puts each visit's values in place of the stand-ins.

Only values_list() querysets, and only these kinds of value: whole numbers, text, dates,
UUIDs, and lists of whole numbers (an `in` lookup). A list's SQL has one placeholder per
item, so each list is padded (repeating its last item, which an `in` lookup ignores) to the
next power of two, and the query is compiled once for each size met.
"""

import itertools
import uuid
from collections.abc import Callable
from datetime import date, datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone

from coprod.core import prepared

# Stand-ins: values no real row or constant of a query has, so each is found in the
# compiled parameters only where the value it stands for goes.
_FIRST_NUMBER = -987_654_000
_FIRST_DAY = date(1901, 1, 1)
_FIRST_UUID = uuid.UUID("00000000-0000-0000-0000-000987654000")
# A name for each compiled statement, under which coprod.core.prepared prepares it.
_names = itertools.count()


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        """`build(**values)` returns the values_list queryset; `kinds` names each value's
        kind: int, str, date or list (of whole numbers)."""
        self.build = build
        self.kinds = kinds
        self.compiled: dict[tuple, tuple] = {}

    def rows(self, *, limit: int | None = None, offset: int = 0, **values) -> list[tuple]:
        """The rows for these values, as the queryset would give them; `limit` and
        `offset` page them as slicing the queryset would."""
        connection = connections[DEFAULT_DB_ALIAS]
        if any(not values[name] for name, kind in self.kinds.items() if kind is list):
            return []  # `in` an empty list matches nothing
        sizes = tuple(
            _padded_size(len(values[name])) for name, kind in self.kinds.items() if kind is list
        )
        # The SQL holds the current time zone where the query turns a moment into a day.
        key = (id(connection), timezone.get_current_timezone_name(), sizes)
        found = self.compiled.get(key)
        if found is None or found[0] is not connection:
            statement = f"coprod_compiled_{next(_names)}"
            found = self.compiled[key] = (connection, statement, *self._compile(connection, sizes))
        _, statement, sql, params, places, compiler, converters = found
        params = list(params)
        for name, indexes in places.items():
            value = values[name]
            if self.kinds[name] is list:
                value = list(value)
                value += value[-1:] * (len(indexes) - len(value))
                for index, item in zip(indexes, value, strict=True):
                    params[index] = item
                continue
            if self.kinds[name] is date:
                value = connection.ops.adapt_datefield_value(value)
            elif self.kinds[name] is uuid.UUID:
                value = _adapt_uuid(connection, value)
            for index in indexes:
                params[index] = value
        if limit is not None:
            sql, statement = f"{sql} LIMIT %s OFFSET %s", f"{statement}_paged"
            params += [limit, offset]
        with connection.cursor() as cursor:
            prepared.execute(connection, cursor, sql, params, name=statement)
            fetched = cursor.fetchall()
        if not converters:
            return fetched
        # As compiler.results_iter() converts them, with the converters found once.
        return list(map(tuple, compiler.apply_converters(fetched, converters)))

    def _compile(self, connection, sizes: tuple[int, ...]) -> tuple:
        stand_ins, lists = {}, iter(sizes)
        number, day, some_uuid = _FIRST_NUMBER, _FIRST_DAY, _FIRST_UUID
        for name, kind in self.kinds.items():
            if kind is int:
                stand_ins[name], number = number, number - 1
            elif kind is str:
                stand_ins[name] = f"~stand-in for {name}~"
            elif kind is date:
                stand_ins[name], day = day, date(day.year + 1, 1, 1)
            elif kind is uuid.UUID:
                stand_ins[name], some_uuid = some_uuid, uuid.UUID(int=some_uuid.int + 1)
            elif kind is list:
                size = next(lists)
                stand_ins[name] = list(range(number, number - size, -1))
                number -= size
            else:
                raise TypeError(f"CompiledQuery cannot stand in for a {kind.__name__}: {name}")
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        places = {}
        for name, stand_in in stand_ins.items():
            if isinstance(stand_in, list):
                places[name] = [_only_place(params, item, name) for item in stand_in]
                continue
            if isinstance(stand_in, date) and not isinstance(stand_in, datetime):
                stand_in = connection.ops.adapt_datefield_value(stand_in)
            elif isinstance(stand_in, uuid.UUID):
                stand_in = _adapt_uuid(connection, stand_in)
            places[name] = [index for index, param in enumerate(params) if param == stand_in]
            if not places[name]:
                raise ValueError(f"CompiledQuery: the query does not use {name}")
        # The ORM's converters for the columns read (dates, decimals, UUIDs, encrypted
        # fields), found once: finding them took a tenth of a millisecond a query.
        fields = [column for column, *_ in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise TypeError("CompiledQuery does not read composite fields")
        converters = compiler.get_converters(fields)
        return sql, tuple(params), places, compiler, converters


def _adapt_uuid(connection, value: uuid.UUID) -> uuid.UUID | str:
    # As UUIDField.get_db_prep_value: the UUID itself, or its 32 hex digits where the
    # database has no UUID type (SQLite).
    return value if connection.features.has_native_uuid_field else value.hex


def _only_place(params, item, name: str) -> int:
    indexes = [index for index, param in enumerate(params) if param == item]
    if len(indexes) != 1:
        raise ValueError(f"CompiledQuery: each item of {name} must appear once in the query")
    return indexes[0]


def _padded_size(count: int) -> int:
    size = 1
    while size < count:
        size *= 2
    return size
