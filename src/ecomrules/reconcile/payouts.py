"""PSP payouts: the bank line of a payout, the payout, its lines, tied out to the cent."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from ecomrules.errors import ReconcileError
from ecomrules.parsing.model import Payout
from ecomrules.reconcile.records import LineRecord, normalise_reference
from ecomrules.reconcile.result import PayoutMatch

__all__ = ["PSP_OWN_KINDS", "PayoutRecord", "match_payouts", "payout_record", "payout_tokens"]

PSP_OWN_KINDS = frozenset({"fee", "payout", "reserve", "fx_conversion", "adjustment"})
"""PSP line kinds that settle no open item: they stand as their own lines."""


@frozen
class PayoutRecord:
    """A payout in minor units, as the matcher sees it."""

    id: str
    units: int
    currency: str
    line_ids: tuple[str, ...]


def payout_record(payout: Payout) -> PayoutRecord:
    """Build the matcher's record of a parsed payout."""
    try:
        units = payout.amount.to_minor_units()
    except ValueError:
        raise ReconcileError(f"payout {payout.id}: {payout.amount} is not exact") from None
    return PayoutRecord(payout.id, units, payout.currency.code, payout.line_ids)


def payout_tokens(payout_id: str, references: Sequence[str], label: str) -> list[str]:
    """The texts of a line that may name a payout by its id, in the order they are tried:
    its payout id, its references, the words of its label."""
    return [token for token in (payout_id, *references, *label.split()) if token]


@frozen
class PayoutOutcome:
    """What the payout pass found: payout matches and the lines it accounts for."""

    matches: tuple[PayoutMatch, ...]
    by_amount: frozenset[str]
    """Bank lines matched to a payout by amount alone (no id): proposed for review."""
    own_lines: dict[str, str]
    """PSP line id -> reason code for lines that settle no item (fees, the payout line)."""


def match_payouts(lines: Sequence[LineRecord], payouts: Sequence[PayoutRecord]) -> PayoutOutcome:
    """Find the bank line of each payout (by its id in a reference or the label, else
    by a unique amount) and check that bank line, payout and payout lines agree."""
    by_line = {line.id: line for line in lines}
    in_payout = {line_id for p in payouts for line_id in p.line_ids}
    keys = {normalise_reference(p.id): p for p in payouts}
    taken: dict[str, str] = {}
    by_amount: set[str] = set()
    for line in sorted(lines, key=lambda x: x.id):
        if line.id in in_payout or line.cents <= 0:
            continue
        tokens = payout_tokens(line.payout_id, line.references, line.label)
        found = next((keys[k] for k in map(normalise_reference, tokens) if k in keys), None)
        if found is not None and found.id not in taken.values():
            taken[line.id] = found.id
    left = [p for p in payouts if p.id not in taken.values()]
    for payout in left:
        same = [
            line
            for line in lines
            if line.cents == payout.units
            and line.currency == payout.currency
            and line.id not in in_payout
            and line.id not in taken
        ]
        if len(same) == 1:
            taken[same[0].id] = payout.id
            by_amount.add(same[0].id)
    ids = {p.id: p for p in payouts}
    matches = []
    for line_id, payout_id in sorted(taken.items()):
        payout = ids[payout_id]
        members = [by_line[i] for i in payout.line_ids if i in by_line]
        net = sum(m.cents for m in members if m.kind != "payout")
        matches.append(
            PayoutMatch(
                bank_line_id=line_id,
                payout_id=payout_id,
                currency=payout.currency,
                difference=by_line[line_id].cents - payout.units,
                lines_difference=payout.units - net if members else 0,
                missing_lines=tuple(i for i in payout.line_ids if i not in by_line),
            )
        )
    own = {
        line.id: f"reconcile.own_line.{line.kind}"
        for line in lines
        if line.kind in PSP_OWN_KINDS and line.id not in taken
    }
    return PayoutOutcome(tuple(matches), frozenset(by_amount), own)
