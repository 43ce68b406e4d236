"""Re-planning: what changed between two plans, line by line, so customers can be told.

Plans are compared through :class:`LineSnapshot` values (a plan's own, or
read back from a plan's JSON document), so a plan saved yesterday can be
compared with today's after a release date, a supply quantity or an arrival
moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from attrs import frozen

from ecomrules.errors import InputError
from ecomrules.preorder.result import ReleasePlan

__all__ = ["LineChange", "LineSnapshot", "PlanDiff", "diff_plans", "snapshot", "snapshot_from_json"]


@frozen
class LineSnapshot:
    """What a customer was told about a line: allocation, ship day and expected delivery."""

    order_id: str
    sku: str
    allocated: int
    ship_on: date | None
    expected_delivery: date | None


@frozen
class LineChange:
    """One change of one line between two plans (``code`` says which field)."""

    order_id: str
    sku: str
    code: str
    before: str | None
    after: str | None

    @property
    def message(self) -> str:
        """A readable account of the change."""
        what = self.code.rsplit(".", 1)[1]
        return f"{self.order_id}/{self.sku}: {what} {self.before} -> {self.after}"

    def to_json(self) -> dict[str, Any]:
        """The change as a JSON-ready dict."""
        return {
            "order_id": self.order_id,
            "sku": self.sku,
            "code": self.code,
            "before": self.before,
            "after": self.after,
        }


@frozen
class PlanDiff:
    """Every change between two plans, sorted by line then code."""

    changes: tuple[LineChange, ...]

    @property
    def lines(self) -> tuple[tuple[str, str], ...]:
        """The ``(order_id, sku)`` of every changed line, once each, sorted."""
        return tuple(sorted({(c.order_id, c.sku) for c in self.changes}))

    def to_json(self) -> list[dict[str, Any]]:
        """The changes as JSON-ready dicts."""
        return [change.to_json() for change in self.changes]


Snapshots = Mapping[tuple[str, str], LineSnapshot]


def snapshot(plan: ReleasePlan) -> dict[tuple[str, str], LineSnapshot]:
    """The snapshots of a plan's lines, keyed by ``(order_id, sku)``."""
    return {
        (line.order_id, line.sku): LineSnapshot(
            line.order_id, line.sku, line.allocated, line.ship_on, line.expected_delivery
        )
        for line in plan.lines
    }


def snapshot_from_json(document: Any, source: str = "plan") -> dict[tuple[str, str], LineSnapshot]:
    """Read the snapshots back from a plan's JSON document (``ReleasePlan.to_json()``)."""
    lines = document.get("lines") if isinstance(document, dict) else None
    if not isinstance(lines, list):
        raise InputError(source, [f"{source}: not a plan document (no 'lines' list)"])
    out: dict[tuple[str, str], LineSnapshot] = {}
    problems = []
    for number, line in enumerate(lines):
        try:
            item = LineSnapshot(
                str(line["order_id"]),
                str(line["sku"]),
                int(line["allocated"]),
                _day(line.get("ship_on")),
                _day(line.get("expected_delivery")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{source}: $.lines[{number}]: {exc!s}")
            continue
        out[(item.order_id, item.sku)] = item
    if problems:
        raise InputError(source, problems)
    return out


def diff_plans(before: Snapshots, after: Snapshots) -> PlanDiff:
    """The changes from ``before`` to ``after``: added, removed and moved lines."""
    changes: list[LineChange] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None:
            changes.append(LineChange(*key, "preorder.replan.added", None, _show(new)))
        elif new is None:
            changes.append(LineChange(*key, "preorder.replan.removed", _show(old), None))
        else:
            changes.extend(_fields(old, new))
    return PlanDiff(tuple(changes))


def _fields(old: LineSnapshot, new: LineSnapshot) -> Iterable[LineChange]:
    key = (old.order_id, old.sku)
    if old.allocated != new.allocated:
        yield LineChange(*key, "preorder.replan.allocation", str(old.allocated), str(new.allocated))
    if old.ship_on != new.ship_on:
        yield LineChange(*key, "preorder.replan.ship_on", _iso(old.ship_on), _iso(new.ship_on))
    if old.expected_delivery != new.expected_delivery:
        yield LineChange(
            *key,
            "preorder.replan.expected_delivery",
            _iso(old.expected_delivery),
            _iso(new.expected_delivery),
        )


def _show(line: LineSnapshot | None) -> str | None:
    if line is None:
        return None
    return f"{line.allocated} units, ships {_iso(line.ship_on)}"


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(str(value))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
