"""Dunning on Apache Spark: the embedded engine's plan, over DataFrames, by groups of customers.

:func:`plan_frames` takes the open items, the customers and the dunning
history as Spark DataFrames (or Parquet/CSV paths), a policy and an explicit
``as_of``, and returns a :class:`SparkDunningPlan`: the notices, holds, claims
and issues as DataFrames whose columns carry the names and values of the
embedded plan's JSON (``ecomrules dunning plan --json``). Amounts and dates
are the JSON's exact text (``CAST(amount AS DECIMAL(38, 4))`` in SQL), never a
float.

How it runs, and why its decisions are the embedded engine's:

- every decision of a plan is a customer's: its items' levels and holds, the
  minimum interval and minimum amount, the notice, its charges and totals.
  The rows are sent to a *bucket* of customers (``pmod(xxhash64(customer),
  buckets)``), and :func:`ecomrules.dunning.engine.keyed_plan` (the engine's
  own code, not a copy) plans each bucket through Arrow
  (``groupBy("bucket").applyInArrow``): one Python call per bucket, many
  customers each, never one per item;
- a history record goes to every bucket whose customers it concerns: an
  event or a charge to its customer's bucket and to the bucket of the item's
  customer (when another customer holds the item now), a block to its item's
  customer, a pause to its customer. A charge is a claim of its own
  customer's bucket only, so none is reported twice;
- what is global is done once on the driver and closed over: the policy
  (rates, holidays and all), ``as_of``, the payments in transit and the
  bank-data check; an item id given twice is refused before planning (the
  embedded engine refuses it too);
- the buckets' issues are merged by their keys (an outdated rate table is
  reported once) and sorted as the embedded engine sorts them.

Each bucket's rows are checked by the input layout's own rules
(:data:`~ecomrules.inputs.OPEN_ITEMS`, :data:`~ecomrules.inputs.CUSTOMERS`,
:func:`~ecomrules.inputs.table.arrow_columns`); a bad cell is an
:class:`~ecomrules.errors.InputError`, and when the input was a CSV file it
is read again by the library's reader so the error names file, line and
column. Anything else that fails in a bucket is a
:class:`~ecomrules.errors.SparkError` naming the bucket and its first
customer.

Decide, then apply: this engine only plans. Recording a plan as sent stays
with the history's store (:func:`ecomrules.dunning.commit_plan`, the
workspace); the plan is computed once, kept (``persist``) until
:meth:`SparkDunningPlan.unpersist`, and written by :meth:`SparkDunningPlan.write`
to a temporary directory renamed into place, so a failed run leaves no output
that looks complete.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ecomrules.dunning.engine import keyed_plan
from ecomrules.dunning.history import (
    ChargeKind,
    CustomerPause,
    DunningCharge,
    DunningEvent,
    DunningHistory,
    ItemBlock,
)
from ecomrules.dunning.plan import DunningPlan, charge_json
from ecomrules.dunning.policy import DunningPolicy
from ecomrules.errors import EcomrulesError, InputError, SparkError
from ecomrules.inputs.customers import CUSTOMERS, customers_of
from ecomrules.inputs.layout import Layout
from ecomrules.inputs.open_items import OPEN_ITEMS, open_items_of
from ecomrules.inputs.table import arrow_columns, read_table
from ecomrules.money import Currency, Money
from ecomrules.parsing.model import StatementLine
from ecomrules.sparkrun import SparkTable, first_line, layout_frame, row_problems

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "HISTORY_COLUMNS",
    "TABLES",
    "BucketPlanner",
    "SparkDunningPlan",
    "SparkHistory",
    "plan_frames",
]

HISTORY_COLUMNS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "events": (
        ("item_id", "string", True),
        ("customer_id", "string", True),
        ("level", "string", True),
        ("rank", "int", True),
        ("sent_on", "date", True),
        ("key", "string", True),
        ("notice_key", "string", False),
        ("block_credit", "boolean", False),
        ("handover", "string", False),
    ),
    "charges": (
        ("key", "string", True),
        ("customer_id", "string", True),
        ("item_id", "string", False),
        ("kind", "string", True),
        ("level", "string", True),
        ("currency", "string", True),
        ("amount", "string", True),
        ("paid", "string", False),
        ("charged_on", "date", True),
        ("period_end", "date", False),
    ),
    "blocks": (("item_id", "string", True), ("until", "date", False), ("note", "string", False)),
    "pauses": (
        ("customer_id", "string", True),
        ("until", "date", False),
        ("note", "string", False),
    ),
}
"""The history DataFrames' columns (name, Spark type, required): the workspace store's tables
(``dunning_events``, ``dunning_charges``, ``dunning_blocks``, ``dunning_pauses``)."""

_TEXT = pa.string()
_REASON = pa.struct([("code", _TEXT), ("message", _TEXT), ("data", _TEXT)])
_NOTICE_ITEM = pa.struct(
    [
        ("item_id", _TEXT),
        ("number", _TEXT),
        ("level", _TEXT),
        ("rank", pa.int32()),
        ("amount_due", _TEXT),
        ("currency", _TEXT),
        ("due_date", _TEXT),
        ("days_overdue", pa.int32()),
        ("idempotency_key", _TEXT),
    ]
)
_CHARGE = pa.struct(
    [
        ("key", _TEXT),
        ("kind", _TEXT),
        ("item_id", _TEXT),
        ("level", _TEXT),
        ("amount", _TEXT),
        ("currency", _TEXT),
        ("basis", _TEXT),
        ("rate", _TEXT),
        ("period", pa.list_(_TEXT)),
    ]
)
_OPEN_CHARGE = [
    ("key", _TEXT),
    ("kind", _TEXT),
    ("item_id", _TEXT),
    ("level", _TEXT),
    ("open_amount", _TEXT),
    ("currency", _TEXT),
    ("charged_on", _TEXT),
]
TABLES: dict[str, pa.StructType] = {
    "notices": pa.struct(
        [
            ("customer_id", _TEXT),
            ("customer_name", _TEXT),
            ("level", _TEXT),
            ("rank", pa.int32()),
            ("channel", _TEXT),
            ("template", _TEXT),
            ("language", _TEXT),
            ("items", pa.list_(_NOTICE_ITEM)),
            ("fees", pa.list_(_CHARGE)),
            ("interest", pa.list_(_CHARGE)),
            ("open_charges", pa.list_(pa.struct(_OPEN_CHARGE))),
            ("totals", pa.list_(pa.struct([("amount", _TEXT), ("currency", _TEXT)]))),
            ("block_credit", pa.bool_()),
            ("handover", _TEXT),
            ("idempotency_key", _TEXT),
            ("reasons", pa.list_(_REASON)),
        ]
    ),
    "holds": pa.struct(
        [
            ("item_id", _TEXT),
            ("customer_id", _TEXT),
            ("level", _TEXT),
            ("reason", _TEXT),
            ("message", _TEXT),
            ("data", _TEXT),
        ]
    ),
    "claims": pa.struct([("customer_id", _TEXT), *_OPEN_CHARGE]),
    "issues": pa.struct(
        [
            ("key", _TEXT),
            ("severity", _TEXT),
            ("code", _TEXT),
            ("message", _TEXT),
            ("location", _TEXT),
        ]
    ),
}
"""The plan's tables and their columns: the JSON's keys (``data`` of a reason is its JSON text);
claims add ``customer_id`` and issues ``key``, by which the JSON orders them."""

_OUTPUT = pa.schema([("table", _TEXT), *((name, kind) for name, kind in TABLES.items())])
_KINDS = ("items", "ids", "customers", "events", "charges", "blocks", "pauses")
_MARK = "ECOMRULES-BUCKET-FAILURE:"
_ORDER = {
    "notices": ("customer_id",),
    "holds": ("customer_id", "item_id"),
    "claims": ("customer_id", "key"),
    "issues": ("key",),
}


@dataclass(frozen=True)
class SparkHistory:
    """The dunning history as DataFrames (or Parquet/CSV paths); each part may be absent.

    Columns: :data:`HISTORY_COLUMNS`. :meth:`of` turns an in-memory
    :class:`~ecomrules.dunning.DunningHistory` (the workspace's) into one.
    """

    events: Any = None
    charges: Any = None
    blocks: Any = None
    pauses: Any = None

    @classmethod
    def of(cls, spark: SparkSession, history: DunningHistory) -> SparkHistory:
        """The DataFrames of an in-memory history (built on the driver, through Arrow)."""
        rows: dict[str, list[tuple[Any, ...]]] = {
            "events": [
                (
                    e.item_id,
                    e.customer_id,
                    e.level,
                    e.rank,
                    e.sent_on,
                    e.key,
                    e.notice_key,
                    e.block_credit,
                    e.handover,
                )
                for e in history.events
            ],
            "charges": [
                (
                    c.key,
                    c.customer_id,
                    c.item_id,
                    c.kind.value,
                    c.level,
                    c.amount.currency.code,
                    str(c.amount.amount),
                    None if c.paid is None else str(c.paid.amount),
                    c.charged_on,
                    c.period_end,
                )
                for c in history.charges
            ],
            "blocks": [(b.item_id, b.until, b.note) for b in history.blocks],
            "pauses": [(p.customer_id, p.until, p.note) for p in history.pauses],
        }
        frames = {}
        for name, records in rows.items():
            schema = pa.schema([(n, _arrow_type(t)) for n, t, _ in HISTORY_COLUMNS[name]])
            columns: list[Sequence[Any]] = (
                list(zip(*records, strict=True)) if records else [()] * len(schema)
            )
            table = pa.Table.from_arrays(
                [pa.array(list(c), f.type) for c, f in zip(columns, schema, strict=True)],
                schema=schema,
            )
            frames[name] = spark.createDataFrame(table)
        return cls(**frames)


def _arrow_type(name: str) -> pa.DataType:
    return {"string": pa.string(), "int": pa.int32(), "date": pa.date32(), "boolean": pa.bool_()}[
        name
    ]


@dataclass
class SparkDunningPlan:
    """A plan computed on Spark: its tables as DataFrames, kept until :meth:`unpersist`."""

    as_of: date
    policy: str
    frame: Any = field(repr=False)
    counts: dict[str, int] = field(default_factory=dict)

    def table(self, name: str) -> DataFrame:
        """One table (``notices``, ``holds``, ``claims``, ``issues``) with its JSON columns."""
        if name not in TABLES:
            raise ValueError(f"no table {name!r}: {', '.join(TABLES)}")
        frame: DataFrame = self.frame.where(f"table = '{name}'").select(f"{name}.*")
        if name == "issues":  # raised in several buckets (an outdated rate table): once
            frame = frame.dropDuplicates(["key"])
        return frame

    notices = SparkTable("The notices, one row per customer.")
    holds = SparkTable("The holds, one row per item held today.")
    claims = SparkTable("The charges of earlier runs still unpaid.")
    issues = SparkTable("The plan's warnings (an outdated rate table, a missing rate).")

    def to_json(self) -> dict[str, Any]:
        """The plan collected to the driver as the embedded ``DunningPlan.to_json()`` document.

        For tests and small books: a large book's tables stay on the cluster
        (:meth:`write`).
        """
        document: dict[str, Any] = {"as_of": self.as_of.isoformat(), "policy": self.policy}
        tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
        for row in self.frame.collect():  # one pass over the kept plan
            name = row["table"]
            tables[name].append(row[name].asDict(recursive=True))
        unique = {row["key"]: row for row in tables["issues"]}
        tables["issues"] = list(unique.values())
        for name, rows in tables.items():
            rows.sort(key=lambda row: tuple(row[key] for key in _ORDER[name]))
            document[name] = [_json_row(name, row) for row in rows]
        return document

    def write(self, out: str | Path, *, mode: str = "error") -> dict[str, int]:
        """Write each table as a Parquet dataset under ``out`` (``out/notices``...).

        The datasets are written to a sibling temporary directory, marked
        ``_SUCCESS`` when all are there, and renamed to ``out`` last: a run
        that fails leaves no ``out``. ``mode="overwrite"`` replaces an
        existing ``out`` (after the new one is complete). ``out`` is a path
        the driver can rename (local or mounted); returns the row counts.
        """
        target = Path(out)
        if target.exists() and mode != "overwrite":
            raise SparkError(f"{target} exists: choose another --out (or overwrite)")
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.partial")
        try:
            for name in TABLES:
                frame = self.table(name)
                frame.write.mode("error").parquet(str(staging / name))
            (staging / "_SUCCESS").write_text(
                json.dumps({"as_of": self.as_of.isoformat(), "policy": self.policy, **self.counts})
                + "\n",
                encoding="utf-8",
            )
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        except Exception as error:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, EcomrulesError):
                raise
            raise SparkError(f"writing the plan to {target} failed: {first_line(error)}") from None
        return dict(self.counts)

    def unpersist(self) -> None:
        """Let Spark drop the kept plan."""
        self.frame.unpersist()


def _json_row(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """A table row as the embedded JSON writes it."""
    if name == "notices":
        row["reasons"] = [_reason(reason) for reason in row["reasons"]]
        row["fees"] = [_charge(charge) for charge in row["fees"]]
        row["interest"] = [_charge(charge) for charge in row["interest"]]
        return row
    if name == "holds":
        data = row.pop("data")
        if data is not None:
            row["data"] = json.loads(data)
        return row
    if name == "claims":
        del row["customer_id"]
        return row
    del row["key"]
    return row


def _reason(reason: dict[str, Any]) -> dict[str, Any]:
    data = reason.pop("data")
    if data is not None:
        reason["data"] = json.loads(data)
    return reason


def _charge(charge: dict[str, Any]) -> dict[str, Any]:
    for key in ("basis", "rate", "period"):
        if charge[key] is None:
            del charge[key]
    return charge


class BucketPlanner:
    """Plan one bucket of customers: Arrow rows in, the plan's rows out (runs on the executors).

    Everything global is held here and shipped with the function: the
    policy, ``as_of``, the payments in transit, the bank data's date, the
    input names for error messages.
    """

    def __init__(
        self,
        policy: DunningPolicy,
        as_of: date,
        in_transit: Sequence[StatementLine],
        bank_data_as_of: date | None,
        sources: Mapping[str, str],
        buckets: int,
    ) -> None:
        self.policy = policy
        self.as_of = as_of
        self.in_transit = tuple(in_transit)
        self.bank_data_as_of = bank_data_as_of
        self.sources = dict(sources)
        self.buckets = buckets

    def __call__(self, table: pa.Table) -> pa.Table:
        bucket = table.column("bucket")[0].as_py() if table.num_rows else -1
        try:
            return self.plan(table)
        except InputError as error:
            payload: dict[str, Any] = {"input": error.source, "problems": list(error.problems)}
        except Exception as error:  # any other failure names its bucket
            customers = self._part(table, "customers", ["id"])
            first = min(customers.column("id").to_pylist(), default=None)
            payload = {
                "bucket": bucket,
                "buckets": self.buckets,
                "first_customer": first,
                "error": first_line(error),
            }
        encoded = base64.b64encode(json.dumps(payload).encode()).decode()
        raise RuntimeError(f"{_MARK}{encoded}.")

    @staticmethod
    def _part(table: pa.Table, kind: str, names: Sequence[str] | None = None) -> pa.Table:
        rows = table.filter(pc.equal(table.column("kind"), kind))
        part = pa.Table.from_struct_array(rows.column(kind).combine_chunks())
        return part if names is None else part.select(list(names))

    def plan(self, table: pa.Table) -> pa.Table:
        """The bucket's plan as rows of :data:`TABLES`."""
        self._unique(self._part(table, "ids").column("id"))
        items = open_items_of(self._checked(self._part(table, "items"), OPEN_ITEMS, "items"))
        people = customers_of(self._checked(self._part(table, "customers"), CUSTOMERS, "customers"))
        charges = self._part(table, "charges")
        at_home = table.filter(pc.equal(table.column("kind"), "charges")).column("home")
        claimants = set(pc.filter(charges.column("customer_id"), at_home).to_pylist())
        history = DunningHistory(
            _events(self._part(table, "events")),
            _charges(charges, self.sources["charges"]),
            _blocks(self._part(table, "blocks")),
            _pauses(self._part(table, "pauses")),
        )
        result, keys = keyed_plan(
            items,
            people,
            history,
            self.policy,
            self.as_of,
            in_transit=self.in_transit,
            bank_data_as_of=self.bank_data_as_of,
        )
        return plan_rows(result, keys, claimants)

    def _unique(self, ids: pa.ChunkedArray) -> None:
        """Item ids are routed by their own hash too: an id given twice meets itself here."""
        counts = pc.value_counts(ids)
        twice = pc.filter(counts, pc.greater(counts.field("counts"), 1)).to_pylist()
        if twice:
            source = self.sources["items"]
            raise InputError(
                source,
                [
                    f"{source}: column 'id': open item id {row['values']!r} appears "
                    f"{row['counts']} times"
                    for row in sorted(twice, key=lambda row: str(row["values"]))
                ],
            )

    def _checked(self, part: pa.Table, layout: Layout, kind: str) -> Any:
        checked = arrow_columns(part, layout)
        if checked is not None:
            return checked
        source = self.sources[kind]
        raise InputError(source, row_problems(part, layout, source))


def _rows(part: pa.Table, names: Sequence[str]) -> Iterable[tuple[Any, ...]]:
    return zip(*(part.column(name).to_pylist() for name in names), strict=True)


def _events(part: pa.Table) -> list[DunningEvent]:
    names = [name for name, _, _ in HISTORY_COLUMNS["events"]]
    return [
        DunningEvent(
            item_id,
            customer_id,
            level,
            rank,
            sent_on,
            key,
            notice_key or "",
            bool(block_credit),
            handover,
        )
        for (
            item_id,
            customer_id,
            level,
            rank,
            sent_on,
            key,
            notice_key,
            block_credit,
            handover,
        ) in _rows(part, names)
    ]


def _charges(part: pa.Table, source: str) -> list[DunningCharge]:
    names = [name for name, _, _ in HISTORY_COLUMNS["charges"]]
    out = []
    for key, customer_id, item_id, kind, level, code, amount, paid, charged_on, end in _rows(
        part, names
    ):
        try:
            currency = Currency.of(code)
            out.append(
                DunningCharge(
                    key,
                    customer_id,
                    item_id,
                    ChargeKind(kind),
                    level,
                    Money(Decimal(amount), currency),
                    charged_on,
                    None if paid is None else Money(Decimal(paid), currency),
                    end,
                )
            )
        except (ValueError, InvalidOperation, EcomrulesError) as error:
            raise InputError(source, [f"{source}: charge {key!r}: {error}"]) from None
    return out


def _blocks(part: pa.Table) -> list[ItemBlock]:
    return [
        ItemBlock(item_id, until, note or "")
        for item_id, until, note in _rows(part, ("item_id", "until", "note"))
    ]


def _pauses(part: pa.Table) -> list[CustomerPause]:
    return [
        CustomerPause(customer_id, until, note or "")
        for customer_id, until, note in _rows(part, ("customer_id", "until", "note"))
    ]


def plan_rows(result: DunningPlan, keys: Sequence[str], claimants: set[str]) -> pa.Table:
    """A bucket's plan as rows of the output schema: one per notice, hold, claim, issue.

    ``claimants`` are the customers whose charges have this bucket as home:
    only their claims are reported here.
    """
    rows: list[dict[str, Any]] = []
    for notice in result.notices:
        data = notice.to_json()
        for reason in data["reasons"]:
            reason["data"] = _data(reason)
        for charge in (*data["fees"], *data["interest"]):
            for key in ("basis", "rate", "period"):
                charge.setdefault(key, None)
        rows.append({"table": "notices", "notices": data})
    for hold in result.holds:
        data = hold.to_json()
        data["data"] = _data(data)
        rows.append({"table": "holds", "holds": data})
    for charge in result.claims:
        if charge.customer_id in claimants:
            rows.append(
                {
                    "table": "claims",
                    "claims": {"customer_id": charge.customer_id, **charge_json(charge)},
                }
            )
    for key, issue in zip(keys, result.issues, strict=True):
        rows.append({"table": "issues", "issues": {"key": key, **issue.to_json()}})
    return pa.Table.from_pylist(rows, schema=_OUTPUT)


def _data(document: dict[str, Any]) -> str | None:
    data = document.pop("data", None)
    return None if data is None else json.dumps(data, sort_keys=True, ensure_ascii=False)


# -- the driver: inputs, routing, the run, its failures -----------------------------------------


@dataclass(frozen=True)
class _Input:
    frame: Any
    source: str
    file: Path | None
    layout: Layout | None


def plan_frames(
    spark: SparkSession,
    open_items: Any,
    customers: Any,
    policy: DunningPolicy,
    as_of: date,
    *,
    history: SparkHistory | DunningHistory | None = None,
    in_transit: Iterable[StatementLine] = (),
    bank_data_as_of: date | None = None,
    buckets: int | None = None,
) -> SparkDunningPlan:
    """Plan today's notices on Spark; the same decisions as :func:`ecomrules.dunning.plan`.

    ``open_items`` and ``customers`` are DataFrames with the columns of
    ``open-items.csv`` and ``customers.csv`` (any Spark types that print as
    the layout's text: strings, dates, decimals; never a float amount), or
    paths to Parquet datasets or CSV files of those layouts. ``history`` is a
    :class:`SparkHistory` (or an in-memory history, sent to the cluster).
    ``in_transit`` lines and ``bank_data_as_of`` are as in the embedded
    engine. ``buckets`` is the number of customer groups, one Python call
    each (default: ``spark.sql.shuffle.partitions``); a bucket's rows must fit
    in one executor's Python worker.

    The plan is computed here, once (errors are raised here:
    :class:`InputError` for bad rows, :class:`SparkError` for a bucket that
    fails), and kept until :meth:`SparkDunningPlan.unpersist`.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    lines = tuple(in_transit)
    if bank_data_as_of is None and lines:
        bank_data_as_of = max(line.booked_on for line in lines)
    # The global checks (bank data's age) run once, here, on an empty book.
    keyed_plan([], [], DunningHistory(), policy, as_of, bank_data_as_of=bank_data_as_of)
    count = buckets or int(spark.conf.get("spark.sql.shuffle.partitions") or "200")
    if count < 1:
        raise ValueError(f"buckets must be at least 1, not {count}")
    items = _layout_input(spark, open_items, OPEN_ITEMS, "open items")
    people = _layout_input(spark, customers, CUSTOMERS, "customers")
    if isinstance(history, DunningHistory):
        history = SparkHistory.of(spark, history)
    past = history or SparkHistory()
    parts = {name: _history_input(spark, getattr(past, name), name) for name in HISTORY_COLUMNS}
    frame = _routed(items, people, parts, count)
    sources = {"items": items.source, "customers": people.source}
    sources.update({name: part.source for name, part in parts.items()})
    planner = BucketPlanner(policy, as_of, lines, bank_data_as_of, sources, count)

    def run(table: pa.Table) -> pa.Table:
        return planner(table)

    result = frame.groupBy("bucket").applyInArrow(run, schema=from_arrow_schema(_OUTPUT))
    result = result.persist()
    try:
        counted = {
            row[0]: row[2] if row[0] == "issues" else row[1]  # an issue once, by its key
            for row in result.groupBy("table")
            .agg(F.count("*"), F.countDistinct("issues.key"))
            .collect()
        }
    except Exception as error:  # the JVM reports a worker's failure as many types
        result.unpersist()
        raise _failure(error, (items, people)) from None
    return SparkDunningPlan(
        as_of, policy.name, result, {name: int(counted.get(name, 0)) for name in TABLES}
    )


def _read(spark: SparkSession, path: Path) -> Any:
    if path.suffix.lower() == ".csv":
        return (
            spark.read.option("header", True)
            .option("multiLine", True)
            .option("escape", '"')
            .option("inferSchema", False)
            .csv(str(path))
        )
    if path.suffix.lower() == ".parquet" or path.is_dir():
        return spark.read.parquet(str(path))
    raise InputError(str(path), [f"{path.name}: give a Parquet dataset or a .csv file"])


def _layout_input(spark: SparkSession, value: Any, layout: Layout, label: str) -> _Input:
    """A documented layout's DataFrame: its columns as the layout's text, empty cells ''."""
    file: Path | None = None
    if isinstance(value, str | Path):
        file = Path(value)
        if not file.exists():
            raise InputError(str(file), [f"{file}: no such file or dataset"])
        frame, source = _read(spark, file), file.name
    else:
        frame, source = value, f"{label} DataFrame"
    text = layout_frame(frame, layout, source, str(file) if file else None)
    return _Input(text, source, file, layout)


def _history_input(spark: SparkSession, value: Any, name: str) -> _Input:
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructField, StructType, _parse_datatype_string

    columns = HISTORY_COLUMNS[name]
    file: Path | None = None
    if value is None:
        schema = StructType(
            [StructField(n, _parse_datatype_string(t), not required) for n, t, required in columns]
        )
        return _Input(spark.createDataFrame([], schema), f"history {name}", None, None)
    if isinstance(value, str | Path):
        file = Path(value)
        if not file.exists():
            raise InputError(str(file), [f"{file}: no such file or dataset"])
        frame, source = _read(spark, file), file.name
    else:
        frame, source = value, f"history {name} DataFrame"
    present = set(frame.columns)
    missing = [n for n, _, required in columns if required and n not in present]
    if missing:
        raise InputError(source, [f"{source}: missing column(s) {', '.join(map(repr, missing))}"])
    typed = [(F.col(n) if n in present else F.lit(None)).cast(t).alias(n) for n, t, _ in columns]
    return _Input(frame.select(*typed), source, file, None)


def _routed(items: _Input, people: _Input, parts: Mapping[str, _Input], count: int) -> DataFrame:
    """One DataFrame of every input row, each with the bucket(s) of the customers it concerns."""
    from pyspark.sql import Column
    from pyspark.sql import functions as F

    def bucket(column: Column) -> Column:
        return F.pmod(F.xxhash64(column), F.lit(count)).cast("int")

    owners = items.frame.select(F.col("id").alias("_item"), F.col("partner_id").alias("_owner"))
    events, charges = parts["events"].frame, parts["charges"].frame

    def both(frame: DataFrame) -> DataFrame:
        """Each record in its customer's bucket and in its item's customer's, when other."""
        joined = frame.join(owners, frame["item_id"] == owners["_item"], "left")
        home = bucket(F.col("customer_id"))
        spread = F.array_distinct(F.array(home, F.coalesce(bucket(F.col("_owner")), home)))
        return joined.select("*", F.explode(spread).alias("bucket")).withColumn(
            "home", F.col("bucket") == home
        )

    blocks = parts["blocks"].frame
    routed: dict[str, tuple[DataFrame, Column, Column]] = {
        "items": (items.frame, bucket(F.col("partner_id")), F.lit(True)),
        "ids": (items.frame, bucket(F.col("id")), F.lit(True)),
        "customers": (people.frame, bucket(F.col("id")), F.lit(True)),
        "events": (both(events), F.col("bucket"), F.col("home")),
        "charges": (both(charges), F.col("bucket"), F.col("home")),
        "blocks": (
            blocks.join(owners, blocks["item_id"] == owners["_item"], "inner"),
            bucket(F.col("_owner")),
            F.lit(True),
        ),
        "pauses": (parts["pauses"].frame, bucket(F.col("customer_id")), F.lit(True)),
    }
    fields = {
        "items": items.frame.columns,
        "ids": ["id"],
        "customers": people.frame.columns,
        **{name: [n for n, _, _ in HISTORY_COLUMNS[name]] for name in HISTORY_COLUMNS},
    }
    shapes = {
        kind: routed[kind][0].select(F.struct(*fields[kind]).alias(kind)).schema[0].dataType
        for kind in _KINDS
    }
    union: DataFrame | None = None
    for kind in _KINDS:
        frame, where, home = routed[kind]
        one = frame.select(
            where.alias("bucket"),
            F.lit(kind).alias("kind"),
            home.alias("home"),
            *(
                F.struct(*fields[kind]).alias(kind)
                if other == kind
                else F.lit(None).cast(shapes[other]).alias(other)
                for other in _KINDS
            ),
        )
        union = one if union is None else union.unionByName(one)
    assert union is not None
    return union


def _failure(error: BaseException, inputs: Sequence[_Input]) -> EcomrulesError:
    """The library's error for a failed run: the bucket's input problem, or which bucket failed."""
    found = re.search(re.escape(_MARK) + r"([A-Za-z0-9+/=]+)\.", str(error))
    if found is None:
        return SparkError(f"the Spark dunning plan failed: {first_line(error)}")
    payload = json.loads(base64.b64decode(found.group(1)))
    if "input" in payload:
        source = payload["input"]
        for given in inputs:
            file, layout = given.file, given.layout
            if given.source == source and file is not None and layout is not None:
                try:  # the library's reader names file, line and column
                    if file.suffix.lower() == ".csv":
                        read_table(file, layout)
                except InputError as exact:
                    return exact
        return InputError(source, payload["problems"])
    first = payload["first_customer"]
    return SparkError(
        f"bucket {payload['bucket']} of {payload['buckets']} failed"
        + (f" (customers from {first})" if first is not None else "")
        + f": {payload['error']}"
    )
