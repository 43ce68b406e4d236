"""``ecomrules reconcile --engine spark``: the same decisions, on Apache Spark (ADR 0100).

Reads the open items and the statements, reconciles them with
:func:`ecomrules.reconcile.spark.reconcile_spark` on a local Spark session
(``--master URL`` for a cluster), and writes one Parquet dataset per table
under ``--out DIR`` (``matches``, ``review``, ``unmatched_lines``,
``unmatched_items``, ``issues``, ``payouts``), all or nothing. stdout gets
the counts (``--json``: one JSON document).

A statement is read by Spark when it is a Parquet dataset or a CSV file of
the statement layout (with the PSP columns ``kind``, ``fee``, ``payout_id``
if it has them); any other statement (a PSP report, a bank format) is read
by the parsers as the embedded command reads it, on the driver, and handed
to Spark as a DataFrame with its payouts. ``--payouts`` gives payouts in the
documented columns (:data:`~ecomrules.inputs.PAYOUTS`) as a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecomrules.cli.failure import clickx
from ecomrules.cli.output import console, print_json

__all__ = ["ENGINES", "check_engine_options", "reconcile_on_spark"]

ENGINES = ("embedded", "spark")
"""The values of ``--engine``."""


def check_engine_options(
    engine: str,
    *,
    out: Path | None,
    master: str | None,
    payouts: Path | None,
    statements: list[Path],
    **others: Any,
) -> None:
    """Usage errors (exit 2) for options that do not go with the chosen engine."""
    if engine not in ENGINES:
        raise clickx.BadParameter(
            f"{engine!r} is not one of {', '.join(ENGINES)}", param_hint="--engine"
        )
    if engine == "embedded":
        for option, given in (("--master", master), ("--payouts", payouts)):
            if given is not None:
                raise clickx.UsageError(f"{option} goes with --engine spark")
        return
    if out is None:
        raise clickx.UsageError("--engine spark writes Parquet datasets: give --out DIR")
    for option, given in others.items():
        if given:
            raise clickx.UsageError(f"--{option.replace('_', '-')} goes with --engine embedded")


def _statements(spark: Any, paths: list[Path], payouts: Path | None) -> tuple[Any, Any]:
    """The statement for Spark (a path, or a DataFrame of every statement's lines) and the
    payouts (a path, a DataFrame of the PSP reports' payouts, or None)."""
    from ecomrules.inputs.statement import PAYOUTS, PSP_STATEMENT, is_statement_header
    from ecomrules.parsing.registry import parse_file
    from ecomrules.reconcile.records import line_record
    from ecomrules.reconcile.result import amount_text

    def spark_reads(path: Path) -> bool:
        if path.is_dir() or path.suffix.lower() == ".parquet":
            return True
        return path.suffix.lower() == ".csv" and is_statement_header(path, layout=PSP_STATEMENT)

    if len(paths) == 1 and spark_reads(paths[0]):
        return str(paths[0]), None if payouts is None else str(payouts)
    frames = []
    rows: list[tuple[str, ...]] = []
    paid_out: list[tuple[str, ...]] = []
    for path in paths:
        if spark_reads(path):
            frames.append(
                spark.read.parquet(str(path))
                if path.is_dir() or path.suffix.lower() == ".parquet"
                else spark.read.csv(str(path), header=True, inferSchema=False, escape='"')
            )
            continue
        for result in parse_file(path):
            for line in result.lines:
                record = line_record(line)
                rows.append(
                    (
                        record.id,
                        line.booked_on.isoformat(),
                        "",
                        amount_text(record.cents, record.currency),
                        record.currency,
                        record.name,
                        record.iban,
                        record.label,
                        "\x1f".join(record.references),
                        record.kind,
                        amount_text(record.fee, record.currency) if record.fee else "",
                        record.payout_id,
                    )
                )
            for payout in result.payouts:
                paid_out.append(
                    (
                        payout.id,
                        str(payout.amount.amount),
                        payout.currency.code,
                        " ".join(payout.line_ids),
                        "" if payout.arrival_date is None else payout.arrival_date.isoformat(),
                    )
                )
    text = ", ".join(f"{column.name} string" for column in PSP_STATEMENT.columns)
    frames.append(spark.createDataFrame(rows, text))
    statement = frames[0]
    for more in frames[1:]:
        statement = statement.unionByName(more, allowMissingColumns=True)
    if payouts is not None:
        if paid_out:
            raise clickx.UsageError("--payouts: the PSP reports given hold their payouts")
        return statement, str(payouts)
    if not paid_out:
        return statement, None
    columns = ", ".join(f"{column.name} string" for column in PAYOUTS.columns)
    return statement, spark.createDataFrame(paid_out, columns)


def reconcile_on_spark(
    open_items: Path,
    statements: list[Path],
    out: Path,
    *,
    master: str | None,
    config: Path | None,
    json: bool,
    payouts: Path | None = None,
) -> None:
    """Run the reconciliation on Spark and write its tables; print the summary."""
    from ecomrules.reconcile.spark import reconcile_spark
    from ecomrules.sparkrun import local_session

    settings = None
    if config is not None:
        from ecomrules.reconcile.config import load_config

        settings = load_config(config)
    from ecomrules.sparkrun import check_spark

    check_spark()
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()  # a session of the calling process: kept running
    spark = running or local_session(master or "local[*]", app_name="ecomrules-reconcile")
    try:
        statement, paid_out = _statements(spark, statements, payouts)
        run = reconcile_spark(
            spark, statement, str(open_items), payouts=paid_out, settings=settings
        )
        try:
            summary = run.write(out)
        finally:
            run.unpersist()  # the session may be the caller's: leave its storage as found
    finally:
        if running is None:
            spark.stop()
    document = {"engine": "spark", "out": str(out), **summary}
    if json:
        print_json(document)
        return
    console.print(
        f"{summary['auto']} auto, {summary['review']} to review, "
        f"{summary['unmatched_lines']} unmatched line(s), "
        f"{summary['unmatched_items']} open item(s) left, {summary['issues']} input issue(s), "
        f"{summary['payouts']} payout(s); "
        f"Parquet tables in {out}"
    )
