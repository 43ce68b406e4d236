"""Currency conversions of PayPal's sectioned reports: two rows, linked.

A conversion is booked as two ``T0200`` rows, one per currency, that refer to
the same transaction. :class:`ConversionPairs` holds the first half until the
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
        other = self.pending.get(key)
        if (
            other is not None
            and other.currency != line.currency
            and (other.amount.amount < 0) != (line.amount.amount < 0)
        ):
            del self.pending[key]
            yield evolve(other, related_id=line.id)
            yield evolve(line, related_id=other.id)
            return
        if other is not None:
            self.policy.warn(
                "psp.paypal.conversion_unpaired",
                f"currency conversion {other.id} has no other half in the file",
                other.location,
            )
            yield other
        self.pending[key] = line
        self.held = True

    def unpaired(self) -> Iterator[StatementLine]:
        """At the end of the file: the halves still waiting, each with a warning."""
        for line in self.pending.values():
            self.policy.warn(
                "psp.paypal.conversion_unpaired",
                f"currency conversion {line.id} has no other half in the file",
                line.location,
            )
            yield line
