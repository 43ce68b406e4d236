"""``open-items.csv``: invoices, credit notes and orders still open.

:data:`OPEN_ITEMS` is the file's one definition; :func:`read_open_items`
builds the core :class:`~ecomrules.ledger.OpenItem` from it and
:func:`~ecomrules.reconcile.bulk.read_item_records` the matcher's records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import and_, gt, is_, lt, mul
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from ecomrules.inputs.layout import Column, Kind, Layout, Rule, where
from ecomrules.inputs.table import Table, read_table
from ecomrules.ledger import ItemStatus, OpenItem
from ecomrules.money import Currency, Money

__all__ = ["OPEN_ITEMS", "open_items_of", "read_open_items"]


def _due_before_issue(c: Mapping[str, Sequence[Any]]) -> list[int]:
    return where(map(lt, c["due_date"], c["issue_date"]))


def _promise_missing(c: Mapping[str, Sequence[Any]]) -> list[int]:
    promised = map(is_, c["status"], repeat(ItemStatus.PROMISED))
    return where(map(and_, promised, map(is_, c["promise_until"], repeat(None))))


def _opposite_signs(c: Mapping[str, Sequence[Any]]) -> list[int]:
    return where(map(lt, map(mul, c["amount"], c["residual"]), repeat(0)))


def _residual_too_large(c: Mapping[str, Sequence[Any]]) -> list[int]:
    return where(map(gt, map(abs, c["residual"]), map(abs, c["amount"])))


def _due_before_issue_columnar(c: Mapping[str, Any]) -> Any:
    return pc.less(c["due_date"], c["issue_date"])


def _promise_missing_columnar(c: Mapping[str, Any]) -> Any:
    return pc.and_(pc.equal(c["status"], ItemStatus.PROMISED.value), pc.is_null(c["promise_until"]))


def _opposite_signs_columnar(c: Mapping[str, Any]) -> Any:
    # by the signs: the product of two int64 amounts may not fit in 64 bits
    return pc.less(pc.multiply(pc.sign(c["amount"]), pc.sign(c["residual"])), 0)


def _residual_too_large_columnar(c: Mapping[str, Any]) -> Any:
    return pc.greater(pc.abs(c["residual"]), pc.abs(c["amount"]))


OPEN_ITEMS = Layout(
    "open-items.csv",
    (
        Column("id", Kind.TEXT, True, "unique id of the item"),
        Column("number", Kind.TEXT, True, "the document number the customer sees (`FA-2026-1001`)"),
        Column("partner_id", Kind.TEXT, True, "the customer's id (`customers.csv`)"),
        Column("partner_name", Kind.TEXT, True, "the customer's name as on the document"),
        Column("currency", Kind.CURRENCY, True, "ISO 4217 code"),
        Column(
            "amount", Kind.AMOUNT, True, "original total, a decimal (negative for a credit note)"
        ),
        Column(
            "residual", Kind.AMOUNT, True, "what is still open, same sign as `amount`, never larger"
        ),
        Column("issue_date", Kind.DATE, True, "`YYYY-MM-DD`"),
        Column("due_date", Kind.DATE, True, "`YYYY-MM-DD`, not before `issue_date`"),
        Column(
            "reference",
            Kind.TEXT,
            False,
            "a structured payment reference (RF creditor reference, ...)",
        ),
        Column("order_id", Kind.TEXT, False, "the shop order it comes from"),
        Column("iban", Kind.TEXT, False, "the customer's IBAN as known to the shop"),
        Column(
            "status",
            Kind.CHOICE,
            False,
            "`open` (default), `disputed` or `promised`",
            default=ItemStatus.OPEN,
            choices=ItemStatus,
        ),
        Column(
            "promise_until",
            Kind.DATE,
            False,
            "the date the customer promised to pay by",
            doc_required="with `promised`",
        ),
        Column("partner_vat", Kind.TEXT, False, "the customer's VAT number"),
    ),
    (
        Rule("due_date", "is before issue_date", _due_before_issue, _due_before_issue_columnar),
        Rule(
            "promise_until",
            "missing: status 'promised' needs promise_until",
            _promise_missing,
            _promise_missing_columnar,
        ),
        Rule(
            "residual", "has the opposite sign of amount", _opposite_signs, _opposite_signs_columnar
        ),
        Rule(
            "residual", "is larger than amount", _residual_too_large, _residual_too_large_columnar
        ),
    ),
)
"""The layout of ``open-items.csv``."""


def open_items_of(table: Table) -> list[OpenItem]:
    """The core open items of a table read by :data:`OPEN_ITEMS`."""
    c = table.columns
    currencies = {code: Currency.of(code) for code in set(c["currency"])}
    items = []
    for row in zip(
        c["id"],
        c["number"],
        c["partner_id"],
        c["partner_name"],
        c["currency"],
        c["amount"],
        c["residual"],
        c["issue_date"],
        c["due_date"],
        c["reference"],
        c["order_id"],
        c["iban"],
        c["status"],
        c["promise_until"],
        c["partner_vat"],
        strict=True,
    ):
        currency = currencies[row[4]]
        exponent = -currency.exponent
        items.append(
            OpenItem(
                id=row[0],
                number=row[1],
                partner_id=row[2],
                partner_name=row[3],
                amount=Money._trusted(Decimal(row[5]).scaleb(exponent), currency),
                residual=Money._trusted(Decimal(row[6]).scaleb(exponent), currency),
                issue_date=row[7],
                due_date=row[8],
                reference=row[9],
                order_id=row[10],
                iban=row[11],
                status=row[12],
                promise_until=row[13],
                partner_vat=row[14],
            )
        )
    return items


def read_open_items(path: str | Path, *, encoding: str = "utf-8") -> list[OpenItem]:
    """Read ``open-items.csv`` (or ``.jsonl``); every problem is reported in one ``InputError``."""
    return open_items_of(read_table(path, OPEN_ITEMS, encoding=encoding))
