"""Reported aggregates: what the analytics tool says, to check against what the store computes.

Matomo's reporting API answers ``Goals.get``, ``VisitsSummary.get`` and the
item reports as XML (a ``<result>`` of metrics, or of ``<row>`` elements), and
its scheduled reports as CSV: one section per report, each a title line, a
header and rows, with money formatted for display (``$13,351.11``) and rates as
percentages (``66.67%``). :func:`read_matomo_report` reads all of them into
sections of rows of text; :func:`matomo_goal_figures` computes the same
``Goals.get`` figures from the visits loaded in the store, and
:func:`compare_goals` puts the two side by side, metric by metric.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Final

import duckdb
from attrs import frozen
from defusedxml import ElementTree

from ecomrules.analytics._sql import scalar
from ecomrules.errors import EcomrulesError

__all__ = [
    "GoalComparison",
    "ReportSection",
    "compare_goals",
    "matomo_goal_figures",
    "read_matomo_report",
    "read_shop_report",
    "reported_number",
]


@frozen
class ReportSection:
    """One report of a file: its title and rows (a flat report is one row)."""

    title: str
    rows: tuple[Mapping[str, str], ...]


def reported_number(text: str) -> Decimal:
    """A reported figure as a Decimal: ``$13,351.11``, ``66.67%`` (0.6667), ``1,000``.

    >>> reported_number("$13,351.11"), reported_number("66.67%"), reported_number("0")
    (Decimal('13351.11'), Decimal('0.6667'), Decimal('0'))
    """
    cleaned = text.strip().replace(",", "").replace("\u00a0", "")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%").lstrip("$€£¥").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise EcomrulesError(f"{text!r} is not a reported number") from None
    return number.scaleb(-2) if percent else number


def _xml_sections(data: bytes, source: str) -> list[ReportSection]:
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several types
        raise EcomrulesError(f"{source}: not valid XML: {exc}") from None
    if root.tag != "result":
        raise EcomrulesError(f"{source}: not a Matomo report (no <result>)")
    data_root = root.find("reportData")
    if data_root is None:
        data_root = root
    rows = data_root.findall("row")
    if rows:
        found = tuple(
            {child.tag: (child.text or "").strip() for child in row if not list(child)}
            for row in rows
        )
        return [ReportSection("rows", found)]
    flat = {child.tag: (child.text or "").strip() for child in data_root if not list(child)}
    return [ReportSection("result", (flat,))]


def _csv_sections(text: str) -> list[ReportSection]:
    sections: list[ReportSection] = []
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    for block in blocks:
        lines = block.strip("\n").split("\n")
        title, body = lines[0], "\n".join(lines[1:])
        reader = csv.DictReader(io.StringIO(body))
        sections.append(ReportSection(title.strip(), tuple(dict(row) for row in reader)))
    return sections


def read_matomo_report(data: bytes, source: str) -> list[ReportSection]:
    """Read a Matomo report: XML (flat, rows, or a processed report) or a scheduled CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EcomrulesError(f"{source}: not UTF-8 at byte {exc.start}") from None
    if text.lstrip().startswith("<"):
        return _xml_sections(data, source)
    return _csv_sections(text)


def _flat(value: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in value.items() if not isinstance(v, Mapping | list)}


def read_shop_report(data: bytes, source: str) -> list[ReportSection]:
    """Read a shop's own report: WooCommerce Analytics revenue stats (totals and
    intervals), its products report, or Jetpack's site visits (fields and rows)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise EcomrulesError(f"{source}: not valid JSON: {exc}") from None
    body = document.get("data") if isinstance(document, Mapping) else None
    if isinstance(body, Mapping) and isinstance(body.get("totals"), Mapping):
        intervals = tuple(
            {"interval": str(i.get("interval")), **_flat(i.get("subtotals") or {})}
            for i in body.get("intervals") or ()
            if isinstance(i, Mapping)
        )
        return [
            ReportSection("totals", (_flat(body["totals"]),)),
            ReportSection("intervals", intervals),
        ]
    if isinstance(body, list) and all(isinstance(r, Mapping) for r in body):
        return [ReportSection("rows", tuple(_flat(r) for r in body))]
    if isinstance(document, Mapping) and isinstance(document.get("fields"), list):
        fields = [str(f) for f in document["fields"]]
        rows = tuple(
            dict(zip(fields, (str(v) for v in row), strict=False))
            for row in document.get("data") or ()
            if isinstance(row, list)
        )
        return [ReportSection(str(document.get("unit", "rows")), rows)]
    raise EcomrulesError(f"{source}: not a WooCommerce or Jetpack report")


_GOAL_METRICS: Final = ("nb_conversions", "nb_visits_converted", "revenue", "conversion_rate")


def matomo_goal_figures(con: duckdb.DuckDBPyConnection, *, goal: str = "all") -> dict[str, Decimal]:
    """``Goals.get`` figures computed from the Matomo visits in the store.

    ``goal`` is ``all`` (every goal and every e-commerce order, as ``Goals.get``
    without ``idGoal``) or ``ecommerceOrder`` (orders only). Conversion rate is
    visits converted over visits, four places, half-even, as Matomo rounds to
    two places of a percentage.
    """
    if goal == "ecommerceOrder":
        condition = "event_name = 'ecommerceOrder'"
    elif goal == "all":
        condition = "(event_name = 'ecommerceOrder' OR event_name LIKE 'goal\\_%' ESCAPE '\\')"
    else:
        raise EcomrulesError(f"goal {goal!r} is not 'all' or 'ecommerceOrder'")
    row = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE {condition}),
               count(DISTINCT session_key) FILTER (WHERE {condition}),
               coalesce(sum(revenue) FILTER (WHERE {condition}), 0)
        FROM events WHERE source = 'matomo'
        """
    ).fetchall()[0]
    visits = int(
        scalar(con, "SELECT count(DISTINCT session_key) FROM events WHERE source = 'matomo'")
    )
    conversions, converted, revenue = int(row[0]), int(row[1]), Decimal(row[2])
    rate = (
        (Decimal(converted) / Decimal(visits)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
        if visits
        else Decimal(0)
    )
    return {
        "nb_conversions": Decimal(conversions),
        "nb_visits_converted": Decimal(converted),
        "revenue": revenue.normalize() if revenue else Decimal(0),
        "conversion_rate": rate,
    }


@frozen
class GoalComparison:
    """One metric as reported and as computed."""

    metric: str
    reported: Decimal
    computed: Decimal

    @property
    def agrees(self) -> bool:
        return self.reported == self.computed

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "reported": str(self.reported),
            "computed": str(self.computed),
            "agrees": self.agrees,
        }


def compare_goals(
    con: duckdb.DuckDBPyConnection, sections: list[ReportSection], *, goal: str = "all"
) -> tuple[GoalComparison, ...]:
    """The report's ``Goals.get`` metrics against the store's, metric by metric."""
    flat = next((s.rows[0] for s in sections if s.title == "result" and s.rows), None)
    if flat is None or not any(m in flat for m in _GOAL_METRICS):
        raise EcomrulesError("the report is not a Matomo Goals.get result")
    computed = matomo_goal_figures(con, goal=goal)
    return tuple(
        GoalComparison(metric, reported_number(flat[metric]), computed[metric])
        for metric in _GOAL_METRICS
        if metric in flat
    )
