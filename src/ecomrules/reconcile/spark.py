"""Reconciliation on Apache Spark, with the embedded engine's own decisions (ADR 0100).

:func:`reconcile_spark` matches a statement against open items on the
caller's ``SparkSession`` (local, a cluster, Databricks, EMR, Dataproc) and
returns DataFrames with the columns of ``ecomrules reconcile --json``:
``matches`` (``line_id``, ``status``, ``score``, ``allocations`` as a list of
``item_id``/``amount``, ``write_off``, ``unallocated``, ``fee``,
``currency``, ``reasons``, ``contributions``), ``review`` (the matches to
confirm), ``unmatched_lines`` (``line_id``, ``reasons``, ``candidates``) and
``unmatched_items`` (``item_id``), and ``issues``, the input values not
taken as given (invalid IBANs of lines, items and the partner mapping:
``record``, ``id``, ``field``, ``value``, ``code``, ``message``, as the
JSON's ``issues``). Amounts are decimal strings in the currency's minor
units (exact, as in the JSON), never doubles.

The contract: the same decisions as :meth:`Matcher.match_records
<ecomrules.reconcile.Matcher.match_records>` on the same data, whatever the
number of partitions and the input order (tests compare the decision digest
at 100,000 lines). The plan, in three stages:

1. **Links** (Spark SQL joins, Python only to normalise text): every open
   item a line's decision can read is found through the blocking keys, as
   ``(line, partner)`` links: reference keys (structured references and every
   reference-shaped token of the label, by the pattern derived from *all*
   items), the payer's IBAN, the payer's full name when exactly one partner
   bears it, and the line's amount (the whole bucket when it holds at most
   ``max_bucket`` items, else the items the embedded narrowing could keep:
   same name, or a number within the fuzzy cut-off, computed per amount).
2. **Proposals**: lines are grouped (``groupBy(...).applyInArrow``, many
   lines per call) with *every* open item of every partner they link to;
   each group runs :meth:`Matcher.propose
   <ecomrules.reconcile.Matcher.propose>`, the embedded blocking, comparison,
   decision and combination code, with :class:`SharedFacts
   <ecomrules.reconcile.index.SharedFacts>` (reference pattern, amount bucket
   sizes, name uniqueness, computed over all items) so each decision reads
   what one run would. An item may sit in several groups: proposing never
   consumes a residual.
3. **Sharing out**: claims are counted per item across the cluster. A
   proposal none of whose items is claimed twice is final (settled where it
   is). The proposals touching an item claimed twice are split into the
   connected components of their claims (lines joined by the items they
   claim; minimum labels spread in Spark SQL until none moves); each
   component lands whole in one group (``applyInArrow``, many components a
   call) and is settled there by :func:`settle
   <ecomrules.reconcile.engine.settle>` (the engine's own share-out: by
   status, score, line id). Every claim on an item is in the item's
   component, so no item is allocated beyond its residual across the
   cluster, and a component settled alone decides as the whole run would.

**Reading.** The inputs are the documented layouts
(:data:`~ecomrules.inputs.PSP_STATEMENT`: the statement CSV's columns and a
PSP line's ``kind``, ``fee``, ``payout_id``; :data:`~ecomrules.inputs.OPEN_ITEMS`;
:data:`~ecomrules.inputs.PAYOUTS`), each partition checked and converted by
the layout's own rules in C (:func:`~ecomrules.inputs.table.arrow_columns`,
the embedded reader's); a row that breaks them is an
:class:`~ecomrules.errors.InputError` naming file, line and column (a CSV
file is read again by the library's reader to say where), or the row's id
and column for a DataFrame.

**PSP reports.** With payouts, or PSP lines, the embedded engine's payout
pass runs first, as in :meth:`Matcher.match_records
<ecomrules.reconcile.Matcher.match_records>`: each payout's bank line (by
the payout's id in its text, else by a unique amount: review) and whether
bank line, payout and payout lines tie out, then the PSP's own lines (fees,
payouts, reserves...) stand as their own. The pass is
:func:`~ecomrules.reconcile.payouts.match_payouts` itself, on the driver,
over the few lines that can be a payout's (ADR 0100); the
PSP lines that pay customers (charges with their fee, refunds) are matched
as any line. The executors need ``ecomrules`` installed (the same version
as the driver).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pyarrow as pa
import pyarrow.compute as pc
from attrs import frozen

from ecomrules.errors import EcomrulesError, InputError, ReconcileError, SparkError
from ecomrules.inputs.layout import Layout
from ecomrules.inputs.open_items import OPEN_ITEMS
from ecomrules.inputs.statement import PAYOUTS, PSP_STATEMENT
from ecomrules.inputs.table import Table, arrow_columns
from ecomrules.money import Currency
from ecomrules.reconcile.blocking import (
    _SEP_PATTERN,
    AmountBlocker,
    PartyBlocker,
    ReferenceBlocker,
    TextReferenceBlocker,
    reference_pattern,
    reference_shapes,
)
from ecomrules.reconcile.checksums import structured_kind
from ecomrules.reconcile.comparison import DateComparison, Level
from ecomrules.reconcile.decision import Proposal, Refusal, probability
from ecomrules.reconcile.engine import _IBAN_INVALID, Matcher, iban_issue, settle
from ecomrules.reconcile.exact import exact_cases, exact_verdicts
from ecomrules.reconcile.iban import IbanCheck
from ecomrules.reconcile.index import SharedFacts
from ecomrules.reconcile.payouts import (
    PSP_OWN_KINDS,
    PayoutRecord,
    match_payouts,
    payout_tokens,
)
from ecomrules.reconcile.records import (
    ItemRecord,
    LineRecord,
    name_key,
    normalise_iban,
    normalise_ibans,
    normalise_name,
    normalise_reference,
    normalise_references,
)
from ecomrules.reconcile.result import (
    Allocation,
    InputIssue,
    Match,
    MatchResult,
    MatchStatus,
    PayoutMatch,
    UnmatchedLine,
    amount_text,
)
from ecomrules.reconcile.settings import MatcherSettings, default_settings
from ecomrules.sparkrun import (
    TASK_MARK,
    SparkTable,
    first_line,
    input_failure,
    layout_frame,
    row_problems,
    spark_version,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["TABLES", "SparkReconciliation", "read_input", "reconcile_spark"]

TABLES = ("matches", "review", "unmatched_lines", "unmatched_items", "issues", "payouts")
"""The datasets of a run, in the order they are written."""

_NEAR = 85.0  # the amount blocker's fuzzy cut-off on numbers (blocking._NEAR)
_EPOCH = date(1970, 1, 1).toordinal()


# ---------------------------------------------------------------- schemas

_LEVEL = "struct<code:string,weight:double,description:string>"
_CLAIM = "struct<item_id:string,units:long,currency:string,residual:long>"
_DECISION = (
    f"line_id string, proposed boolean, auto boolean, total double, allocs array<{_CLAIM}>,"
    f" levels array<{_LEVEL}>, own array<string>, write_off long, unallocated long,"
    " fee long, line_currency string, candidates array<string>, iban_invalid boolean"
)
_ISSUE = "record string, id string, field string, value string, code string, message string"
_OUT = (
    "line_id string, status string, score double,"
    " allocations array<struct<item_id:string,amount:string>>, write_off string,"
    " unallocated string, fee string, currency string, reasons array<string>,"
    " contributions array<struct<code:string,weight:double>>, candidates array<string>"
)


# ---------------------------------------------------------------- the result


@frozen
class SparkReconciliation:
    """The tables of a run, as DataFrames over the decisions the run keeps stored.

    ``decided`` holds one row per statement line (the matches and the
    unmatched lines together); the tables are views of it and of the open
    items. The run stores its intermediate frames (``kept``: local
    checkpoints in the executors' storage) so that reading several tables
    does not redo the proposals: :meth:`unpersist` releases them when the
    caller is done; the tables are not readable after that.
    """

    decided: DataFrame
    items: DataFrame
    """The open items' ids (``item_id``)."""
    issues: DataFrame
    """The input issues (invalid IBANs), the JSON's ``issues`` fields."""
    partitions: int
    contested: int
    """Proposals settled together because they claim an item another proposal claims."""
    exact: int = 0
    """Lines decided by the exact-reference stage, in Spark SQL."""
    kept: tuple[DataFrame, ...] = ()
    """The frames the run stored, released by :meth:`unpersist`."""
    payout_matches: DataFrame | None = None
    """The bank lines found to be PSP payouts (the JSON's ``payouts``, and ``currency``)."""

    matches = SparkTable("The matches (auto and review): the JSON's match fields.")
    review = SparkTable("The matches to confirm (status ``review``).")
    unmatched_lines = SparkTable("The lines left unmatched: ``line_id``, ``reasons``, candidates.")
    unmatched_items = SparkTable("The open items no match allocates to: ``item_id``.")
    payouts = SparkTable("The PSP payouts found on the statement: the JSON's ``payouts``.")

    def table(self, name: str) -> DataFrame:
        """One table by name (:data:`TABLES`)."""
        from pyspark.sql import functions as F

        matched = F.col("status") != "unmatched"
        if name == "matches":
            return self.decided.filter(matched).drop("candidates")
        if name == "review":
            return self.decided.filter(F.col("status") == "review").drop("candidates")
        if name == "unmatched_lines":
            return self.decided.filter(~matched).select("line_id", "reasons", "candidates")
        if name == "unmatched_items":
            taken = self.decided.select(F.explode("allocations").alias("a")).select(
                F.col("a.item_id").alias("item_id")
            )
            return self.items.join(taken, "item_id", "left_anti")
        if name == "issues":
            return self.issues
        if name == "payouts":
            if self.payout_matches is None:
                raise ValueError("this run found no payouts")
            return self.payout_matches
        raise ValueError(f"no table {name!r}: {', '.join(TABLES)}")

    def tables(self) -> dict[str, DataFrame]:
        """The datasets by name (:data:`TABLES`)."""
        return {name: self.table(name) for name in TABLES}

    def unpersist(self) -> None:
        """Release the frames the run stored (the session's storage is the caller's)."""
        _release(self.kept)

    def summary(self) -> dict[str, int]:
        """Counts: lines matched auto and review, unmatched lines and items."""
        counts = {
            row["status"]: row["count"] for row in self.matches.groupBy("status").count().collect()
        }
        return {
            "auto": int(counts.get("auto", 0)),
            "review": int(counts.get("review", 0)),
            "unmatched_lines": self.unmatched_lines.count(),
            "unmatched_items": self.unmatched_items.count(),
            "issues": self.issues.count(),
            "payouts": self.payouts.count(),
            "partitions": self.partitions,
            "contested": self.contested,
            "exact": self.exact,
        }

    def write(self, out: str | Path) -> dict[str, int]:
        """Write each table as Parquet under ``out`` (a local directory that must not exist).

        All tables are written into a hidden sibling directory first, which
        is renamed to ``out`` only once every table is complete: a failed
        run leaves no ``out`` at all. Returns :meth:`summary`.
        """
        target = Path(out)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise ReconcileError(f"--out {target}: exists and is not an empty directory")
        temporary = target.parent / f".{target.name}.incomplete-{uuid.uuid4().hex[:8]}"
        try:
            for name, frame in self.tables().items():
                _run(lambda f=frame, n=name: f.write.parquet(str(temporary / n)), f"write {name}")
            summary = self.summary()
            if target.exists():
                target.rmdir()
            os.rename(temporary, target)
        finally:
            if temporary.exists():
                shutil.rmtree(temporary, ignore_errors=True)
        return summary

    def to_match_result(self) -> MatchResult:
        """The tables collected into a :class:`MatchResult` (small runs, tests)."""
        matches = []
        for row in self.matches.collect():
            currency = row["currency"]
            levels = tuple(Level(c["code"], c["weight"], "") for c in row["contributions"])
            allocations = tuple(
                Allocation(a["item_id"], _units(a["amount"], currency), currency)
                for a in row["allocations"]
            )
            matches.append(
                Match(
                    row["line_id"],
                    MatchStatus(row["status"]),
                    row["score"],
                    allocations,
                    currency,
                    levels,
                    tuple(row["reasons"][len(levels) :]),
                    _units(row["write_off"], currency),
                    _units(row["unallocated"], currency),
                    _units(row["fee"], currency),
                )
            )
        unmatched = [
            UnmatchedLine(row["line_id"], tuple(row["reasons"]), tuple(row["candidates"]))
            for row in self.unmatched_lines.collect()
        ]
        left = sorted(row["item_id"] for row in self.unmatched_items.collect())
        issues = sorted(
            (InputIssue(*row) for row in self.issues.collect()),
            key=lambda found: (found.record, found.id),
        )
        matches.sort(key=lambda m: m.line_id)
        unmatched.sort(key=lambda u: u.line_id)
        payouts = sorted(
            (
                PayoutMatch(
                    row["bank_line_id"],
                    row["payout_id"],
                    row["currency"],
                    _units(row["difference"], row["currency"]),
                    _units(row["lines_difference"], row["currency"]),
                    tuple(row["missing_lines"]),
                )
                for row in self.payouts.collect()
            ),
            key=lambda pm: pm.bank_line_id,
        )
        return MatchResult(
            tuple(matches), tuple(unmatched), tuple(left), tuple(payouts), issues=tuple(issues)
        )


def _units(text: str | None, currency: str) -> int:
    if not text:
        return 0
    return int(Decimal(text).scaleb(Currency.of(currency).exponent))


# ---------------------------------------------------------------- driver side


def read_input(spark: SparkSession, source: Any, what: str) -> DataFrame:
    """A DataFrame as given, or read from a Parquet file/directory or a CSV file (header row)."""
    if not isinstance(source, str | Path):
        frame: DataFrame = source
        return frame
    path = str(source)
    if not Path(path).exists():
        raise InputError(path, [f"{what} {path}: no such file or dataset"])
    try:
        if path.lower().endswith(".csv"):
            return spark.read.csv(path, header=True, inferSchema=False, escape='"')
        return spark.read.parquet(path)
    except Exception as error:  # the JVM's failures arrive as many types
        raise ReconcileError(
            f"{what} {path}: cannot be read by Spark: {first_line(error)}"
        ) from None


@frozen
class _Input:
    """An input of a run: its rows as the layout's text, what to call it, its file if any."""

    frame: DataFrame
    source: str
    file: Path | None
    layout: Layout


def _layout_input(spark: SparkSession, given: Any, layout: Layout, what: str) -> _Input:
    file = Path(given) if isinstance(given, str | Path) else None
    frame = read_input(spark, given, what)
    source = file.name if file is not None else f"{what} DataFrame"
    origin = None if file is None else str(file)
    return _Input(layout_frame(frame, layout, source, origin), source, file, layout)


def reconcile_spark(
    spark: SparkSession,
    statement: Any,
    open_items: Any,
    *,
    payouts: Any = None,
    settings: MatcherSettings | None = None,
    partitions: int | None = None,
) -> SparkReconciliation:
    """Reconcile ``statement`` against ``open_items`` on ``spark``; see the module docstring.

    ``statement`` has the columns of :data:`~ecomrules.inputs.PSP_STATEMENT`
    (the statement CSV's ``id``, ``booking_date``, ``amount``, ``currency``,
    ``counterparty``, ``iban``, ``label``, ``reference``, and for PSP lines
    ``kind``, ``fee``, ``payout_id``), ``open_items`` those of
    :data:`~ecomrules.inputs.OPEN_ITEMS`, ``payouts`` (optional) those of
    :data:`~ecomrules.inputs.PAYOUTS` (``id``, ``amount``, ``currency``,
    ``line_ids``: an array of line ids, or one text of ids separated by
    spaces); each a DataFrame, or a Parquet or CSV path. Amounts are decimal
    strings or DecimalType, dates ISO strings or DateType; the layouts'
    rules apply as the embedded reader applies them. ``partitions`` is the
    number of proposal groups (the session's shuffle partitions by default).
    The proposals and the contested claims are computed here (two Spark jobs
    and one collect of the contested proposals); the returned tables are
    lazy over stored proposals, which :meth:`SparkReconciliation.unpersist`
    releases (a run that fails releases them itself).
    """
    spark_version()  # a SparkError when PySpark is missing or unsupported
    settings = settings or default_settings()
    groups = partitions or int(spark.conf.get("spark.sql.shuffle.partitions") or "8")
    if groups < 1:
        raise ReconcileError(f"partitions: {groups} is not a positive number")
    lines_in = _layout_input(spark, statement, PSP_STATEMENT, "statement")
    items_in = _layout_input(spark, open_items, OPEN_ITEMS, "open items")
    paid_out = [] if payouts is None else _payout_records(spark, payouts)
    kept: list[DataFrame] = []
    try:
        return _reconcile(spark, lines_in, items_in, paid_out, settings, groups, kept)
    except _RowsBroken as broken:
        _release(kept)
        given = items_in if broken.source == items_in.source else lines_in
        raise input_failure(broken.source, broken.problems, given.file, given.layout) from None
    except BaseException:
        _release(kept)
        raise


def _release(frames: Sequence[DataFrame]) -> None:
    """Drop the stored rows of frames kept by ``_reconcile`` (local checkpoints)."""
    for frame in frames:
        plan = frame._jdf.queryExecution().analyzed()  # a LogicalRDD over the stored rows
        if plan.getClass().getSimpleName() == "LogicalRDD":
            plan.rdd().unpersist(False)
        else:
            frame.unpersist()


def _reconcile(
    spark: SparkSession,
    lines_given: _Input,
    items_given: _Input,
    payouts: list[PayoutRecord],
    settings: MatcherSettings,
    groups: int,
    kept: list[DataFrame],
) -> SparkReconciliation:
    from pyspark.sql import functions as F

    def keep(frame: DataFrame, stage: str) -> DataFrame:
        # Computed once and stored, its lineage cut: each stage reads its inputs several
        # times, and a cached frame's plan text holds every plan it was made of, nested:
        # tens of megabytes, rebuilt at each step of adaptive execution, by the last stage.
        before = set(spark.sparkContext._jsc.getPersistentRDDs().keySet())
        try:
            stored: DataFrame = _run(lambda: frame.localCheckpoint(eager=True), stage)
        except BaseException:  # the checkpoint's rows, stored before it failed, are let go
            rdds = spark.sparkContext._jsc.getPersistentRDDs()
            for rdd_id in set(rdds.keySet()) - before:
                rdds.get(rdd_id).unpersist(False)
            raise
        kept.append(stored)
        return stored

    max_bucket = _max_bucket(settings)
    # the input order: a partner's name is its first item's, as the embedded engine reads it
    ordered = items_given.frame.withColumn("seq", F.monotonically_increasing_id())
    item_key_array = F.array("number_key", "reference_key", "order_key")
    items_source = items_given.source

    def prepare_items(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _prepare_items(batches, items_source)

    items = keep(
        ordered.mapInArrow(prepare_items, _ITEM_PREPARED).withColumn("keys", _keys(item_key_array)),
        "read open items",
    )
    shapes = _run(
        lambda: items.filter(F.col("shapes").isNotNull()).select("shapes").collect(),
        "read open items",
    )
    prefixes: Counter[str] = Counter()
    lengths: set[int] = set()
    for row in shapes:
        for entry in row["shapes"]:
            if entry.startswith("p:"):
                head, _, count = entry[2:].rpartition(":")
                prefixes[head] += int(count)
            else:
                lengths.add(int(entry[2:]))
    max_prefixes = _max_prefixes(settings)
    pattern = reference_pattern(prefixes, lengths, max_prefixes=max_prefixes).pattern

    lines_source = lines_given.source
    payout_keys = frozenset(normalise_reference(p.id) for p in payouts)

    def prepare_lines(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _prepare_lines(batches, lines_source, pattern, payout_keys)

    prepared = lines_given.frame.mapInArrow(prepare_lines, _LINE_PREPARED)
    refs = F.when(F.col("ref") == "", F.array().cast("array<string>")).otherwise(
        F.split("ref", _REFS)
    )
    line_key_array = F.concat(F.array("ref_key"), "more_keys", F.flatten("tokens"))
    lines = keep(
        prepared.withColumn("refs", refs).withColumn("keys", _keys(line_key_array)),
        "read statement",
    )
    item_rows = items.filter(F.col("rid").isNotNull()).drop("shapes")
    _check_unique(lines, item_rows)
    by_payouts: DataFrame | None = None  # the lines the payout pass settles
    payout_matches: list[PayoutMatch] = []
    psp = _run(lambda: lines.filter(F.col("kind") != "transfer").limit(1).count(), "payouts")
    if payouts or psp:
        by_payouts, payout_matches = _payout_stage(spark, lines, payouts, settings)
        by_payouts = keep(by_payouts, "payouts")
        lines = lines.join(by_payouts.select(F.col("line_id").alias("rid")), "rid", "left_anti")
    issues = _issues(spark, lines, item_rows, settings)

    # --- stage 0: the lines an exact reference settles, decided in Spark SQL
    exact = _exact_decisions(spark, lines, item_rows, settings)
    if exact is not None:
        exact = keep(exact, "exact references")
        lines = lines.join(exact.select(F.col("line_id").alias("rid")), "rid", "left_anti")

    # --- stage 1: links (line, partner) of the other lines
    name_table = (
        item_rows.groupBy("partner_id")
        .agg(F.min_by("nkey", "seq").alias("nkey"))
        .filter(F.col("nkey") != "")
        .groupBy("nkey")
        .agg(F.count("*").alias("n"), F.min("partner_id").alias("partner_id"))
        .select("nkey", F.when(F.col("n") == 1, F.col("partner_id")).alias("named"))
    )
    crowds = item_rows.groupBy(F.col("units").alias("paid")).agg(F.count("*").alias("crowd"))
    lines = lines.join(name_table, "nkey", "left").join(crowds, "paid", "left").fillna({"crowd": 0})
    lines = keep(lines, "links")
    line_keys = lines.select("rid", F.explode("keys").alias("key"))
    item_keys = item_rows.select("partner_id", F.explode("keys").alias("key"))
    links = [
        line_keys.join(item_keys, "key").select("rid", "partner_id"),
        lines.filter(F.col("iban") != "")
        .select("rid", "iban")
        .join(item_rows.filter(F.col("iban") != "").select("iban", "partner_id"), "iban")
        .select("rid", "partner_id"),
        lines.filter(F.col("named").isNotNull()).select("rid", F.col("named").alias("partner_id")),
    ]
    if max_bucket is not None:
        small = lines.filter((F.col("crowd") > 0) & (F.col("crowd") <= max_bucket))
        links.append(
            small.select("rid", F.col("paid").alias("units"))
            .join(item_rows.select("units", "partner_id"), "units")
            .select("rid", "partner_id")
        )
        crowded = lines.filter(F.col("crowd") > max_bucket)
        links.append(
            crowded.select("rid", F.col("paid").alias("units"), "nname")
            .join(item_rows.select("units", "nname", "partner_id"), ["units", "nname"])
            .select("rid", "partner_id")
        )
        fuzzy_in = (
            crowded.filter(F.size("keys") > 0)
            .select(
                F.col("paid").alias("units"),
                F.col("rid"),
                F.col("keys"),
                F.lit(None).cast("string").alias("number"),
                F.lit(None).cast("string").alias("partner_id"),
            )
            .unionByName(
                item_rows.join(
                    crowded.select(F.col("paid").alias("units")).distinct(), "units"
                ).select(
                    "units",
                    F.lit(None).cast("string").alias("rid"),
                    F.lit(None).cast("array<string>").alias("keys"),
                    F.col("number_key").alias("number"),
                    "partner_id",
                )
            )
        )
        links.append(
            fuzzy_in.groupBy("units").applyInArrow(_near_numbers, "rid string, partner_id string")
        )
    if settings.partner_ibans:
        mapping = spark.createDataFrame(
            [(normalise_iban(iban), partner) for iban, partner in settings.partner_ibans.items()],
            "iban string, partner_id string",
        )
        links.append(lines.select("rid", "iban").join(mapping, "iban").select("rid", "partner_id"))
    linked = links[0]
    for more in links[1:]:
        linked = linked.unionByName(more)
    if settings.partner_groups:
        groups_df = spark.createDataFrame(
            list(settings.partner_groups.items()), "partner_id string, grp_id string"
        )
        members = groups_df.withColumnRenamed("partner_id", "member")
        linked = linked.unionByName(
            linked.join(groups_df, "partner_id")
            .join(members, "grp_id")
            .select("rid", F.col("member").alias("partner_id"))
        )
    linked = linked.distinct()

    # --- stage 2: groups of lines with every item of every partner they link to
    primary = linked.groupBy("rid").agg(F.min("partner_id").alias("primary"))
    placed = lines.join(primary, "rid", "left").withColumn(
        "grp", F.pmod(F.xxhash64(F.coalesce("primary", "rid")), F.lit(groups)).cast("int")
    )
    needed = placed.select("rid", "grp").join(linked, "rid").select("grp", "partner_id").distinct()
    items_of = item_rows.join(needed, "partner_id")
    work = placed.select(
        "rid",
        F.lit("L").alias("role"),
        "grp",
        "units",
        "currency",
        "day",
        "refs",
        "label",
        "name",
        "iban",
        F.lit(None).cast("string").alias("number"),
        F.lit(None).cast("string").alias("partner_id"),
        F.lit(None).cast("string").alias("reference"),
        F.lit(None).cast("string").alias("order_id"),
        "named",
        "crowd",
        F.lit(None).cast("long").alias("seq"),
        "fee",
        F.col("kind").alias("line_kind"),
        "payout_id",
    ).unionByName(
        items_of.select(
            "rid",
            F.lit("I").alias("role"),
            "grp",
            "units",
            "currency",
            "day",
            F.lit(None).cast("array<string>").alias("refs"),
            F.lit(None).cast("string").alias("label"),
            "name",
            "iban",
            "number",
            "partner_id",
            "reference",
            "order_id",
            F.lit(None).cast("string").alias("named"),
            F.lit(0).cast("long").alias("crowd"),
            "seq",
            F.lit(0).cast("long").alias("fee"),
            F.lit(None).cast("string").alias("line_kind"),
            F.lit(None).cast("string").alias("payout_id"),
        )
    )
    shapes_arg = (dict(prefixes), sorted(lengths))

    def propose(table: pa.Table) -> pa.Table:
        return _propose_group(table, settings, shapes_arg)

    decisions = work.groupBy("grp").applyInArrow(propose, _DECISION)
    if exact is not None:
        decisions = decisions.unionByName(exact)
    decisions = keep(decisions, "propose")

    # --- stage 3: share out the items two proposals claim
    claims = decisions.select("line_id", F.explode("allocs").alias("a")).select(
        "line_id", F.col("a.item_id").alias("item_id")
    )
    twice = claims.groupBy("item_id").count().filter(F.col("count") > 1).select("item_id")
    touching = claims.join(twice, "item_id").select("line_id").distinct()
    contested = keep(decisions.join(touching, "line_id", "left_semi"), "contested claims")
    count = _run(contested.count, "contested claims")
    rest = decisions.join(touching, "line_id", "left_anti").select(
        "line_id", *[F.col(f"o_{name}").alias(name) for name in _OUT_ARROW.names[1:]]
    )
    out = rest
    if count:
        edges = contested.select("line_id", F.explode("allocs.item_id").alias("item_id"))
        parts = _components(edges, kept)
        settled = (
            contested.join(parts, "line_id")
            .withColumn("grp", F.pmod(F.xxhash64("part"), F.lit(groups)).cast("int"))
            .groupBy("grp")
            .applyInArrow(_settle_group, _OUT)
        )
        out = rest.unionByName(settled)
    if by_payouts is not None:
        out = out.unionByName(by_payouts)
    out = keep(out, "share out")
    return SparkReconciliation(
        decided=out,
        items=item_rows.select(F.col("rid").alias("item_id")),
        issues=issues,
        partitions=groups,
        contested=count,
        exact=0 if exact is None else _run(exact.count, "exact references"),
        kept=tuple(kept),
        payout_matches=_payout_frame(spark, payout_matches),
    )


# ---------------------------------------------------------------- PSP payouts


def _payout_records(spark: SparkSession, given: Any) -> list[PayoutRecord]:
    """The payouts (:data:`~ecomrules.inputs.PAYOUTS`), checked by their layout on the driver:
    a payout is one row, a PSP pays out a few times a day at most."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType

    file = Path(given) if isinstance(given, str | Path) else None
    frame = read_input(spark, given, "payouts")
    ids = next((f for f in frame.schema.fields if f.name == "line_ids"), None)
    if ids is not None and isinstance(ids.dataType, ArrayType):
        frame = frame.withColumn("line_ids", F.array_join("line_ids", " "))
    source = file.name if file is not None else "payouts DataFrame"
    origin = None if file is None else str(file)
    rows = _run(layout_frame(frame, PAYOUTS, source, origin).collect, "payouts")
    names = [column.name for column in PAYOUTS.columns]
    part = pa.table({name: [row[name] for row in rows] for name in names}, schema=_PAYOUT_TEXT)
    table = arrow_columns(part, PAYOUTS)
    if table is None:
        problems = row_problems(part, PAYOUTS, source)
        raise input_failure(source, problems, file, PAYOUTS)
    c = table.columns
    return [
        PayoutRecord(payout_id, units, currency, tuple((line_ids or "").split()))
        for payout_id, units, currency, line_ids in zip(
            c["id"], c["amount"], c["currency"], c["line_ids"], strict=True
        )
    ]


_PAYOUT_TEXT = pa.schema([(column.name, pa.string()) for column in PAYOUTS.columns])
_MEMBERS = "\x00members "
"""Starts the id of the record standing for a payout's lines (no line id holds a NUL)."""


def _payout_stage(
    spark: SparkSession, lines: DataFrame, payouts: list[PayoutRecord], settings: MatcherSettings
) -> tuple[DataFrame, list[PayoutMatch]]:
    """The lines the payout pass settles (each payout's bank line, the PSP's own lines),
    as output rows, and the payout matches: :func:`~ecomrules.reconcile.payouts.match_payouts`
    on the driver, over the few lines it can pick.

    Which bank line a payout is depends on all the lines (a line takes the
    payout its text names first, in line id order; a payout left takes the
    one line of its amount no other took), so the pass runs once, on the
    driver, over what can matter: the lines naming a payout (``payout_hit``),
    and for each payout amount its first lines by id, enough that a bucket
    too full to give a single line still gives two (the payouts and the
    naming lines of that amount, plus two). A payout's own lines enter as
    one record holding their net sum (their ids only serve to be missed),
    summed in Spark SQL. The PSP's own lines (fees...) are decided by the
    engine in the workers.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    taken: list[tuple[str, ...]] = []
    payout_matches: list[PayoutMatch] = []
    settled_rows: list[dict[str, Any]] = []
    if payouts:
        members = spark.createDataFrame(
            [(p.id, at, line_id) for p in payouts for at, line_id in enumerate(p.line_ids)],
            "payout string, at int, line_id string",
        )
        ids = lines.select(F.col("rid").alias("line_id"), "units", "kind")
        free = lines.join(members.select(F.col("line_id").alias("rid")), "rid", "left_anti")
        wanted = ["rid", "units", "currency", "day", "refs", "label", "name", "iban"]
        wanted += ["kind", "fee", "payout_id"]
        hits = _run(
            free.filter(F.col("payout_hit") & (F.col("units") > 0)).select(*wanted).collect,
            "payouts",
        )
        named = Counter((row["units"], row["currency"]) for row in hits)
        amounts = Counter((p.units, p.currency) for p in payouts)
        most = spark.createDataFrame(
            [(units, code, n + named[(units, code)] + 2) for (units, code), n in amounts.items()],
            "units long, currency string, most int",
        )
        by_id = Window.partitionBy("units", "currency").orderBy("rid")
        same = _run(
            free.join(F.broadcast(most), ["units", "currency"])
            .withColumn("n", F.row_number().over(by_id))
            .filter(F.col("n") <= F.col("most"))
            .select(*wanted)
            .collect,
            "payouts",
        )
        sums = _run(
            members.join(ids, "line_id")
            .groupBy("payout")
            .agg(F.sum(F.when(F.col("kind") != "payout", F.col("units")).otherwise(0)).alias("net"))
            .collect,
            "payouts",
        )
        missing = _run(members.join(ids, "line_id", "left_anti").collect, "payouts")
        records = {row["rid"]: _line_record(row) for row in [*hits, *same]}
        net = {row["payout"]: int(row["net"]) for row in sums}
        lost: dict[str, list[tuple[int, str]]] = {}
        for row in missing:
            lost.setdefault(row["payout"], []).append((row["at"], row["line_id"]))
        stand_ins = []
        for p in payouts:
            ids_left = [line_id for _, line_id in sorted(lost.get(p.id, []))]
            if p.id in net:
                stand_in = LineRecord(_MEMBERS + p.id, net[p.id], p.currency, 0, kind="charge")
                records[stand_in.id] = stand_in
                ids_left.insert(0, stand_in.id)
            stand_ins.append(attrs.evolve(p, line_ids=tuple(ids_left)))
        # the pass over the lines that can matter, then the engine on the payouts' bank lines
        # (and the stand-ins, which hold no text): the same pass, and their decisions
        banked = {
            pm.bank_line_id for pm in match_payouts(list(records.values()), stand_ins).matches
        }
        picked = [record for record in records.values() if record.id in banked]
        picked += [record for record in records.values() if record.id.startswith(_MEMBERS)]
        result = Matcher(settings).match_records(picked, [], payouts=stand_ins)
        payout_matches = list(result.payouts)
        settled_rows = [
            row
            for row in _out_rows(attrs.evolve(result, unmatched_lines=()))
            if row["line_id"] in banked
        ]
        taken = [(line_id,) for line_id in sorted(banked)]
    taken_frame = spark.createDataFrame(taken, "rid string")
    own = lines.filter(F.col("kind").isin(sorted(PSP_OWN_KINDS))).join(
        taken_frame, "rid", "left_anti"
    )

    def own_lines(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _own_lines(batches, settings)

    decided = own.select("rid", "units", "currency", "day", "kind", "fee").mapInArrow(
        own_lines, _OUT
    )
    if settled_rows:
        decided = decided.unionByName(
            spark.createDataFrame(
                [tuple(row[name] for name in _OUT_ARROW.names) for row in settled_rows], _OUT
            )
        )
    return decided, payout_matches


def _line_record(row: Any) -> LineRecord:
    return LineRecord(
        row["rid"],
        row["units"],
        row["currency"],
        row["day"],
        tuple(row["refs"]),
        row["label"],
        row["name"],
        row["iban"],
        row["kind"],
        row["fee"],
        row["payout_id"],
    )


def _own_lines(
    batches: Iterator[pa.RecordBatch], settings: MatcherSettings
) -> Iterator[pa.RecordBatch]:
    """The PSP's own lines (fees, payouts, reserves...) as the engine decides them."""
    for batch in batches:
        c = batch.to_pydict()
        records = [
            LineRecord(line_id, units, currency, day, kind=kind, fee=fee)
            for line_id, units, currency, day, kind, fee in zip(
                c["rid"], c["units"], c["currency"], c["day"], c["kind"], c["fee"], strict=True
            )
        ]
        result = Matcher(settings).match_records(records, [])
        yield pa.RecordBatch.from_pylist(_out_rows(result), schema=_OUT_ARROW)


def _payout_frame(spark: SparkSession, found: list[PayoutMatch]) -> DataFrame:
    """The payout matches as the JSON's ``payouts`` rows (and the currency)."""
    rows = [(*pm.to_json().values(), pm.currency) for pm in found]
    return spark.createDataFrame(rows, _PAYOUT_MATCH)


_PAYOUT_MATCH = (
    "bank_line_id string, payout_id string, ties_out boolean, difference string,"
    " lines_difference string, missing_lines array<string>, currency string"
)


def _keys(keys: Any) -> Any:
    """The distinct non-empty keys of an array column, sorted (a row's join keys)."""
    from pyspark.sql import functions as F

    return F.array_sort(F.array_distinct(F.filter(keys, lambda key: key != "")))


# ---------------------------------------------------------------- the exact stage


def _exact_verdicts(settings: MatcherSettings) -> list[tuple[Any, ...]]:
    """The shared rule's verdicts (:func:`~ecomrules.reconcile.exact.exact_verdicts`) as rows
    of ``_VERDICT``: (reference kind, date kind, auto, total, levels, status, score, reasons,
    contributions)."""
    return [
        (
            v.ref_kind,
            v.date_kind,
            v.auto,
            v.total,
            [(lv.code, lv.weight, lv.description) for lv in v.levels],
            "auto" if v.auto else "review",
            probability(v.total),
            [lv.code for lv in v.levels],
            [(lv.code, lv.weight) for lv in v.levels],
        )
        for v in exact_verdicts(settings)
    ]


_VERDICT = (
    f"ref_kind string, date_kind string, auto boolean, total double, levels array<{_LEVEL}>,"
    " o_status string, o_score double, o_reasons array<string>,"
    " o_contributions array<struct<code:string,weight:double>>"
)


def _exact_decisions(
    spark: SparkSession, lines: DataFrame, items: DataFrame, settings: MatcherSettings
) -> DataFrame | None:
    """The decisions of the lines settled by an exact reference, in Spark SQL (no Python).

    A line qualifies when its reference (the reference blocker's key), else
    the tokens of its text (each token's first key an item bears, as the
    text blocker looks them up), reach exactly one open item, of the line's
    currency and residual equal to its amount, and its IBAN is not invalid:
    that item is then its only candidate, and its decision one of the
    shared rule's verdicts (:func:`~ecomrules.reconcile.exact.exact_verdicts`)
    by the reference and date levels. The rows have the proposal stage's
    columns, so the share-out treats them alike (an item another line claims
    too is settled with every claim on it).
    None when the settings leave no such case.
    """
    from pyspark.sql import functions as F

    by_reference, by_text = exact_cases(settings)
    verdicts = _exact_verdicts(settings)
    if not verdicts or not (by_reference or by_text):
        return None
    item_keys = items.select(F.col("rid").alias("item"), F.explode("keys").alias("key")).distinct()
    key_items = item_keys.groupBy("key").agg(
        F.count("*").alias("hits"), F.min("item").alias("item")
    )
    # a line with a PSP fee, or several references, is left to the proposals (the rule's
    # own condition, and the reference rule reads a line of one reference only)
    valid = lines.filter(~F.col("iban_bad") & (F.col("fee") == 0) & ~F.col("ref").contains(_REFS))
    found = []
    if by_reference:
        hit = valid.filter(F.col("ref_key") != "").join(
            key_items, valid["ref_key"] == key_items["key"]
        )
        found.append(
            hit.filter(F.col("hits") == 1).select("rid", "item", F.lit(True).alias("by_key"))
        )
        # a line whose reference hits an item reads its text only if still unresolved
        valid = valid.join(hit.select("rid"), "rid", "left_anti")
    if by_text:
        tried = (
            valid.filter(F.size("tokens") > 0)
            .select("rid", F.posexplode("tokens").alias("token", "keys"))
            .select("rid", "token", F.posexplode("keys").alias("at", "key"))
        )
        first = (
            tried.join(key_items.select("key"), "key")
            .groupBy("rid", "token")
            .agg(F.min("at").alias("at"))
        )
        reached = (
            first.join(tried, ["rid", "token", "at"])
            .join(item_keys, "key")
            .select("rid", "item")
            .distinct()
            .groupBy("rid")
            .agg(F.count("*").alias("n"), F.min("item").alias("item"))
            .filter(F.col("n") == 1)
        )
        found.append(reached.select("rid", "item", F.lit(False).alias("by_key")))
    pairs = found[0] if len(found) == 1 else found[0].unionByName(found[1])
    line = lines.select("rid", "units", "currency", "day", "ref", "ref_structured")
    item = items.select(
        F.col("rid").alias("item"),
        F.col("units").alias("residual"),
        F.col("currency").alias("item_currency"),
        F.col("day").alias("due"),
        "number",
        "reference",
        "order_id",
        "amount",
    )
    date = next((c for c in settings.comparisons if isinstance(c, DateComparison)), None)
    date = date or DateComparison()
    gap = F.col("day") - F.col("due")
    ref = F.col("ref")
    exact = (
        pairs.join(line, "rid")
        .join(item, "item")
        .filter(
            (F.col("units") == F.col("residual"))
            & (F.col("currency") == F.col("item_currency"))
            & (F.col("units") != 0)
        )
        .withColumn(
            "ref_kind",
            F.when(~F.col("by_key"), F.lit("in_text"))
            .when((ref == F.col("reference")) & F.col("ref_structured"), F.lit("structured"))
            .when(
                (ref == F.col("number")) | (ref == F.col("reference")) | (ref == F.col("order_id")),
                F.lit("exact"),
            )
            .otherwise(F.lit("normalised")),
        )
        .withColumn(
            "date_kind",
            F.when(gap.between(-date.near_before, date.near_after), F.lit("near"))
            .when(gap.between(-365, 365), F.lit("far"))
            .otherwise(F.lit("distant")),
        )
    )
    table = F.broadcast(spark.createDataFrame(verdicts, _VERDICT))
    decided = exact.join(table, ["ref_kind", "date_kind"])
    none = F.array().cast("array<string>")
    no_text = F.lit(None).cast("string")
    zero = F.lit(0).cast("long")
    return decided.select(
        F.col("rid").alias("line_id"),
        F.lit(True).alias("proposed"),
        "auto",
        "total",
        F.array(
            F.struct(
                F.col("item").alias("item_id"),
                F.col("units"),
                F.col("currency"),
                F.col("residual"),
            )
        ).alias("allocs"),
        "levels",
        none.alias("own"),
        zero.alias("write_off"),
        zero.alias("unallocated"),
        zero.alias("fee"),
        F.col("currency").alias("line_currency"),
        none.alias("candidates"),
        F.lit(False).alias("iban_invalid"),
        "o_status",
        "o_score",
        F.array(F.struct(F.col("item").alias("item_id"), F.col("amount"))).alias("o_allocations"),
        no_text.alias("o_write_off"),
        no_text.alias("o_unallocated"),
        no_text.alias("o_fee"),
        F.col("currency").alias("o_currency"),
        "o_reasons",
        "o_contributions",
        none.alias("o_candidates"),
    )


def _check_unique(lines: DataFrame, items: DataFrame) -> None:
    """Ids must be unique, as for the embedded engine: ReconcileError naming the first repeat."""
    from pyspark.sql import functions as F

    ids = lines.select(F.lit("line").alias("what"), "rid").unionByName(
        items.select(F.lit("open item").alias("what"), "rid")
    )
    twice = _run(
        lambda: ids.groupBy("what", "rid").count().filter(F.col("count") > 1).limit(1).collect(),
        "check ids",
    )
    if twice:
        what, rid = twice[0]["what"], twice[0]["rid"]
        raise ReconcileError(f"{what} id {rid!r} appears twice; ids must be unique")


def _max_bucket(settings: MatcherSettings) -> int | None:
    """The amount blocker's bucket limit; only the standard blockers run distributed."""
    found: int | None = None
    for blocker in settings.blockers:
        if isinstance(blocker, AmountBlocker):
            found = max(found or 0, blocker.max_bucket)
        elif not isinstance(blocker, ReferenceBlocker | TextReferenceBlocker | PartyBlocker):
            raise ReconcileError(
                f"blocker {blocker.name!r}: the Spark engine runs the standard blockers only"
                " (reference, text, amount, party)"
            )
    return found


def _max_prefixes(settings: MatcherSettings) -> int:
    found = {b.max_prefixes for b in settings.blockers if isinstance(b, TextReferenceBlocker)}
    if len(found) > 1:
        raise ReconcileError("text blockers: the Spark engine needs one max_prefixes for all")
    return found.pop() if found else 40


def _run(action: Any, stage: str) -> Any:
    """Run a Spark action; a failed task becomes a :class:`SparkError` naming the partition."""
    try:
        return action()
    except EcomrulesError:
        raise
    except Exception as error:  # Py4J and PySpark errors arrive as many types
        told = first_line(error)
        if told.startswith(_BROKEN):
            found = json.loads(told[len(_BROKEN) :])
            raise _RowsBroken(found["source"], found["problems"]) from None
        raise SparkError(f"Spark stage {stage!r} failed: {told}") from None


_BROKEN = "rows break the layout: "
"""Starts a worker's report of input rows that break their layout (JSON follows)."""


class _RowsBroken(EcomrulesError):
    """Rows of an input break its layout; :func:`reconcile_spark` says where
    (:func:`~ecomrules.sparkrun.input_failure`)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: {problems[0] if problems else ''}")
        self.source = source
        self.problems = problems


def _checked(part: pa.Table, layout: Layout, source: str) -> Table:
    """A partition's rows checked and converted by ``layout`` (in C), or the worker fails
    with every problem of its rows, named by key and column."""
    table = arrow_columns(part, layout)
    if table is not None:
        return table
    problems = row_problems(part, layout, source)[:_SHOWN_PROBLEMS]
    found = json.dumps({"source": source, "problems": problems})
    raise RuntimeError(f"{TASK_MARK}: {_BROKEN}{found}")


_SHOWN_PROBLEMS = 100
"""Problems a worker reports of its rows (a CSV file's are all read again on the driver)."""


# ---------------------------------------------------------------- worker side


_ITEM_PREPARED = (
    "rid string, units long, currency string, day long, name string, iban string,"
    " number string, partner_id string, reference string, order_id string,"
    " number_key string, reference_key string, order_key string, nname string, nkey string,"
    " shapes array<string>, seq long, amount string, iban_issue string"
)


def _prepare_items(batches: Iterator[pa.RecordBatch], source: str) -> Iterator[pa.RecordBatch]:
    """Open items as the matcher reads them, their keys, and the partition's reference shapes.

    Each batch is checked and converted by the layout in C
    (:func:`~ecomrules.inputs.table.arrow_columns`); what Python computes a
    row (keys, names) runs over whole columns or their distinct values.
    """
    check = IbanCheck()
    prefixes: Counter[str] = Counter()
    lengths: set[int] = set()
    for batch in batches:
        part = pa.Table.from_batches([batch])
        seq = part.column("seq")
        table = _checked(part.drop_columns(["seq"]), OPEN_ITEMS, source)
        c, arrays = table.columns, table.arrays
        assert arrays is not None  # the columnar reader's
        n = table.rows
        numbers = c["number"]
        references = [text or "" for text in c["reference"]]
        orders = [text or "" for text in c["order_id"]]
        currencies = c["currency"]
        units = c["residual"]
        ibans = normalise_ibans([text or "" for text in c["iban"]])
        found, more = reference_shapes(_shape_records(numbers, references, orders))
        prefixes.update(found)
        lengths |= more
        out = {
            "rid": arrays["id"],
            "units": arrays["residual"],
            "currency": arrays["currency"],
            "day": _ordinals(arrays["due_date"]),
            "name": arrays["partner_name"],
            "iban": pa.array(ibans, pa.string()),
            "number": arrays["number"],
            "partner_id": arrays["partner_id"],
            "reference": pa.array(references, pa.string()),
            "order_id": pa.array(orders, pa.string()),
            "number_key": pa.array(normalise_references(numbers), pa.string()),
            "reference_key": pa.array(normalise_references(references), pa.string()),
            "order_key": pa.array(normalise_references(orders), pa.string()),
            "nname": _by_distinct(arrays["partner_name"], normalise_name),
            "nkey": _by_distinct(arrays["partner_name"], name_key),
            "shapes": pa.nulls(n, pa.list_(pa.string())),
            "seq": seq,
            "amount": pa.array(list(map(amount_text, units, currencies)), pa.string()),
            "iban_issue": _iban_messages(check, "item", c["id"], ibans),
        }
        yield pa.Table.from_pydict(out, schema=_ITEM_ARROW).combine_chunks().to_batches()[0]
    shapes = [f"p:{p}:{n}" for p, n in prefixes.items()] + [f"n:{n}" for n in lengths]
    empty: dict[str, list[Any]] = {k: [None] for k in _ITEM_ARROW.names}
    empty["shapes"] = [shapes]
    yield pa.RecordBatch.from_pydict(empty, schema=_ITEM_ARROW)


def _shape_records(
    numbers: Sequence[str], references: Sequence[str], orders: Sequence[str]
) -> list[ItemRecord]:
    """Records holding only what :func:`reference_shapes` reads, built in C."""
    n = len(numbers)
    blank, zero = ("",) * n, (0,) * n
    rows = zip(blank, numbers, blank, blank, blank, zero, zero, references, orders, strict=True)
    return list(map(tuple.__new__, repeat(ItemRecord), rows))


def _ordinals(days: Any) -> Any:
    """Dates (date32) as proleptic ordinals (``date.toordinal()``)."""
    return pc.add(pc.cast(pc.cast(days, pa.int32()), pa.int64()), _EPOCH)


def _by_distinct(texts: Any, function: Any) -> Any:
    """``function`` of each text, computed once per distinct text (names repeat)."""
    encoded = pc.dictionary_encode(pc.fill_null(texts, "")).combine_chunks()
    values = [function(text) for text in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(values, pa.string()), encoded.indices)


def _iban_messages(check: IbanCheck, record: str, ids: Sequence[str], ibans: list[str]) -> Any:
    """Each row's input issue message for an invalid IBAN, else null (each IBAN checked once)."""
    bad = {iban for iban in set(ibans) if iban and check.problem(iban) is not None}
    if not bad:
        return pa.nulls(len(ibans), pa.string())
    return pa.array(
        [
            _iban_message(check, record, owner, iban) if iban in bad else None
            for owner, iban in zip(ids, ibans, strict=True)
        ],
        pa.string(),
    )


def _iban_message(check: IbanCheck, record: str, owner: str, iban: str) -> str | None:
    """The input issue's message of an invalid IBAN, as the embedded engine writes it."""
    problem = check.problem(iban) if iban else None
    return None if problem is None else iban_issue(record, owner, iban, problem).message


_LINE_PREPARED = (
    "rid string, units long, currency string, day long, label string,"
    " name string, iban string, nname string, nkey string,"
    " ref string, ref_key string, more_keys array<string>, ref_structured boolean,"
    " tokens array<array<string>>,"
    " iban_bad boolean, iban_issue string, kind string, fee long, paid long, payout_id string,"
    " payout_hit boolean"
)
_REFS = "\x1f"
"""Separates the references of a line given several (``reference`` is one text)."""


def _text_keys(pattern: re.Pattern[str], text: str) -> list[str]:
    """Every key the text blocker may look up for ``text`` (each token, trailing groups dropped)."""
    return [key for token in _text_tokens(pattern, text) for key in token]


def _text_tokens(pattern: re.Pattern[str], text: str) -> list[list[str]]:
    """The text blocker's lookups for ``text``: for each token, the keys it tries in turn.

    A token takes the first of its keys that an item bears (the whole token,
    then with its trailing digit groups dropped one by one); empty keys,
    which no item bears, are left out.
    """
    tokens: list[list[str]] = []
    prefixed = "p" in pattern.groupindex  # not when no item number has a prefix
    for match in pattern.finditer(text.upper()):
        prefix = match.group("p") if prefixed else None
        if prefix is not None:
            groups = _SEP_PATTERN.split(match.group("d"))
        elif match.group("rf") is not None:  # the blocker drops an RF's trailing groups too
            prefix, groups = "", match.group().split(" ")
        else:
            tokens.append([normalise_reference(match.group())])
            continue
        keys = [normalise_reference(prefix + "".join(groups))]
        while len(groups) > 1:
            groups.pop()
            keys.append(normalise_reference(prefix + "".join(groups)))
        tokens.append(keys)
    return [kept for kept in ([key for key in token if key] for token in tokens) if kept]


def _prepare_lines(
    batches: Iterator[pa.RecordBatch],
    source: str,
    pattern_text: str,
    payout_keys: frozenset[str] = frozenset(),
) -> Iterator[pa.RecordBatch]:
    """Statement lines as the matcher reads them, with every key they can be joined on.

    Checked and converted by the layout in C, as the open items; the
    reference-shaped tokens of the text are found line by line (the lines
    without text are skipped). ``payout_hit``: a text of the line names one
    of ``payout_keys`` (the payouts' ids, normalised).
    """
    pattern = re.compile(pattern_text)
    check = IbanCheck()
    for batch in batches:
        table = _checked(pa.Table.from_batches([batch]), PSP_STATEMENT, source)
        c, arrays = table.columns, table.arrays
        assert arrays is not None  # the columnar reader's
        labels = [text or "" for text in c["label"]]
        references = [text or "" for text in c["reference"]]
        ibans = normalise_ibans([text or "" for text in c["iban"]])
        tokens = [
            _text_tokens(pattern, f"{label} | {ref.replace(_REFS, ' | ')}" if ref else label)
            if label or ref
            else []
            for label, ref in zip(labels, references, strict=True)
        ]
        fees = pc.fill_null(arrays["fee"], 0)
        payout_ids = [text or "" for text in c["payout_id"]]
        if payout_keys:
            hits = [
                any(key in payout_keys for key in normalise_references(found))
                for found in map(
                    payout_tokens,
                    payout_ids,
                    (r.split(_REFS) if r else () for r in references),
                    labels,
                )
            ]
        else:
            hits = [False] * table.rows
        out = {
            "rid": arrays["id"],
            "units": arrays["amount"],
            "currency": arrays["currency"],
            "day": _ordinals(arrays["booking_date"]),
            "label": pa.array(labels, pa.string()),
            "name": pc.fill_null(arrays["counterparty"], ""),
            "iban": pa.array(ibans, pa.string()),
            "nname": _by_distinct(arrays["counterparty"], normalise_name),
            "nkey": _by_distinct(arrays["counterparty"], name_key),
            "ref": pa.array(references, pa.string()),
            "ref_key": pa.array(
                normalise_references([r if _REFS not in r else "" for r in references]),
                pa.string(),
            ),
            "more_keys": pa.array(
                [normalise_references(r.split(_REFS)) if _REFS in r else [] for r in references],
                pa.list_(pa.string()),
            ),
            "ref_structured": pa.array(
                [bool(ref) and structured_kind(ref) is not None for ref in references]
            ),
            "tokens": pa.array(tokens, pa.list_(pa.list_(pa.string()))),
            "iban_issue": _iban_messages(check, "line", c["id"], ibans),
            "kind": arrays["kind"],
            "fee": fees,
            "paid": pc.add(arrays["amount"], fees),
            "payout_id": pa.array(payout_ids, pa.string()),
            "payout_hit": pa.array(hits, pa.bool_()),
        }
        out["iban_bad"] = pc.is_valid(out["iban_issue"])
        yield pa.Table.from_pydict(out, schema=_LINE_ARROW).combine_chunks().to_batches()[0]


def _near_numbers(table: pa.Table) -> pa.Table:
    """For one crowded amount: (line, partner) when a line key is near an item's number."""
    from rapidfuzz import fuzz, process

    rids = table.column("rid").to_pylist()
    keys = table.column("keys").to_pylist()
    numbers = table.column("number").to_pylist()
    partners = table.column("partner_id").to_pylist()
    line_keys = [(r, k) for r, ks in zip(rids, keys, strict=True) if r is not None for k in ks]
    owned = [(n, p) for n, p in zip(numbers, partners, strict=True) if p is not None]
    found: set[tuple[str, str]] = set()
    if line_keys and owned:
        scores = process.cdist(
            [k for _, k in line_keys],
            [n for n, _ in owned],
            scorer=fuzz.ratio,
            score_cutoff=_NEAR,
        )
        rows, cols = scores.nonzero()
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            found.add((line_keys[r][0], owned[c][1]))
    pairs = sorted(found)
    return pa.table(
        {"rid": [p[0] for p in pairs], "partner_id": [p[1] for p in pairs]},
        schema=pa.schema([("rid", pa.string()), ("partner_id", pa.string())]),
    )


def _propose_group(
    table: pa.Table, settings: MatcherSettings, shapes: tuple[dict[str, int], list[int]]
) -> pa.Table:
    """One group: the embedded engine's proposals for its lines, over the items they reach."""
    grp = table.column("grp")[0].as_py() if table.num_rows else None
    try:
        return _propose_rows(table, settings, shapes)
    except Exception as error:
        raise RuntimeError(
            f"{TASK_MARK}: proposal group {grp}: {type(error).__name__}: {error}"
        ) from None


def _propose_rows(
    table: pa.Table, settings: MatcherSettings, shapes: tuple[dict[str, int], list[int]]
) -> pa.Table:
    cols = table.to_pydict()
    lines: list[LineRecord] = []
    items: dict[str, ItemRecord] = {}
    order: dict[str, int] = {}  # an item's place in the input
    counts: dict[int, int] = {}
    names: dict[str, str | None] = {}
    for k, role in enumerate(cols["role"]):
        if role == "L":
            name = cols["name"][k] or ""
            line = LineRecord(
                cols["rid"][k],
                cols["units"][k],
                cols["currency"][k],
                cols["day"][k],
                tuple(cols["refs"][k] or ()),
                cols["label"][k] or "",
                name,
                cols["iban"][k] or "",
                cols["line_kind"][k],
                cols["fee"][k],
                cols["payout_id"][k] or "",
            )
            lines.append(line)
            counts[line.cents + line.fee] = cols["crowd"][k]
            if name:
                names[name_key(name)] = cols["named"][k]
        elif cols["rid"][k] not in items:
            items[cols["rid"][k]] = ItemRecord(
                cols["rid"][k],
                cols["number"][k] or "",
                cols["partner_id"][k] or "",
                cols["name"][k] or "",
                cols["currency"][k],
                cols["units"][k],
                cols["day"][k],
                cols["reference"][k] or "",
                cols["order_id"][k] or "",
                cols["iban"][k] or "",
            )
            order[cols["rid"][k]] = cols["seq"][k]
    lines.sort(key=lambda line: line.id)
    # in the input's order, as the embedded engine indexes them (a partner's first item)
    pool = sorted(items.values(), key=lambda item: order[item.id])
    shared = SharedFacts((Counter(shapes[0]), set(shapes[1])), counts, names)
    decisions, work, invalid = Matcher(settings).propose(lines, pool, shared=shared)
    flagged = set(invalid)
    rows: dict[str, list[Any]] = {k: [] for k in _DECISION_NAMES}
    for decision in decisions:
        line = work[decision.line]
        rows["line_id"].append(line.id)
        rows["fee"].append(line.fee)
        rows["line_currency"].append(line.currency)
        rows["iban_invalid"].append(decision.line in flagged)
        rows["own"].append(list(decision.reasons))
        if isinstance(decision, Proposal):
            rows["proposed"].append(True)
            rows["auto"].append(decision.auto)
            rows["total"].append(decision.total)
            rows["allocs"].append(
                [
                    {
                        "item_id": pool[i].id,
                        "units": units,
                        "currency": pool[i].currency,
                        "residual": pool[i].residual,
                    }
                    for i, units in decision.allocations
                ]
            )
            rows["levels"].append(
                [
                    {"code": lv.code, "weight": lv.weight, "description": lv.description}
                    for lv in decision.contributions
                ]
            )
            rows["write_off"].append(decision.write_off)
            rows["unallocated"].append(decision.unallocated)
            rows["candidates"].append([])
        else:
            rows["proposed"].append(False)
            rows["auto"].append(False)
            rows["total"].append(0.0)
            rows["allocs"].append([])
            rows["levels"].append([])
            rows["write_off"].append(0)
            rows["unallocated"].append(0)
            rows["candidates"].append([pool[i].id for i in decision.candidates])
    # the rows as final when no other group's line claims their items (most of them)
    final = {row["line_id"]: row for row in _out_rows(settle(decisions, work, pool, invalid))}
    for line_id in rows["line_id"]:
        for name, value in final[line_id].items():
            if name != "line_id":
                rows[f"o_{name}"].append(value)
    return pa.Table.from_pydict(rows, schema=_DECISION_ARROW)


def _issues(
    spark: SparkSession, lines: DataFrame, items: DataFrame, settings: MatcherSettings
) -> DataFrame:
    """The invalid IBANs of the lines and items (found as they were read) and of the
    partner mapping, as the embedded engine reports them."""
    from pyspark.sql import functions as F

    def found(frame: DataFrame, record: str) -> DataFrame:
        return frame.filter(F.col("iban_issue").isNotNull()).select(
            F.lit(record).alias("record"),
            F.col("rid").alias("id"),
            F.lit("iban").alias("field"),
            F.col("iban").alias("value"),
            F.lit(_IBAN_INVALID).alias("code"),
            F.col("iban_issue").alias("message"),
        )

    check = IbanCheck()
    mapped = []
    for iban in settings.partner_ibans or {}:
        key = normalise_iban(iban)
        problem = check.problem(key)
        if problem is not None:
            mapped.append(attrs.astuple(iban_issue("partners", key, key, problem)))
    partners = spark.createDataFrame(mapped, _ISSUE)
    return found(items, "item").unionByName(found(lines, "line")).unionByName(partners)


def _components(edges: DataFrame, kept: list[DataFrame]) -> DataFrame:
    """Each line of ``edges`` (``line_id``, ``item_id``: its claims) with ``part``, the least
    line id of its connected component (lines joined by the items they claim).

    Minimum labels spread line -> item -> line, one hop each way a round, in
    Spark SQL, until no label changes: as many rounds as the longest path
    from a component's least line, plus one to see nothing moved. The
    frames of the last round are stored (``kept``), the earlier ones
    released as soon as the next is computed.
    """
    from pyspark.sql import functions as F

    def store(frame: DataFrame) -> DataFrame:
        stored: DataFrame = _run(lambda: frame.localCheckpoint(eager=True), "contested claims")
        kept.append(stored)  # released with the run's frames if a round fails
        return stored

    edges = store(edges.distinct())
    parts = store(edges.select("line_id").distinct().withColumn("part", F.col("line_id")))
    while True:
        by_item = edges.join(parts, "line_id").groupBy("item_id").agg(F.min("part").alias("least"))
        spread = store(
            edges.join(by_item, "item_id").groupBy("line_id").agg(F.min("least").alias("part"))
        )
        # a line's label only falls (its own reaches it back through its items)
        moved = spread.join(parts.withColumnRenamed("part", "was"), "line_id").filter(
            F.col("part") != F.col("was")
        )
        changed = _run(moved.count, "contested claims")
        kept[:] = [frame for frame in kept if frame is not parts]
        _release([parts])
        parts = spread
        if not changed:
            return parts


def _settle_group(table: pa.Table) -> pa.Table:
    """Some connected components of contested proposals, settled by the engine's share-out.

    A component's items are claimed by its lines only, so settling several
    components in one call decides each as if alone, and as one run would.
    """
    grp = table.column("grp")[0].as_py() if table.num_rows else None
    try:
        return pa.Table.from_pylist(_settle_rows(table.to_pylist()), schema=_OUT_ARROW)
    except Exception as error:
        raise RuntimeError(
            f"{TASK_MARK}: contested claims, group {grp}: {type(error).__name__}: {error}"
        ) from None


def _settle_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Settle decisions (rows of the proposal stage) with the engine's own share-out."""
    if not rows:
        return []
    ordered = sorted(rows, key=lambda row: row["line_id"])
    lines: list[LineRecord] = []
    items: list[ItemRecord] = []
    at: dict[str, int] = {}

    def index(item_id: str, currency: str, residual: int) -> int:
        found = at.get(item_id)
        if found is None:
            found = at[item_id] = len(items)
            items.append(ItemRecord(item_id, "", "", "", currency, residual, 0))
        elif residual and not items[found].residual:
            items[found] = items[found]._replace(residual=residual, currency=currency)
        return found

    decisions: list[Proposal | Refusal] = []
    invalid: list[int] = []
    for position, row in enumerate(ordered):
        currency = row["line_currency"]
        lines.append(LineRecord(row["line_id"], 0, currency, 0, fee=row["fee"]))
        if row["iban_invalid"]:
            invalid.append(position)
        if row["proposed"]:
            allocations = [
                (index(a["item_id"], a["currency"], a["residual"]), a["units"])
                for a in row["allocs"]
            ]
            levels = tuple(
                Level(lv["code"], lv["weight"], lv["description"]) for lv in row["levels"]
            )
            decisions.append(
                Proposal(
                    position,
                    row["auto"],
                    row["total"],
                    allocations,
                    levels,
                    tuple(row["own"]),
                    row["write_off"],
                    row["unallocated"],
                )
            )
        else:
            candidates = tuple(index(c, currency, 0) for c in row["candidates"])
            decisions.append(Refusal(position, tuple(row["own"]), candidates))
    return _out_rows(settle(decisions, lines, items, invalid))


def _out_rows(result: MatchResult) -> list[dict[str, Any]]:
    """The rows of the output tables (one per line) from a result: the JSON's fields."""
    out: list[dict[str, Any]] = []
    for match in result.matches:
        doc = match.to_json()
        out.append(
            {
                "line_id": match.line_id,
                "status": doc["status"],
                "score": match.score,
                "allocations": doc["allocations"],
                "write_off": doc["write_off"],
                "unallocated": doc["unallocated"],
                "fee": doc["fee"],
                "currency": doc["currency"],
                "reasons": doc["reasons"],
                "contributions": doc["contributions"],
                "candidates": [],
            }
        )
    for unmatched in result.unmatched_lines:
        out.append(
            {
                "line_id": unmatched.line_id,
                "status": "unmatched",
                "score": 0.0,
                "allocations": [],
                "write_off": None,
                "unallocated": None,
                "fee": None,
                "currency": None,
                "reasons": list(unmatched.reasons),
                "contributions": [],
                "candidates": list(unmatched.candidates),
            }
        )
    return out


def _arrow(fields: str) -> pa.Schema:
    """An Arrow schema from ``"name type, ..."`` (types: string, long, int, double, boolean,
    ``array<T>`` and ``array<struct<name:type,...>>``), the same text Spark reads as DDL."""
    kinds = {
        "string": pa.string(),
        "long": pa.int64(),
        "int": pa.int32(),
        "double": pa.float64(),
        "boolean": pa.bool_(),
    }

    def kind(text: str) -> pa.DataType:
        if text.startswith("array<"):
            return pa.list_(kind(text[6:-1]))
        if text.startswith("struct<"):
            parts = [p.split(":") for p in text[7:-1].split(",")]
            return pa.struct([(n, kinds[t]) for n, t in parts])
        return kinds[text]

    return pa.schema([(name, kind(text)) for name, text in _fields(fields)])


def _fields(fields: str) -> list[tuple[str, str]]:
    """``"name type, ..."`` as (name, type) pairs."""
    out: list[tuple[str, str]] = []
    for part in re.split(r",\s*(?![^<]*>)", fields.strip()):
        name, _, text = part.strip().partition(" ")
        out.append((name, text.strip()))
    return out


_ITEM_ARROW = _arrow(_ITEM_PREPARED)
_LINE_ARROW = _arrow(_LINE_PREPARED)
_OUT_ARROW = _arrow(_OUT)
_DECISION = _DECISION + "".join(f", o_{name} {text}" for name, text in _fields(_OUT)[1:])
_DECISION_ARROW = _arrow(_DECISION)
_ITEM_PREPARED_NAMES = _ITEM_ARROW.names
_LINE_PREPARED_NAMES = _LINE_ARROW.names
_DECISION_NAMES = _DECISION_ARROW.names
