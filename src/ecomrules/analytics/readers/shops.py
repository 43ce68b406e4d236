"""Order readers: the project's CSV layouts, Shopify, WooCommerce and PrestaShop exports.

Each reader returns a :class:`~ecomrules.analytics.readers.common.Batch` of
``orders`` and ``order_lines`` rows. The amounts are split the same way for
every shop: ``gross`` is merchandise before discounts and without tax,
``discount``, ``shipping`` and ``tax`` apart, ``refunded`` what was refunded
since (negative refund strings, as WooCommerce writes them, count as refunds),
and a cancelled order keeps its amounts but is flagged, so that revenue leaves
it out and the count of cancellations stays visible.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from attrs import define
from defusedxml import ElementTree

from ecomrules.analytics.readers.common import (
    Batch,
    Problems,
    amount,
    clean_text,
    epoch_micros,
    get_path,
    parse_timestamp,
)
from ecomrules.errors import EcomrulesError

__all__ = [
    "SALES_COLUMNS",
    "read_ecomrules_orders",
    "read_ecomrules_sales",
    "read_prestashop",
    "read_prestashop_lines",
    "read_shopify_csv",
    "read_shopify_fivetran",
    "read_shopify_fivetran_lines",
    "read_shopify_json",
    "read_shopify_refund",
    "read_thelook_order_items",
    "read_unicommerce",
    "read_woocommerce_json",
]

_ZERO: Final = Decimal(0)

SALES_COLUMNS: Final = (
    ("order_id", True, "the order; one row per order line"),
    ("placed_at", True, "ISO 8601 date or date-time (UTC when no offset)"),
    ("currency", True, "ISO 4217 code"),
    ("sku", False, "product sku"),
    ("product", False, "product name"),
    ("category", False, "product category"),
    ("quantity", True, "units, a whole number"),
    ("unit_price", True, "price of one unit before discounts, tax excluded"),
    ("discount", False, "discount on the line"),
    ("tax", False, "tax on the line"),
    ("shipping", False, "shipping charged, on the order's first line"),
    ("refunded", False, "amount of the line refunded since"),
    ("status", False, "the shop's order status; `cancelled` flags the order"),
    ("customer_id", False, "the buyer"),
    ("channel", False, "sales channel"),
    ("country", False, "ISO 3166 country"),
    ("payment_method", False, "payment method"),
    ("transaction_id", False, "the id the web analytics records (default: order_id)"),
)
"""The documented ``sales.csv`` layout: one row per order line."""

_CANCELLED: Final = frozenset({"cancelled", "canceled", "voided", "failed", "trash"})


def _rows_of(data: bytes, source: str) -> tuple[list[str], Iterator[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EcomrulesError(f"{source}: not UTF-8 at byte {exc.start}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise EcomrulesError(f"{source}: empty file")
    return header, reader


class _Row:
    """One CSV row with its line number, read by column name, problems collected."""

    def __init__(self, values: Mapping[str, str], line: int, problems: Problems) -> None:
        self.values = values
        self.line = line
        self.problems = problems

    def text(self, name: str) -> str | None:
        return clean_text(self.values.get(name))

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            self.problems.add(f"{self.line}", f"column {name!r}: missing")
            return ""
        return value

    def money(self, name: str, currency: str, *, required: bool = False) -> Decimal:
        value = self.text(name)
        if value is None:
            if required:
                self.problems.add(f"{self.line}", f"column {name!r}: missing")
            return _ZERO
        try:
            return amount(value, currency, exact=True)
        except EcomrulesError as exc:
            self.problems.add(f"{self.line}", f"column {name!r}: {exc}")
            return _ZERO


def _check_header(header: list[str], wanted: Any, problems: Problems) -> None:
    missing = [name for name, required, _ in wanted if required and name not in header]
    if missing:
        problems.add("1", f"missing column(s) {', '.join(map(repr, missing))}")
        problems.raise_if_any()


def read_ecomrules_sales(data: bytes, source: str) -> Batch:
    """Read the documented ``sales.csv`` layout (one row per order line)."""
    problems = Problems(source)
    header, rows = _rows_of(data, source)
    _check_header(header, SALES_COLUMNS, problems)
    batch = Batch("sales.csv")
    orders: dict[str, dict[str, Any]] = {}
    for number, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.add(f"{number}", f"{len(values)} fields, the header has {len(header)}")
            continue
        row = _Row(dict(zip(header, values, strict=True)), number, problems)
        order_id = row.required("order_id")
        currency = row.required("currency").upper()
        try:
            placed = parse_timestamp(row.required("placed_at"))
        except ValueError:
            problems.add(f"{number}", f"column 'placed_at': not a date {row.text('placed_at')!r}")
            continue
        if not order_id or not currency:
            continue
        try:
            quantity = int(row.required("quantity"))
        except ValueError:
            problems.add(f"{number}", "column 'quantity': not a whole number")
            continue
        unit = row.money("unit_price", currency, required=True)
        order = orders.get(order_id)
        if order is None:
            status = row.text("status")
            order = orders[order_id] = {
                "source": "ecomrules",
                "order_id": order_id,
                "transaction_id": row.text("transaction_id") or order_id,
                "placed_at": placed,
                "currency": currency,
                "customer_id": row.text("customer_id"),
                "channel": row.text("channel"),
                "country": row.text("country"),
                "payment_method": row.text("payment_method"),
                "status": status,
                "gross": _ZERO,
                "discount": _ZERO,
                "shipping": _ZERO,
                "tax": _ZERO,
                "refunded": _ZERO,
                "cancelled": (status or "").lower() in _CANCELLED,
                "_lines": 0,
            }
        elif order["currency"] != currency:
            problems.add(f"{number}", f"column 'currency': {currency} differs from the order's")
            continue
        gross = unit * quantity
        discount = row.money("discount", currency)
        refunded = row.money("refunded", currency)
        order["gross"] += gross
        order["discount"] += discount
        order["tax"] += row.money("tax", currency)
        order["shipping"] += row.money("shipping", currency)
        order["refunded"] += refunded
        order["_lines"] += 1
        batch.lines.append(
            {
                "source": "ecomrules",
                "order_id": order_id,
                "line_no": order["_lines"],
                "sku": row.text("sku"),
                "product": row.text("product"),
                "category": row.text("category"),
                "quantity": quantity,
                "gross": gross,
                "discount": discount,
                "refunded": refunded,
            }
        )
    problems.raise_if_any()
    for order in orders.values():
        del order["_lines"]
    batch.orders = list(orders.values())
    return batch


def read_ecomrules_orders(data: bytes, source: str) -> Batch:
    """Read the project's ``orders.csv`` (the credit engine's open orders), orders without lines."""
    problems = Problems(source)
    header, rows = _rows_of(data, source)
    wanted = (
        ("id", True, ""),
        ("customer_id", True, ""),
        ("currency", True, ""),
        ("amount", True, ""),
    )
    _check_header(header, wanted, problems)
    if "order_date" not in header:
        problems.add("1", "column 'order_date' is needed for sales analytics")
        problems.raise_if_any()
    batch = Batch("orders.csv")
    for number, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.add(f"{number}", f"{len(values)} fields, the header has {len(header)}")
            continue
        row = _Row(dict(zip(header, values, strict=True)), number, problems)
        currency = row.required("currency").upper()
        try:
            placed = parse_timestamp(row.required("order_date"))
        except ValueError:
            problems.add(f"{number}", f"column 'order_date': not a date {row.text('order_date')!r}")
            continue
        status = row.text("status")
        batch.orders.append(
            {
                "source": "ecomrules",
                "order_id": row.required("id"),
                "transaction_id": row.text("id"),
                "placed_at": placed,
                "currency": currency,
                "customer_id": row.text("customer_id"),
                "channel": None,
                "country": None,
                "payment_method": row.text("payment_method"),
                "status": status,
                "gross": row.money("amount", currency, required=True),
                "discount": _ZERO,
                "shipping": _ZERO,
                "tax": _ZERO,
                "refunded": _ZERO,
                "cancelled": (status or "").lower() in _CANCELLED,
            }
        )
    problems.raise_if_any()
    return batch


def _json_records(data: bytes, source: str, keys: tuple[str, ...]) -> list[Mapping[str, Any]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise EcomrulesError(f"{source}: not valid JSON: {exc}") from None
    if isinstance(document, Mapping):
        for key in keys:
            value = document.get(key)
            if isinstance(value, list):
                document = value
                break
            if isinstance(value, Mapping):
                return [value]
        else:
            return [document]
    if not isinstance(document, list) or not all(isinstance(r, Mapping) for r in document):
        raise EcomrulesError(f"{source}: expected a list of orders")
    return document


def _money_at(problems: Problems, where: str, name: str, value: object, currency: str) -> Decimal:
    if value is None or value == "":
        return _ZERO
    try:
        return amount(value, currency, exact=True)
    except EcomrulesError as exc:
        problems.add(where, f"field {name!r}: {exc}")
        return _ZERO


@define
class _Amounts:
    """Reads the amounts of one record, collecting problems with the record's place."""

    problems: Problems
    where: str
    currency: str

    def __call__(self, name: str, value: object) -> Decimal:
        return _money_at(self.problems, self.where, name, value, self.currency)


