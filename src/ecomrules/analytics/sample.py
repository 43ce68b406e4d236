"""A synthetic example shop for the demo, the tests and the docs: orders and GA4 events.

The shop is the demo's (board games, video games, art books), selling in EUR
and CHF over several weeks. Its web analytics behave like a real shop's: most
sessions only look, a few buy, about one order in ten is not tracked (ad
blockers, phone orders), a few purchases are sent twice, and a test purchase
has no order. Everything comes from one seeded random generator, so a seed
gives the same files byte for byte.

``write_sales_csv`` writes the documented ``sales.csv`` layout and
``write_ga4_ndjson`` Google's BigQuery export shape, one JSON object a line.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, Final

from attrs import frozen

from ecomrules.analytics.readers.shops import SALES_COLUMNS

__all__ = ["SampleShop", "generate", "write_ga4_ndjson", "write_sales_csv"]

_PRODUCTS: Final = (
    ("BG-ARK", "Arkham Nights", "Board games", Decimal("49.90")),
    ("BG-TRD", "Trade Winds", "Board games", Decimal("34.90")),
    ("BG-KID", "Little Dragons", "Board games", Decimal("19.90")),
    ("VG-NEB", "Nebula Drift", "Video games", Decimal("59.90")),
    ("VG-RAC", "Circuit Racer", "Video games", Decimal("39.90")),
    ("BK-ART", "The Art of Nebula Drift", "Books", Decimal("29.90")),
    ("BK-RUL", "Rulebook Collector's Edition", "Books", Decimal("24.90")),
    ("AC-DIC", "Dice set", "Accessories", Decimal("9.90")),
)
_SOURCES: Final = (
    # source, medium, weight, clicks carry a gclid
    ("google", "organic", 34, False),
    ("google", "cpc", 18, True),
    ("(direct)", "(none)", 22, False),
    ("newsletter", "email", 9, False),
    ("facebook", "social", 8, False),
    ("boardgamegeek.com", "referral", 6, False),
    ("google", "organic", 3, True),  # a paid click tagged organic: grouped as paid search
)
_DEVICES: Final = (("desktop", 52), ("mobile", 41), ("tablet", 7))
_COUNTRIES: Final = (
    ("France", 46),
    ("Germany", 22),
    ("Belgium", 12),
    ("Switzerland", 8),
    ("Spain", 12),
)
_CENT: Final = Decimal("0.01")
_VAT: Final = Decimal("0.20")


@frozen
class SampleShop:
    """The generated files' rows: ``sales.csv`` rows and GA4 export rows."""

    sales: tuple[dict[str, str], ...]
    events: tuple[dict[str, Any], ...]


def _pick(rng: random.Random, options: Sequence[tuple[Any, ...]], weight: int) -> tuple[Any, ...]:
    return rng.choices(options, weights=[o[weight] for o in options])[0]


def _param(key: str, value: object) -> dict[str, Any]:
    slot = "int_value" if isinstance(value, int) else "string_value"
    if isinstance(value, Decimal):
        slot, value = "double_value", float(value)  # GA4 writes values as doubles
    values: dict[str, Any] = {
        "string_value": None,
        "int_value": None,
        "float_value": None,
        "double_value": None,
    }
    values[slot] = value
    return {"key": key, "value": values}


