"""Tryton's confirmed sales read as plain records (what sales analytics would load)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from trytond_records import create_party, create_sale, product
from trytond_server import TrytonServer

from ecomrules.adapters import ErpSale, ErpSaleLine
from ecomrules.adapters.tryton import TrytonAdapter, TrytonRpc, TrytonUrl
from ecomrules.money import Currency, Money


def test_confirmed_sales_are_read_with_their_lines(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("credit")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        party, code = create_party(rpc, "Librairie Petit")
        item, _ = product(rpc)
        (template,) = rpc.call("model.product.product.read", [item], ["template"])
        rpc.call("model.product.template.write", [template["template"]], {"code": "CONS"})
        confirmed = create_sale(rpc, party, "250.50", confirm=True)
        create_sale(rpc, party, "99.00")  # a quotation: not a sale yet
    today = date.today()

    with TrytonAdapter.connect(url) as erp:
        mine = [sale for sale in erp.sales() if sale.customer_id == code]
        calls = erp.rpc.calls
        none_before = [
            s for s in erp.sales(until=today - timedelta(days=1)) if s.customer_id == code
        ]
        from_today = [s for s in erp.sales(since=today) if s.customer_id == code]

    assert mine == [
        ErpSale(
            order_id=confirmed,
            ordered_on=today,
            customer_id=code,
            customer_name="Librairie Petit",
            currency="EUR",
            state="processing",  # a service: nothing to ship
            invoiced=False,
            lines=(
                ErpSaleLine(
                    product_code="CONS",
                    product_name="Conseil",
                    quantity=Decimal(1),
                    amount=Money(Decimal("250.50"), Currency.of("EUR")),
                ),
            ),
        )
    ]
    assert mine[0].total == Money(Decimal("250.50"), Currency.of("EUR"))
    assert none_before == []
    assert from_today == mine
    # Login, module check, search, then per batch: sales, lines, products, parties, currencies.
    assert calls <= 9
