"""One helper for single values: a result is always read to its end (DuckDB 2 requires it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row of ``sql``, or ``None`` when it returns no row."""
    rows = con.execute(sql, list(params)).fetchall()
    return rows[0][0] if rows else None
