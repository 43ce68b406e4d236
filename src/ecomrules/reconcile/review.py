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
from decimal import Decimal
from typing import Any

from attrs import evolve, frozen

from ecomrules.errors import InputError
from ecomrules.money import Currency, Money
from ecomrules.reconcile.comparison import AmountComparison, Tolerance
from ecomrules.reconcile.records import ItemRecord, LineRecord
from ecomrules.reconcile.result import Allocation, Candidate, Match, MatchResult, MatchStatus
from ecomrules.reconcile.store import Commitment

__all__ = [
    "DECIDED",
    "REVERTED",
    "ReviewAction",
    "ReviewEntry",
    "decided_match",
    "held_for_review",
    "item_fields",
    "reverted_entry",
    "review_entries",
    "write_off_offer",
]

REVERTED = "reconcile.reverted"
"""A line whose ``auto`` match a person reverted: later runs send it to review, never record it."""
DECIDED = "reconcile.decided"
"""A line a person decided on the review page: later runs send it to review, never record it."""


class ReviewAction(enum.Enum):
    """What a person decided for a line."""

    ACCEPT = "accept"
    """The matcher's proposal, as proposed."""
    PICK = "pick"
    """Another candidate (or any open item): the line pays it."""
    SPLIT = "split"
    """Several items: the line pays them in turn, by due date, as far as it goes."""
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


def item_fields(item: ItemRecord, ledger: ItemRecord | None = None) -> dict[str, Any]:
    """An open item as an entry shows it: ``open`` what is left now (``item``), ``residual``
    what the ledger says (``ledger``; the item itself when None), which a decision records."""
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
    amount: AmountComparison | None = None,
) -> list[ReviewEntry]:
    """The ``review`` and unmatched lines of ``result`` as entries, by line id.

    ``items`` are the records the matcher saw (residuals less what the
    workspace already committed), ``ledger`` the items as the open-items
    file gives them (a decision records the ledger's residual, as
    :class:`~ecomrules.reconcile.store.Commitment` requires); the items
    themselves when omitted. ``candidates`` comes from
    :meth:`~ecomrules.reconcile.Matcher.candidates`; ``amount`` is the
    matcher's amount comparison, whose under-payment tolerance bounds the
    write-off a decision may make (the default one when None).
    """
    under = (amount or AmountComparison()).under
    tolerance = {
        "absolute": None if under.absolute is None else str(under.absolute),
        "percent": None if under.percent is None else str(under.percent),
    }
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
                shown.append({**item_fields(by_item[item_id], books.get(item_id)), "score": None})
        document = {
            "line": _line(by_line[line_id]),
            "status": status,
            "reasons": reasons,
            "proposal": offer,
            "candidates": shown,
            "tolerance": tolerance,
        }
        entries.append(ReviewEntry(line_id, status, document))
    return entries


def held_for_review(result: MatchResult, held: Mapping[str, str]) -> MatchResult:
    """``result`` with the ``auto`` matches of the ``held`` lines sent to review.

    ``held`` maps a line id to the reason (:data:`REVERTED`, :data:`DECIDED`):
    what a person reverted or decided is not recorded again by a later run;
    the match stays in the result as ``review``, the person's to decide.
    """
    if not held:
        return result
    matches = tuple(
        evolve(m, status=MatchStatus.REVIEW, reasons=(*m.reasons, held[m.line_id]))
        if m.status is MatchStatus.AUTO and m.line_id in held
        else m
        for m in result.matches
    )
    return evolve(result, matches=matches)


def reverted_entry(
    line_id: str, reverted: Sequence[Commitment], open_now: Mapping[str, Money]
) -> ReviewEntry:
    """The queue entry of a line whose ``auto`` match was reverted, from its allocations.

    The workspace keeps an ``auto`` match's allocations, not its statement
    line: the entry proposes the reverted allocations again (its items are the
    candidates, each open for ``open_now``, what is left of it now) and knows
    of the line only what they paid. The next ``reconcile --commit`` of the
    statement refreshes it with the line and every scored candidate.
    """
    currency = reverted[0].amount.currency.code
    paid = sum(c.amount.to_minor_units() for c in reverted)
    off = sum(0 if c.write_off is None else c.write_off.to_minor_units() for c in reverted)
    line: dict[str, Any] = {
        "id": line_id,
        "booked_on": None,
        "units": paid,
        "amount": _text(paid, currency),
        "currency": currency,
        "name": None,
        "iban": None,
        "label": None,
        "references": [],
    }
    proposal = {
        "score": None,
        "allocations": [
            {
                "item_id": c.item_id,
                "units": c.amount.to_minor_units(),
                "currency": currency,
                "amount": str(c.amount.amount),
            }
            for c in reverted
        ],
        "currency": currency,
        "write_off_units": off,
        "write_off": _text(off, currency) if off else None,
        "unallocated": None,
        "contributions": [],
    }
    candidates = []
    for c in reverted:
        left = open_now.get(c.item_id, c.residual)
        candidates.append(
            {
                "id": c.item_id,
                "number": None,
                "partner_id": None,
                "partner_name": None,
                "currency": currency,
                "open_units": left.to_minor_units(),
                "open": str(left.amount),
                "residual": str(c.residual.amount),
                "due": "",
                "reference": None,
                "iban": None,
                "score": None,
            }
        )
    document = {
        "line": line,
        "status": "review",
        "reasons": [REVERTED],
        "proposal": proposal,
        "candidates": candidates,
        "tolerance": None,
        "reverted": True,
    }
    return ReviewEntry(line_id, "review", document)


