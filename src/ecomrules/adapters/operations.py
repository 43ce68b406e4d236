"""The engines run on an ERP adapter: read everything, decide, then write what was decided.

Each function takes objects implementing the Protocols of
:mod:`ecomrules.adapters.protocols` and the same policies and dates as the
file-based CLI; nothing here knows which ERP is behind them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from attrs import frozen

from ecomrules.adapters.protocols import (
    CreditSource,
    DunningSink,
    DunningSource,
    OpenItemSource,
    StatementSink,
)
from ecomrules.credit import CreditDecision, CreditPolicy, ExposureBook, Override, decide
from ecomrules.dunning import DunningPlan, DunningPolicy, Sender, customer_levels, plan
from ecomrules.errors import ErpError
from ecomrules.ledger import OpenItem
from ecomrules.parsing.model import StatementLine
from ecomrules.reconcile import Matcher, MatcherSettings, MatchResult, item_record
from ecomrules.reconcile.payouts import PayoutRecord
from ecomrules.reconcile.records import LineRecord
from ecomrules.reconcile.store import without_committed

__all__ = [
    "ErpReconciliation",
    "check_credit",
    "commit_dunning",
    "plan_dunning",
    "reconcile_lines",
]


def plan_dunning(
    source: DunningSource,
    policy: DunningPolicy,
    as_of: date,
    *,
    render: bool = False,
    sender: Sender | None = None,
    in_transit: Iterable[StatementLine] = (),
    bank_data_as_of: date | None = None,
) -> DunningPlan:
    """Plan today's notices from the ERP's open items, customers and dunning records.

    ``sender``, ``in_transit`` and ``bank_data_as_of`` are those of
    :func:`ecomrules.dunning.plan`.
    """
    items = source.open_items()
    customers = source.customers()
    history = source.dunning_history(policy)
    return plan(
        items,
        customers,
        history,
        policy,
        as_of,
        render=render,
        sender=sender,
        in_transit=in_transit,
        bank_data_as_of=bank_data_as_of,
    )


def commit_dunning(
    source: DunningSource,
    sink: DunningSink,
    policy: DunningPolicy,
    as_of: date,
    *,
    render: bool = False,
    sender: Sender | None = None,
    in_transit: Iterable[StatementLine] = (),
    bank_data_as_of: date | None = None,
) -> tuple[DunningPlan, int]:
    """Plan, then record the notices in the ERP as sent on ``as_of``.

    A second commit on the same day plans nothing new (the ERP's records are
    the history) and records nothing.
    """
    result = plan_dunning(
        source,
        policy,
        as_of,
        render=render,
        sender=sender,
        in_transit=in_transit,
        bank_data_as_of=bank_data_as_of,
    )
    return result, sink.record_dunning(result, as_of)


def check_credit(
    source: CreditSource,
    number: str,
    policy: CreditPolicy,
    as_of: date,
    *,
    overrides: Sequence[Override] = (),
) -> CreditDecision:
    """Decide on the ERP's order ``number`` with exposure and dunning level read from the ERP.

    Exposure is the customer's open receivables (by age, as the policy
    reads them), the confirmed orders not invoiced yet (this one left out)
    and this order; the dunning level is the highest level reached on an
    item still open, and blocks when that level blocks credit.
    """
    order = source.order(number)
    items = source.open_items()
    customers = source.customers()
    people = {customer.id: customer for customer in customers}
    customer = people.get(order.customer_id)
    if customer is None:  # pragma: no cover - an adapter always returns the order's customer
        raise ErpError(f"order {number}: customer {order.customer_id} was not read")
    book = ExposureBook.build(
        customers,
        policy,
        as_of,
        open_items=items,
        open_orders=[o for o in source.open_orders() if o.id != order.id],
    )
    levels = customer_levels(
        source.dunning_history(None), open_item_ids={item.id for item in items}
    )
    standing = levels.get(customer.id)
    return decide(
        order,
        customer,
        book.exposure(customer.id),
        policy,
        as_of,
        group=book.group(customer),
        dunning_level=0 if standing is None else standing.rank,
        dunning_blocks_credit=standing is not None and standing.block_credit,
        overrides=tuple(overrides),
    )


@frozen
class ErpReconciliation:
    """A reconciliation against the ERP: the result, and what the ERP already held."""

    result: MatchResult
    left_out: tuple[str, ...]
    """Statement lines the ERP already holds, left out of this run."""
    items: tuple[OpenItem, ...]
    """The open items matched against (residuals lowered by pending proposals)."""
    statement: str = ""
    """The draft statement written (empty when nothing was committed)."""
    committed: int = 0
    """How many statement lines were written."""


def reconcile_lines(
    source: OpenItemSource,
    sink: StatementSink,
    lines: Sequence[LineRecord],
    *,
    name: str,
    payouts: Sequence[PayoutRecord] = (),
    settings: MatcherSettings | None = None,
    commit: bool = False,
) -> ErpReconciliation:
    """Match statement lines against the ERP's open receivables; with ``commit`` propose them.

    Lines the ERP already holds are left out; items of proposals still in
    draft count with what they will have left. ``commit`` writes the
    ``auto`` matches as one draft statement called ``name``.
    """
    skipped = sink.committed_lines()
    items, _ = without_committed(source.open_items(), sink.commitments())
    left_out = tuple(sorted(line.id for line in lines if line.id in skipped))
    kept = [line for line in lines if line.id not in skipped]
    result = Matcher(settings).match_records(
        kept, [item_record(item) for item in items], payouts=payouts
    )
    reference, written = "", 0
    if commit:
        reference, written = sink.propose(name, result, kept)
    return ErpReconciliation(result, left_out, tuple(items), reference, written)