def _time_at(problems: Problems, where: str, name: str, value: object) -> Any:
    try:
        return parse_timestamp(value)
    except (ValueError, TypeError):
        problems.add(where, f"field {name!r}: not a date-time {value!r}")
        return None


def read_shopify_json(data: bytes, source: str) -> Batch:
    """Read Shopify REST Admin orders (``{"orders": [...]}`` or one ``{"order": {...}}``)."""
    problems = Problems(source)
    batch = Batch("shopify")
    for index, order in enumerate(_json_records(data, source, ("orders", "order")), start=1):
        where = f"record {index}"
        currency = clean_text(order.get("currency"))
        order_id = clean_text(order.get("id"))
        if currency is None or order_id is None:
            problems.add(where, "field 'id' and 'currency' are required")
            continue
        money = _Amounts(problems, where, currency)
        placed = _time_at(
            problems, where, "processed_at", order.get("processed_at") or order.get("created_at")
        )
        taxes_included = bool(order.get("taxes_included"))
        tax = money("total_tax", order.get("total_tax"))
        gross = money("total_line_items_price", order.get("total_line_items_price"))
        if taxes_included:
            gross -= tax
        shipping = money(
            "total_shipping_price_set",
            get_path(order, "total_shipping_price_set", "shop_money", "amount"),
        )
        if not shipping and isinstance(order.get("shipping_lines"), list):
            for ship in order["shipping_lines"]:
                shipping += money("shipping_lines.price", get_path(ship, "price"))
        refunded = _ZERO
        refunded_by_line: dict[str, Decimal] = {}
        for refund in order.get("refunds") or ():
            for item in get_path(refund, "refund_line_items") or ():
                value = money("refund_line_items.subtotal", get_path(item, "subtotal"))
                refunded += value
                key = str(get_path(item, "line_item_id"))
                refunded_by_line[key] = refunded_by_line.get(key, _ZERO) + value
        name = clean_text(order.get("name")) or order_id
        customer = get_path(order, "customer", "id") or order.get("email")
        country = get_path(order, "billing_address", "country_code") or get_path(
            order, "shipping_address", "country_code"
        )
        gateways = order.get("payment_gateway_names") or [order.get("gateway")]
        batch.orders.append(
            {
                "source": "shopify",
                "order_id": order_id,
                "transaction_id": name.lstrip("#"),
                "placed_at": placed,
                "currency": currency,
                "customer_id": clean_text(customer),
                "channel": clean_text(order.get("source_name")),
                "country": clean_text(country),
                "payment_method": clean_text(gateways[0] if gateways else None),
                "status": clean_text(order.get("financial_status")),
                "gross": gross,
                "discount": money("total_discounts", order.get("total_discounts")),
                "shipping": shipping,
                "tax": tax,
                "refunded": refunded,
                "cancelled": order.get("cancelled_at") is not None,
            }
        )
        for number, item in enumerate(order.get("line_items") or (), start=1):
            quantity = int(item.get("quantity") or 0)
            line_gross = money("line_items.price", item.get("price")) * quantity
            if taxes_included:
                for tax_line in item.get("tax_lines") or ():
                    line_gross -= money("tax_lines.price", get_path(tax_line, "price"))
            batch.lines.append(
                {
                    "source": "shopify",
                    "order_id": order_id,
                    "line_no": number,
                    "sku": clean_text(item.get("sku")) or clean_text(item.get("variant_id")),
                    "product": clean_text(item.get("title") or item.get("name")),
                    "category": clean_text(item.get("product_type")),
                    "quantity": quantity,
                    "gross": line_gross,
                    "discount": money("line_items.total_discount", item.get("total_discount")),
                    "refunded": refunded_by_line.get(str(item.get("id")), _ZERO),
                }
            )
    problems.raise_if_any()
    return batch


