"""Credit outcomes, ordered by severity, and the verdict each check returns."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from attrs import frozen

from ecomrules.outcome import Reason

__all__ = ["Outcome", "Verdict", "most_severe"]


class Outcome(enum.Enum):
    """What to do with an order, from the most permissive to the most severe."""

    ALLOW = "allow"
    WARN = "warn"
    REQUIRE_PREPAYMENT = "require_prepayment"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        """0 for allow up to 3 for block: the larger wins."""
        return _ORDER.index(self)


_ORDER = (Outcome.ALLOW, Outcome.WARN, Outcome.REQUIRE_PREPAYMENT, Outcome.BLOCK)


@frozen
class Verdict:
    """What one check concluded: an outcome and the reasons behind it."""

    outcome: Outcome
    reasons: tuple[Reason, ...]


def most_severe(outcomes: Iterable[Outcome]) -> Outcome:
    """Return the most severe outcome (``ALLOW`` for none)."""
    worst = Outcome.ALLOW
    for outcome in outcomes:
        if outcome.severity > worst.severity:
            worst = outcome
    return worst
