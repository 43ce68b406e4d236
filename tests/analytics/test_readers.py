"""The order and event readers on files written from each format's documentation."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from ecomrules.analytics.readers.common import amount, clean_text
from ecomrules.analytics.readers.shops import (
    read_ecomrules_sales,
    read_prestashop,
    read_shopify_csv,
    read_shopify_json,
    read_woocommerce_json,
)
from ecomrules.analytics.readers.web import (
    read_ga4,
    read_matomo_live,
    read_snowplow,
    read_ua_sessions,
)
from ecomrules.errors import EcomrulesError, InputError, MoneyError

SALES_HEADER = (
    "order_id,placed_at,currency,sku,product,category,quantity,unit_price,discount,tax,"
    "shipping,refunded,status,customer_id,channel,country,payment_method,transaction_id\n"
)


def test_amounts_are_read_from_their_text_and_rounded_half_even() -> None:
    assert amount(0.1, "EUR") == Decimal("0.10")
    assert amount("2.675", "EUR") == Decimal("2.68")
    assert amount("2.665", "EUR") == Decimal("2.66")
    assert amount("1500", "JPY") == Decimal("1500")
    assert amount("1.2345", "KWD") == Decimal("1.234")
    assert amount("$2,510.11", "USD", display=True) == Decimal("2510.11")
    assert amount(44790000, "USD", micros=True) == Decimal("44.79")
    with pytest.raises(MoneyError):
        amount("1e999999", "EUR")
    with pytest.raises(MoneyError):
        amount(float("nan"), "EUR")
    with pytest.raises(MoneyError):
        amount("12,50", "EUR")


def test_placeholders_are_missing_values() -> None:
    assert clean_text("(not set)") is None
    assert clean_text(" (data deleted) ") is None
    assert clean_text("not available in demo dataset") is None
    assert clean_text("(direct)") == "(direct)"


def test_sales_csv_groups_lines_into_orders() -> None:
    data = (
        SALES_HEADER
        + "SO-1,2026-03-01T10:00:00Z,EUR,A,Alpha,Games,2,10.00,2.00,3.60,4.90,0,"
        + "completed,C1,web,FR,card,\n"
        + "SO-1,2026-03-01T10:00:00Z,EUR,B,Beta,Books,1,5.50,,1.10,,5.50,"
        + "completed,C1,web,FR,card,\n"
        + "SO-2,2026-03-02,EUR,A,Alpha,Games,1,10.00,,,,,cancelled,C2,web,DE,card,W-2\n"
    ).encode()
    batch = read_ecomrules_sales(data, "sales.csv")
    first, second = batch.orders
    assert (
        first["gross"],
        first["discount"],
        first["tax"],
        first["shipping"],
        first["refunded"],
    ) == (
        Decimal("25.50"),
        Decimal("2.00"),
        Decimal("4.70"),
        Decimal("4.90"),
        Decimal("5.50"),
    )
    assert first["transaction_id"] == "SO-1"
    assert first["placed_at"] == dt.datetime(2026, 3, 1, 10)
    assert second["cancelled"]
    assert second["transaction_id"] == "W-2"
    assert [(line["order_id"], line["line_no"]) for line in batch.lines] == [
        ("SO-1", 1),
        ("SO-1", 2),
        ("SO-2", 1),
    ]


def test_sales_csv_lists_every_bad_field_with_its_line() -> None:
    data = (
        SALES_HEADER
        + "SO-1,2026-03-01,EUR,A,Alpha,Games,two,10.00,,,,,,,,,,\n"
        + "SO-2,2026-03-01,EUR,A,Alpha,Games,1,10.005,,,,,,,,,,\n"
        + "SO-3,yesterday,EUR,A,Alpha,Games,1,10.00,,,,,,,,,,\n"
        + "SO-4,2026-03-01,EUR,A,Alpha,Games,1,1e3,,,,,,,,,,\n"
    ).encode()
    with pytest.raises(InputError) as caught:
        read_ecomrules_sales(data, "sales.csv")
    problems = caught.value.problems
    assert any(p.startswith("sales.csv:2: column 'quantity'") for p in problems)
    assert any(p.startswith("sales.csv:3: column 'unit_price'") for p in problems)
    assert any(p.startswith("sales.csv:4: column 'placed_at'") for p in problems)
    # an exponent is refused: amounts are plain decimals with at most the minor units
    assert any(p.startswith("sales.csv:5: column 'unit_price'") for p in problems)


def test_sales_csv_missing_columns_are_one_problem_before_any_row() -> None:
    with pytest.raises(InputError) as caught:
        read_ecomrules_sales(b"order_id,currency\nSO-1,EUR\n", "sales.csv")
    assert caught.value.problems == (
        "sales.csv:1: missing column(s) 'placed_at', 'quantity', 'unit_price'",
    )


def _shopify_order(**changes: object) -> dict[str, object]:
    order: dict[str, object] = {
        "id": 1001,
        "name": "#1001",
        "currency": "EUR",
        "processed_at": "2026-03-01T10:00:00+01:00",
        "total_line_items_price": "120.00",
        "total_discounts": "10.00",
        "total_tax": "20.00",
        "taxes_included": True,
        "financial_status": "partially_refunded",
        "source_name": "web",
        "customer": {"id": 77},
        "billing_address": {"country_code": "FR"},
        "payment_gateway_names": ["shopify_payments"],
        "total_shipping_price_set": {"shop_money": {"amount": "5.00", "currency_code": "EUR"}},
        "line_items": [
            {
                "id": 1,
                "sku": "A",
                "title": "Alpha",
                "quantity": 2,
                "price": "60.00",
                "total_discount": "10.00",
                "tax_lines": [{"price": "20.00"}],
            },
        ],
        "refunds": [{"refund_line_items": [{"line_item_id": 1, "subtotal": "30.00"}]}],
        "cancelled_at": None,
    }
    order.update(changes)
    return order


def test_shopify_orders_take_tax_out_of_prices_that_include_it() -> None:
    batch = read_shopify_json(json.dumps({"orders": [_shopify_order()]}).encode(), "orders.json")
    (order,) = batch.orders
    assert order["gross"] == Decimal("100.00")  # 120 with tax, 20 of it tax
    assert order["refunded"] == Decimal("30.00")
    assert order["shipping"] == Decimal("5.00")
    assert order["placed_at"] == dt.datetime(2026, 3, 1, 9)
    assert order["transaction_id"] == "1001"
    assert order["customer_id"] == "77"
    assert order["country"] == "FR"
    (line,) = batch.lines
    assert (line["gross"], line["refunded"]) == (Decimal("100.00"), Decimal("30.00"))


def test_shopify_cancelled_order_is_flagged() -> None:
    data = json.dumps({"order": _shopify_order(cancelled_at="2026-03-02T10:00:00Z")}).encode()
    assert read_shopify_json(data, "order.json").orders[0]["cancelled"] is True


def test_woocommerce_negative_refunds_are_refunds() -> None:
    order = {
        "id": 560,
        "number": "560",
        "status": "completed",
        "currency": "USD",
        "date_created_gmt": "2019-06-01T10:00:00",
        "discount_total": "0.00",
        "shipping_total": "10.00",
        "total_tax": "0.00",
        "line_items": [
            {"sku": "H", "name": "Hoodie", "quantity": 2, "subtotal": "90.00", "total": "81.00"}
        ],
        "refunds": [{"total": "-16.20"}, {"total": "-8.10"}],
        "meta_data": [{"key": "_wc_order_attribution_source_type", "value": "organic"}],
    }
    batch = read_woocommerce_json(json.dumps([order]).encode(), "orders.json")
    assert batch.orders[0]["refunded"] == Decimal("24.30")
    assert batch.orders[0]["channel"] == "organic"
    assert batch.lines[0]["discount"] == Decimal("9.00")


def test_shopify_csv_export_reads_order_fields_from_the_first_line_of_each_order() -> None:
    data = (
        b"Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Discount Amount,Created at,"
        b"Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Refunded Amount,Cancelled at,"
        b"Payment Method,Billing Country,Source\n"
        b"#1001,a@x.example,paid,CAD,90.00,5.00,11.70,10.00,2018-01-04 15:51:23 -0800,"
        b"2,Shirt,40.00,S-1,0,,Shopify Payments,CA,web\n"
        b"#1001,,,,,,,,,1,Cap,20.00,C-1,,,,,\n"
    )
    batch = read_shopify_csv(data, "orders_export.csv")
    (order,) = batch.orders
    assert order["gross"] == Decimal("100.00")
    assert order["placed_at"] == dt.datetime(2018, 1, 4, 23, 51, 23)
    assert [line["gross"] for line in batch.lines] == [Decimal("80.00"), Decimal("20.00")]


def test_prestashop_zero_dates_need_a_date() -> None:
    data = (
        b'<entity_orders><entities><orders id="o1" reference="REF" id_currency="1" '
        b'current_state="2" total_paid_tax_incl="24.00" total_paid_tax_excl="20.00" '
        b'total_products="20.00" total_discounts_tax_excl="0" total_shipping_tax_excl="0" '
        b'date_add="0000-00-00 00:00:00"><payment>Check</payment>'
        b"</orders></entities></entity_orders>"
    )
    with pytest.raises(InputError, match="no date"):
        read_prestashop(data, "orders.xml")
    batch = read_prestashop(data, "orders.xml", dt.datetime(2020, 1, 1))
    assert batch.orders[0]["tax"] == Decimal("4.00")
    assert batch.orders[0]["transaction_id"] == "REF"


def _ga4_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "event_timestamp": 1702651559604143,
        "event_name": "purchase",
        "user_pseudo_id": "123.456",
        "event_bundle_sequence_id": 7,
        "event_params": [
            {"key": "ga_session_id", "value": {"int_value": 1702650951}},
            {"key": "currency", "value": {"string_value": "EUR"}},
            {"key": "value", "value": {"double_value": 31.0}},
            {"key": "page_location", "value": {"string_value": "https://shop.example/?gclid=abc"}},
        ],
        "ecommerce": {"transaction_id": "257059", "purchase_revenue": 31.0},
        "traffic_source": {"source": "google", "medium": "organic", "name": "(not set)"},
        "device": {"category": "mobile"},
        "geo": {"country": "Germany"},
    }
    row.update(changes)
    return row


def test_ga4_purchase_row() -> None:
    (event,) = read_ga4(json.dumps([_ga4_row()]).encode(), "events.json").events
    assert event["session_key"] == "123.456.1702650951"
    assert event["ts"] == dt.datetime(2023, 12, 15, 14, 45, 59, 604143)
    assert event["step"] == "purchase"
    assert (event["revenue"], event["currency"]) == (Decimal("31.00"), "EUR")
    assert event["gclid"] is True  # the landing URL carries a paid-click id
    assert event["campaign"] is None  # "(not set)" is a placeholder
    assert event["transaction_id"] == "257059"


def test_ga4_nested_records_as_python_repr_and_as_json_strings_read_the_same() -> None:
    plain = read_ga4(json.dumps([_ga4_row()]).encode(), "a.json").events
    params = _ga4_row()["event_params"]
    assert isinstance(params, list)
    as_repr = "[" + "\n ".join(repr(p) for p in params) + "]"  # numpy-style list, no commas
    wrapper = {"table_name": "events_20231215", "sample_rows": [_ga4_row(event_params=as_repr)]}
    assert read_ga4(json.dumps(wrapper).encode(), "b.json").events == plain
    upper = {
        k.upper(): (json.dumps(v) if isinstance(v, dict | list) else v)
        for k, v in _ga4_row().items()
    }
    assert read_ga4(json.dumps([upper]).encode(), "c.json").events == plain


def test_ga4_javascript_module_rows() -> None:
    module = (
        'const rows = [\n  {\n    event_name: "page_view",\n'
        '    event_timestamp: "1702651559604143",\n'
        '    user_pseudo_id: "9.9",\n    event_params: [],\n  },\n];\nmodule.exports = { rows };\n'
    )
    (event,) = read_ga4(module.encode(), "rows.js").events
    assert event["event_name"] == "page_view"
    assert event["session_key"] == "9.9"


def test_ga4_rows_without_name_time_or_user_are_refused_with_their_record() -> None:
    rows = [_ga4_row(), _ga4_row(user_pseudo_id=None), _ga4_row(event_timestamp="soon")]
    with pytest.raises(InputError) as caught:
        read_ga4(json.dumps(rows).encode(), "events.json")
    assert [p.split(": ")[0] for p in caught.value.problems] == [
        "events.json:record 2",
        "events.json:record 3",
    ]


def test_ua_session_hits_in_micros() -> None:
    session = {
        "fullVisitorId": "42",
        "visitId": 1478640000,
        "visitStartTime": 1478640000,
        "trafficSource": {"source": "google", "medium": "cpc", "adwordsClickInfo": {"gclId": "x"}},
        "device": {"deviceCategory": "desktop"},
        "geoNetwork": {"country": "United States"},
        "hits": repr(
            [
                {"hitNumber": 1, "time": 0, "eCommerceAction": {"action_type": "2"}},
                {
                    "hitNumber": 2,
                    "time": 5000,
                    "eCommerceAction": {"action_type": "6"},
                    "transaction": {
                        "transactionId": "ORD1",
                        "transactionRevenue": 435910000,
                        "currencyCode": "USD",
                    },
                },
            ]
        ),
    }
    events = read_ua_sessions(
        json.dumps({"sample_rows": [session]}).encode(), "ga_sessions.json"
    ).events
    assert [e["step"] for e in events] == ["session_start", "view_item", "purchase"]
    assert events[2]["revenue"] == Decimal("435.91")
    assert events[2]["ts"] == dt.datetime(2016, 11, 8, 21, 20, 5)


def test_matomo_visit_with_order_and_abandoned_cart() -> None:
    xml = b"""<?xml version="1.0" encoding="utf-8" ?>
