"""``ecomrules reconcile --engine spark``: the same decisions, on Apache Spark (ADR 0100).

Reads the open items and one statement (CSV in the documented layouts, or
Parquet), reconciles them with :func:`ecomrules.reconcile.spark.reconcile_spark`
on a local Spark session (``--master URL`` for a cluster), and writes one
Parquet dataset per table under ``--out DIR`` (``matches``, ``review``,
``unmatched_lines``, ``unmatched_items``, ``issues``), all or nothing. stdout gets the
counts (``--json``: one JSON document).
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
    engine: str, *, out: Path | None, master: str | None, statements: list[Path], **others: Any
) -> None:
    """Usage errors (exit 2) for options that do not go with the chosen engine."""
    if engine not in ENGINES:
        raise clickx.BadParameter(
            f"{engine!r} is not one of {', '.join(ENGINES)}", param_hint="--engine"
        )
    if engine == "embedded":
        if master is not None:
            raise clickx.UsageError("--master goes with --engine spark")
        return
    if out is None:
        raise clickx.UsageError("--engine spark writes Parquet datasets: give --out DIR")
    if len(statements) != 1:
        raise clickx.UsageError("--engine spark reads one --statement (a file or a directory)")
    for option, given in others.items():
        if given:
            raise clickx.UsageError(f"--{option.replace('_', '-')} goes with --engine embedded")


def reconcile_on_spark(
    open_items: Path,
    statement: Path,
    out: Path,
    *,
    master: str | None,
    config: Path | None,
    json: bool,
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
        run = reconcile_spark(spark, statement, open_items, settings=settings)
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
        f"{summary['unmatched_items']} open item(s) left, {summary['issues']} input issue(s); "
        f"Parquet tables in {out}"
    )
