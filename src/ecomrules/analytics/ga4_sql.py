"""GA4 exports at scale: the mapping of :func:`~ecomrules.analytics.readers.web.ga4_event` in SQL.

A year of a shop's GA4 export is tens of millions of rows: read row by row in
Python it takes minutes. For the files DuckDB reads itself (Parquet, as
BigQuery exports it, and newline-delimited JSON), the rows are mapped by one
SQL statement with no Python per row; the mapping is the same as the Python
reader's, rule for rule (placeholders, source precedence, click ids, the event
key, revenue rounded half-even to the currency's minor units), and a test
compares both on the same files.

Rows that lack what an event needs (name, timestamp, user) are counted and
refused with their record numbers, as the Python reader refuses them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

import duckdb
import pyarrow as pa

from ecomrules._iso4217 import CURRENCIES
from ecomrules.analytics._sql import scalar
from ecomrules.analytics.readers.common import PLACEHOLDERS
from ecomrules.analytics.readers.web import GA4_STEPS

__all__ = ["bulk_kind", "load_ga4_bulk"]

_JSON_COLUMNS: Final = {
    "event_timestamp": "VARCHAR",
    "event_name": "VARCHAR",
    "user_pseudo_id": "VARCHAR",
    "user_id": "VARCHAR",
    "event_bundle_sequence_id": "VARCHAR",
    "event_params": (
        "STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value VARCHAR, "
        "float_value DOUBLE, double_value DOUBLE))[]"
    ),
    "device": "STRUCT(category VARCHAR)",
    "geo": "STRUCT(country VARCHAR)",
    "traffic_source": "STRUCT(source VARCHAR, medium VARCHAR, name VARCHAR)",
    "collected_traffic_source": (
        "STRUCT(manual_source VARCHAR, manual_medium VARCHAR, "
        "manual_campaign_name VARCHAR, gclid VARCHAR)"
    ),
    "ecommerce": "STRUCT(purchase_revenue DOUBLE, transaction_id VARCHAR)",
}


_SPAN_MARGIN: Final = dt.timedelta(days=1)
"""How far beyond a file's first and last event the stored events are checked for repeats."""

