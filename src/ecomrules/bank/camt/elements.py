"""Reading CAMT elements by local name: qualified paths, amounts, dates, texts.

Elements are found child by child with ElementTree's C ``find`` (a qualified
tag per step), never through ElementPath, which is several times slower.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Final
from xml.etree.ElementTree import Element

from ecomrules.bank.problems import INVALID_AMOUNT, INVALID_DATE, MISSING_FIELD, RecordError
from ecomrules.errors import UnknownCurrencyError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.model import Counterparty

__all__ = ["Names", "find_path", "own_text", "path_text", "read_amount", "read_date"]

_AMOUNT: Final = re.compile(r"^\d{1,18}(\.\d{1,17})?$", re.ASCII)


class _Paths(dict[str, tuple[str, ...]]):
    """Local paths to tuples of qualified tags, computed on first use."""

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.namespace = namespace

    def __missing__(self, path: str) -> tuple[str, ...]:
        found = tuple(self.namespace + part for part in path.split("/"))
        self[path] = found
        return found


class _Local(dict[str, str]):
    """Qualified tags to local names, computed on first use."""

    def __missing__(self, tag: str) -> str:
        name = tag.rpartition("}")[2]
        self[tag] = name
        return name


class Names:
    """Qualified tags for one namespace: ``names.paths["Refs/TxId"]`` (step by step),
    ``names.local[tag]`` (a tag's local name)."""

    __slots__ = ("_namespace", "dates", "local", "parties", "paths")

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self.paths = _Paths(namespace)
        self.local = _Local()
        # values met again and again in one file, built once
        self.dates: dict[str, date] = {}
        self.parties: dict[tuple[str | None, ...], Counterparty] = {}

    def __call__(self, path: str) -> str:
        """The qualified ElementPath of ``path``."""
        return "/".join(self.paths[path])


def read_amount(elem: Element | None, where: SourceLocation, field: str) -> Money:
    """Read an ``Amt``-like element (text and ``Ccy`` attribute) as Money."""
    if elem is None or not (elem.text or "").strip():
        raise RecordError(MISSING_FIELD, f"{field} is missing", location=where, field=field)
    text = elem.text.strip() if elem.text else ""
    if not _AMOUNT.match(text):
        raise RecordError(
            INVALID_AMOUNT, f"{field} {text!r} is not a decimal", location=where, field=field
        )
    code = elem.get("Ccy", "")
    try:
        return Money._trusted(Decimal(text), Currency.of(code))
    except UnknownCurrencyError:
        raise RecordError(
            INVALID_AMOUNT, f"{field} has an unknown currency {code!r}", location=where, field=field
        ) from None


def read_date(
    holder: Element | None, n: Names, where: SourceLocation, field: str
) -> tuple[date | None, datetime | None]:
    """Read a ``Dt`` or ``DtTm`` child of ``holder``: ``(date, datetime or None)``."""
    if holder is None:
        return None, None
    found = holder.find(n.paths["Dt"][0])
    text = None if found is None else (found.text or "")
    known = n.dates.get(text) if text is not None else None
    if known is not None:
        return known, None
    try:
        if text is not None:
            raw_text = text
            text = text.strip()
            # some banks put a date-time inside Dt
            day = date.fromisoformat(text[:10] if len(text) > 10 else text)
            if len(n.dates) < 4096:
                n.dates[raw_text] = day
            return day, None
        found = holder.find(n.paths["DtTm"][0])
        text = None if found is None else (found.text or "")
        if text is not None:
            moment = datetime.fromisoformat(text.strip())
            return moment.date(), moment
    except ValueError:
        raise RecordError(
            INVALID_DATE, f"{field} {text!r} is not a valid date", location=where, field=field
        ) from None
    return None, None


def find_path(elem: Element | None, steps: tuple[str, ...]) -> Element | None:
    """Walk ``steps`` child by child (ElementTree's C fast path, no ElementPath)."""
    for tag in steps:
        if elem is None:
            return None
        elem = elem.find(tag)
    return elem


def own_text(elem: Element | None) -> str | None:
    """The stripped text of ``elem``; None when absent or blank."""
    if elem is None or not elem.text:
        return None
    return elem.text.strip() or None


def path_text(elem: Element, steps: tuple[str, ...]) -> str | None:
    return own_text(find_path(elem, steps))
