"""The pre-order domain: products with a release, pre-order lines, supply, warehouse, carriers.

Every instant is timezone-aware. A product's release is an instant, usually
midnight in the release's zone (``2026-12-04T00:00 Europe/Paris``); shipping
days are dates in the warehouse's zone; delivery days are dates in the
destination's zone.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from attrs import field, frozen

from ecomrules.errors import FieldTypeError, FieldValueError
from ecomrules.fieldcheck import calendar_day, expect
from ecomrules.time import BusinessCalendar, require_aware

__all__ = [
    "CarrierService",
    "PreorderLine",
    "PreorderProduct",
    "SupplyEvent",
    "SupplyStatus",
    "Warehouse",
]


def _aware(instant: Any) -> Any:
    # A value that is not a datetime is left to the field checks, which name the field.
    return require_aware(instant) if isinstance(instant, datetime) else instant


def _aware_or_none(instant: Any) -> Any:
    return None if instant is None else _aware(instant)


def _owner(instance: object) -> str:
    return type(instance).__name__


def _count(instance: object, attribute: object, value: Any, least: int) -> None:
    name = getattr(attribute, "name", "value")
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldTypeError(
            _owner(instance), name, f"is an int, not {type(value).__name__}: {value!r}"
        )
    if value < least:
        rule = "must be at least 1" if least else "must not be negative"
        raise FieldValueError(_owner(instance), name, f"{rule}, got {value}")


def _positive(instance: object, attribute: object, value: Any) -> None:
    _count(instance, attribute, value, 1)


def _not_negative(instance: object, attribute: object, value: Any) -> None:
    _count(instance, attribute, value, 0)


def _texts(owner: str, values: dict[str, Any]) -> None:
    for name, value in values.items():
        expect(owner, name, value, str)


def _optional_days(owner: str, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is not None:
            calendar_day(owner, name, value)


@frozen
class PreorderProduct:
    """A product sold before it exists, with its release and its supplier's dates.

    ``release_at`` is the release instant (aware; the zone it carries is the
    release's zone). ``strict`` street dates are never *delivered* before the
    release; relaxed ones are never *shipped* before it. ``supplier_cutoff`` is
    the last day the shop may order from its supplier; ``safety_stock``,
    ``min_order`` and ``pack_size`` shape the suggested purchase quantity.
    """

    sku: str
    name: str
    release_at: datetime = field(converter=_aware)
    strict: bool = True
    preorder_start: date | None = None
    preorder_end: date | None = None
    supplier_cutoff: date | None = None
    expected_supplier_delivery: date | None = None
    cap: int | None = field(default=None, validator=_not_negative)
    safety_stock: int = field(default=0, validator=_not_negative)
    min_order: int = field(default=1, validator=_positive)
    pack_size: int = field(default=1, validator=_positive)

    def __attrs_post_init__(self) -> None:
        owner = f"pre-order product {self.sku!r}"
        _texts(owner, {"sku": self.sku, "name": self.name})
        expect(owner, "release_at", self.release_at, datetime)
        expect(owner, "strict", self.strict, bool)
        _optional_days(
            owner,
            {
                "preorder_start": self.preorder_start,
                "preorder_end": self.preorder_end,
                "supplier_cutoff": self.supplier_cutoff,
                "expected_supplier_delivery": self.expected_supplier_delivery,
            },
        )


@frozen
class PreorderLine:
    """One order line: a pre-order (or, with ``in_stock``, an ordinary line of the same order).

    ``paid`` means the money is captured; otherwise ``authorized_at`` is when
    the card authorisation was taken (it expires, see the alert policy).
    ``carrier_service`` and ``country`` select the carrier route.
    """

    order_id: str
    customer_id: str
    sku: str
    quantity: int = field(validator=_positive)
    ordered_at: datetime = field(converter=_aware)
    country: str
    carrier_service: str
    paid: bool = False
    authorized_at: datetime | None = field(default=None, converter=_aware_or_none)
    tier: str | None = None
    postcode: str | None = None
    in_stock: bool = False

    def __attrs_post_init__(self) -> None:
        owner = f"pre-order line {self.order_id!r}"
        _texts(
            owner,
            {
                "order_id": self.order_id,
                "customer_id": self.customer_id,
                "sku": self.sku,
                "country": self.country,
                "carrier_service": self.carrier_service,
            },
        )
        expect(owner, "ordered_at", self.ordered_at, datetime)
        if self.authorized_at is not None:
            expect(owner, "authorized_at", self.authorized_at, datetime)

    @property
    def key(self) -> tuple[str, str]:
        """The line's identity in a plan: ``(order_id, sku)``."""
        return (self.order_id, self.sku)


class SupplyStatus(enum.Enum):
    """Whether a supply event is still expected or already received at the warehouse."""

    EXPECTED = "expected"
    RECEIVED = "received"


@frozen
class SupplyEvent:
    """Units of a product arriving at the warehouse on ``arrival`` (expected or received)."""

    sku: str
    quantity: int = field(validator=_not_negative)
    arrival: date
    status: SupplyStatus = SupplyStatus.EXPECTED
    reference: str | None = None

    def __attrs_post_init__(self) -> None:
        owner = f"supply event {self.sku!r}"
        expect(owner, "sku", self.sku, str)
        calendar_day(owner, "arrival", self.arrival)
        expect(owner, "status", self.status, SupplyStatus)


@frozen
class Warehouse:
    """Where parcels leave from: its business calendar, its zone and the pick-up cut-off.

    A parcel ready by ``pickup_cutoff`` (local time) on a business day leaves
    that day; later it leaves on the next business day.
    """

    calendar: BusinessCalendar
    zone: ZoneInfo
    pickup_cutoff: time = time(17, 0)


@frozen
class CarrierService:
    """A carrier service to one destination zone (a country code, or ``*`` for any).

    ``transit_days`` are the carrier's business days after the ship day
    (``calendar``: its holidays and weekly closing days; ``delivers_saturday``
    makes Saturday a working day of the route). ``pickup_cutoff`` overrides the
    warehouse's; ``delivery_zone`` is the destination's time zone (the
    warehouse's by default), used to tell whether a delivery day is before a
    release instant.
    """

    service: str
    zone: str
    transit_days: int = field(validator=_not_negative)
    calendar: BusinessCalendar
    delivers_saturday: bool = False
    pickup_cutoff: time | None = None
    delivery_zone: ZoneInfo | None = None