def read_woocommerce_json(data: bytes, source: str) -> Batch:
    """Read WooCommerce REST orders (a list, ``{"data": [...]}`` or one order)."""
    problems = Problems(source)
    batch = Batch("woocommerce")
    for index, order in enumerate(_json_records(data, source, ("data", "orders")), start=1):
        where = f"record {index}"
        currency = clean_text(order.get("currency"))
        order_id = clean_text(order.get("id"))
        if currency is None or order_id is None:
            problems.add(where, "field 'id' and 'currency' are required")
            continue
        money = _Amounts(problems, where, currency)
        created = order.get("date_created_gmt")
        placed = _time_at(
            problems, where, "date_created_gmt", f"{created}+00:00" if created else None
        )
        items = order.get("line_items") or ()
        gross = sum((money("line_items.subtotal", i.get("subtotal")) for i in items), _ZERO)
        refunded = -sum(
            (money("refunds.total", r.get("total")) for r in order.get("refunds") or ()), _ZERO
        )
        status = clean_text(order.get("status"))
        attribution = {
            m.get("key"): m.get("value")
            for m in order.get("meta_data") or ()
            if isinstance(m, Mapping)
        }
        channel = clean_text(attribution.get("_wc_order_attribution_source_type")) or clean_text(
            order.get("created_via")
        )
        batch.orders.append(
            {
                "source": "woocommerce",
                "order_id": order_id,
                "transaction_id": clean_text(order.get("number")) or order_id,
                "placed_at": placed,
                "currency": currency,
                "customer_id": clean_text(order.get("customer_id"))
                or clean_text(get_path(order, "billing", "email")),
                "channel": channel,
                "country": clean_text(get_path(order, "billing", "country"))
                or clean_text(get_path(order, "shipping", "country")),
                "payment_method": clean_text(order.get("payment_method")),
                "status": status,
                "gross": gross,
                "discount": money("discount_total", order.get("discount_total")),
                "shipping": money("shipping_total", order.get("shipping_total")),
                "tax": money("total_tax", order.get("total_tax")),
                "refunded": refunded,
                "cancelled": (status or "") in _CANCELLED,
            }
        )
        for number, item in enumerate(items, start=1):
            subtotal = money("line_items.subtotal", item.get("subtotal"))
            total = money("line_items.total", item.get("total"))
            batch.lines.append(
                {
                    "source": "woocommerce",
                    "order_id": order_id,
                    "line_no": number,
                    "sku": clean_text(item.get("sku")) or clean_text(item.get("product_id")),
                    "product": clean_text(item.get("name")),
                    "category": None,
                    "quantity": int(item.get("quantity") or 0),
                    "gross": subtotal,
                    "discount": subtotal - total,
                    "refunded": _ZERO,
                }
            )
    problems.raise_if_any()
    return batch


