"""The exposure book: every customer's and group's exposure, built once, kept up to date.

The book reads the open items and open orders once and keeps a running tally
per customer and per group. Each amount is converted into the party's
currency on its own (rounded with the policy's rates), so adding an accepted
order later gives exactly what a full recomputation would, and no total
depends on the order the items came in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ecomrules.credit.exposure import Exposure, GroupExposure
from ecomrules.credit.order import OpenOrder, OpenOrderStatus, Order
from ecomrules.credit.policy import CreditPolicy
from ecomrules.errors import InvariantError
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Currency, Money

__all__ = ["ExposureBook"]

_NOT_DUE, _O1, _O2, _O3, _O4, _DRAFT, _ORDERS, _RESERVED, _CREDITS, _DEPOSITS, _LATER = range(11)
_ZERO = Decimal(0)


class _Tally:
    """Running sums of one party, in its currency, with the Money of each part cached."""

    __slots__ = ("currency", "entries", "max_days", "money", "parts")

    def __init__(self, currency: Currency) -> None:
        zero = _ZERO.quantize(currency.quantum)
        self.currency = currency
        self.parts = [zero] * 11
        self.money: list[Money | None] = [Money(zero, currency)] * 11
        self.max_days = 0
        self.entries = 0

    def add(self, part: int, amount: Decimal) -> None:
        self.parts[part] += amount
        self.money[part] = None

    def to_exposure(self) -> Exposure:
        cur = self.currency
        p: list[Money] = []
        for index, money in enumerate(self.money):
            if money is None:
                money = self.money[index] = Money(self.parts[index], cur)
            p.append(money)
        return Exposure(
            cur,
            not_due=p[_NOT_DUE],
            overdue_1_30=p[_O1],
            overdue_31_60=p[_O2],
            overdue_61_90=p[_O3],
            overdue_over_90=p[_O4],
            draft_invoices=p[_DRAFT],
            open_orders=p[_ORDERS],
            reserved=p[_RESERVED],
            credits=p[_CREDITS],
            deposits=p[_DEPOSITS],
            scheduled=p[_LATER],
            max_days_overdue=self.max_days,
            entries=self.entries,
        )


class ExposureBook:
    """Exposure of every customer and group at ``as_of``, updated as orders are accepted.

    Build it with :meth:`build` (or add items and orders one by one), read it
    with :meth:`exposure` and :meth:`group`, and record each accepted order
    with :meth:`add_order`.
    """

    def __init__(self, customers: Iterable[Customer], policy: CreditPolicy, as_of: date) -> None:
        self.policy = policy
        self.as_of = as_of
        self.customers = {customer.id: customer for customer in customers}
        self._order_ids: set[str] = set()
        self._tallies: dict[str, _Tally] = {}
        self._groups: dict[str, _Tally] = {}
        self._cache: dict[tuple[bool, str], Exposure] = {}
        self._group_cache: dict[str, GroupExposure] = {}
        ordered = sorted(self.customers.values(), key=lambda c: c.id)
        for customer in ordered:
            self._tallies[customer.id] = _Tally(customer.currency)
            if customer.group_id is not None and customer.group_id not in self._groups:
                self._groups[customer.group_id] = _Tally(self._group_currency(customer.group_id))
        self._targets: dict[str, tuple[tuple[_Tally, ...], tuple[tuple[bool, str], ...]]] = {}
        for customer in ordered:
            groups = {g for g in (customer.group_id, customer.id) if g in self._groups}
            tallies = [self._tallies[customer.id], *(self._groups[g] for g in sorted(groups))]
            keys = [(False, customer.id), *((True, g) for g in sorted(groups))]
            self._targets[customer.id] = (tuple(tallies), tuple(keys))

    @classmethod
    def build(
        cls,
        customers: Iterable[Customer],
        policy: CreditPolicy,
        as_of: date,
        *,
        open_items: Iterable[OpenItem] = (),
        open_orders: Iterable[OpenOrder] = (),
    ) -> ExposureBook:
        """Return a book holding ``open_items`` and ``open_orders``."""
        book = cls(customers, policy, as_of)
        book.add_items(open_items)
        for order in open_orders:
            book.add_open_order(order)
        return book

    def _group_currency(self, group_id: str) -> Currency:
        limit = self.group_limit(group_id)
        if limit is not None:
            return limit.currency
        members = sorted(c.id for c in self.customers.values() if c.group_id == group_id)
        return self.customers[members[0]].currency

    def group_limit(self, group_id: str) -> Money | None:
        """The group's limit: the policy's, else that of the customer with the group's id."""
        if group_id in self.policy.group_limits:
            return self.policy.group_limits[group_id]
        parent = self.customers.get(group_id)
        return None if parent is None else parent.credit_limit

    def _parties(self, customer_id: str, what: str) -> tuple[_Tally, ...]:
        """The tallies an entry of the customer adds to; their cached exposures are dropped."""
        target = self._targets.get(customer_id)
        if target is None:
            raise InvariantError(f"{what}: customer {customer_id!r} is not known")
        tallies, keys = target
        cache = self._cache
        if cache:
            for key in keys:
                cache.pop(key, None)
        return tallies

    def _add(self, tally: _Tally, part: int, amount: Money) -> None:
        if amount.currency is not tally.currency and amount.currency != tally.currency:
            amount = self.policy.rates.convert(amount, tally.currency)
        tally.add(part, amount.amount)

    def add_item(self, item: OpenItem) -> None:
        """Count an open item: a bucket by age when positive, a credit when negative."""
        self.add_items((item,))

    def add_items(self, items: Iterable[OpenItem]) -> None:
        """Count open items (one tight loop: this is where a large book spends its time)."""
        as_of = self.as_of.toordinal()
        targets = self._targets
        convert = self.policy.rates.convert
        touched = bool(self._cache)
        as_of_date = self.as_of
        open_status = ItemStatus.OPEN
        for item in items:
            residual = item.residual
            amount = residual.amount
            if not amount:
                continue
            days = as_of - item.due_date.toordinal()
            if amount < 0:
                part = _CREDITS
            elif days <= 0:
                part = _NOT_DUE
            elif days <= 30:
                part = _O1
            elif days <= 60:
                part = _O2
            elif days <= 90:
                part = _O3
            else:
                part = _O4
            aged = (
                days > 0
                and part != _CREDITS
                and (item.status is open_status or _collectable(item, as_of_date))
            )
            target = targets.get(item.partner_id)
            if target is None:
                raise InvariantError(
                    f"open item {item.id}: customer {item.partner_id!r} is not known"
                )
            currency = residual.currency
            for tally in target[0]:
                if currency is tally.currency or currency == tally.currency:
                    value = amount
                else:
                    value = convert(residual, tally.currency).amount
                tally.parts[part] += -value if part == _CREDITS else value
                tally.entries += 1
                if aged and days > tally.max_days:
                    tally.max_days = days
        for tally in (*self._tallies.values(), *self._groups.values()):
            tally.money = [None] * 11
        if touched:
            self._cache.clear()

    def add_open_order(self, order: OpenOrder) -> None:
        """Count a confirmed order not yet invoiced, or a draft invoice, less its deposit."""
        self._order_ids.add(order.id)
        if order.payment_method.secured:
            return
        deposit = order.deposit or Money.zero(order.amount.currency)
        counted = order.counts_on(self.as_of, self.policy.preorder_horizon_days)
        part = _DRAFT if order.status is OpenOrderStatus.DRAFT_INVOICE else _ORDERS
        for tally in self._parties(order.customer_id, f"open order {order.id}"):
            if counted:
                self._add(tally, part, order.amount)
                self._add(tally, _DEPOSITS, deposit)
            else:
                self._add(tally, _LATER, order.amount - deposit)
            tally.entries += 1

    def add_order(self, order: Order, *, reserved: bool = False) -> None:
        """Count an order just accepted (as an open order, or as ``reserved`` elsewhere)."""
        self._order_ids.add(order.id)
        if order.payment_method.secured:
            return
        now, later = order.exposure_split(self.as_of, self.policy.preorder_horizon_days)
        part = _RESERVED if reserved else _ORDERS
        target = self._targets.get(order.customer_id)
        tallies = self._parties(order.customer_id, f"order {order.id}") if target is None else ()
        if target is not None:
            tallies = target[0]
            for key in target[1]:
                self._cache.pop(key, None)
        for tally in tallies:
            if now:
                self._add(tally, part, now)
            if later:
                self._add(tally, _LATER, later)
            tally.entries += 1

    def counts_order(self, order_id: str) -> bool:
        """True when the order is already in the book (so a reservation must not count again)."""
        return order_id in self._order_ids

    def exposure(self, customer_id: str) -> Exposure:
        """The customer's own exposure."""
        key = (False, customer_id)
        cached = self._cache.get(key)
        if cached is None:
            try:
                tally = self._tallies[customer_id]
            except KeyError:
                raise InvariantError(f"customer {customer_id!r} is not known") from None
            cached = self._cache[key] = tally.to_exposure()
        return cached

    def group(self, customer: Customer) -> GroupExposure | None:
        """The exposure of the customer's group (or of the group it heads), with its limit."""
        group_id = customer.group_id
        if group_id is None and customer.id in self._groups:
            group_id = customer.id
        if group_id is None:
            return None
        key = (True, group_id)
        cached = self._group_cache.get(group_id)
        if cached is None or key not in self._cache:
            exposure = self._cache[key] = self._groups[group_id].to_exposure()
            cached = GroupExposure(group_id, exposure, self.group_limit(group_id))
            self._group_cache[group_id] = cached
        return cached


def _collectable(item: OpenItem, as_of: date) -> bool:
    """True when an overdue item counts for the overdue check."""
    status = item.status
    if status is ItemStatus.OPEN:
        return True
    if status is ItemStatus.PROMISED:
        return item.promise_until is None or item.promise_until < as_of
    return False
