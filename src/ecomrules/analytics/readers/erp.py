"""Sales read from an ERP adapter (Tryton today) as rows of the canonical tables.

The adapter gives plain :class:`~ecomrules.adapters.ErpSale` records
(confirmed, processing and done sales, product lines before tax); this module
turns them into orders and order lines like any file reader, so that the sales
cube answers on the ERP's books with the same rules. Amounts are the ERP's own
(``Money``, exact); a quantity that is not a whole number of units is refused
with the sale and the line, as a file reader refuses a row: the cube counts
units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from ecomrules.analytics.readers.common import Batch, Problems

if TYPE_CHECKING:
    from ecomrules.adapters import ErpSale

__all__ = ["read_erp_sales"]

_ZERO = Decimal(0)


def read_erp_sales(sales: Iterable[ErpSale], *, source: str, where: str) -> Batch:
    """Orders and lines of ``sales`` under ``source`` (``"tryton"``); ``where`` names the ERP."""
    problems = Problems(where)
    batch = Batch(source)
    for sale in sales:
        lines = []
        for number, line in enumerate(sale.lines, start=1):
            if line.quantity != line.quantity.to_integral_value():
                problems.add(
                    f"sale {sale.order_id}",
                    f"line {number}: quantity {line.quantity} is not a whole number of units",
                )
                continue
            lines.append(
                {
                    "source": source,
                    "order_id": sale.order_id,
                    "line_no": number,
                    "sku": line.product_code,
                    "product": line.product_name,
                    "category": None,
                    "quantity": int(line.quantity),
                    "gross": line.amount.amount,
                    "discount": _ZERO,
                    "refunded": _ZERO,
                }
            )
        batch.lines.extend(lines)
        batch.orders.append(
            {
                "source": source,
                "order_id": sale.order_id,
                "transaction_id": sale.order_id,
                "placed_at": dt.datetime.combine(sale.ordered_on, dt.time()),
                "currency": sale.currency,
                "customer_id": sale.customer_id,
                "channel": None,
                "country": None,
                "payment_method": None,
                "status": sale.state,
                "gross": sale.total.amount,
                "discount": _ZERO,
                "shipping": _ZERO,
                "tax": _ZERO,
                "refunded": _ZERO,
                "cancelled": False,
            }
        )
    problems.raise_if_any()
    return batch