_SHOPIFY_CSV: Final = ("Name", "Currency", "Created at", "Lineitem quantity", "Lineitem price")


def read_shopify_csv(data: bytes, source: str) -> Batch:
    """Read Shopify's order export CSV: one row per line item, order fields on the first.

    Columns as Shopify names them (``Name``, ``Financial Status``, ``Currency``,
    ``Subtotal``, ``Shipping``, ``Taxes``, ``Discount Amount``, ``Created at``,
    ``Lineitem quantity``, ``Lineitem name``, ``Lineitem price``, ``Lineitem sku``,
    ``Lineitem discount``, ``Refunded Amount``, ``Cancelled at``, ``Payment Method``,
    ``Billing Country``, ``Source``).
    """
    problems = Problems(source)
    header, rows = _rows_of(data, source)
    _check_header(header, [(c, True, "") for c in _SHOPIFY_CSV], problems)
    batch = Batch("shopify.csv")
    orders: dict[str, dict[str, Any]] = {}
    for number, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.add(f"{number}", f"{len(values)} fields, the header has {len(header)}")
            continue
        row = _Row(dict(zip(header, values, strict=True)), number, problems)
        name = row.required("Name")
        order = orders.get(name)
        if order is None:
            currency = row.required("Currency").upper()
            if not currency:
                continue
            try:
                placed = parse_timestamp(row.required("Created at"))
            except ValueError:
                problems.add(f"{number}", "column 'Created at': not a date-time")
                continue
            subtotal = row.money("Subtotal", currency)
            discount = row.money("Discount Amount", currency)
            order = orders[name] = {
                "source": "shopify",
                "order_id": name,
                "transaction_id": name.lstrip("#"),
                "placed_at": placed,
                "currency": currency,
                "customer_id": row.text("Email"),
                "channel": row.text("Source"),
                "country": row.text("Billing Country") or row.text("Shipping Country"),
                "payment_method": row.text("Payment Method"),
                "status": row.text("Financial Status"),
                "gross": subtotal + discount,
                "discount": discount,
                "shipping": row.money("Shipping", currency),
                "tax": row.money("Taxes", currency),
                "refunded": row.money("Refunded Amount", currency),
                "cancelled": row.text("Cancelled at") is not None,
                "_lines": 0,
            }
        currency = order["currency"]
        try:
            quantity = int(row.required("Lineitem quantity"))
        except ValueError:
            problems.add(f"{number}", "column 'Lineitem quantity': not a whole number")
            continue
        order["_lines"] += 1
        batch.lines.append(
            {
                "source": "shopify",
                "order_id": name,
                "line_no": order["_lines"],
                "sku": row.text("Lineitem sku"),
                "product": row.text("Lineitem name"),
                "category": None,
                "quantity": quantity,
                "gross": row.money("Lineitem price", currency, required=True) * quantity,
                "discount": row.money("Lineitem discount", currency),
                "refunded": _ZERO,
            }
        )
    problems.raise_if_any()
    for order in orders.values():
        del order["_lines"]
    batch.orders = list(orders.values())
    return batch


