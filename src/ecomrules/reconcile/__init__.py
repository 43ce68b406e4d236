"""Reconciliation: which open items does each statement line settle?

A pipeline in the shape of Splink and dedupe, sized for payments against open
items: blockers propose candidate pairs from hash tables, comparisons grade
each pair in ordered levels, the scorer adds their weights (keeping each as a
reason), and the assigner decides ``auto``, ``review`` or unmatched, refusing
ties, combining items by a bounded subset-sum and sharing residuals out.
"""

from ecomrules.reconcile.blocking import (
    AmountBlocker,
    Blocker,
    BlockingContext,
    PartyBlocker,
    ReferenceBlocker,
    TextReferenceBlocker,
)
from ecomrules.reconcile.comparison import (
    AmountComparison,
    Comparison,
    ComparisonContext,
    DateComparison,
    Level,
    PartyComparison,
    ReferenceComparison,
    Tolerance,
)
from ecomrules.reconcile.engine import Matcher
from ecomrules.reconcile.records import ItemRecord, LineRecord, item_record, line_record
from ecomrules.reconcile.result import (
    Allocation,
    Candidate,
    Match,
    Matches,
    MatchResult,
    MatchStatus,
    PayoutMatch,
    UnmatchedLine,
)
from ecomrules.reconcile.settings import CombinationSettings, MatcherSettings, default_settings

__all__ = [
    "Allocation",
    "AmountBlocker",
    "AmountComparison",
    "Blocker",
    "BlockingContext",
    "Candidate",
    "CombinationSettings",
    "Comparison",
    "ComparisonContext",
    "DateComparison",
    "ItemRecord",
    "Level",
    "LineRecord",
    "Match",
    "MatchResult",
    "MatchStatus",
    "Matcher",
    "MatcherSettings",
    "Matches",
    "PartyBlocker",
    "PartyComparison",
    "PayoutMatch",
    "ReferenceBlocker",
    "ReferenceComparison",
    "TextReferenceBlocker",
    "Tolerance",
    "UnmatchedLine",
    "default_settings",
    "item_record",
    "line_record",
]