def generate(
    *,
    seed: int = 7,
    start: dt.date = dt.date(2026, 9, 1),
    days: int = 56,
    sessions_per_day: int = 120,
) -> SampleShop:
    """Generate the example shop's orders and GA4 events (deterministic for a seed)."""
    rng = random.Random(seed)
    sales: list[dict[str, str]] = []
    events: list[dict[str, Any]] = []
    customers: list[str] = []
    order_number = 10000
    bundle = 0
    for day_index in range(days):
        day = start + dt.timedelta(days=day_index)
        weekend = day.weekday() >= 5
        count = int(sessions_per_day * (1.25 if weekend else 1.0) * rng.uniform(0.8, 1.2))
        for _ in range(count):
            user = f"{rng.randrange(10**9)}.{rng.randrange(10**9)}"
            session_id = rng.randrange(10**9, 2 * 10**9)
            source, medium, _, clicked = _pick(rng, _SOURCES, 2)
            device = _pick(rng, _DEVICES, 1)[0]
            country = _pick(rng, _COUNTRIES, 1)[0]
            currency = "CHF" if country == "Switzerland" else "EUR"
            moment = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
                seconds=rng.randrange(14 * 3600)
            )
            landing = "https://shop.example/" + (
                "?gclid=" + str(rng.randrange(10**12)) if clicked else ""
            )
            steps = ["session_start"]
            if rng.random() < 0.62:
                steps.append("view_item")
                if rng.random() < 0.33:
                    steps.append("add_to_cart")
                    if rng.random() < 0.62:
                        steps.append("begin_checkout")
                        if rng.random() < 0.82:
                            steps.append("add_payment_info")
                            if rng.random() < 0.86:
                                steps.append("purchase")
            lines = []
            if "add_to_cart" in steps:
                for product in rng.sample(_PRODUCTS, k=rng.choice((1, 1, 1, 2, 2, 3))):
                    lines.append((product, rng.choice((1, 1, 1, 2))))
            merchandise = sum((p[3] * q for p, q in lines), Decimal(0))
            order_id = None
            total = Decimal(0)
            if "purchase" in steps:
                order_number += 1
                order_id = f"SO-{order_number}"
                if customers and rng.random() < 0.3:
                    customer = rng.choice(customers)
                else:
                    customer = f"C{len(customers) + 1:05d}"
                    customers.append(customer)
                discount_rate = Decimal("0.10") if rng.random() < 0.15 else Decimal(0)
                shipping = Decimal("4.90") if merchandise < 50 else Decimal(0)
                cancelled = rng.random() < 0.02
                refund_line = rng.randrange(len(lines)) if rng.random() < 0.04 else None
                for number, (product, quantity) in enumerate(lines):
                    gross = product[3] * quantity
                    discount = (gross * discount_rate).quantize(_CENT, rounding=ROUND_HALF_EVEN)
                    tax = ((gross - discount) * _VAT).quantize(_CENT, rounding=ROUND_HALF_EVEN)
                    total += gross - discount + tax
                    sales.append(
                        {
                            "order_id": order_id,
                            "placed_at": moment.isoformat() + "Z",
                            "currency": currency,
                            "sku": product[0],
                            "product": product[1],
                            "category": product[2],
                            "quantity": str(quantity),
                            "unit_price": str(product[3]),
                            "discount": str(discount),
                            "tax": str(tax),
                            "shipping": str(shipping if number == 0 else Decimal("0.00")),
                            "refunded": str(gross - discount if number == refund_line else "0.00"),
                            "status": "cancelled" if cancelled else "completed",
                            "customer_id": customer,
                            "channel": "web",
                            "country": country,
                            "payment_method": rng.choice(
                                ("card", "card", "paypal", "bank_transfer")
                            ),
                            "transaction_id": order_id,
                        }
                    )
                total += shipping
            tracked = not (order_id and rng.random() < 0.1)
            for offset, step in enumerate(steps):
                if step == "purchase" and not tracked:
                    break
                bundle += 1
                params = [
                    _param("ga_session_id", session_id),
                    _param("page_location", landing),
                ]
                ecommerce: dict[str, Any] | None = None
                if step in ("add_to_cart", "begin_checkout", "add_payment_info", "purchase"):
                    params += [_param("currency", currency), _param("value", merchandise)]
                if step == "purchase" and order_id is not None:
                    params[-1] = _param("value", total)
                    params.append(_param("transaction_id", order_id))
                    ecommerce = {"transaction_id": order_id, "purchase_revenue": float(total)}
                row: dict[str, Any] = {
                    "event_date": day.strftime("%Y%m%d"),
                    "event_timestamp": int(
                        (moment + dt.timedelta(seconds=40 * offset) - dt.datetime(1970, 1, 1))
                        / dt.timedelta(microseconds=1)
                    ),
                    "event_name": step,
                    "event_params": params,
                    "event_bundle_sequence_id": bundle,
                    "user_pseudo_id": user,
                    "device": {"category": device},
                    "geo": {"country": country},
                    "traffic_source": {"source": source, "medium": medium, "name": "(not set)"},
                    "ecommerce": ecommerce,
                }
                events.append(row)
                if step == "purchase" and rng.random() < 0.02:
                    duplicate = dict(row)
                    bundle += 1
                    duplicate["event_bundle_sequence_id"] = bundle
                    duplicate["event_timestamp"] = row["event_timestamp"] + 1_000_000
                    events.append(duplicate)
    # a test purchase the books never saw
    test = dict(events[-1])
    test.update(
        event_name="purchase",
        event_bundle_sequence_id=bundle + 1,
        ecommerce={"transaction_id": "TEST-0001", "purchase_revenue": 1.0},
        event_params=[
            _param("ga_session_id", 1),
            _param("currency", "EUR"),
            _param("value", Decimal(1)),
        ],
    )
    events.append(test)
    return SampleShop(tuple(sales), tuple(events))


def write_sales_csv(path: Path, rows: Iterable[dict[str, str]]) -> None:
    """Write ``sales.csv`` rows with the documented header."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=[c[0] for c in SALES_COLUMNS], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


def write_ga4_ndjson(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write GA4 export rows as newline-delimited JSON."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, separators=(",", ":")) + "\n")
