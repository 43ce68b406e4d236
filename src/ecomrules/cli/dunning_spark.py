"""``ecomrules dunning plan --engine spark``: plan on Apache Spark, write Parquet, print a summary.

The items and customers are read by Spark (a Parquet dataset or a CSV file
of the documented layouts); the history is the workspace's, as for the
embedded engine, and is sent to the cluster. The plan is written under
``--out DIR`` as one Parquet dataset per table (``notices``, ``holds``,
``claims``, ``issues``), in a temporary directory renamed into place when all
are written (``DIR/_SUCCESS`` holds the counts): a failed run leaves no
``DIR``. Nothing is recorded: ``dunning commit`` records with the workspace.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from ecomrules.cli.output import console, print_json
from ecomrules.errors import InputError

__all__ = ["EngineOption", "MasterOption", "run"]

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="embedded (default) or spark: plan on Apache Spark and write Parquet under --out DIR.",
    ),
]
MasterOption = Annotated[
    str | None,
    typer.Option("--master", help="With --engine spark: the Spark master URL (default local[2])."),
]


def run(
    *,
    engine: str,
    open_items: Path | None,
    customers: Path | None,
    policy: str | None,
    statement: list[Path] | None,
    as_of: str | None,
    workspace: Path | None,
    out: Path | None,
    master: str | None,
    as_json: bool,
    unsupported: Mapping[str, object],
) -> bool:
    """Plan on Spark when ``--engine spark`` asks; False leaves the run to the embedded engine."""
    if engine == "embedded":
        if master is not None:
            raise typer.BadParameter("--master needs --engine spark", param_hint="--master")
        return False
    if engine != "spark":
        raise typer.BadParameter(f"{engine!r}: embedded or spark", param_hint="--engine")
    given = [name for name, value in unsupported.items() if value]
    if given:
        raise typer.BadParameter(
            f"{', '.join(given)} cannot be used with --engine spark", param_hint="--engine"
        )
    from ecomrules.cli.dunning import _as_of, _statements
    from ecomrules.cli.tryton import needed
    from ecomrules.cli.workspace import history, reading
    from ecomrules.workspace.reconcile import SqliteMatchStore

    run_date = _as_of(as_of)
    lines, newest = _statements(statement)
    with reading(workspace) as space:
        if space is not None:
            refuse_committed_payments(len(SqliteMatchStore(space).commitments()))
        past = history(space)
    spark_plan(
        open_items=needed(open_items, "--open-items"),
        customers=needed(customers, "--customers"),
        policy=needed(policy, "--policy"),
        in_transit=lines,
        bank_data_as_of=newest,
        as_of=run_date,
        history=past,
        out=out,
        master=master,
        as_json=as_json,
    )
    return True


def spark_plan(
    *,
    open_items: Path,
    customers: Path,
    policy: str,
    in_transit: Any,
    bank_data_as_of: Any,
    as_of: Any,
    history: Any,
    out: Path | None,
    master: str | None,
    as_json: bool,
) -> None:
    """Plan on Spark (local by default, ``master`` for a cluster) and write ``out``."""
    from ecomrules.dunning import load_policy
    from ecomrules.dunning.spark import plan_frames
    from ecomrules.sparkrun import local_session

    if out is None:
        raise typer.BadParameter(
            "--engine spark writes Parquet: give --out DIR", param_hint="--out"
        )
    from pyspark.sql import SparkSession

    rules = load_policy(policy)
    running = SparkSession.getActiveSession()  # in-process callers (tests) keep theirs
    session = running or local_session(master or "local[2]", app_name="ecomrules-dunning")
    try:
        result = plan_frames(
            session,
            open_items,
            customers,
            rules,
            as_of,
            history=history,
            in_transit=in_transit,
            bank_data_as_of=bank_data_as_of,
        )
        try:
            counts = result.write(out)
            summary = _summary(result, counts, out)
        finally:
            result.unpersist()
    finally:
        if running is None:
            session.stop()
    if as_json:
        print_json(summary)
        return
    levels = ", ".join(f"{k} {v:,}" for k, v in summary["notices"].items()) or "none"
    reasons = ", ".join(f"{k} {v:,}" for k, v in summary["holds"].items()) or "none"
    console.print(f"{counts['notices']:,} notice(s): {levels}", markup=False)
    console.print(f"{counts['holds']:,} hold(s): {reasons}", markup=False)
    console.print(f"{counts['claims']:,} open claim(s)", markup=False)
    for code in summary["issues"]:
        console.print(f"issue: {code}", markup=False)
    console.print(f"plan written to {out} (Parquet: notices, holds, claims, issues)", markup=False)


def _summary(result: Any, counts: dict[str, int], out: Path) -> dict[str, Any]:
    """The counts of the plan, as the embedded ``--json --out`` summary, plus where and how many."""
    levels = result.notices.groupBy("level").count().collect()
    reasons = result.holds.groupBy("reason").count().collect()
    issues = sorted({row["code"] for row in result.issues.select("code").collect()})
    return {
        "as_of": result.as_of.isoformat(),
        "policy": result.policy,
        "engine": "spark",
        "notices": dict(sorted((row["level"], row["count"]) for row in levels)),
        "holds": dict(sorted((row["reason"], row["count"]) for row in reasons)),
        "issues": issues,
        "rows": counts,
        "out": str(out),
    }


def refuse_committed_payments(count: int) -> None:
    """The Spark engine does not take a workspace's committed payments off the items (yet)."""
    if count:
        raise InputError(
            "workspace",
            [
                f"the workspace holds {count} committed payment(s): --engine spark plans on the "
                "items as given; export the open items with those payments applied"
            ],
        )