_INTEGERS: Final = frozenset({"BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "UINTEGER"})


def bulk_kind(path: Path) -> str | None:
    """``"parquet"`` or ``"ndjson"`` when DuckDB can read the file itself, else ``None``."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".ndjson", ".jsonl"):
        return "ndjson"
    return None


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _relation(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> tuple[str, bool]:
    """A SELECT of the columns the mapping needs, NULL for those the file lacks.

    The flag says whether the timestamps are integers already (Parquet's
    INT64), which spares a cast to text and back.
    """
    if kind == "ndjson":
        columns = (
            "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in _JSON_COLUMNS.items()) + "}"
        )
        return (
            f"SELECT * FROM read_json({_quote(str(path))}, format='newline_delimited', "
            f"columns={columns}, maximum_object_size=16777216)"
        ), False
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(str(path))})").fetchall()
    present = {str(row[0]).lower(): str(row[0]) for row in described}
    types = {str(row[0]).lower(): str(row[1]) for row in described}
    select = []
    for name in _JSON_COLUMNS:
        if name in present:
            select.append(f'"{present[name]}" AS {name}')
        else:
            select.append(f"NULL AS {name}")
    integer_stamps = types.get("event_timestamp") in _INTEGERS
    return f"SELECT {', '.join(select)} FROM read_parquet({_quote(str(path))})", integer_stamps


def _steps_case() -> str:
    whens = " ".join(f"WHEN {_quote(k)} THEN {_quote(v)}" for k, v in GA4_STEPS.items())
    return f"CASE name {whens} END"


_PARAMS: Final = (
    "ga_session_id",
    "page_location",
    "currency",
    "value",
    "source",
    "medium",
    "campaign",
    "transaction_id",
)
"""The ``event_params`` the mapping reads; the text of the others is never made."""

_MAPPING: Final = """
WITH raw AS (
  SELECT {record} AS record, * FROM ({relation})
), k AS (
  SELECT *,
    list_transform(event_params, lambda e: e.key) AS param_keys,
    list_transform(event_params, lambda e: CASE WHEN e.key IN ({wanted})
      THEN ecr_text(e.value) END) AS param_texts
  FROM raw
), p AS (
  SELECT record,
    ecr_clean(event_name) AS name,
    CAST(event_timestamp AS VARCHAR) AS stamp,
    {micros} AS micros,
    coalesce(ecr_clean(user_pseudo_id), ecr_clean(user_id)) AS usr,
    CAST(event_bundle_sequence_id AS VARCHAR) AS bundle,
    ecr_param(param_keys, param_texts, 'ga_session_id') AS sid,
    ecr_param(param_keys, param_texts, 'page_location') AS location,
    ecr_param(param_keys, param_texts, 'currency') AS cur_text,
    ecr_param(param_keys, param_texts, 'value') AS value_text,
    coalesce(ecr_clean(collected_traffic_source.manual_source),
             ecr_clean(ecr_param(param_keys, param_texts, 'source')),
             ecr_clean(traffic_source.source)) AS src,
    coalesce(ecr_clean(collected_traffic_source.manual_medium),
             ecr_clean(ecr_param(param_keys, param_texts, 'medium')),
             ecr_clean(traffic_source.medium)) AS med,
    coalesce(ecr_clean(collected_traffic_source.manual_campaign_name),
             ecr_clean(ecr_param(param_keys, param_texts, 'campaign')),
             ecr_clean(traffic_source.name)) AS camp,
    ecr_clean(collected_traffic_source.gclid) AS click,
    ecr_clean(device.category) AS dev,
    ecr_clean(geo.country) AS ctry,
    coalesce(ecr_clean(ecommerce.transaction_id),
             ecr_clean(ecr_param(param_keys, param_texts, 'transaction_id'))) AS txn,
    CASE WHEN isnan(ecommerce.purchase_revenue) THEN NULL
         ELSE CAST(ecommerce.purchase_revenue AS VARCHAR) END AS purchase_text
  FROM k
), v AS (
  SELECT *, upper(ecr_clean(cur_text)) AS cur,
    CASE WHEN name = 'purchase' AND purchase_text IS NOT NULL THEN purchase_text
         ELSE value_text END AS amount_text
  FROM p
)
SELECT record, 'ga4' AS source,
  md5(concat_ws('|', coalesce(usr, ''), coalesce(stamp, ''), coalesce(name, ''),
                coalesce(bundle, ''), coalesce(sid, ''))) AS event_key,
  CASE WHEN sid IS NULL THEN usr ELSE usr || '.' || sid END AS session_key,
  usr AS user_key,
  make_timestamp(micros) AS ts,
  name AS event_name,
  {steps} AS step,
  src AS traffic_source, med AS medium, camp AS campaign,
  (click IS NOT NULL OR CASE WHEN contains(location, '=') THEN coalesce(regexp_matches(location,
      '[?&](gclid|gbraid|wbraid|dclid|msclkid)=', 'i'), false) ELSE false END) AS gclid,
  dev AS device, ctry AS country, txn AS transaction_id,
  CASE WHEN amount_text IS NOT NULL AND cur IS NOT NULL THEN
    CASE c.exponent
      WHEN 0 THEN CAST(round_even(TRY_CAST(amount_text AS DECIMAL(38, 10)), 0) AS DECIMAL(18, 3))
      WHEN 1 THEN CAST(round_even(TRY_CAST(amount_text AS DECIMAL(38, 10)), 1) AS DECIMAL(18, 3))
      WHEN 2 THEN CAST(round_even(TRY_CAST(amount_text AS DECIMAL(38, 10)), 2) AS DECIMAL(18, 3))
      WHEN 3 THEN CAST(round_even(TRY_CAST(amount_text AS DECIMAL(38, 10)), 3) AS DECIMAL(18, 3))
    END
  END AS revenue,
  CASE WHEN amount_text IS NOT NULL AND cur IS NOT NULL THEN cur END AS currency,
  c.exponent AS exponent, amount_text
FROM v LEFT JOIN ecr_currencies c ON c.code = v.cur
"""
"""The mapping, cheapest first: the params' keys and wanted texts are listed once
per row and each param found by its position (eight ``list_filter`` lambdas cost
twice as much); the click-id pattern runs only on locations with a query."""


def _mapping(relation: str, record: str, integer_stamps: bool) -> str:
    """The mapping's SQL; ``integer_stamps``: the export's timestamps are integers already."""
    micros = (
        "TRY_CAST(event_timestamp AS BIGINT)"
        if integer_stamps
        else "TRY_CAST(CAST(event_timestamp AS VARCHAR) AS BIGINT)"
    )
    return _MAPPING.format(
        relation=relation,
        record=record,
        steps=_steps_case(),
        micros=micros,
        wanted=", ".join(_quote(k) for k in _PARAMS),
    )


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    placeholders = ", ".join(_quote(p) for p in sorted(PLACEHOLDERS))
    # The cheap test first: a placeholder starts with "(", "<" or "n", or the
    # value has white space to strip at either end; most values have neither.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ecr_clean(x) AS CASE "
        "WHEN ascii(x) IN (0, 9, 10, 13, 32, 40, 60, 78, 110) "
        "OR ascii(reverse(x)) IN (9, 10, 13, 32) THEN "
        f"CASE WHEN lower(trim(x, ' \t\r\n')) IN ({placeholders}) THEN NULL "
        "ELSE trim(x, ' \t\r\n') END "
        "ELSE x END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ecr_param(keys, texts, k) AS texts[list_position(keys, k)]"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ecr_text(v) AS CASE "
        "WHEN v.string_value IS NOT NULL THEN v.string_value "
        "WHEN v.int_value IS NOT NULL THEN CAST(v.int_value AS VARCHAR) "
        "WHEN NOT isnan(v.double_value) THEN CAST(v.double_value AS VARCHAR) "
        "WHEN NOT isnan(v.float_value) THEN CAST(v.float_value AS VARCHAR) END"
    )
    codes = [(code, units) for code, (_, units, _) in CURRENCIES.items() if units is not None]
    con.register(
        "ecr_currencies",
        pa.table({"code": [c for c, _ in codes], "exponent": [u for _, u in codes]}),
    )


def _diagnose(
    con: duckdb.DuckDBPyConnection, relation: str, integer_stamps: bool, path: Path
) -> list[str]:
    """The records a load refused, by number: a second pass, taken only when one is refused."""
    sql = _mapping(relation, "row_number() OVER ()", integer_stamps)
    rows = con.execute(
        f"SELECT record, event_name IS NULL OR ts IS NULL OR user_key IS NULL, currency "
        f"FROM ({sql}) WHERE event_name IS NULL OR ts IS NULL OR user_key IS NULL "
        "OR (currency IS NOT NULL AND (exponent IS NULL OR revenue IS NULL)) "
        "ORDER BY record LIMIT 50"
    ).fetchall()
    return [
        f"{path}:record {record}: fields 'event_name', 'event_timestamp' and "
        "'user_pseudo_id' are required"
        if missing
        else f"{path}:record {record}: field 'value': not an amount in {currency}"
        for record, missing, currency in rows
    ]


def load_ga4_bulk(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, int]:
    """Load a GA4 Parquet or NDJSON export; returns (events read, events new).

    The rows are mapped and appended in one pass, inside one transaction, and
    counted by that append (an NDJSON file is parsed once): a refused row (no
    name, time or user: the table's NOT NULL columns; an amount in an unknown
    currency) rolls the load back and refuses the file, and its record numbers
    come from a second pass that only a refusal pays for. Events already in the
    store, and events repeated inside the file, are then kept once, the one
    stored first: they are found by a distinct count of the keys' hashes (equal
    keys have equal hashes, so none is missed; a collision only costs the exact
    pass) and removed by a window over the keys only when there are some: most
    loads bring none, and that window would cost a third of the load.

    Both look only at the stored events of the time span the file covers
    (:data:`_SPAN_MARGIN` either side): a key holds the event's timestamp as
    exported, so equal keys have equal times (the margin covers a fractional
    stamp, which SQL rounds and the Python reader truncates). A day's export
    into a year's store is checked against that day, not the year.
    """
    from ecomrules.analytics.model import EVENTS
    from ecomrules.analytics.store import StoreError
    from ecomrules.errors import InputError

    kind = bulk_kind(path)
    if kind is None:
        raise StoreError(f"{path}: not a Parquet or NDJSON file")
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    relation, integer_stamps = "", False
    try:
        _prepare(con)
        relation, integer_stamps = _relation(con, path, kind)
        sql = _mapping(relation, "0", integer_stamps)
        columns = ", ".join(EVENTS.names)
        con.execute("BEGIN")
        try:
            before, last_stored = con.execute(
                "SELECT count(*), coalesce(max(rowid), -1) FROM events"
            ).fetchall()[0]
            read = int(scalar(con, f"INSERT INTO events SELECT {columns} FROM ({sql})"))
            # Rows appended by this transaction come after the stored ones in rowid order.
            first, last, unknown_amounts = con.execute(
                "SELECT min(ts), max(ts), count(*) FILTER (WHERE currency IS NOT NULL "
                "AND revenue IS NULL) FROM events WHERE rowid > ?",
                [last_stored],
            ).fetchall()[0]
            if unknown_amounts:
                raise _Refused
            span = "source = 'ga4' AND ts BETWEEN ? AND ?"
            bounds = [first - _SPAN_MARGIN, last + _SPAN_MARGIN] if read else []
            repeated = read and scalar(
                con,
                f"SELECT count(*) - count(DISTINCT hash(event_key)) FROM events WHERE {span}",
                bounds,
            )
            if repeated:
                con.execute(
                    "DELETE FROM events WHERE rowid IN (SELECT rowid FROM ("
                    "SELECT rowid, row_number() OVER (PARTITION BY event_key ORDER BY rowid) AS n "
                    f"FROM events WHERE {span}) WHERE n > 1)",
                    bounds,
                )
            after = int(scalar(con, "SELECT count(*) FROM events"))
        except (_Refused, duckdb.ConstraintException):
            con.execute("ROLLBACK")
            raise InputError(str(path), _diagnose(con, relation, integer_stamps, path)) from None
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    except duckdb.Error as exc:
        raise StoreError(f"{path}: cannot read this GA4 export: {exc}") from None
    return read, after - before


class _Refused(Exception):
    """A row the mapping could not turn into an event (internal: becomes an InputError)."""
