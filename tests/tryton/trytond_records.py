"""Build Tryton records for the live-server tests over JSON-RPC (the adapter's own client)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from ecomrules.adapters.tryton import TrytonRpc
from ecomrules.errors import ErpError


def one(rpc: TrytonRpc, model: str, domain: list[Any]) -> int:
    (found,) = rpc.call(f"model.{model}.search", domain, 0, 1, [["id", "ASC"]])
    return int(found)


def call_past_warnings(rpc: TrytonRpc, method: str, *params: Any) -> Any:
    """Call ``method``, accepting the user warnings it raises (as a user clicking "yes").

    Invoices dated in the past raise Tryton's "payment date in the past"
    warning; over RPC it is accepted by recording it in ``res.user.warning``.
    """
    for _ in range(5):
        try:
            return rpc.call(method, *params)
        except ErpError as exc:
            found = re.search(r"failed: UserWarning (\S+)", str(exc))
            if found is None:
                raise
            rpc.call(
                "model.res.user.warning.create",
                [{"user": rpc.uid, "name": found[1], "always": False}],
            )
    raise AssertionError(f"{method}: too many warnings")


def post_invoices(rpc: TrytonRpc, invoices: list[int]) -> None:
    """Post invoices dated in the past in one call.

    Tryton warns that their payment dates are in the past; the warning's key
    is the MD5 of the invoice's reference, so the warnings are accepted
    beforehand, all in one call, as a user clicking "yes" would.
    """
    rpc.call(
        "model.res.user.warning.create",
        [
            {
                "user": rpc.uid,
                "name": hashlib.md5(f"account.invoice,{invoice}".encode()).hexdigest()
                + ".invoice_payment_term",
                "always": False,
            }
            for invoice in invoices
        ],
    )
    rpc.call("model.account.invoice.post", invoices)


def create_party(
    rpc: TrytonRpc, name: str, *, credit_limit: str | None = None, email: str | None = None
) -> tuple[int, str]:
    """Create a customer with an address (and an e-mail); return its id and code."""
    values: dict[str, Any] = {"name": name, "addresses": [["create", [{"city": "Lyon"}]]]}
    if email:
        values["contact_mechanisms"] = [["create", [{"type": "email", "value": email}]]]
    if credit_limit is not None:
        values["credit_limit_amount"] = Decimal(credit_limit)
    (party,) = rpc.call("model.party.party.create", [values])
    (row,) = rpc.call("model.party.party.read", [party], ["code"])
    return party, row["code"]


def invoice_defaults(rpc: TrytonRpc) -> dict[str, int]:
    """The template's company, accounts, journal, payment term and currency for invoices."""
    open_account = ["closed", "!=", True]
    return {
        "company": rpc.context["company"],
        "receivable": one(rpc, "account.account", [["type.receivable", "=", True], open_account]),
        "revenue": one(rpc, "account.account", [["type.revenue", "=", True], open_account]),
        "journal": one(rpc, "account.journal", [["code", "=", "REV"]]),
        "term": one(rpc, "account.invoice.payment_term", [["name", "=", "30 days"]]),
        "currency": one(rpc, "currency.currency", [["code", "=", "EUR"]]),
    }


def invoice_values(
    defaults: dict[str, int], party: int, address: int, amount: Decimal, invoice_date: date
) -> dict[str, Any]:
    """A customer invoice of one service line, due 30 days after ``invoice_date``."""
    line = {
        "type": "line",
        "company": defaults["company"],
        "currency": defaults["currency"],
        "account": defaults["revenue"],
        "description": "Conseil",
        "quantity": 1.0,
        "unit_price": amount,
    }
    return {
        "type": "out",
        "company": defaults["company"],
        "party": party,
        "invoice_address": address,
        "account": defaults["receivable"],
        "journal": defaults["journal"],
        "currency": defaults["currency"],
        "payment_term": defaults["term"],
        "invoice_date": invoice_date,
        "lines": [["create", [line]]],
    }


def create_invoice(
    rpc: TrytonRpc, party: int, amount: str, invoice_date: date, *, post: bool = True
) -> tuple[int, str]:
    """Create (and post) a customer invoice of one line, due 30 days later; id and number."""
    (address,) = rpc.call("model.party.address.search", [["party", "=", party]], 0, 1, None)
    values = invoice_values(invoice_defaults(rpc), party, address, Decimal(amount), invoice_date)
    (invoice,) = rpc.call("model.account.invoice.create", [values])
    if post:
        post_invoices(rpc, [invoice])
    (row,) = rpc.call("model.account.invoice.read", [invoice], ["number"])
    return invoice, row["number"] or ""


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``ecomrules ARGS`` in a new process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def product(rpc: TrytonRpc) -> tuple[int, int]:
    """The template's service product and its unit."""
    (row,) = rpc.call(
        "model.product.product.search_read",
        [["name", "=", "Conseil"]],
        0,
        1,
        None,
        ["default_uom"],
    )
    return row["id"], row["default_uom"]


def create_sale(
    rpc: TrytonRpc, party: int, amount: str, *, prepaid: bool = False, confirm: bool = False
) -> str:
    """Create a sale quotation (and confirm it); return its number.

    A prepaid sale ships "On Invoice Paid" (``shipment_method`` invoice).
    """
    (address,) = rpc.call("model.party.address.search", [["party", "=", party]], 0, 1, None)
    (currency,) = rpc.call("model.currency.currency.search", [["code", "=", "EUR"]], 0, 1, None)
    term = one(rpc, "account.invoice.payment_term", [["name", "=", "30 days"]])
    item, unit = product(rpc)
    (sale,) = rpc.call(
        "model.sale.sale.create",
        [
            {
                "company": rpc.context["company"],
                "party": party,
                "invoice_address": address,
                "shipment_address": address,
                "currency": currency,
                "payment_term": term,
                "shipment_method": "invoice" if prepaid else "order",
                "invoice_method": "order",
                "lines": [
                    [
                        "create",
                        [
                            {
                                "type": "line",
                                "product": item,
                                "unit": unit,
                                "quantity": 1.0,
                                "unit_price": Decimal(amount),
                                "description": "Conseil",
                            }
                        ],
                    ]
                ],
            }
        ],
    )
    call_past_warnings(rpc, "model.sale.sale.quote", [sale])
    if confirm:
        call_past_warnings(rpc, "model.sale.sale.confirm", [sale])
    (row,) = rpc.call("model.sale.sale.read", [sale], ["number"])
    return str(row["number"])


def dunnings(rpc: TrytonRpc) -> list[dict[str, Any]]:
    """Every dunning, oldest first, with its line, level rank and date."""
    rows = rpc.call(
        "model.account.dunning.search_read",
        [],
        0,
        None,
        [["id", "ASC"]],
        ["line", "level", "date", "state", "procedure"],
    )
    return list(rows)
