"""Sales from an ERP adapter (the SalesSource protocol) loaded as orders of the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ecomrules.adapters import ErpSale, ErpSaleLine
from ecomrules.analytics import AnalyticsStore, sales
from ecomrules.errors import InputError
from ecomrules.money import Money


def _line(code: str, quantity: str, amount: str) -> ErpSaleLine:
    return ErpSaleLine(code, f"Product {code}", Decimal(quantity), Money(Decimal(amount), "EUR"))


class _Erp:
    """Sales held in memory, answering as an adapter does (a range of order days)."""

    def __init__(self, held: list[ErpSale]) -> None:
        self.held = held

    def sales(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> Iterator[ErpSale]:
        for sale in self.held:
            if (since is None or sale.ordered_on >= since) and (
                until is None or sale.ordered_on <= until
            ):
                yield sale


def _sale(number: str, day: int, *lines: ErpSaleLine) -> ErpSale:
    return ErpSale(number, dt.date(2026, 11, day), "C1", "Librairie", "EUR", "done", True, lines)


def test_sales_load_as_orders_and_a_reload_replaces_them() -> None:
    erp = _Erp([_sale("S1", 2, _line("A", "2", "30.00"), _line("B", "1", "9.90")),
                _sale("S2", 20, _line("A", "1", "15.00"))])  # fmt: skip
    with AnalyticsStore() as store:
        first = store.load_sales(erp)
        assert (first.orders_read, first.orders_new, first.lines_read) == (2, 2, 3)
        cube = sales(store.con, by=("product",))
        assert {dict(r.group)["product"]: (r.net, r.units) for r in cube.rows} == {
            "Product A": (Decimal("45.00"), 3),
            "Product B": (Decimal("9.90"), 1),
        }
        erp.held[1] = _sale("S2", 20, _line("A", "2", "30.00"))  # the sale was changed
        again = store.load_sales(erp, since=dt.date(2026, 11, 10))
        assert (again.orders_read, again.orders_new) == (1, 0)
        assert store.count("orders") == 2
        assert sum(r.net for r in sales(store.con, by=("product",)).rows) == Decimal("69.90")


def test_a_quantity_that_is_not_whole_units_is_refused_with_its_sale() -> None:
    erp = _Erp([_sale("S9", 3, _line("K", "1.5", "12.00"))])
    with AnalyticsStore() as store, pytest.raises(InputError) as caught:
        store.load_sales(erp)
    assert list(caught.value.problems) == [
        "tryton sales:sale S9: line 1: quantity 1.5 is not a whole number of units"
    ]
    with AnalyticsStore() as store:
        assert store.count("orders") == 0