def _prestashop_id(text: str) -> str:
    """An order id; PrestaShop's install fixtures name rows ``orders_<n>``: ``<n>``."""
    return text.removeprefix("orders_")


def read_prestashop(data: bytes, source: str, undated: dt.datetime | None = None) -> Batch:
    """Read PrestaShop's ``orders`` table as XML (``<orders id=... total_paid=...>`` rows).

    PrestaShop keeps one currency per shop: the currency comes from an
    ``id_currency`` attribute when it is an ISO code, else EUR (the demo
    fixtures' default); amounts are ``total_products`` (tax excluded),
    ``total_discounts_tax_excl``, ``total_shipping_tax_excl`` and the tax as
    ``total_paid_tax_incl - total_paid_tax_excl``. PrestaShop writes
    ``0000-00-00 00:00:00`` for a date it does not know: such an order takes
    ``undated`` (the CLI's ``--date``), and is refused without it.
    """
    problems = Problems(source)
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several types
        raise EcomrulesError(f"{source}: not valid XML: {exc}") from None
    batch = Batch("prestashop")
    for index, element in enumerate(root.iter("orders"), start=1):
        if "id" not in element.attrib:
            continue
        attrs: dict[str, str] = dict(element.attrib)
        where = f"record {index}"
        code = attrs.get("id_currency", "EUR")
        currency = code.upper() if len(code) == 3 and code.isalpha() else "EUR"
        amounts = _Amounts(problems, where, currency)

        def money(name: str, amounts: _Amounts = amounts, attrs: dict[str, str] = attrs) -> Decimal:
            return amounts(name, attrs.get(name))

        date_text = attrs.get("date_add") or attrs.get("invoice_date") or ""
        if date_text and not date_text.startswith("0000"):
            placed = _time_at(problems, where, "date_add", date_text)
        elif undated is not None:
            placed = undated
        else:
            problems.add(where, "attribute 'date_add': no date (give the export's date)")
            continue
        incl = money("total_paid_tax_incl")
        excl = money("total_paid_tax_excl")
        batch.orders.append(
            {
                "source": "prestashop",
                "order_id": _prestashop_id(attrs["id"]),
                "transaction_id": attrs.get("reference") or attrs["id"],
                "placed_at": placed,
                "currency": currency,
                "customer_id": attrs.get("id_customer"),
                "channel": "web",
                "country": None,
                "payment_method": clean_text(element.findtext("payment") or attrs.get("module")),
                "status": attrs.get("current_state"),
                "gross": money("total_products"),
                "discount": money("total_discounts_tax_excl"),
                "shipping": money("total_shipping_tax_excl"),
                "tax": incl - excl,
                "refunded": _ZERO,
                "cancelled": attrs.get("current_state") in {"6", "Canceled", "Cancelled"},
            }
        )
    problems.raise_if_any()
    return batch


