"""Plain words for the reason codes a review page shows.

A contribution carries its own description (:class:`ecomrules.reconcile.Level`);
the match-level codes (why a proposal went to review, why a line is
unmatched) are described here, in the words of the reason catalogue.
"""

from __future__ import annotations

__all__ = ["describe"]

_WORDS = {
    "reconcile.amount.not_unique": (
        "no reference, and another open item of the same partner has the same amount: "
        "which one is paid is a guess"
    ),
    "reconcile.amount.surplus": "the line pays more than the item: the rest is left unallocated",
    "reconcile.combination.references": "one payment for several items, all named in the line",
    "reconcile.combination.subset_sum": "one payment for several items of one partner, by amount",
    "reconcile.combination.ambiguous": "several combinations of items fit the amount",
    "reconcile.tie_refused": "two candidates score too close to tell apart",
    "reconcile.below_threshold": "the best candidate scores below the review threshold",
    "reconcile.no_candidate": "no open item shares a reference, amount or payer with the line",
    "reconcile.iban_invalid": "the payer's IBAN fails its checks: it identifies nobody",
    "reconcile.item_taken": "a stronger line took the item's open amount first",
    "reconcile.committed_elsewhere.item": (
        "another run recorded a payment of the item meanwhile: the allocation no longer fits"
    ),
    "reconcile.committed_elsewhere.line": "another run recorded this line meanwhile",
    "reconcile.reverted": (
        "a person reverted this line's automatic match: it waits for a decision, and later "
        "runs do not record it by themselves"
    ),
    "reconcile.decided": "a person decided this line on the review page: later runs leave it be",
    "reconcile.payout.matched": "a bank line naming a PSP payout",
    "reconcile.payout.by_amount": "a bank line of a payout's amount, without its id",
    "reconcile.payout.ties_out": "bank line, payout and its lines agree to the cent",
    "reconcile.payout.difference": "bank line, payout and its lines differ",
}


def describe(code: str) -> str:
    """The plain words of a reason code (the code itself when none are known)."""
    return _WORDS.get(code, code.removeprefix("reconcile.").replace("_", " "))
