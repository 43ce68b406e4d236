"""The ERP-neutral adapter layer: what an ERP must give the engines, and take back.

An adapter for Tryton, Odoo, ERPNext or Dolibarr implements these Protocols
over its ERP's API; :mod:`ecomrules.adapters.operations` runs the engines on
any object that does, and the CLI's ``--tryton`` options call those
operations. The engines stay pure: an adapter reads everything first, the
engine decides, then the adapter writes what was decided in as few calls as
its ERP allows (all or nothing, or resumable without duplicates).

Sources return the library's own values (:class:`~ecomrules.ledger.OpenItem`,
:class:`~ecomrules.ledger.Customer`, :class:`~ecomrules.credit.Order`, ...);
sinks take the engines' results (:class:`~ecomrules.dunning.DunningPlan`,
:class:`~ecomrules.reconcile.MatchResult`). Errors of the ERP connection are
:class:`~ecomrules.errors.ErpError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from attrs import frozen

from ecomrules.credit import OpenOrder, Order
from ecomrules.dunning import DunningHistory, DunningPlan, DunningPolicy
from ecomrules.ledger import Customer, OpenItem
from ecomrules.money import Money
from ecomrules.reconcile import MatchResult
from ecomrules.reconcile.records import LineRecord
from ecomrules.reconcile.store import Commitment

__all__ = [
    "CreditSource",
    "DunningHistorySource",
    "DunningSink",
    "DunningSource",
    "ErpSale",
    "ErpSaleLine",
    "OpenItemSource",
    "OrderSource",
    "SalesSource",
    "StatementSink",
]


class OpenItemSource(Protocol):
    """Open receivables and the customers they belong to."""

    def open_items(self) -> list[OpenItem]:
        """Every open receivable of posted customer invoices (credit notes negative)."""
        ...

    def customers(self) -> list[Customer]:
        """The customers of the items last read (and of the order last read), by id."""
        ...


class OrderSource(Protocol):
    """Orders: the one being decided, and those confirmed but not invoiced yet."""

    def order(self, number: str) -> Order:
        """The order (a quotation, usually) called ``number``; ErpError when there is none."""
        ...

    def open_orders(self) -> list[OpenOrder]:
        """Confirmed orders not invoiced yet: they weigh on credit exposure."""
        ...


@frozen
class ErpSaleLine:
    """One product line of a sale: what was sold, how many, for how much (before tax)."""

    product_code: str | None
    """The product's code (SKU) in the ERP; None when it has none or the line names no product."""
    product_name: str
    """The product's name, or the line's description when it names no product."""
    quantity: Decimal
    amount: Money
    """The line's amount before tax, in the sale's currency."""


@frozen
class ErpSale:
    """A confirmed (or further along) sale of the ERP, as plain values for reporting."""

    order_id: str
    """The sale's number."""
    ordered_on: date
    customer_id: str
    customer_name: str
    currency: str
    """ISO 4217 code of the sale's currency."""
    state: str
    """The ERP's state of the sale, e.g. Tryton's confirmed, processing, done."""
    invoiced: bool
    """True when its invoices are posted (awaiting payment, partially paid or paid)."""
    lines: tuple[ErpSaleLine, ...]

    @property
    def total(self) -> Money:
        """The sum of the lines' amounts (before tax)."""
        return sum((line.amount for line in self.lines), Money.zero(self.currency))


class SalesSource(Protocol):
    """Sales for reporting (sales analytics): confirmed, processing or done."""

    def sales(self, since: date | None = None, until: date | None = None) -> Iterator[ErpSale]:
        """Yield the sales ordered between ``since`` and ``until`` (inclusive), in batches.

        Quotations, drafts and cancelled sales are left out; a sale keeps its
        product lines only (no comments, titles or subtotals).
        """
        ...


class DunningHistorySource(Protocol):
    """What was already sent: the ERP's own dunning records."""

    def dunning_history(self, policy: DunningPolicy | None = None) -> DunningHistory:
        """The history of the items last read; level keys from ``policy`` when given."""
        ...


class DunningSource(OpenItemSource, DunningHistorySource, Protocol):
    """Open items, customers and dunning history: what a dunning plan reads."""


class CreditSource(OpenItemSource, OrderSource, DunningHistorySource, Protocol):
    """Everything a credit decision reads."""


class DunningSink(Protocol):
    """Where sent notices are recorded so that the ERP's screens and checks see them."""

    def record_dunning(self, plan: DunningPlan, sent_on: date) -> int:
        """Record the plan's notices as sent on ``sent_on``; return how many items were new.

        Recording twice on the same day records nothing the second time.
        """
        ...


class StatementSink(Protocol):
    """Where accepted matches go: a draft statement the accountant validates in the ERP."""

    def committed_lines(self) -> frozenset[str]:
        """Ids of the statement lines the ERP already holds (left out of a new run)."""
        ...

    def commitments(self) -> list[Commitment]:
        """Allocations proposed but not booked yet (they lower the items' residuals)."""
        ...

    def propose(
        self, name: str, result: MatchResult, lines: Sequence[LineRecord]
    ) -> tuple[str, int]:
        """Write the ``auto`` matches of ``result`` as one draft statement, all or nothing.

        Returns the statement's reference in the ERP and how many lines it holds
        (``("", 0)`` when there was nothing to write).
        """
        ...