OrderReader = Callable[[bytes, str], Batch]


# --- exports of other systems -------------------------------------------------------------


def _csv_records(data: bytes, source: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    header, rows = _rows_of(data, source)
    out = []
    for number, values in enumerate(rows, start=2):
        if any(v.strip() for v in values):
            out.append((number, dict(zip(header, values, strict=False))))
    return header, out


def read_shopify_fivetran(data: bytes, source: str) -> Batch:
    """Read Fivetran's Shopify ``order`` table (REST or GraphQL schema) as CSV.

    REST columns: ``currency``, ``total_line_items_price``, ``total_discounts``,
    ``total_tax``, ``total_shipping_price_set`` (a JSON string); GraphQL columns:
    ``currency_code`` and the ``*_set_shop_amount`` columns (shop currency).
    """
    problems = Problems(source)
    header, records = _csv_records(data, source)
    graphql = "currency_code" in header
    _check_header(header, [("id", True, ""), ("created_at", True, "")], problems)
    batch = Batch("shopify-fivetran")
    for number, values in records:
        row = _Row(values, number, problems)
        currency = (row.text("currency_code" if graphql else "currency") or "").upper()
        if not currency:
            problems.add(f"{number}", "column 'currency': missing")
            continue
        try:
            placed = parse_timestamp(row.text("processed_at") or row.required("created_at"))
        except ValueError:
            problems.add(f"{number}", "column 'created_at': not a date-time")
            continue
        if graphql:
            subtotal = row.money("subtotal_price_set_shop_amount", currency)
            discount = row.money("total_discounts_set_shop_amount", currency)
            tax = row.money("total_tax_set_shop_amount", currency)
            shipping = row.money("total_shipping_price_set_shop_amount", currency)
            gross = subtotal + discount
        else:
            discount = row.money("total_discounts", currency)
            tax = row.money("total_tax", currency)
            gross = row.money("total_line_items_price", currency) or (
                row.money("subtotal_price", currency) + discount
            )
            shipping = _ZERO
            shipping_set = row.text("total_shipping_price_set")
            if shipping_set:
                try:
                    found = get_path(json.loads(shipping_set), "shop_money", "amount")
                except json.JSONDecodeError:
                    problems.add(f"{number}", "column 'total_shipping_price_set': not JSON")
                    found = None
                shipping = _money_at(
                    problems, f"{number}", "total_shipping_price_set", found, currency
                )
        if (row.text("taxes_included") or "").upper() == "TRUE":
            gross -= tax
        status = row.text("display_financial_status" if graphql else "financial_status")
        batch.orders.append(
            {
                "source": "shopify",
                "order_id": row.required("id"),
                "transaction_id": (row.text("name") or row.text("id") or "").lstrip("#"),
                "placed_at": placed,
                "currency": currency,
                "customer_id": row.text("customer_id") or row.text("email"),
                "channel": row.text("source_name"),
                "country": row.text("billing_address_country_code")
                or row.text("shipping_address_country_code"),
                "payment_method": None,
                "status": status.lower() if status else None,
                "gross": gross,
                "discount": discount,
                "shipping": shipping,
                "tax": tax,
                "refunded": _ZERO,
                "cancelled": row.text("cancelled_at") is not None,
            }
        )
    problems.raise_if_any()
    return batch


def read_shopify_fivetran_lines(data: bytes, source: str) -> Batch:
    """Read Fivetran's Shopify ``order_line`` table; amounts in the orders' currency.

    The lines carry no currency: the store checks each amount against the
    currency of its order, loaded before (:meth:`AnalyticsStore.load_orders`).
    Amounts are kept as text here (``_text`` columns) until then.
    """
    problems = Problems(source)
    header, records = _csv_records(data, source)
    graphql = "original_total_set_shop_amount" in header
    _check_header(header, [("order_id", True, ""), ("quantity", True, "")], problems)
    batch = Batch("shopify-fivetran-lines")
    positions: dict[str, int] = {}
    for number, values in records:
        row = _Row(values, number, problems)
        order_id = row.required("order_id")
        try:
            quantity = int(row.required("quantity"))
        except ValueError:
            problems.add(f"{number}", "column 'quantity': not a whole number")
            continue
        positions[order_id] = positions.get(order_id, 0) + 1
        batch.lines.append(
            {
                "source": "shopify",
                "order_id": order_id,
                "line_no": positions[order_id],
                "sku": row.text("sku") or row.text("variant_id"),
                "product": row.text("title") or row.text("name"),
                "category": None,
                "quantity": quantity,
                "_where": f"{source}:{number}",
                "_currency": row.text("original_total_set_shop_currency_code"),
                "_gross": row.text("original_total_set_shop_amount")
                if graphql
                else (row.text("price"), quantity),
                "_discount": row.text(
                    "total_discount_set_shop_amount" if graphql else "total_discount"
                ),
            }
        )
    problems.raise_if_any()
    return batch


def read_unicommerce(data: bytes, source: str) -> Batch:
    """Read a Unicommerce sale order (``{"saleOrderDTO": {...}}``, the API's answer).

    Amounts are numbers in the API's JSON: each is read from its shortest text
    and must then have at most the currency's minor units.
    """
    problems = Problems(source)
    records = _json_records(data, source, ("saleOrderDTO", "saleOrders"))
    batch = Batch("unicommerce")
    for index, order in enumerate(records, start=1):
        where = f"record {index}"
        currency = clean_text(order.get("currencyCode"))
        code = clean_text(order.get("code"))
        stamp = order.get("displayOrderDateTime") or order.get("created")
        if currency is None or code is None or stamp is None:
            problems.add(where, "fields 'code', 'currencyCode' and 'created' are required")
            continue
        money = _Amounts(problems, where, currency)
        items = [i for i in order.get("saleOrderItems") or () if isinstance(i, Mapping)]
        placed = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(stamp))
        status = clean_text(order.get("status"))
        lines: list[dict[str, Any]] = []
        gross = discount = _ZERO
        for number, item in enumerate(items, start=1):
            price = money(
                "sellingPriceWithoutTaxesAndDiscount",
                item.get("sellingPriceWithoutTaxesAndDiscount"),
            )
            lines.append(
                {
                    "source": "unicommerce",
                    "order_id": code,
                    "line_no": number,
                    "sku": clean_text(item.get("itemSku")),
                    "product": clean_text(item.get("itemName")),
                    "category": None,
                    "quantity": 1,  # Unicommerce lists one item a unit
                    "gross": price,
                    "discount": money("discount", item.get("discount")),
                    "refunded": _ZERO,
                }
            )
        batch.lines.extend(lines)
        for line in lines:
            gross += line["gross"]
            discount += line["discount"]
        billing = order.get("billingAddress") or {}
        batch.orders.append(
            {
                "source": "unicommerce",
                "order_id": code,
                "transaction_id": clean_text(order.get("displayOrderCode")) or code,
                "placed_at": placed,
                "currency": currency,
                "customer_id": clean_text(order.get("customerCode"))
                or clean_text(order.get("notificationMobile")),
                "channel": clean_text(order.get("channel")),
                "country": clean_text(get_path(billing, "country")),
                "payment_method": "cash_on_delivery" if order.get("cod") else None,
                "status": status,
                "gross": gross,
                "discount": discount,
                "shipping": sum(
                    (money("shippingCharges", i.get("shippingCharges")) for i in items), _ZERO
                ),
                "tax": _ZERO,
                "refunded": _ZERO,
                "cancelled": (status or "").upper() == "CANCELLED",
            }
        )
    problems.raise_if_any()
    return batch


