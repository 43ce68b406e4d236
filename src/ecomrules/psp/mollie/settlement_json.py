"""Mollie settlement as returned by the Settlements API v2 (one object or a list page).

A settlement is one payout from the Mollie balance. Its ``periods`` hold, per
year and month, ``revenue`` subtotals (per payment method: payments, and with
``method`` ``refund``, ``chargeback``, ``capture``... the corrections, negative
when they take money) and ``costs`` subtotals (fees, with ``amountNet``,
``amountVat`` and ``amountGross``, up to four decimals). Each revenue subtotal
becomes a line of its ``amountGross``; each cost a ``fee`` line of minus its
``amountGross`` (VAT included: that is what is deducted), with gross 0; the
settlement itself a ``payout`` line of minus ``amount``. The payout id is the
settlement ``reference`` (the text on the bank statement); the payout check
proves revenue - costs = amount. Amounts are decimal strings in major units.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar, Final

from ecomrules import _jsontext
from ecomrules.decimals import DecimalFormat, parse_decimal
from ecomrules.errors import MalformedRecordError, ParseError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError, WholeFileLines
from ecomrules.parsing.model import LineKind, ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble
from ecomrules.psp.report_rows import amount_in_range

__all__ = ["SettlementJsonParser"]

_POINT: Final = DecimalFormat(decimal=".")
_REVENUE_KINDS: Final = {
    "refund": LineKind.REFUND,
    "chargeback": LineKind.CHARGEBACK,
    "chargeback-reversal": LineKind.CHARGEBACK_REVERSAL,
    "rolling-reserve": LineKind.RESERVE,
    "rolling_reserve": LineKind.RESERVE,
    "correction": LineKind.ADJUSTMENT,
    "split-payment": LineKind.TRANSFER,
}


class SettlementJsonParser(WholeFileLines):
    """Parser for Mollie settlement objects (Settlements API v2 JSON)."""

    name: ClassVar[str] = "mollie.settlement_json"
    provider: ClassVar[str] = "Mollie"
    spec_url: ClassVar[str] = "https://docs.mollie.com/reference/get-settlement"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES for JSON holding a Mollie settlement resource."""
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"{":
            return Confidence.NO
        compact = head.replace(b" ", b"")
        if b'"resource":"settlement"' in compact and b'"periods"' in compact:
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse one settlement object or a list page of them."""
        policy = ErrorPolicy(on_error)
        text = clean_text(decode(data, source, ("utf-8",)))
        try:
            document = _jsontext.loads(text)
        except ValueError as exc:
            raise MalformedRecordError(
                f"not JSON: {exc}", location=SourceLocation(source, getattr(exc, "lineno", 1))
            ) from None
        entries: list[AccountLine] = []
        for settlement in _settlements(document, source):
            location = SourceLocation(source, _line_of(text, settlement.get("id")))
            try:
                entries.extend(_lines(settlement, location))
            except ParseError as exc:
                policy.fail(exc, "psp.mollie.malformed_settlement")
        return assemble(self.name, source, entries, policy)


def _settlements(document: Any, source: str) -> Iterator[dict[str, Any]]:
    if isinstance(document, dict) and document.get("resource") == "settlement":
        yield document
        return
    embedded = document.get("_embedded") if isinstance(document, dict) else None
    found = embedded.get("settlements") if isinstance(embedded, dict) else None
    if not isinstance(found, list):
        raise MalformedRecordError(
            "no settlement resource in the document", location=SourceLocation(source, 1)
        )
    yield from (s for s in found if isinstance(s, dict))


def _line_of(text: str, key: Any) -> int:
    position = text.find(f'"{key}"') if isinstance(key, str) else -1
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


def _money(value: Any, location: SourceLocation, field: str) -> Money:
    if not isinstance(value, dict):
        raise MalformedRecordError(f"{field} is not an amount object", location=location)
    try:
        amount = parse_decimal(str(value.get("value")), _POINT)
        if not amount_in_range(amount):
            raise ValueError("out of range")
        return Money(amount, Currency.of(str(value.get("currency"))))
    except (ValueError, TypeError):
        raise MalformedRecordError(
            f"{field}: {value!r} is not an amount and currency",
            location=SourceLocation(location.path, location.line, field),
            field=field,
        ) from None


def _lines(settlement: dict[str, Any], location: SourceLocation) -> list[AccountLine]:
    settlement_id = str(settlement.get("id") or "")
    reference = str(settlement.get("reference") or settlement_id)
    amount = _money(settlement.get("amount"), location, "amount")
    when_text = settlement.get("settledAt") or settlement.get("createdAt")
    try:
        when = datetime.fromisoformat(str(when_text).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedRecordError(
            f"settledAt/createdAt {when_text!r} is not an ISO 8601 date-time", location=location
        ) from None
    common: dict[str, Any] = {
        "booked_on": when.date(),
        "booked_at": when if when.tzinfo else None,
        "payout_id": reference,
        "location": location,
    }
    lines = [
        StatementLine(
            id=f"{settlement_id}:payout",
            kind=LineKind.PAYOUT,
            amount=-amount,
            label=f"Settlement {reference}",
            transaction_id=settlement_id or None,
            metadata={"status": str(settlement.get("status") or "")},
            **common,
        )
    ]
    periods = settlement.get("periods") or {}
    if not isinstance(periods, dict):
        raise MalformedRecordError("'periods' is not an object", location=location)
    for year in sorted(periods):
        months = periods[year] if isinstance(periods[year], dict) else {}
        for month in sorted(months):
            period = months[month] if isinstance(months[month], dict) else {}
            label = f"{year}-{month}"
            for index, item in enumerate(period.get("revenue") or []):
                gross = _money(
                    item.get("amountGross") or item.get("amountNet"), location, "amountGross"
                )
                method = str(item.get("method") or "")
                lines.append(
                    StatementLine(
                        id=f"{settlement_id}:{label}:revenue:{index}",
                        kind=_REVENUE_KINDS.get(method, LineKind.CHARGE),
                        amount=gross,
                        gross=gross,
                        fee=Money.zero(gross.currency),
                        label=str(item.get("description") or method),
                        metadata=_item_metadata(item, label),
                        **common,
                    )
                )
            for index, item in enumerate(period.get("costs") or []):
                cost = _money(
                    item.get("amountGross") or item.get("amountNet"), location, "amountGross"
                )
                metadata = _item_metadata(item, label)
                for key in ("amountNet", "amountVat"):
                    if isinstance(item.get(key), dict):
                        metadata[key] = str(item[key].get("value"))
                if period.get("invoiceId"):
                    metadata["invoice_id"] = str(period["invoiceId"])
                lines.append(
                    StatementLine(
                        id=f"{settlement_id}:{label}:cost:{index}",
                        kind=LineKind.FEE,
                        amount=-cost,
                        gross=Money.zero(cost.currency),
                        fee=cost,
                        label=str(item.get("description") or "costs"),
                        metadata=metadata,
                        **common,
                    )
                )
    return [(None, line) for line in lines]


def _item_metadata(item: dict[str, Any], period: str) -> dict[str, str]:
    metadata = {"period": period}
    if item.get("method"):
        metadata["method"] = str(item["method"])
    if item.get("count") is not None:
        metadata["count"] = str(item["count"])
    return metadata
