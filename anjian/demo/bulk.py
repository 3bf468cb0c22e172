"""Writing many rows fast, for the demo and scale generators (never for user actions: those go
through services, audit included)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from datetime import UTC
from decimal import Decimal

from django.db import connection


class BulkWriter:
    """Bulk rows into a table: COPY on PostgreSQL, executemany in batches elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
                for start in range(0, len(rows), 2000):
                    cursor.executemany(sql, [tuple(map(sqlite_value, r)) for r in rows[start : start + 2000]])

    def reserve_ids(self, table: str, count: int) -> int:
        """The first of ``count`` consecutive ids nobody else will get."""
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = cursor.fetchone()[0]
                cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
                return cursor.fetchone()[0] - count + 1
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return cursor.fetchone()[0] + 1


def sqlite_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