def _level(level: Any) -> dict[str, Any]:
    return {"code": level.code, "weight": level.weight, "description": level.description}


def _scored(item: ItemRecord, books: Mapping[str, ItemRecord], c: Candidate) -> dict[str, Any]:
    return {
        **item_fields(item, books.get(item.id)),
        "score": c.score,
        "contributions": [_level(level) for level in c.contributions],
    }


def decided_match(
    entry: ReviewEntry,
    action: ReviewAction,
    items: Sequence[dict[str, Any]] = (),
    *,
    write_off: bool = False,
) -> Match | None:
    """The match a decision records, as an ``auto`` match; None for ``unmatched``.

    ``accept`` takes the proposal as it is. ``pick`` (one item) and
    ``split`` (several) let the line pay ``items`` (fields as
    :func:`item_fields` gives them) in turn, by due date then id: each
    takes what the line has left, up to its open amount; what the line has
    left after the last is unallocated. ``write_off=True`` settles the last
    item in full when the line leaves part of it open, within the entry's
    under-payment tolerance. Raises :class:`~ecomrules.errors.InputError`
    when the decision cannot be recorded (no proposal to accept, an item in
    another currency or on the other side, the line used up before an item,
    a write-off beyond the tolerance).
    """
    if action is ReviewAction.UNMATCHED:
        return None
    where = f"line {entry.line_id}"
    if action is ReviewAction.ACCEPT:
        proposal = entry.proposal
        if proposal is None:
            raise InputError("review", [f"{where}: there is no proposal to accept"])
        return Match(
            entry.line_id,
            MatchStatus.AUTO,
            float(proposal["score"] or 0.0),
            tuple(
                Allocation(a["item_id"], int(a["units"]), a["currency"])
                for a in proposal["allocations"]
            ),
            proposal["currency"],
            write_off=int(proposal["write_off_units"]),
        )
    if not items:
        raise InputError("review", [f"{where}: {action.value} names no open item"])
    if action is ReviewAction.PICK and len(items) > 1:
        raise InputError("review", [f"{where}: pick names one item; split several"])
    if action is ReviewAction.SPLIT and len(items) < 2:
        raise InputError("review", [f"{where}: split names two items or more"])
    line = entry.document["line"]
    paid = int(line["units"])
    left = abs(paid)
    allocations: list[Allocation] = []
    ordered = sorted(items, key=lambda item: (item["due"], item["id"]))
    for item in ordered:
        open_units = int(item["open_units"])
        if item["currency"] != line["currency"]:
            raise InputError(
                "review",
                [
                    f"{where}: item {item['id']} is in {item['currency']}, the line in "
                    f"{line['currency']}: pick an item in the line's currency"
                ],
            )
        if paid == 0 or open_units == 0 or (paid > 0) != (open_units > 0):
            raise InputError(
                "review",
                [
                    f"{where}: item {item['id']} is open for {item['open']}, the line pays "
                    f"{line['amount']}: they are not on the same side"
                ],
            )
        if not left:
            raise InputError(
                "review",
                [f"{where}: the line is used up before item {item['id']}: leave it out"],
            )
        take = min(left, abs(open_units))
        left -= take
        allocations.append(Allocation(item["id"], take if paid > 0 else -take, item["currency"]))
    last = ordered[-1]
    short = abs(int(last["open_units"])) - abs(allocations[-1].units)
    off = 0
    if write_off and short:
        if not _within(entry, short, abs(int(last["open_units"])), last["currency"]):
            raise InputError(
                "review",
                [
                    f"{where}: writing off {_text(short, last['currency'])} of item "
                    f"{last['id']} is beyond the tolerance ({_tolerance_text(entry)})"
                ],
            )
        off = short if paid > 0 else -short
    best = max((float(item.get("score") or 0.0) for item in items), default=0.0)
    return Match(
        entry.line_id,
        MatchStatus.AUTO,
        best,
        tuple(allocations),
        line["currency"],
        write_off=off,
        unallocated=left if paid > 0 else -left,
    )


def _tolerance(entry: ReviewEntry) -> Tolerance:
    found = entry.document.get("tolerance")
    if found is None:
        return AmountComparison().under
    return Tolerance(
        absolute=None if found["absolute"] is None else Decimal(found["absolute"]),
        percent=None if found["percent"] is None else Decimal(found["percent"]),
    )


def _within(entry: ReviewEntry, short: int, open_units: int, currency: str) -> bool:
    return _tolerance(entry).allows(short, open_units, currency)


def _tolerance_text(entry: ReviewEntry) -> str:
    under = _tolerance(entry)
    parts = []
    if under.absolute is not None:
        parts.append(f"at most {under.absolute}")
    if under.percent is not None:
        parts.append(f"{under.percent} % of the item")
    return " and ".join(parts) or "none"


def write_off_offer(entry: ReviewEntry, item: dict[str, Any]) -> str | None:
    """What picking ``item`` could write off within the tolerance (decimal text), or None."""
    paid, open_units = abs(int(entry.document["line"]["units"])), abs(int(item["open_units"]))
    if item["currency"] != entry.document["line"]["currency"] or not 0 < paid < open_units:
        return None
    short = open_units - paid
    return (
        _text(short, item["currency"])
        if _within(entry, short, open_units, item["currency"])
        else None
    )
