"""The exposure book: every customer's and group's exposure, built once, kept up to date.

The book reads the open items and open orders once and keeps a running tally
per customer and per group. Each amount is converted into the party's
currency on its own (rounded with the policy's rates), so adding an accepted
order later gives exactly what a full recomputation would, and no total
depends on the order the items came in.

A bulk load (:meth:`ExposureBook.add_items`) adds each item once, to its
customer's sums for that load, and folds those sums into the customer's and
its groups' tallies at the end (decimal sums are exact, so this equals
adding item by item); a group counting in another currency than its member
gets each of the member's items converted on its own. A load that raises
leaves the book as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ecomrules.credit.exposure import Exposure, GroupExposure
from ecomrules.credit.order import OpenOrder, OpenOrderStatus, Order
from ecomrules.credit.policy import CreditPolicy
from ecomrules.errors import InvariantError
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Currency, Money

if TYPE_CHECKING:
    from ecomrules.credit.reservation import Reservation

__all__ = ["ExposureBook"]

_NOT_DUE, _O1, _O2, _O3, _O4, _DRAFT, _ORDERS, _RESERVED, _CREDITS, _DEPOSITS, _LATER = range(11)
_ZERO = Decimal(0)


class _Tally:
    """Running sums of one party, in its currency, with its exposure cached until a change."""

    __slots__ = ("currency", "entries", "exposure", "max_days", "money", "parts", "stale")

    def __init__(self, currency: Currency) -> None:
        zero = _ZERO.quantize(currency.quantum)
        self.currency = currency
        self.parts = [zero] * 11
        self.money = [Money(zero, currency)] * 11
        self.stale: set[int] = set()  # the parts whose Money is out of date
        self.max_days = 0
        self.entries = 0
        self.exposure: Exposure | None = None

    def add(self, part: int, amount: Decimal) -> None:
        self.parts[part] += amount
        self.stale.add(part)
        self.exposure = None

    def count(self, entries: int, max_days: int = 0) -> None:
        self.entries += entries
        if max_days > self.max_days:
            self.max_days = max_days
        self.exposure = None

    def to_exposure(self) -> Exposure:
        exposure = self.exposure
        if exposure is not None:
            return exposure
        cur = self.currency
        p = self.money
        if self.stale:
            for part in self.stale:
                p[part] = Money(self.parts[part], cur)
            self.stale.clear()
        exposure = self.exposure = Exposure(  # positional: the parts in Exposure's field order
            cur,
            p[_NOT_DUE],
            p[_O1],
            p[_O2],
            p[_O3],
            p[_O4],
            p[_DRAFT],
            p[_ORDERS],
            p[_RESERVED],
            p[_CREDITS],
            p[_DEPOSITS],
            p[_LATER],
            self.max_days,
            self.entries,
        )
        return exposure


class _Batch:
    """What one bulk load adds for one customer, in the customer's currency.

    The sums are folded into the customer's tally and its groups' once, at the
    end of the load. ``held`` keeps the items themselves when a group counts
    in another currency, where each item must be converted on its own.
    """

    __slots__ = ("currency", "direct", "entries", "held", "max_days", "parts")

    def __init__(self, currency: Currency, held: bool) -> None:
        self.currency = currency
        # the bulk loop adds the items in ``direct`` itself and sets the others aside
        self.direct: Currency | None = None if held else currency
        self.parts = [_ZERO] * 11
        self.max_days = 0
        self.entries = 0
        self.held: list[tuple[int, Decimal, Currency]] | None = [] if held else None


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
        self._group_cache: dict[str, GroupExposure] = {}
        ordered = sorted(self.customers.values(), key=lambda c: c.id)
        for customer in ordered:
            self._tallies[customer.id] = _Tally(customer.currency)
            group_id = customer.group_id
            if group_id is not None and group_id not in self._groups:
                # without a limit, the group counts in the currency of its first member by id
                limit = self.group_limit(group_id)
                currency = customer.currency if limit is None else limit.currency
                self._groups[group_id] = _Tally(currency)
        self._targets: dict[str, tuple[_Tally, ...]] = {}
        self._members: dict[str, list[str]] = {}
        for customer in ordered:
            groups = sorted({g for g in (customer.group_id, customer.id) if g in self._groups})
            tallies = [self._tallies[customer.id], *(self._groups[g] for g in groups)]
            self._targets[customer.id] = tuple(tallies)
            for group_id in groups:
                self._members.setdefault(group_id, []).append(customer.id)

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

    def members(self, group_id: str) -> tuple[str, ...]:
        """The ids of the customers a group's exposure sums (its members and its head), sorted."""
        return tuple(self._members.get(group_id, ()))

    def group_limit(self, group_id: str) -> Money | None:
        """The group's limit: the policy's, else that of the customer with the group's id."""
        if group_id in self.policy.group_limits:
            return self.policy.group_limits[group_id]
        parent = self.customers.get(group_id)
        return None if parent is None else parent.credit_limit

    def _parties(self, customer_id: str, what: str) -> tuple[_Tally, ...]:
        """The tallies an entry of the customer adds to: its own, then its groups'."""
        tallies = self._targets.get(customer_id)
        if tallies is None:
            raise InvariantError(f"{what}: customer {customer_id!r} is not known")
        return tallies

    def _add(self, tally: _Tally, part: int, amount: Money) -> None:
        if amount.currency is not tally.currency and amount.currency != tally.currency:
            amount = self.policy.rates.convert(amount, tally.currency)
        tally.add(part, amount.amount)

    def add_item(self, item: OpenItem) -> None:
        """Count an open item: a bucket by age when positive, a credit when negative."""
        self.add_items((item,))

    def add_items(self, items: Iterable[OpenItem]) -> None:
        """Count open items (one tight loop: this is where a large book spends its time).

        Each item is added once, to its customer's sums for this load, in the
        customer's currency; the age bucket is worked out once per due date.
        The sums go into the customer's and its groups' tallies at the end, so
        a load that raises (an unknown customer, a missing rate) changes nothing.
        """
        self._add_items(items)

    def _add_items(self, items: Iterable[OpenItem]) -> None:
        as_of = self.as_of
        as_of_day = as_of.toordinal()
        open_status = ItemStatus.OPEN
        zero = _ZERO
        ages: dict[date, tuple[int, int]] = {}
        batches: dict[str, _Batch] = {}
        others: list[tuple[_Batch, OpenItem]] = []
        for item in items:
            residual = item.residual
            amount = residual.amount
            if not amount:
                continue
            batch = batches.get(item.partner_id)
            if batch is None:
                batch = batches[item.partner_id] = self._batch(item)
            if residual.currency is not batch.direct:
                others.append((batch, item))  # another currency, or a group in another one
                continue
            due = item.due_date
            age = ages.get(due)
            if age is None:
                age = ages[due] = _age(as_of_day - due.toordinal())
            batch.entries += 1
            if amount < zero:
                batch.parts[_CREDITS] -= amount
                continue
            part, days = age
            batch.parts[part] += amount
            if days > batch.max_days and (item.status is open_status or _collectable(item, as_of)):
                batch.max_days = days
        converters: dict[tuple[str, str], Callable[[Decimal], Decimal]] = {}
        add_other = self._add_other
        for batch, item in others:
            add_other(batch, item, ages, converters)
        for customer_id, batch in batches.items():
            if batch.held is not None:  # every rate a group needs, before anything changes
                for tally in self._targets[customer_id]:
                    for currency in {currency for _, _, currency in batch.held}:
                        self._converter(converters, currency, tally.currency)
        for customer_id, batch in batches.items():
            self._fold(customer_id, batch, converters)

    def _add_other(
        self,
        batch: _Batch,
        item: OpenItem,
        ages: dict[date, tuple[int, int]],
        converters: dict[tuple[str, str], Callable[[Decimal], Decimal]],
    ) -> None:
        """Count an item the loop set aside: converted on its own, or kept for its groups."""
        residual = item.residual
        amount, currency = residual.amount, residual.currency
        due = item.due_date
        age = ages.get(due)
        if age is None:
            age = ages[due] = _age(self.as_of.toordinal() - due.toordinal())
        convert = converters.get((currency.code, batch.currency.code))
        if convert is None:
            convert = self._converter(converters, currency, batch.currency)
        value = convert(amount)
        batch.entries += 1
        if amount < 0:
            part = _CREDITS
            batch.parts[_CREDITS] += -value
        else:
            part, days = age
            batch.parts[part] += value
            if days > batch.max_days and _collectable(item, self.as_of):
                batch.max_days = days
        if batch.held is not None:
            batch.held.append((part, amount, currency))

    def _batch(self, item: OpenItem) -> _Batch:
        target = self._targets.get(item.partner_id)
        if target is None:
            raise InvariantError(f"open item {item.id}: customer {item.partner_id!r} is not known")
        own, *groups = target
        held = any(g.currency is not own.currency and g.currency != own.currency for g in groups)
        return _Batch(own.currency, held)

    def _converter(
        self,
        converters: dict[tuple[str, str], Callable[[Decimal], Decimal]],
        source: Currency,
        target: Currency,
    ) -> Callable[[Decimal], Decimal]:
        key = (source.code, target.code)  # a Currency hashes in Python, its code in C
        convert = converters.get(key)
        if convert is None:
            convert = converters[key] = self.policy.rates.amount_converter(source, target)
        return convert

    def _fold(
        self,
        customer_id: str,
        batch: _Batch,
        converters: dict[tuple[str, str], Callable[[Decimal], Decimal]],
    ) -> None:
        """Add one customer's sums of a load to its tally and its groups' tallies."""
        for tally in self._targets[customer_id]:
            if batch.held is None or tally.currency == batch.currency:
                for part, value in enumerate(batch.parts):
                    if value is not _ZERO:
                        tally.add(part, value)
            else:
                for part, amount, currency in batch.held:
                    value = self._converter(converters, currency, tally.currency)(amount)
                    tally.add(part, -value if part == _CREDITS else value)
            tally.count(batch.entries, batch.max_days)

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
            tally.count(1)

    def add_order(self, order: Order, *, reserved: bool = False) -> None:
        """Count an order just accepted (as an open order, or as ``reserved`` elsewhere)."""
        self._order_ids.add(order.id)
        if order.payment_method.secured:
            return
        now, later = order.exposure_split(self.as_of, self.policy.preorder_horizon_days)
        part = _RESERVED if reserved else _ORDERS
        tallies = self._targets.get(order.customer_id)
        if tallies is None:
            tallies = self._parties(order.customer_id, f"order {order.id}")
        for tally in tallies:
            if now.amount:
                if now.currency is tally.currency:
                    tally.add(part, now.amount)
                else:
                    self._add(tally, part, now)
            if later.amount:
                self._add(tally, _LATER, later)
            tally.count(1)

    def add_reservation(self, reservation: Reservation) -> None:
        """Count the amount an order being taken elsewhere holds (``reserved``).

        Nothing is added when the book counts the order already (an open
        order, an order accepted in this book, or the same reservation).
        """
        if reservation.order_id in self._order_ids:
            return
        self._order_ids.add(reservation.order_id)
        what = f"reservation of order {reservation.order_id}"
        for tally in self._parties(reservation.customer_id, what):
            self._add(tally, _RESERVED, reservation.amount)
            tally.count(1)

    def counts_order(self, order_id: str) -> bool:
        """True when the order is already in the book (so a reservation must not count again)."""
        return order_id in self._order_ids

    def exposure(self, customer_id: str) -> Exposure:
        """The customer's own exposure."""
        tally = self._tallies.get(customer_id)
        if tally is None:
            raise InvariantError(f"customer {customer_id!r} is not known")
        return tally.to_exposure()

    def group(self, customer: Customer) -> GroupExposure | None:
        """The exposure of the customer's group (or of the group it heads), with its limit."""
        group_id = customer.group_id
        if group_id is None and customer.id in self._groups:
            group_id = customer.id
        if group_id is None:
            return None
        exposure = self._groups[group_id].to_exposure()
        cached = self._group_cache.get(group_id)
        if cached is None or cached.exposure is not exposure:
            cached = GroupExposure(group_id, exposure, self.group_limit(group_id))
            self._group_cache[group_id] = cached
        return cached


def _age(days: int) -> tuple[int, int]:
    """The part a positive amount ``days`` past due goes to, and the days."""
    if days <= 0:
        return _NOT_DUE, days
    if days <= 30:
        return _O1, days
    if days <= 60:
        return _O2, days
    if days <= 90:
        return _O3, days
    return _O4, days


def _collectable(item: OpenItem, as_of: date) -> bool:
    """True when an overdue item counts for the overdue check."""
    status = item.status
    if status is ItemStatus.OPEN:
        return True
    if status is ItemStatus.PROMISED:
        return item.promise_until is None or item.promise_until < as_of
    return False
