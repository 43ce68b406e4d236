"""What the matcher returns: matches with their allocations and reasons, and what is left."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import attrs
from attrs import frozen

from ecomrules.money import Currency, Money
from ecomrules.reconcile.comparison import Level

__all__ = [
    "Allocation",
    "Candidate",
    "InputIssue",
    "Match",
    "MatchResult",
    "MatchStatus",
    "PayoutMatch",
    "UnmatchedLine",
    "amount_text",
]


class MatchStatus(enum.Enum):
    """``auto``: safe to apply; ``review``: a proposal a person should confirm."""

    AUTO = "auto"
    REVIEW = "review"


def _money(units: int, currency: str) -> Money:
    return Money.from_minor_units(units, Currency.of(currency))


_EXPONENTS: dict[str, int] = {}


def amount_text(units: int, currency: str) -> str:
    """The decimal text of ``units`` minor units, as ``str(_money(units, currency).amount)``.

    JSON of a million matches: no Money (nor Currency) built per amount.

    >>> amount_text(-5, "EUR"), amount_text(1250, "JPY")
    ('-0.05', '1250')
    """
    exponent = _EXPONENTS.get(currency)
    if exponent is None:
        exponent = _EXPONENTS[currency] = Currency.of(currency).exponent
    return str(Decimal(units).scaleb(-exponent))


@frozen
class Allocation:
    """Part of a line's amount settling one open item, in the item's minor units."""

    item_id: str
    units: int
    currency: str

    @property
    def amount(self) -> Money:
        """The allocated amount as Money."""
        return _money(self.units, self.currency)


@frozen
class Match:
    """One line and what it settles, with its score and the reasons behind it.

    ``contributions`` are the comparison levels of each allocated pair (for a
    combination, of its strongest pair); ``reasons`` the codes of the match as
    a whole (``reconcile.combination.subset_sum``, ``reconcile.tie_refused``...).
    ``write_off`` is what settling the items in full leaves (positive when
    underpaid, negative when overpaid); ``unallocated`` what of the line no item
    took; both in ``currency``, the items' currency (the line's when it paid in
    another at a given rate). ``fee`` is the PSP fee kept from the payment, in
    the line's currency.
    """

    line_id: str
    status: MatchStatus
    score: float
    allocations: tuple[Allocation, ...]
    currency: str
    contributions: tuple[Level, ...] = ()
    reasons: tuple[str, ...] = ()
    write_off: int = 0
    unallocated: int = 0
    fee: int = 0

    @property
    def codes(self) -> tuple[str, ...]:
        """Every reason code of the match: the levels' codes then the match's own."""
        return tuple(level.code for level in self.contributions) + self.reasons

    @property
    def write_off_amount(self) -> Money | None:
        """The proposed write-off, or None when the items are settled exactly."""
        return _money(self.write_off, self.currency) if self.write_off else None

    def to_json(self) -> dict[str, Any]:
        """The match in the documented JSON shape (amounts as decimal strings).

        ``ecomrules reconcile --json`` writes the same text by template
        (:mod:`ecomrules.cli.reconcile_json`); a test holds the two equal.
        """
        currency = self.currency
        return {
            "line_id": self.line_id,
            "status": self.status.value,
            "score": round(self.score, 6),
            "allocations": [
                {"item_id": a.item_id, "amount": amount_text(a.units, a.currency)}
                for a in self.allocations
            ],
            "write_off": amount_text(self.write_off, currency) if self.write_off else None,
            "unallocated": amount_text(self.unallocated, currency) if self.unallocated else None,
            "fee": amount_text(self.fee, currency) if self.fee else None,
            "currency": currency,
            "reasons": list(self.codes),
            "contributions": [
                {"code": level.code, "weight": level.weight} for level in self.contributions
            ],
        }


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The slot descriptors' setters of ``cls``'s fields, checked to be its fields in order."""
    fields = tuple(a.name for a in attrs.fields(cls))
    if fields != names:  # pragma: no cover - a field added without its builder
        raise TypeError(f"{cls.__name__}: fields {fields}, builder for {names}")
    return tuple(getattr(cls, name).__set__ for name in names)


_new = object.__new__
_A_ID, _A_UNITS, _A_CURRENCY = _slot_setters(Allocation, ("item_id", "units", "currency"))


def _new_allocation(item_id: str, units: int, currency: str) -> Allocation:
    """``Allocation(item_id, units, currency)``, built by setting its slots.

    The matcher builds one per match (a million at a million lines): the
    frozen class's ``__init__`` sets each field through ``object.__setattr__``
    by name, this sets the slots directly, for about half the cost.
    """
    found: Allocation = _new(Allocation)
    _A_ID(found, item_id)
    _A_UNITS(found, units)
    _A_CURRENCY(found, currency)
    return found


