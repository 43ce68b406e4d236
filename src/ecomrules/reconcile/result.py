"""What the matcher returns: matches with their allocations and reasons, and what is left."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol, overload

import attrs
from attrs import frozen

from ecomrules.money import Currency, Money
from ecomrules.reconcile.comparison import Level

__all__ = [
    "Allocation",
    "Candidate",
    "InputIssue",
    "Match",
    "MatchFields",
    "MatchResult",
    "MatchSource",
    "MatchStatus",
    "Matches",
    "PayoutMatch",
    "UnmatchedLine",
    "amount_text",
    "match_fields",
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


MatchFields = tuple[
    str,
    MatchStatus,
    float,
    tuple[tuple[str, int, str], ...],
    str,
    tuple[Level, ...],
    tuple[str, ...],
    int,
    int,
    int,
]
"""A match's fields in :class:`Match`'s order, each allocation as (item id, units, currency)."""


class MatchSource(Protocol):
    """How the rows of a :class:`Matches` that are not built matches become matches."""

    def fields(self, row: Any) -> MatchFields:
        """The fields of the match of ``row``."""

    def status(self, row: Any) -> MatchStatus:
        """The status of the match of ``row`` (without working out the rest)."""


def _fields_of(match: Match) -> MatchFields:
    return (
        match.line_id,
        match.status,
        match.score,
        tuple([(a.item_id, a.units, a.currency) for a in match.allocations]),
        match.currency,
        match.contributions,
        match.reasons,
        match.write_off,
        match.unallocated,
        match.fee,
    )


def _match_of(fields: MatchFields) -> Match:
    allocations = fields[3]
    if len(allocations) == 1:
        ((item_id, units, currency),) = allocations
        built: tuple[Allocation, ...] = (_new_allocation(item_id, units, currency),)
    else:
        built = tuple([_new_allocation(*a) for a in allocations])
    line_id, status, score, _, currency, contributions, reasons, write_off, unallocated, fee = (
        fields
    )
    return _new_match(
        line_id,
        status,
        score,
        built,
        currency,
        contributions,
        reasons,
        write_off,
        unallocated,
        fee,
    )


class Matches(Sequence[Match]):
    """The matches of a result, in order, each built the first time it is read.

    The matcher decides a million lines; most callers read a few matches
    (the review queue), count them by status, or write them out. The
    matcher's rows (its decisions, with the lines and items they index)
    are kept, and a row becomes a :class:`Match` when it is read (then
    kept: reading it again gives the same object). A :class:`Matches`
    behaves as the tuple of its matches: it compares equal to that tuple
    (and to another :class:`Matches` of the same matches), hashes as it,
    has its ``repr``, length, iteration order, indexing, ``in``, ``index``
    and ``count``; a slice, ``+`` and pickling give plain tuples.

    ``rows`` holds, in order, each match already built or a row ``source``
    turns into one (:class:`MatchSource`).
    """

    __slots__ = ("_rows", "_source")

    def __init__(self, rows: list[Any], source: MatchSource) -> None:
        self._rows = rows
        self._source = source

    def __len__(self) -> int:
        return len(self._rows)

    def _built(self, k: int) -> Match:
        row = self._rows[k]
        if type(row) is not Match:
            row = self._rows[k] = _match_of(self._source.fields(row))
        return row

    @overload
    def __getitem__(self, index: int) -> Match: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Match, ...]: ...

    def __getitem__(self, index: int | slice) -> Match | tuple[Match, ...]:
        if isinstance(index, slice):
            return tuple([self._built(k) for k in range(*index.indices(len(self._rows)))])
        if index < 0:
            index += len(self._rows)
        if not 0 <= index < len(self._rows):
            raise IndexError("match index out of range")
        return self._built(index)

    def __iter__(self) -> Iterator[Match]:
        for k in range(len(self._rows)):
            yield self._built(k)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Matches):
            return other is self or tuple(self) == tuple(other)
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __add__(self, other: object) -> tuple[Match, ...]:
        if isinstance(other, Matches | tuple):
            return tuple(self) + tuple(other)
        return NotImplemented

    def __radd__(self, other: object) -> tuple[Match, ...]:
        if isinstance(other, tuple):
            return other + tuple(self)
        return NotImplemented

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))

    def fields(self) -> Iterator[MatchFields]:
        """Each match's fields, in order, without building (nor keeping) the matches.

        For writing a million matches out (``ecomrules reconcile --json``).
        """
        source = self._source
        for row in self._rows:
            yield _fields_of(row) if type(row) is Match else source.fields(row)

    def statuses(self) -> Iterator[MatchStatus]:
        """Each match's status, in order, without building the matches."""
        status = self._source.status
        for row in self._rows:
            yield row.status if type(row) is Match else status(row)


def match_fields(matches: Sequence[Match]) -> Iterator[MatchFields]:
    """The fields of each match of ``matches`` (a :class:`Matches` or a tuple), in order."""
    if isinstance(matches, Matches):
        return matches.fields()
    return map(_fields_of, matches)


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

    matches: Sequence[Match]
    """The matches in line-id order: a tuple, or (from the matcher) a :class:`Matches`,
    equal to the tuple of the same matches."""
    unmatched_lines: tuple[UnmatchedLine, ...]
    unmatched_items: tuple[str, ...]
    payouts: tuple[PayoutMatch, ...] = ()
    pairs_compared: int = 0
    issues: tuple[InputIssue, ...] = ()

    def by_status(self, status: MatchStatus) -> tuple[Match, ...]:
        """The matches of one status."""
        return tuple(m for m in self.matches if m.status is status)

    def status_counts(self) -> dict[MatchStatus, int]:
        """How many matches have each status (those with none left out), without
        building the matches of a :class:`Matches`."""
        matches = self.matches
        statuses = (
            matches.statuses() if isinstance(matches, Matches) else (m.status for m in matches)
        )
        found = list(statuses)  # counted by identity, in C (an enum member hashes in Python)
        counts = {status: found.count(status) for status in MatchStatus}
        return {status: n for status, n in counts.items() if n}

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
