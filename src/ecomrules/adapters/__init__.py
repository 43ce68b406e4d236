"""ERP adapters: the engines fed from an ERP, and their decisions written back to it.

:mod:`ecomrules.adapters.protocols` says what an adapter implements (a source
of open items, customers, orders and dunning history; a sink of dunning
records and statement proposals); the operations here run the engines on any
adapter. :mod:`ecomrules.adapters.tryton` is the Tryton adapter.
"""

from ecomrules.adapters.operations import (
    ErpReconciliation,
    check_credit,
    commit_dunning,
    plan_dunning,
    reconcile_lines,
)
from ecomrules.adapters.protocols import (
    CreditSource,
    DunningHistorySource,
    DunningSink,
    DunningSource,
    ErpSale,
    ErpSaleLine,
    OpenItemSource,
    OrderSource,
    SalesSource,
    StatementSink,
)

__all__ = [
    "CreditSource",
    "DunningHistorySource",
    "DunningSink",
    "DunningSource",
    "ErpReconciliation",
    "ErpSale",
    "ErpSaleLine",
    "OpenItemSource",
    "OrderSource",
    "SalesSource",
    "StatementSink",
    "check_credit",
    "commit_dunning",
    "plan_dunning",
    "reconcile_lines",
]