(
    _M_LINE,
    _M_STATUS,
    _M_SCORE,
    _M_ALLOCATIONS,
    _M_CURRENCY,
    _M_CONTRIBUTIONS,
    _M_REASONS,
    _M_WRITE_OFF,
    _M_UNALLOCATED,
    _M_FEE,
) = _slot_setters(
    Match,
    (
        "line_id",
        "status",
        "score",
        "allocations",
        "currency",
        "contributions",
        "reasons",
        "write_off",
        "unallocated",
        "fee",
    ),
)


def _new_match(
    line_id: str,
    status: MatchStatus,
    score: float,
    allocations: tuple[Allocation, ...],
    currency: str,
    contributions: tuple[Level, ...],
    reasons: tuple[str, ...],
    write_off: int,
    unallocated: int,
    fee: int,
) -> Match:
    """``Match(...)`` with every field given, built by setting its slots (see
    :func:`_new_allocation`)."""
    found: Match = _new(Match)
    _M_LINE(found, line_id)
    _M_STATUS(found, status)
    _M_SCORE(found, score)
    _M_ALLOCATIONS(found, allocations)
    _M_CURRENCY(found, currency)
    _M_CONTRIBUTIONS(found, contributions)
    _M_REASONS(found, reasons)
    _M_WRITE_OFF(found, write_off)
    _M_UNALLOCATED(found, unallocated)
    _M_FEE(found, fee)
    return found


@frozen
class Candidate:
    """An open item the matcher weighed for a line: its score and every contribution."""

    item_id: str
    score: float
    """The pair's match probability."""
    contributions: tuple[Level, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON form (each contribution with its plain-words description)."""
        return {
            "item_id": self.item_id,
            "score": round(self.score, 6),
            "contributions": [
                {"code": c.code, "weight": c.weight, "description": c.description}
                for c in self.contributions
            ],
        }


@frozen
class UnmatchedLine:
    """A line the matcher could not place, why, and the candidates it weighed."""

    line_id: str
    reasons: tuple[str, ...]
    candidates: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "line_id": self.line_id,
            "reasons": list(self.reasons),
            "candidates": list(self.candidates),
        }


@frozen
class PayoutMatch:
    """A bank line recognised as a PSP payout, and whether the chain ties out to the cent.

    ``difference`` is bank amount minus payout amount; ``lines_difference``
    the payout amount minus the sum of its lines' net amounts (both 0 when
    it ties out); ``missing_lines`` the payout's line ids not given.
    """

    bank_line_id: str
    payout_id: str
    currency: str
    difference: int
    lines_difference: int
    missing_lines: tuple[str, ...] = ()

    @property
    def ties_out(self) -> bool:
        """True when bank line, payout and payout lines agree to the cent."""
        return self.difference == 0 and self.lines_difference == 0 and not self.missing_lines

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "bank_line_id": self.bank_line_id,
            "payout_id": self.payout_id,
            "ties_out": self.ties_out,
            "difference": amount_text(self.difference, self.currency),
            "lines_difference": amount_text(self.lines_difference, self.currency),
            "missing_lines": list(self.missing_lines),
        }


@frozen
class InputIssue:
    """A value of an input record the matcher could not take as given (an invalid IBAN).

    ``record`` is ``"line"``, ``"item"`` or ``"partners"`` (the configured
    IBAN -> partner mapping), ``id`` the record's id (the IBAN for the mapping).
    The record is still matched on its other fields.
    """

    record: str
    id: str
    field: str
    value: str
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "record": self.record,
            "id": self.id,
            "field": self.field,
            "value": self.value,
            "code": self.code,
            "message": self.message,
        }


@frozen
class MatchResult:
    """Every input accounted for exactly once: in a match, or unmatched.

    ``pairs_compared`` counts the candidate pairs scored (the work done);
    ``payouts`` lists the bank lines recognised as PSP payouts; ``issues``
    the input values not taken as given (invalid IBANs), by record and id.
    """

    matches: tuple[Match, ...]
    unmatched_lines: tuple[UnmatchedLine, ...]
    unmatched_items: tuple[str, ...]
    payouts: tuple[PayoutMatch, ...] = ()
    pairs_compared: int = 0
    issues: tuple[InputIssue, ...] = ()

    def by_status(self, status: MatchStatus) -> tuple[Match, ...]:
        """The matches of one status."""
        return tuple(m for m in self.matches if m.status is status)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON document of ``ecomrules reconcile --json``."""
        return {
            "matches": [m.to_json() for m in self.matches],
            "unmatched_lines": [u.line_id for u in self.unmatched_lines],
            "unmatched_line_details": [u.to_json() for u in self.unmatched_lines],
            "unmatched_items": list(self.unmatched_items),
            "payouts": [p.to_json() for p in self.payouts],
            "pairs_compared": self.pairs_compared,
            "issues": [i.to_json() for i in self.issues],
        }
