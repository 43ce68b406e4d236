"""Dunning: reminders of unpaid invoices, from a friendly nudge to the hand-over.

:func:`plan` decides, per customer, which items get which level today, with
fees and interest where the policy (and the law) allows, and which items are
held and why; it returns a :class:`DunningPlan` and never sends anything.
Policies load from TOML or JSON (:func:`load_policy`); three are shipped:
``fr-b2b``, ``fr-b2c`` and ``default``. :func:`customer_levels` tells other
areas the highest level each customer has reached.
"""

from ecomrules.dunning.config import BUILTIN_POLICIES, load_policy, policy_from_document
from ecomrules.dunning.engine import plan
from ecomrules.dunning.errors import BankDataStaleError
from ecomrules.dunning.history import (
    ChargeKind,
    CustomerLevel,
    CustomerPause,
    DunningCharge,
    DunningEvent,
    DunningHistory,
    DunningHistoryStore,
    ItemBlock,
    customer_levels,
    highest_levels,
)
from ecomrules.dunning.letters import LetterRenderer
from ecomrules.dunning.plan import (
    DunningPlan,
    Hold,
    Letter,
    NewCharge,
    Notice,
    NoticeItem,
    commit_plan,
)
from ecomrules.dunning.policy import (
    Channel,
    DaysAfterDue,
    DaysAfterPrevious,
    DunningLevel,
    DunningPolicy,
    EndOfMonthAfterDue,
    FixedFee,
    FlatIndemnity,
    InterestRule,
    Notify,
    PercentageFee,
)
from ecomrules.dunning.rates import (
    DayCount,
    RateReference,
    RateTable,
    builtin_rate_table,
    interest_factor,
    load_rate_table,
)
from ecomrules.dunning.sender import Sender, load_sender, sender_from_document

__all__ = [
    "BUILTIN_POLICIES",
    "BankDataStaleError",
    "Channel",
    "ChargeKind",
    "CustomerLevel",
    "CustomerPause",
    "DayCount",
    "DaysAfterDue",
    "DaysAfterPrevious",
    "DunningCharge",
    "DunningEvent",
    "DunningHistory",
    "DunningHistoryStore",
    "DunningLevel",
    "DunningPlan",
    "DunningPolicy",
    "EndOfMonthAfterDue",
    "FixedFee",
    "FlatIndemnity",
    "Hold",
    "InterestRule",
    "ItemBlock",
    "Letter",
    "LetterRenderer",
    "NewCharge",
    "Notice",
    "NoticeItem",
    "Notify",
    "PercentageFee",
    "RateReference",
    "RateTable",
    "Sender",
    "builtin_rate_table",
    "commit_plan",
    "customer_levels",
    "highest_levels",
    "interest_factor",
    "load_policy",
    "load_rate_table",
    "load_sender",
    "plan",
    "policy_from_document",
    "sender_from_document",
]
