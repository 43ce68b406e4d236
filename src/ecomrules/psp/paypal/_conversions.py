"""Currency conversions of PayPal's sectioned reports: two rows, linked.

A conversion is booked as two rows (``T0200``, or ``T0201`` when the user
asked for it), one per currency, that either refer to the same transaction or
refer to each other (each half's ``PayPal Reference ID`` is the other's
``Transaction ID``). :class:`ConversionPairs` holds the first half until the
other comes, then gives both back, each naming the other as its
``related_id``. A half without its other half is kept, with a warning; it is
never dropped and never paired by an empty key.
"""

from __future__ import annotations

from collections.abc import Iterator

from attrs import evolve

from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import LineKind, StatementLine

__all__ = ["ConversionPairs"]


class ConversionPairs:
    """The conversion halves of one file waiting for their other half."""

    def __init__(self, policy: ErrorPolicy) -> None:
        self.policy = policy
        self.pending: dict[str, StatementLine] = {}
        self.held = False
        """Whether a line was ever held back (the lines then left file order)."""

    def link(self, line: StatementLine) -> Iterator[StatementLine]:
        """Hold a conversion row until its other half comes; then yield both linked."""
        if line.kind is not LineKind.FX_CONVERSION:
            yield line
            return
        key = line.parent_id or line.metadata.get("paypal_reference_id") or ""
        if not key:  # nothing says which conversion it belongs to
            self.policy.warn(
                "psp.paypal.conversion_unpaired",
                f"currency conversion {line.id} refers to no transaction: not linked",
                line.location,
            )
            yield line
            return
        # A waiting half is filed under its reference and under its own id, so
        # halves that share a reference and halves that name each other both meet.
        other = self.pending.get(key)
        named = self.pending.get(line.id)
        if named is not None and _halves(named, line):
            other = named
        if other is not None and _halves(other, line):
            self._drop(other)
            yield _linked(other, line)
            yield _linked(line, other)
            return
        if other is not None:
            self.policy.warn(
                "psp.paypal.conversion_unpaired",
                f"currency conversion {other.id} has no other half in the file",
                other.location,
            )
            self._drop(other)
            yield other
        self.pending[key] = line
        self.pending.setdefault(line.id, line)
        self.held = True

    def _drop(self, line: StatementLine) -> None:
        for key in [k for k, v in self.pending.items() if v is line]:
            del self.pending[key]

    def unpaired(self) -> Iterator[StatementLine]:
        """At the end of the file: the halves still waiting, each with a warning."""
        seen: set[int] = set()
        for line in self.pending.values():
            if id(line) in seen:
                continue
            seen.add(id(line))
            self.policy.warn(
                "psp.paypal.conversion_unpaired",
                f"currency conversion {line.id} has no other half in the file",
                line.location,
            )
            yield line


def _halves(one: StatementLine, other: StatementLine) -> bool:
    """Whether two conversion rows are the two halves: other currencies, opposite signs."""
    return one.currency != other.currency and (one.amount.amount < 0) != (other.amount.amount < 0)


def _linked(line: StatementLine, other: StatementLine) -> StatementLine:
    """``line`` naming ``other`` as its other half (its parent only when another row)."""
    parent = None if line.parent_id == other.id else line.parent_id
    return evolve(line, related_id=other.id, parent_id=parent)
