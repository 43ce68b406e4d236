"""Payments in transit: incoming lines not yet matched that plausibly pay an open item.

A line plausibly pays an item when it names the item (its reference, number
or id among the line's references or words of its label) or comes from the
item's party (same IBAN or same name), and its amount is within the policy's
tolerance of the item's residual, in the same currency. Such an item is held
(``dunning.held.payment_in_transit``) rather than reminded.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ecomrules.ledger import OpenItem
from ecomrules.parsing.model import LineKind, StatementLine

__all__ = ["PaymentsInTransit"]

_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-/_.]*")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_INCOMING = frozenset({LineKind.CHARGE, LineKind.TRANSFER, LineKind.OTHER})


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text).upper()


@functools.lru_cache(maxsize=65536)
def _name(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


class PaymentsInTransit:
    """An index of incoming lines by reference, IBAN and party name, built once per run."""

    def __init__(self, lines: Iterable[StatementLine], as_of: date) -> None:
        self._by_key: dict[str, list[StatementLine]] = defaultdict(list)
        self._by_iban: dict[str, list[StatementLine]] = defaultdict(list)
        self._by_name: dict[str, list[StatementLine]] = defaultdict(list)
        amounts: dict[str, list[Decimal]] = defaultdict(list)
        count = 0
        for line in sorted(lines, key=lambda line: line.id):
            if line.amount.amount <= 0 or line.kind not in _INCOMING or line.booked_on > as_of:
                continue
            count += 1
            amounts[line.amount.currency.code].append(line.amount.amount)
            keys = {_key(ref) for ref in line.references}
            keys.update(_key(word) for word in _WORD.findall(line.label))
            for key in keys:
                if len(key) >= 3:
                    self._by_key[key].append(line)
            party = line.counterparty
            if party is not None and party.iban:
                self._by_iban[_key(party.iban)].append(line)
            if party is not None and party.name:
                self._by_name[_name(party.name)].append(line)
        self.count = count
        self._amounts = {code: sorted(values) for code, values in amounts.items()}

    def __bool__(self) -> bool:
        return self.count > 0

    def find(self, item: OpenItem, tolerance: Decimal) -> StatementLine | None:
        """Return the first (by line id) incoming line that plausibly pays ``item``, or None."""
        residual = item.residual
        amounts = self._amounts.get(residual.currency.code)
        if amounts is None:
            return None
        low = residual.amount - tolerance
        index = bisect.bisect_left(amounts, low)
        if index == len(amounts) or amounts[index] > residual.amount + tolerance:
            return None  # no incoming line has a fitting amount: skip the key work
        candidates: dict[str, StatementLine] = {}
        for text in (item.reference, item.number, item.id):
            if text:
                for line in self._by_key.get(_key(text), ()):
                    candidates[line.id] = line
        if item.iban:
            for line in self._by_iban.get(_key(item.iban), ()):
                candidates[line.id] = line
        for line in self._by_name.get(_name(item.partner_name), ()):
            candidates[line.id] = line
        for line_id in sorted(candidates):
            line = candidates[line_id]
            if (
                line.amount.currency == residual.currency
                and abs(line.amount.amount - residual.amount) <= tolerance
            ):
                return line
        return None
