"""Pre-order inputs: ``products.csv``, ``preorders.csv``, ``supply.csv``, ``carriers.csv``.

Each file has a pydantic row model; :func:`read_preorder_inputs` reads all
four (and an optional warehouse closing-day calendar), checks them against
each other (unknown skus, missing carrier routes, repeated lines) and reports
every problem of a file at once with its line and column.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

from attrs import frozen
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ecomrules.errors import InputError
from ecomrules.inputs.fields import Flag, IsoDate, IsoDateTime
from ecomrules.inputs.reader import read_rows
from ecomrules.preorder.model import (
    CarrierService,
    PreorderLine,
    PreorderProduct,
    SupplyEvent,
    SupplyStatus,
    Warehouse,
)
from ecomrules.time import BusinessCalendar, zone

__all__ = [
    "CarrierRow",
    "ClosingDayRow",
    "PreorderInputs",
    "PreorderRow",
    "ProductRow",
    "SupplyRow",
    "read_preorder_inputs",
]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _country(value: Any) -> str:
    text = str(value).strip().upper()
    if not _COUNTRY.match(text):
        raise ValueError("is not a two-letter country code")
    return text


def _clock(value: Any) -> time:
    if isinstance(value, time):
        return value
    match = _CLOCK.match(str(value).strip())
    if not match:
        raise ValueError("is not a time of day (HH:MM)")
    return time(int(match[1]), int(match[2]))


def _local_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("is not an ISO 8601 date-time") from None


def _zone_name(value: Any) -> str:
    text = str(value).strip()
    zone(text)  # raises ValueError("unknown time zone ...")
    return text


Country = Annotated[str, BeforeValidator(_country)]
"""A two-letter ISO 3166 country code, upper case."""
Clock = Annotated[time, BeforeValidator(_clock)]
"""A time of day ``HH:MM``."""
ZoneName = Annotated[str, BeforeValidator(_zone_name)]
"""An IANA time zone (``Europe/Paris``)."""


class ProductRow(BaseModel):
    """One row of ``products.csv``: a pre-order product and its dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str
    name: str
    release_at: Annotated[datetime, BeforeValidator(_local_datetime)]
    release_zone: ZoneName
    supplier_cutoff: IsoDate | None = None
    preorder_start: IsoDate | None = None
    preorder_end: IsoDate | None = None
    cap: int | None = Field(default=None, ge=0)
    strict: Flag = True
    expected_delivery: IsoDate | None = None
    safety_stock: int = Field(default=0, ge=0)
    min_order: int = Field(default=1, ge=1)
    pack_size: int = Field(default=1, ge=1)

    def to_domain(self) -> PreorderProduct:
        """The core :class:`~ecomrules.preorder.PreorderProduct`."""
        tz = zone(self.release_zone)
        if self.release_at.tzinfo is None:
            release = self.release_at.replace(tzinfo=tz)
        else:
            release = self.release_at.astimezone(tz)
        return PreorderProduct(
            sku=self.sku,
            name=self.name,
            release_at=release,
            strict=self.strict,
            preorder_start=self.preorder_start,
            preorder_end=self.preorder_end,
            supplier_cutoff=self.supplier_cutoff,
            expected_supplier_delivery=self.expected_delivery,
            cap=self.cap,
            safety_stock=self.safety_stock,
            min_order=self.min_order,
            pack_size=self.pack_size,
        )


class PreorderRow(BaseModel):
    """One row of ``preorders.csv``: an order line (a pre-order, or ``in_stock``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: str
    customer_id: str
    sku: str
    quantity: int = Field(ge=1)
    ordered_at: IsoDateTime
    paid: Flag = False
    authorized_at: IsoDateTime | None = None
    tier: str | None = None
    country: Country
    postcode: str | None = None
    carrier_service: str
    in_stock: Flag = False

    def to_domain(self) -> PreorderLine:
        """The core :class:`~ecomrules.preorder.PreorderLine`."""
        return PreorderLine(
            order_id=self.order_id,
            customer_id=self.customer_id,
            sku=self.sku,
            quantity=self.quantity,
            ordered_at=self.ordered_at,
            country=self.country,
            carrier_service=self.carrier_service,
            paid=self.paid,
            authorized_at=self.authorized_at,
            tier=self.tier,
            postcode=self.postcode,
            in_stock=self.in_stock,
        )


class SupplyRow(BaseModel):
    """One row of ``supply.csv``: units arriving (or arrived) at the warehouse."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str
    quantity: int = Field(ge=0)
    arrival: IsoDate
    status: SupplyStatus = SupplyStatus.EXPECTED
    reference: str | None = None

    def to_domain(self) -> SupplyEvent:
        """The core :class:`~ecomrules.preorder.SupplyEvent`."""
        return SupplyEvent(self.sku, self.quantity, self.arrival, self.status, self.reference)