def read_thelook_order_items(data: bytes, source: str) -> Batch:
    """Read theLook e-commerce ``order_items`` rows (Looker's public sample dataset).

    theLook is a US dataset without a currency column: amounts are USD. Its
    ``sale_price`` is a binary float (``0.0199999995529651``): it is rounded
    half-even to cents, the one place where an order amount is rounded. A
    ``Cancelled`` item cancels, a ``Returned`` one is refunded.
    """
    from ecomrules.analytics.readers.web import json_rows

    problems = Problems(source)
    batch = Batch("thelook")
    orders: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(json_rows(data, source), start=1):
        where = f"record {index}"
        if not isinstance(row, Mapping):
            problems.add(where, "not an object")
            continue
        row = {str(k).lower(): v for k, v in row.items()}
        order_id, stamp = clean_text(row.get("order_id")), row.get("created_at")
        if order_id is None or stamp is None:
            problems.add(where, "fields 'order_id' and 'created_at' are required")
            continue
        try:
            price = amount(row.get("sale_price"), "USD")
            placed = epoch_micros(stamp)
        except (EcomrulesError, ValueError, OverflowError) as exc:
            problems.add(where, f"field 'sale_price' or 'created_at': {exc}")
            continue
        status = clean_text(row.get("status")) or ""
        order = orders.setdefault(
            order_id,
            {
                "source": "thelook",
                "order_id": order_id,
                "transaction_id": order_id,
                "placed_at": placed,
                "currency": "USD",
                "customer_id": clean_text(row.get("user_id")),
                "channel": "web",
                "country": None,
                "payment_method": None,
                "status": status,
                "gross": _ZERO,
                "discount": _ZERO,
                "shipping": _ZERO,
                "tax": _ZERO,
                "refunded": _ZERO,
                "cancelled": True,
                "_lines": 0,
            },
        )
        order["_lines"] += 1
        order["gross"] += price
        order["cancelled"] = order["cancelled"] and status == "Cancelled"
        refunded = price if status == "Returned" else _ZERO
        order["refunded"] += refunded
        batch.lines.append(
            {
                "source": "thelook",
                "order_id": order_id,
                "line_no": order["_lines"],
                "sku": clean_text(row.get("product_id")),
                "product": None,
                "category": None,
                "quantity": 1,
                "gross": price,
                "discount": _ZERO,
                "refunded": refunded,
            }
        )
    problems.raise_if_any()
    for order in orders.values():
        del order["_lines"]
    batch.orders = list(orders.values())
    return batch