<result><row><idSite>1</idSite><idVisit>2</idVisit><visitorId>abc</visitorId>
<serverTimestamp>1262304000</serverTimestamp><siteCurrency>USD</siteCurrency>
<referrerType>search</referrerType><referrerName>Google</referrerName>
<deviceType>Smartphone</deviceType><countryCode>pl</countryCode>
<actionDetails>
<row><type>action</type><productViewSku>SKU1</productViewSku></row>
<row><type>ecommerceOrder</type><orderId>937 3894</orderId><revenue>$1,111.11</revenue></row>
<row><type>ecommerceAbandonedCart</type><revenue>2510.11</revenue></row>
</actionDetails></row></result>"""
    events = read_matomo_live(xml, "live.xml").events
    assert [e["step"] for e in events] == ["session_start", "view_item", "purchase", "add_to_cart"]
    assert events[2]["revenue"] == Decimal("1111.11")
    assert events[2]["transaction_id"] == "937 3894"
    assert events[0]["medium"] == "organic"
    assert events[0]["country"] == "PL"
    assert events[0]["ts"] == dt.datetime(2010, 1, 1)


def test_matomo_without_any_time_needs_a_date() -> None:
    xml = b"<result><row><idVisit>1</idVisit><actionDetails /></row></result>"
    with pytest.raises(InputError, match="no time"):
        read_matomo_live(xml, "live.xml")
    assert read_matomo_live(xml, "live.xml", dt.datetime(2020, 5, 1)).events[0][
        "ts"
    ] == dt.datetime(2020, 5, 1)


def test_snowplow_transaction_entity() -> None:
    action = (
        "unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1_0_0"
    )
    entity = "contexts_com_snowplowanalytics_snowplow_ecommerce_transaction_1_0_0"
    transaction = json.dumps([{"transaction_id": "T1", "revenue": "13.0", "currency": "EUR"}])
    data = (
        f"event_id,domain_sessionid,domain_userid,derived_tstamp,{action},{entity},geo_country\n"
        f'e1,s1,u1,2022-12-22 13:25:42.138000+00:00,"{{""type"": ""transaction""}}",'
        f'"{transaction.replace(chr(34), chr(34) * 2)}",GR\n'
    ).encode()
    (event,) = read_snowplow(data, "events.csv").events
    assert (event["step"], event["revenue"], event["transaction_id"]) == (
        "purchase",
        Decimal("13.00"),
        "T1",
    )


def test_not_json_is_a_library_error() -> None:
    with pytest.raises(EcomrulesError, match="not valid JSON"):
        read_shopify_json(b"{orders: oops", "orders.json")


def test_the_sales_csv_reference_table_is_the_layout() -> None:
    from pathlib import Path

    from ecomrules.analytics.readers.shops import SALES_COLUMNS

    page = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "inputs.md").read_text()
    section = page.split("## sales.csv", 1)[1].split("\n## ", 1)[0]
    documented = [
        line.split("|")[1].strip().strip("`")
        for line in section.splitlines()
        if line.startswith("| `")
    ]
    assert documented == [name for name, _, _ in SALES_COLUMNS]