class CarrierRow(BaseModel):
    """One row of ``carriers.csv``: a carrier service to one destination zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service: str
    zone: str
    transit_days: int = Field(ge=0)
    delivers_saturday: Flag = False
    pickup_cutoff: Clock | None = None
    calendar_country: Country | None = None
    calendar_subdivision: str | None = None
    delivery_zone: ZoneName | None = None

    @field_validator("zone", mode="before")
    @classmethod
    def _zone(cls, value: Any) -> str:
        text = str(value).strip()
        return "*" if text == "*" else _country(text)

    def to_domain(self, warehouse_country: str | None) -> CarrierService:
        """The core :class:`~ecomrules.preorder.CarrierService`.

        The calendar is ``calendar_country``'s, else the destination's, else the
        warehouse's (for the ``*`` zone).
        """
        country = self.calendar_country or (None if self.zone == "*" else self.zone)
        country = country or warehouse_country
        return CarrierService(
            service=self.service,
            zone=self.zone,
            transit_days=self.transit_days,
            calendar=BusinessCalendar(country=country, subdivision=self.calendar_subdivision),
            delivers_saturday=self.delivers_saturday,
            pickup_cutoff=self.pickup_cutoff,
            delivery_zone=None if self.delivery_zone is None else zone(self.delivery_zone),
        )


class ClosingDayRow(BaseModel):
    """One row of the warehouse calendar file: a day the warehouse is closed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: IsoDate
    name: str | None = None


@frozen
class PreorderInputs:
    """Everything the pre-order engines need, read and checked."""

    products: tuple[PreorderProduct, ...]
    lines: tuple[PreorderLine, ...]
    supply: tuple[SupplyEvent, ...]
    carriers: tuple[CarrierService, ...]
    warehouse: Warehouse


def read_preorder_inputs(
    *,
    products: str | Path,
    orders: str | Path,
    supply: str | Path,
    carriers: str | Path,
    warehouse_country: str = "FR",
    warehouse_zone: str = "Europe/Paris",
    pickup_cutoff: time = time(17, 0),
    calendar: str | Path | None = None,
    encoding: str = "utf-8",
) -> PreorderInputs:
    """Read and cross-check the four pre-order files and the optional closing-day calendar."""
    product_rows = read_rows(
        products, ProductRow, check=lambda rows: _unique(products, rows), encoding=encoding
    )
    order_rows = read_rows(orders, PreorderRow, encoding=encoding)
    supply_rows = read_rows(supply, SupplyRow, encoding=encoding)
    carrier_rows = read_rows(carriers, CarrierRow, encoding=encoding)
    closed: list[date] = []
    if calendar is not None:
        closed = [row.date for _, row in read_rows(calendar, ClosingDayRow, encoding=encoding)]
    try:
        warehouse = Warehouse(
            BusinessCalendar(country=warehouse_country, closed=closed),
            zone(warehouse_zone),
            pickup_cutoff,
        )
    except ValueError as exc:
        raise InputError("warehouse", [f"warehouse: {exc}"]) from None
    services = _carriers(carriers, carrier_rows, warehouse_country)
    skus = {row.sku for _, row in product_rows}
    _check_orders(orders, order_rows, skus, {(s.service, s.zone) for s in services})
    _check_supply(supply, supply_rows, skus)
    return PreorderInputs(
        products=tuple(row.to_domain() for _, row in product_rows),
        lines=tuple(row.to_domain() for _, row in order_rows),
        supply=tuple(row.to_domain() for _, row in supply_rows),
        carriers=tuple(services),
        warehouse=warehouse,
    )


def _unique(path: str | Path, rows: list[tuple[int, ProductRow]]) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for line, row in rows:
        if row.sku in seen:
            problems.append(
                f"{Path(path).name}:{line}: column 'sku': {row.sku!r} repeats line {seen[row.sku]}"
            )
        seen.setdefault(row.sku, line)
    return problems


def _carriers(
    path: str | Path, rows: list[tuple[int, CarrierRow]], warehouse_country: str
) -> list[CarrierService]:
    name = Path(path).name
    seen: dict[tuple[str, str], int] = {}
    services = []
    problems = []
    for line, row in rows:
        key = (row.service, row.zone)
        if key in seen:
            problems.append(
                f"{name}:{line}: column 'zone': {row.service!r} to {row.zone!r} "
                f"repeats line {seen[key]}"
            )
            continue
        seen[key] = line
        try:
            services.append(row.to_domain(warehouse_country))
        except ValueError as exc:
            problems.append(f"{name}:{line}: column 'calendar_country': {exc}")
    if problems:
        raise InputError(str(path), problems)
    return services


def _check_orders(
    path: str | Path,
    rows: list[tuple[int, PreorderRow]],
    skus: set[str],
    routes: set[tuple[str, str]],
) -> None:
    name = Path(path).name
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for line, row in rows:
        key = (row.order_id, row.sku)
        if key in seen:
            problems.append(
                f"{name}:{line}: column 'sku': {row.sku!r} repeats order "
                f"{row.order_id!r} of line {seen[key]}"
            )
        seen.setdefault(key, line)
        if not row.in_stock and row.sku not in skus:
            problems.append(
                f"{name}:{line}: column 'sku': {row.sku!r} is not in the products file "
                "(set in_stock for an ordinary item)"
            )
        if (row.carrier_service, row.country) not in routes and (
            row.carrier_service,
            "*",
        ) not in routes:
            problems.append(
                f"{name}:{line}: column 'carrier_service': {row.carrier_service!r} "
                f"has no route to {row.country} in the carriers file"
            )
    if problems:
        raise InputError(str(path), problems)


def _check_supply(path: str | Path, rows: list[tuple[int, SupplyRow]], skus: set[str]) -> None:
    name = Path(path).name
    problems = [
        f"{name}:{line}: column 'sku': {row.sku!r} is not in the products file"
        for line, row in rows
        if row.sku not in skus
    ]
    if problems:
        raise InputError(str(path), problems)
