"""Orders as the credit engine sees them: the order being taken and the open ones.

An :class:`Order` is the order a customer is placing now; an :class:`OpenOrder`
is a confirmed order not yet invoiced (or invoiced as a draft) that already
weighs on the customer's exposure. Pre-order lines carry the date they are
expected to be invoiced: they count in exposure from that date on, not today.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta
from decimal import Decimal

from attrs import field, frozen

from ecomrules.errors import FieldValueError, InvariantError
from ecomrules.fieldcheck import calendar_day, exact_money, expect
from ecomrules.money import Currency, Money, sum_money

__all__ = ["OpenOrder", "OpenOrderStatus", "Order", "OrderLine", "PaymentMethod"]


class PaymentMethod(enum.Enum):
    """How an order is paid. ``prepaid`` and ``card_authorized`` are secured."""

    INVOICE = "invoice"
    """Payment on account: the order adds to the customer's exposure."""
    PREPAID = "prepaid"
    """Paid with the order: no exposure."""
    CARD_AUTHORIZED = "card_authorized"
    """A card payment already authorised: no exposure."""
    CASH_ON_DELIVERY = "cash_on_delivery"
    """Paid on delivery: exposure until the parcel is delivered and paid."""

    @property
    def secured(self) -> bool:
        """True when the money is already held, so the order adds no exposure."""
        return self in (PaymentMethod.PREPAID, PaymentMethod.CARD_AUTHORIZED)


@frozen
class OrderLine:
    """One line of an order; a pre-order line has the date it will be invoiced."""

    amount: Money
    sku: str | None = None
    preorder: bool = False
    expected_invoice_date: date | None = None

    def __attrs_post_init__(self) -> None:
        owner = "order line" if self.sku is None else f"order line {self.sku}"
        exact_money(owner, "amount", self.amount)
        _dated(owner, self.preorder, self.expected_invoice_date)


def _lines(value: tuple[OrderLine, ...] | list[OrderLine]) -> tuple[OrderLine, ...]:
    return tuple(value)


@frozen
class Order:
    """The order being taken: the one :func:`~ecomrules.credit.decide` judges.

    When ``lines`` are given they must add up to ``amount`` exactly.
    """

    id: str
    customer_id: str
    amount: Money
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    lines: tuple[OrderLine, ...] = field(default=(), converter=_lines)

    def __attrs_post_init__(self) -> None:
        owner = f"order {self.id}"
        _owned(owner, self.id, self.customer_id, self.amount)
        expect(owner, "payment_method", self.payment_method, PaymentMethod)
        for line in self.lines:
            expect(owner, "lines", line, OrderLine)
        if self.lines:
            total = sum_money((line.amount for line in self.lines), currency=self.currency)
            if total != self.amount:
                raise InvariantError(
                    f"order {self.id}: lines add up to {total}, not the order amount {self.amount}"
                )

    @property
    def currency(self) -> Currency:
        """The order's currency."""
        return self.amount.currency

    def exposure_split(self, as_of: date, horizon_days: int) -> tuple[Money, Money]:
        """Return ``(counted now, scheduled later)``: what the order adds to exposure.

        A secured payment adds nothing. A pre-order line counts only when its
        expected invoice date is within ``horizon_days`` of ``as_of``; the rest
        is scheduled. An order without lines counts whole.
        """
        zero = _zero(self.amount.currency)
        if self.payment_method.secured:
            return zero, zero
        if not self.lines:
            return self.amount, zero
        cutoff = as_of + timedelta(days=horizon_days)
        later = sum_money(
            (line.amount for line in self.lines if _is_later(line, cutoff)),
            currency=self.currency,
        )
        return self.amount - later, later


_ZEROS: dict[str, Money] = {}


def _zero(currency: Currency) -> Money:
    zero = _ZEROS.get(currency.code)
    if zero is None or (zero.currency is not currency and zero.currency != currency):
        zero = _ZEROS[currency.code] = Money(Decimal(0).quantize(currency.quantum), currency)
    return zero


def _is_later(line: OrderLine, cutoff: date) -> bool:
    return (
        line.preorder
        and line.expected_invoice_date is not None
        and line.expected_invoice_date > cutoff
    )


def _owned(owner: str, order_id: object, customer_id: object, amount: object) -> Money:
    """Check an order's id, customer and amount (exact, not negative); return the amount."""
    expect(owner, "id", order_id, str)
    expect(owner, "customer_id", customer_id, str)
    money = exact_money(owner, "amount", amount)
    if money.amount < 0:
        raise FieldValueError(owner, "amount", f"{money} is negative")
    return money


def _dated(owner: str, preorder: bool, expected: object) -> None:
    """A pre-order needs its expected invoice date; a date given must be a calendar day."""
    if expected is not None:
        calendar_day(owner, "expected_invoice_date", expected)
    elif preorder:
        raise FieldValueError(owner, "expected_invoice_date", "is needed for a pre-order")


class OpenOrderStatus(enum.Enum):
    """Where an open order stands on its way to a posted invoice."""

    CONFIRMED = "confirmed"
    """Confirmed, not yet invoiced."""
    DRAFT_INVOICE = "draft_invoice"
    """Invoiced as a draft that is not posted yet."""


@frozen
class OpenOrder:
    """A confirmed order not yet invoiced, or invoiced as an unposted draft.

    ``deposit`` is what the customer already paid on it (a deposit or a
    prepayment); it is subtracted from exposure. A pre-order counts from its
    ``expected_invoice_date`` on.
    """

    id: str
    customer_id: str
    amount: Money
    status: OpenOrderStatus = OpenOrderStatus.CONFIRMED
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    preorder: bool = False
    expected_invoice_date: date | None = None
    deposit: Money | None = None

    def __attrs_post_init__(self) -> None:
        owner = f"open order {self.id}"
        amount = _owned(owner, self.id, self.customer_id, self.amount)
        expect(owner, "status", self.status, OpenOrderStatus)
        expect(owner, "payment_method", self.payment_method, PaymentMethod)
        _dated(owner, self.preorder, self.expected_invoice_date)
        if self.deposit is not None:
            deposit = exact_money(owner, "deposit", self.deposit)
            if deposit.currency != amount.currency:
                raise FieldValueError(owner, "deposit", f"{deposit} is not in {amount.currency}")
            if deposit.amount < 0 or deposit > amount:
                raise FieldValueError(owner, "deposit", f"{deposit} is outside 0..{amount}")

    def counts_on(self, as_of: date, horizon_days: int) -> bool:
        """True when the order weighs on exposure at ``as_of`` (pre-orders from their date)."""
        if not self.preorder or self.expected_invoice_date is None:
            return True
        return self.expected_invoice_date <= as_of + timedelta(days=horizon_days)
