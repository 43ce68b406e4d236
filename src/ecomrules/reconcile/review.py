"""The review queue: the lines a person decides, with what the matcher weighed for each.

Pure: built from a :class:`~ecomrules.reconcile.MatchResult`, the matcher's
records and :meth:`~ecomrules.reconcile.Matcher.candidates`, no clock, no
I/O. Each :class:`ReviewEntry` is a snapshot of one ``review`` or unmatched
line: the line, the proposal (allocations, write-off, reasons), and its
candidate items side by side, each with its score and every contribution
in plain words. The workspace keeps the entries
(:class:`ecomrules.workspace.review.SqliteReviewStore`) and records the
decisions taken on them; :func:`decided_match` turns a decision into the
match that :func:`ecomrules.reconcile.store.commit_against` records, so a
decision settles items exactly as an ``auto`` match of ``reconcile
--commit`` does.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from attrs import frozen

from ecomrules.errors import InputError
from ecomrules.money import Currency, Money
from ecomrules.reconcile.records import ItemRecord, LineRecord
from ecomrules.reconcile.result import Allocation, Candidate, Match, MatchResult, MatchStatus

__all__ = [
    "ReviewAction",
    "ReviewEntry",
    "decided_match",
    "review_entries",
]


class ReviewAction(enum.Enum):
    """What a person decided for a line."""

    ACCEPT = "accept"
    """The matcher's proposal, as proposed."""
    PICK = "pick"
    """Another candidate (or any open item): the line pays it."""
    UNMATCHED = "unmatched"
    """Leave the line unmatched: nothing is settled, the line leaves the queue."""


def _text(units: int, currency: str) -> str:
    return str(Money.from_minor_units(units, Currency.of(currency)).amount)


def _line(line: LineRecord) -> dict[str, Any]:
    return {
        "id": line.id,
        "booked_on": date.fromordinal(line.day).isoformat(),
        "units": line.cents + line.fee,
        "amount": _text(line.cents + line.fee, line.currency),
        "currency": line.currency,
        "name": line.name,
        "iban": line.iban,
        "label": line.label,
        "references": list(line.references),
    }


def _item(item: ItemRecord, ledger: ItemRecord | None) -> dict[str, Any]:
    base = ledger or item
    return {
        "id": item.id,
        "number": item.number,
        "partner_id": item.partner_id,
        "partner_name": item.partner_name,
        "currency": item.currency,
        "open_units": item.residual,
        "open": _text(item.residual, item.currency),
        "residual": _text(base.residual, base.currency),
        "due": date.fromordinal(item.due).isoformat(),
        "reference": item.reference,
        "iban": item.iban,
    }


@frozen
class ReviewEntry:
    """One line to decide: the line, the proposal (if any) and its candidates, best first.

    ``status`` is ``review`` (a proposal a person confirms) or ``unmatched``
    (the matcher refused, ``reasons`` say why). The document is plain JSON,
    as the workspace stores it.
    """

    line_id: str
    status: str
    document: dict[str, Any]

    @property
    def candidates(self) -> list[dict[str, Any]]:
        """The candidate items: the item's fields, ``score`` and ``contributions``."""
        found: list[dict[str, Any]] = self.document["candidates"]
        return found

    @property
    def proposal(self) -> dict[str, Any] | None:
        """The proposed allocations (``item_id``, ``units``, ``amount``), write-off and score."""
        found: dict[str, Any] | None = self.document["proposal"]
        return found

    def candidate(self, item_id: str) -> dict[str, Any] | None:
        """The candidate of this id, or None."""
        return next((c for c in self.candidates if c["id"] == item_id), None)


