"""Credit decisions at order entry: exposure, checks and ``decide()``.

Build an :class:`ExposureBook` from the customers, open items and open
orders, then :func:`decide` on each order: allow, warn, require prepayment or
block, with every reason. :func:`decide_and_reserve` does the same through a
:class:`ReservationStore`, so concurrent orders cannot share one headroom.
"""

from ecomrules.credit.book import ExposureBook
from ecomrules.credit.checks import (
    check_buckets,
    check_dunning,
    check_limit,
    check_manual,
    check_new_customer,
    check_overdue,
)
from ecomrules.credit.decide import decide
from ecomrules.credit.decision import CreditDecision, Override
from ecomrules.credit.exposure import Exposure, GroupExposure
from ecomrules.credit.order import OpenOrder, OpenOrderStatus, Order, OrderLine, PaymentMethod
from ecomrules.credit.outcome import Outcome, Verdict, most_severe
from ecomrules.credit.policy import (
    Boundary,
    Bucket,
    BucketLimit,
    Check,
    CreditPolicy,
    DunningRule,
    LimitRule,
    NewCustomerRule,
    OverdueRule,
    TierRule,
)
from ecomrules.credit.policy_file import PolicyDocument, load_policy, parse_policy
from ecomrules.credit.reservation import Reservation, ReservationStore, decide_and_reserve
from ecomrules.fx import FxRates

__all__ = [
    "Boundary",
    "Bucket",
    "BucketLimit",
    "Check",
    "CreditDecision",
    "CreditPolicy",
    "DunningRule",
    "Exposure",
    "ExposureBook",
    "FxRates",
    "GroupExposure",
    "LimitRule",
    "NewCustomerRule",
    "OpenOrder",
    "OpenOrderStatus",
    "Order",
    "OrderLine",
    "Outcome",
    "OverdueRule",
    "Override",
    "PaymentMethod",
    "PolicyDocument",
    "Reservation",
    "ReservationStore",
    "TierRule",
    "Verdict",
    "check_buckets",
    "check_dunning",
    "check_limit",
    "check_manual",
    "check_new_customer",
    "check_overdue",
    "decide",
    "decide_and_reserve",
    "load_policy",
    "most_severe",
    "parse_policy",
]
