"""Hypothesis strategies and small builders for the pre-order engines.

``scenarios()`` draws a whole planning problem (products, lines, supply,
warehouse, carriers and ``as_of``) small enough for property tests; the
builders give readable defaults for scenario tests.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from attrs import frozen
from hypothesis import strategies as st

from ecomrules.preorder.model import (
    CarrierService,
    PreorderLine,
    PreorderProduct,
    SupplyEvent,
    SupplyStatus,
    Warehouse,
)
from ecomrules.time import BusinessCalendar, zone

__all__ = ["Scenario", "carrier", "line", "scenarios", "warehouse"]

PARIS = zone("Europe/Paris")
_ZONES = ("Europe/Paris", "Asia/Tokyo", "America/New_York", "Europe/London", "UTC")
_START = datetime(2026, 9, 1, tzinfo=PARIS)


def warehouse(country: str = "FR", cutoff: time = time(17, 0)) -> Warehouse:
    """A warehouse in ``country`` (Paris time) with a pick-up cut-off."""
    return Warehouse(BusinessCalendar(country=country), PARIS, cutoff)


def carrier(
    service: str = "colissimo",
    zone_code: str = "FR",
    transit_days: int = 1,
    *,
    saturday: bool = False,
    country: str | None = "FR",
    cutoff: time | None = None,
    delivery_zone: str | None = None,
) -> CarrierService:
    """A carrier service with a public-holiday calendar of ``country``."""
    return CarrierService(
        service=service,
        zone=zone_code,
        transit_days=transit_days,
        calendar=BusinessCalendar(country=country),
        delivers_saturday=saturday,
        pickup_cutoff=cutoff,
        delivery_zone=None if delivery_zone is None else zone(delivery_zone),
    )


def line(order_id: str, sku: str = "GAME", quantity: int = 1, **changes: Any) -> PreorderLine:
    """A paid pre-order line to France by ``colissimo``, ordered 2026-10-01 plus ``minutes``."""
    minutes = changes.pop("minutes", 0)
    values: dict[str, Any] = {
        "customer_id": "C" + order_id,
        "ordered_at": datetime(2026, 10, 1, 9, 0, tzinfo=PARIS) + timedelta(minutes=minutes),
        "country": "FR",
        "carrier_service": "colissimo",
        "paid": True,
    }
    values.update(changes)
    return PreorderLine(order_id=order_id, sku=sku, quantity=quantity, **values)


@frozen
class Scenario:
    """A drawn planning problem."""

    products: tuple[PreorderProduct, ...]
    lines: tuple[PreorderLine, ...]
    supply: tuple[SupplyEvent, ...]
    warehouse: Warehouse
    carriers: tuple[CarrierService, ...]
    as_of: datetime


@st.composite
def _product(draw: st.DrawFn, sku: str) -> PreorderProduct:
    tz = zone(draw(st.sampled_from(_ZONES)))
    day = date(2026, 10, 1) + timedelta(days=draw(st.integers(0, 120)))
    clock = draw(st.sampled_from((time(0, 0), time(8, 0), time(18, 30))))
    return PreorderProduct(
        sku=sku,
        name=sku.title(),
        release_at=datetime.combine(day, clock, tzinfo=tz),
        strict=draw(st.booleans()),
        cap=draw(st.none() | st.integers(0, 30)),
        supplier_cutoff=day - timedelta(days=draw(st.integers(0, 40))),
    )


@st.composite
def scenarios(draw: st.DrawFn, max_lines: int = 25) -> Scenario:
    """A small planning problem: 1-3 products, up to ``max_lines`` lines, supply, carriers."""
    skus = draw(st.lists(st.sampled_from(("ALPHA", "BETA", "GAMMA")), min_size=1, unique=True))
    products = tuple(draw(_product(sku)) for sku in sorted(skus))
    carriers = (
        carrier("std", "*", draw(st.integers(0, 4)), saturday=draw(st.booleans())),
        carrier(
            "std",
            "DE",
            draw(st.integers(0, 4)),
            saturday=draw(st.booleans()),
            country="DE",
            delivery_zone=draw(st.sampled_from(_ZONES)),
        ),
    )
    count = draw(st.integers(0, max_lines))
    lines = []
    for number in range(count):
        lines.append(
            PreorderLine(
                order_id=f"O{number:03d}",
                customer_id=draw(st.sampled_from(("C1", "C2", "C3", "C4"))),
                sku=draw(st.sampled_from(skus)),
                quantity=draw(st.integers(1, 6)),
                ordered_at=_START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 40))),
                country=draw(st.sampled_from(("FR", "DE", "BE"))),
                carrier_service="std",
                paid=draw(st.booleans()),
                tier=draw(st.sampled_from((None, "gold", "silver"))),
            )
        )
    supply = tuple(
        SupplyEvent(
            sku=draw(st.sampled_from(skus)),
            quantity=draw(st.integers(0, 20)),
            arrival=date(2026, 10, 1) + timedelta(days=draw(st.integers(0, 150))),
            status=draw(st.sampled_from(SupplyStatus)),
            reference=f"PO{number}",
        )
        for number in range(draw(st.integers(0, 5)))
    )
    as_of = _START + timedelta(hours=draw(st.integers(0, 24 * 120)))
    return Scenario(products, tuple(lines), supply, warehouse(), carriers, as_of)