def review_entries(
    result: MatchResult,
    lines: Sequence[LineRecord],
    items: Sequence[ItemRecord],
    candidates: Mapping[str, Sequence[Candidate]],
    *,
    ledger: Sequence[ItemRecord] = (),
) -> list[ReviewEntry]:
    """The ``review`` and unmatched lines of ``result`` as entries, by line id.

    ``items`` are the records the matcher saw (residuals less what the
    workspace already committed), ``ledger`` the items as the open-items
    file gives them (a decision records the ledger's residual, as
    :class:`~ecomrules.reconcile.store.Commitment` requires); the items
    themselves when omitted. ``candidates`` comes from
    :meth:`~ecomrules.reconcile.Matcher.candidates`.
    """
    by_line = {line.id: line for line in lines}
    by_item = {item.id: item for item in items}
    books = {item.id: item for item in ledger}
    queued: list[tuple[str, str, dict[str, Any] | None, list[str]]] = []
    for match in result.matches:
        if match.status is MatchStatus.REVIEW and match.line_id in by_line:
            proposal: dict[str, Any] = {
                "score": match.score,
                "allocations": [
                    {
                        "item_id": a.item_id,
                        "units": a.units,
                        "currency": a.currency,
                        "amount": _text(a.units, a.currency),
                    }
                    for a in match.allocations
                ],
                "currency": match.currency,
                "write_off_units": match.write_off,
                "write_off": _text(match.write_off, match.currency) if match.write_off else None,
                "unallocated": (
                    _text(match.unallocated, match.currency) if match.unallocated else None
                ),
                "contributions": [_level(level) for level in match.contributions],
            }
            queued.append((match.line_id, "review", proposal, list(match.reasons)))
    for unmatched in result.unmatched_lines:
        if unmatched.line_id in by_line:
            queued.append((unmatched.line_id, "unmatched", None, list(unmatched.reasons)))
    entries = []
    for line_id, status, offer, reasons in sorted(queued, key=lambda q: q[0]):
        shown: list[dict[str, Any]] = []
        ids = {a["item_id"] for a in offer["allocations"]} if offer else set()
        for candidate in candidates.get(line_id, ()):
            if candidate.item_id in by_item:
                shown.append(_scored(by_item[candidate.item_id], books, candidate))
                ids.discard(candidate.item_id)
        for item_id in sorted(ids):  # a combination's items the pair scoring did not block
            if item_id in by_item:
                shown.append({**_item(by_item[item_id], books.get(item_id)), "score": None})
        document = {
            "line": _line(by_line[line_id]),
            "status": status,
            "reasons": reasons,
            "proposal": offer,
            "candidates": shown,
        }
        entries.append(ReviewEntry(line_id, status, document))
    return entries


def _level(level: Any) -> dict[str, Any]:
    return {"code": level.code, "weight": level.weight, "description": level.description}


def _scored(item: ItemRecord, books: Mapping[str, ItemRecord], c: Candidate) -> dict[str, Any]:
    return {
        **_item(item, books.get(item.id)),
        "score": c.score,
        "contributions": [_level(level) for level in c.contributions],
    }


def decided_match(
    entry: ReviewEntry,
    action: ReviewAction,
    item: dict[str, Any] | None = None,
    *,
    write_off: bool = False,
) -> Match | None:
    """The match a decision records, as an ``auto`` match; None for ``unmatched``.

    ``accept`` takes the proposal as it is; ``pick`` lets the line pay
    ``item`` (a candidate's or an open item's fields, as the entry holds
    them): all of the line when the item is open for that much or more,
    else the item's open amount (the rest of the line stays unallocated).
    ``write_off=True`` settles the item in full when the line pays less.
    Raises :class:`~ecomrules.errors.InputError` when the decision cannot be
    recorded (no proposal to accept, an item in another currency or on the
    other side).
    """
    if action is ReviewAction.UNMATCHED:
        return None
    line = entry.document["line"]
    if action is ReviewAction.ACCEPT:
        proposal = entry.proposal
        if proposal is None:
            raise InputError("review", [f"line {entry.line_id}: there is no proposal to accept"])
        return Match(
            entry.line_id,
            MatchStatus.AUTO,
            float(proposal["score"]),
            tuple(
                Allocation(a["item_id"], int(a["units"]), a["currency"])
                for a in proposal["allocations"]
            ),
            proposal["currency"],
            write_off=int(proposal["write_off_units"]),
        )
    if item is None:
        raise InputError("review", [f"line {entry.line_id}: pick names no open item"])
    if item["currency"] != line["currency"]:
        raise InputError(
            "review",
            [
                f"line {entry.line_id}: item {item['id']} is in {item['currency']}, "
                f"the line in {line['currency']}: pick an item in the line's currency"
            ],
        )
    paid, open_units = int(line["units"]), int(item["open_units"])
    if paid == 0 or open_units == 0 or (paid > 0) != (open_units > 0):
        raise InputError(
            "review",
            [
                f"line {entry.line_id}: item {item['id']} is open for {item['open']}, "
                f"the line pays {line['amount']}: they are not on the same side"
            ],
        )
    units = paid if abs(paid) <= abs(open_units) else open_units
    left = open_units - units
    return Match(
        entry.line_id,
        MatchStatus.AUTO,
        float(item.get("score") or 0.0),
        (Allocation(item["id"], units, item["currency"]),),
        item["currency"],
        write_off=left if write_off else 0,
        unallocated=paid - units,
    )
