"""The matcher's domain configuration: its components and thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from attrs import field, frozen

from ecomrules.fx import FxRates
from ecomrules.reconcile.blocking import (
    AmountBlocker,
    Blocker,
    PartyBlocker,
    ReferenceBlocker,
    TextReferenceBlocker,
)
from ecomrules.reconcile.comparison import (
    AmountComparison,
    Comparison,
    DateComparison,
    PartyComparison,
    ReferenceComparison,
)

__all__ = ["CombinationSettings", "MatcherSettings", "default_settings"]


@frozen
class CombinationSettings:
    """Bounds of the one-payment-for-several-items search.

    ``max_items``: at most this many items in a combination; ``max_pool``: the
    oldest this many open items of the party are searched; ``auto_max_items``:
    a combination found by amount alone is automatic only when it is the only
    one and has at most this many items (else it goes to review);
    ``max_credit_notes``: credit notes of the party tried for netting.
    """

    max_items: int = 6
    max_pool: int = 40
    auto_max_items: int = 4
    max_credit_notes: int = 3


def _frozen_map(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


def _frozen_rates(value: Mapping[str, Decimal] | None) -> Mapping[str, Decimal]:
    rates = MappingProxyType(dict(value or {}))
    FxRates(rates)  # a bad pair, code or rate is refused here, not in the middle of a run
    return rates


@frozen
class MatcherSettings:
    """Everything the matcher is made of.

    Scores: the prior plus the weights (bits) of a pair's levels, turned into
    a probability ``1 / (1 + 2**-total)``. A line's best pair is ``auto`` at
    ``auto_threshold`` or more, ``review`` at ``review_threshold`` or more;
    a second candidate within ``tie_margin`` bits of the best is a tie, refused.
    ``partner_ibans`` maps an IBAN to the partner who pays from it (a parent
    company paying for a member of its group, a new account); ``rates`` gives
    exchange rates for lines paid in another currency than the item's.
    """

    blockers: tuple[Blocker, ...]
    comparisons: tuple[Comparison, ...]
    prior: float = -9.0
    auto_threshold: float = 0.99
    review_threshold: float = 0.1
    tie_margin: float = 1.0
    combination: CombinationSettings = CombinationSettings()
    partner_ibans: Mapping[str, str] = field(factory=dict, converter=_frozen_map)
    partner_groups: Mapping[str, str] = field(factory=dict, converter=_frozen_map)
    """Partner id -> group id: a member of a group may pay for another (a parent company)."""
    rates: Mapping[str, Decimal] = field(factory=dict, converter=_frozen_rates)
    """``{"USD/EUR": Decimal("0.92")}``: lines in another currency than the item's."""


def default_settings() -> MatcherSettings:
    """The configuration that works out of the box."""
    return MatcherSettings(
        blockers=(ReferenceBlocker(), TextReferenceBlocker(), AmountBlocker(), PartyBlocker()),
        comparisons=(
            ReferenceComparison(),
            AmountComparison(),
            DateComparison(),
            PartyComparison(),
        ),
    )