def read_shopify_refund(data: bytes, source: str) -> Batch:
    """Read Shopify refund objects (``{"refund": {...}}`` or ``{"refunds": [...]}``).

    A refund changes an order already in the store: its ``refunds`` rows are
    applied by :meth:`AnalyticsStore.load_orders` (the order must be loaded).
    """
    problems = Problems(source)
    batch = Batch("shopify-refund")
    for index, refund in enumerate(_json_records(data, source, ("refunds", "refund")), start=1):
        order_id = clean_text(refund.get("order_id"))
        if order_id is None:
            problems.add(f"record {index}", "field 'order_id' is required")
            continue
        for item in refund.get("refund_line_items") or ():
            batch.refunds.append(
                {
                    "source": "shopify",
                    "order_id": order_id,
                    "line_item_id": clean_text(get_path(item, "line_item_id")),
                    "amount": clean_text(get_path(item, "subtotal"))
                    or (
                        clean_text(get_path(item, "line_item", "price")),
                        int(get_path(item, "quantity") or 1),
                    ),
                    "where": f"{source}:record {index}",
                }
            )
    problems.raise_if_any()
    return batch


def read_prestashop_lines(data: bytes, source: str) -> Batch:
    """Read PrestaShop's ``order_detail`` table as XML: the lines of loaded orders.

    Amounts in the orders' currency (six decimals as PrestaShop writes them,
    trailing zeros only); the order is ``orders_<id_order>`` as in the
    ``orders`` table's fixtures, or ``<id_order>``.
    """
    problems = Problems(source)
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several types
        raise EcomrulesError(f"{source}: not valid XML: {exc}") from None
    batch = Batch("prestashop-lines")
    positions: dict[str, int] = {}
    for index, element in enumerate(root.iter("order_detail"), start=1):
        attrs = dict(element.attrib)
        if "id_order" not in attrs:
            continue
        order_id = _prestashop_id(attrs["id_order"])
        try:
            quantity = int(attrs.get("product_quantity", "0"))
        except ValueError:
            problems.add(f"record {index}", "attribute 'product_quantity': not a whole number")
            continue
        positions[order_id] = positions.get(order_id, 0) + 1
        batch.lines.append(
            {
                "source": "prestashop",
                "order_id": order_id,
                "line_no": positions[order_id],
                "sku": attrs.get("product_reference") or attrs.get("product_id"),
                "product": attrs.get("product_name"),
                "category": None,
                "quantity": quantity,
                "_where": f"{source}:record {index}",
                "_gross": attrs.get("total_price_tax_excl"),
                "_discount": None,
            }
        )
    problems.raise_if_any()
    return batch
