"""Pre-orders: embargo, arrive-on-release scheduling, fair allocation, alerts, re-planning, board.

The engines are pure: they take plain values and an aware ``as_of`` instant
and never read the clock. :func:`plan_release` runs them all and returns a
:class:`ReleasePlan`; :class:`Embargo` answers ``can_ship(line, as_of)`` for one
line; :func:`allocate` shares scarce supply; :func:`diff_plans` compares two
plans; :func:`board` summarises a plan per product.
"""

from ecomrules.preorder.alerts import (
    Alert,
    AlertPolicy,
    ProductSummary,
    suggest_purchase,
)
from ecomrules.preorder.allocation import (
    AllocationPolicy,
    LineMode,
    Priority,
    SupplyAllocation,
    allocate,
)
from ecomrules.preorder.board import BoardRow, board
from ecomrules.preorder.embargo import Embargo, ShipDecision
from ecomrules.preorder.model import (
    CarrierService,
    PreorderLine,
    PreorderProduct,
    SupplyEvent,
    SupplyStatus,
    Warehouse,
)
from ecomrules.preorder.plan import PlanPolicy, plan_release
from ecomrules.preorder.replan import (
    LineChange,
    LineSnapshot,
    PlanDiff,
    diff_plans,
    snapshot,
    snapshot_from_json,
)
from ecomrules.preorder.result import LineStatus, MixedPolicy, PlanLine, ReleasePlan, Shipment
from ecomrules.preorder.schedule import Route, Scheduler, Target

__all__ = [
    "Alert",
    "AlertPolicy",
    "AllocationPolicy",
    "BoardRow",
    "CarrierService",
    "Embargo",
    "LineChange",
    "LineMode",
    "LineSnapshot",
    "LineStatus",
    "MixedPolicy",
    "PlanDiff",
    "PlanLine",
    "PlanPolicy",
    "PreorderLine",
    "PreorderProduct",
    "Priority",
    "ProductSummary",
    "ReleasePlan",
    "Route",
    "Scheduler",
    "ShipDecision",
    "Shipment",
    "SupplyAllocation",
    "SupplyEvent",
    "SupplyStatus",
    "Target",
    "Warehouse",
    "allocate",
    "board",
    "diff_plans",
    "plan_release",
    "snapshot",
    "snapshot_from_json",
    "suggest_purchase",
]
