"""Braintree GraphQL exports: transaction search pages, dispute nodes, JSON lines of both.

Braintree's GraphQL API returns ``search.transactions`` pages of transaction
nodes (``amount``, ``status`` / ``statusHistory``, ``disbursementDetails``,
``orderId``, ``merchantAccountId``) and dispute nodes (``type`` CHARGEBACK...,
``amountDisputed``, ``amountWon``, ``status``). Reconciliation tools save
them as one JSON document or as JSON lines; both are read.

- A settled (or settling) transaction becomes a ``charge`` line (a refund node,
  with ``refundedTransaction``, a ``refund`` line, negative). Its amount is what
  Braintree disburses (``disbursementDetails.amount``, in the disbursement
  currency) when given, else the transaction amount; the presentment amount
  and exchange rate stay in the metadata. Lines disbursed on the same date for
  the same merchant account form a payout ``<merchant account>/<date>``.
- A transaction in any other status (authorized, voided, declined...) books
  nothing: it is reported as a ``psp.braintree.status_record`` note.
- A dispute becomes a ``chargeback`` line of minus the disputed amount; a won
  dispute adds a ``chargeback_reversal`` line of the amount won.
- A response that only links to a report (``report.paymentLevelFees.url``) has
  no lines; a note gives the link.

Amounts are decimal strings in major units.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Final

from ecomrules import _jsontext
from ecomrules.decimals import DecimalFormat, parse_decimal
from ecomrules.errors import MalformedRecordError, ParseError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import Confidence, ErrorPolicy, OnError, WholeFileLines
from ecomrules.parsing.model import Counterparty, LineKind, ParseResult, StatementLine
from ecomrules.parsing.source import clean_text, decode
from ecomrules.psp.report_result import AccountLine, assemble
from ecomrules.psp.report_rows import amount_in_range

__all__ = ["GraphqlExportParser"]

_BOOKED: Final = {
    "SETTLED",
    "SETTLING",
    "SETTLEMENT_PENDING",
    "SETTLEMENT_CONFIRMED",
    "SUBMITTED_FOR_SETTLEMENT",
}
_POINT: Final = DecimalFormat(decimal=".")
_MARKERS: Final = (
    b'"disbursementDetails"',
    b'"amountDisputed"',
    b'"paymentLevelFees"',
    b'"settlementBatchId"',
)


class GraphqlExportParser(WholeFileLines):
    """Parser for Braintree GraphQL transaction and dispute exports (JSON or JSON lines)."""

    name: ClassVar[str] = "braintree.graphql"
    provider: ClassVar[str] = "Braintree"
    spec_url: ClassVar[str] = "https://graphql.braintreepayments.com/reference/"

    def sniff(self, head: bytes, filename: str | None = None) -> Confidence:
        """YES for JSON holding Braintree's transaction, dispute or report fields."""
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start != b"{":
            return Confidence.NO
        if any(marker in head for marker in _MARKERS):
            return Confidence.YES
        if b'"search"' in head and b'"transactions"' in head and b'"pageInfo"' in head:
            return Confidence.YES
        return Confidence.NO

    def parse(self, data: bytes, *, source: str, on_error: OnError = "raise") -> ParseResult:
        """Parse a JSON document or JSON lines."""
        policy = ErrorPolicy(on_error)
        text = clean_text(decode(data, source, ("utf-8",)))
        entries: list[AccountLine] = []
        for line_no, node in _nodes(text, source, policy):
            location = SourceLocation(source, line_no)
            try:
                entries.extend(_lines(node, location, policy))
            except ParseError as exc:
                policy.fail(exc, "psp.braintree.malformed_node")
        return assemble(self.name, source, entries, policy)


def _nodes(text: str, source: str, policy: ErrorPolicy) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        document = _jsontext.loads(text, parse_float=Decimal)
    except (ValueError, ArithmeticError):  # a number out of Decimal's range is InvalidOperation
        document = None
    if document is not None:
        if not isinstance(document, dict):
            raise MalformedRecordError("not a JSON object", location=SourceLocation(source, 1))
        yield from _walk(document, text, source, policy)
        return
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            node = _jsontext.loads(raw, parse_float=Decimal)
        except (ValueError, ArithmeticError) as exc:
            raise MalformedRecordError(
                f"neither a JSON document nor JSON lines: {exc}",
                location=SourceLocation(source, number),
            ) from None
        if not isinstance(node, dict):
            raise MalformedRecordError("not a JSON object", location=SourceLocation(source, number))
        yield number, node


def _walk(
    document: dict[str, Any], text: str, source: str, policy: ErrorPolicy
) -> Iterator[tuple[int, dict[str, Any]]]:
    data = document.get("data", document)
    if not isinstance(data, dict):
        raise MalformedRecordError("'data' is not an object", location=SourceLocation(source, 1))
    report = data.get("report")
    if isinstance(report, dict):
        for name, value in sorted(report.items()):
            url = value.get("url") if isinstance(value, dict) else None
            policy.info(
                "psp.braintree.report_link",
                f"the response links to report {name!r} at {url!r} instead of holding rows",
                SourceLocation(source, 1),
            )
        return
    search = data.get("search")
    if isinstance(search, dict):
        for connection in search.values():
            edges = connection.get("edges") if isinstance(connection, dict) else None
            for edge in edges or []:
                node = edge.get("node") if isinstance(edge, dict) else None
                if isinstance(node, dict):
                    yield _line_of(text, node), node
        return
    yield 1, data


def _line_of(text: str, node: dict[str, Any]) -> int:
    key = node.get("id")
    position = text.find(f'"{key}"') if isinstance(key, str) else -1
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


def _money(value: Any, location: SourceLocation, field: str) -> Money:
    if not isinstance(value, dict):
        raise MalformedRecordError(f"{field} is not an amount object", location=location)
    code = value.get("currencyIsoCode") or value.get("currencyCode")
    raw = value.get("value")
    try:
        currency = Currency.of(str(code))
        amount = parse_decimal(str(raw), _POINT)
        if not amount_in_range(amount):
            raise ValueError("out of range")
    except (ValueError, TypeError):
        raise MalformedRecordError(
            f"{field}: {raw!r} {code!r} is not an amount and currency",
            location=SourceLocation(location.path, location.line, field),
            field=field,
        ) from None
    return Money(amount, currency)


def _instant(value: Any, location: SourceLocation, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedRecordError(
            f"{field}: {value!r} is not an ISO 8601 date-time", location=location, field=field
        ) from None
    if moment.tzinfo is None:
        raise MalformedRecordError(f"{field}: {value!r} has no UTC offset", location=location)
    return moment


def _lines(
    node: dict[str, Any], location: SourceLocation, policy: ErrorPolicy
) -> list[AccountLine]:
    if "amountDisputed" in node:
        return _dispute(node, location)
    if "amount" not in node:
        raise MalformedRecordError(
            "node has neither 'amount' nor 'amountDisputed'", location=location
        )
    history = [h for h in node.get("statusHistory") or [] if isinstance(h, dict)]
    status = str(node.get("status") or (history[0].get("status") if history else "") or "")
    node_id = str(node.get("id") or "")
    if status.upper() not in _BOOKED:
        policy.info(
            "psp.braintree.status_record",
            f"transaction {node_id} is {status or 'without status'}; it books nothing, no line",
            location,
        )
        return []
    presented = _money(node["amount"], location, "amount")
    refund = "refundedTransaction" in node or node.get("__typename") == "Refund"
    sign = -1 if refund else 1
    found = node.get("disbursementDetails")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    merchant = str(node.get("merchantAccountId") or "") or None
    metadata = {"status": status}
    amount = presented * sign
    payout_id = None
    available = None
    if details and details.get("amount"):
        disbursed = _money(details["amount"], location, "disbursementDetails.amount")
        amount = disbursed * sign
        metadata["presentment_amount"] = str(presented.amount * sign)
        metadata["presentment_currency"] = presented.currency.code
        if details.get("exchangeRate") is not None:
            metadata["exchange_rate"] = str(details["exchangeRate"])
        if details.get("fundsHeld"):
            metadata["funds_held"] = "true"
        if details.get("date"):
            available = _instant(f"{details['date']}T00:00:00+00:00", location, "date").date()
            payout_id = f"{merchant}/{details['date']}"
    batch = next((h.get("settlementBatchId") for h in history if h.get("settlementBatchId")), None)
    if batch:
        metadata["settlement_batch_id"] = str(batch)
    created = node.get("createdAt") or (history[0].get("timestamp") if history else None)
    booked_at = _instant(created, location, "createdAt")
    order = str(node.get("orderId") or "")
    name = next(
        (
            str(f.get("value"))
            for f in node.get("customFields") or []
            if isinstance(f, dict) and f.get("name") == "fullname"
        ),
        None,
    )
    line = StatementLine(
        id=node_id or f"{location.line}",
        kind=LineKind.REFUND if refund else LineKind.CHARGE,
        booked_on=booked_at.date(),
        booked_at=booked_at,
        available_on=available,
        amount=amount,
        label="Refund" if refund else "Sale",
        references=(order,) if order else (),
        counterparty=Counterparty(name=name) if name else None,
        payout_id=payout_id,
        transaction_id=str(node.get("legacyId") or node_id) or None,
        metadata=metadata,
        raw=json.dumps(node, sort_keys=True, default=str),
        location=location,
    )
    return [(merchant, line)]


def _dispute(node: dict[str, Any], location: SourceLocation) -> list[AccountLine]:
    disputed = _money(node["amountDisputed"], location, "amountDisputed")
    status = str(node.get("status") or "")
    node_id = str(node.get("id") or location.line)
    found = node.get("transaction")
    transaction: dict[str, Any] = found if isinstance(found, dict) else {}
    order = str(transaction.get("orderId") or "")
    received = node.get("receivedDate") or node.get("createdAt")
    booked_at = _instant(
        received if "T" in str(received) else f"{received}T00:00:00+00:00", location, "receivedDate"
    )
    history = [h for h in node.get("statusHistory") or [] if isinstance(h, dict)]
    disbursed = sorted(str(h["disbursementDate"]) for h in history if h.get("disbursementDate"))
    metadata = {
        "status": status,
        "dispute_type": str(node.get("type") or ""),
        "case_number": str(node.get("caseNumber") or ""),
    }
    if disbursed:
        metadata["disbursement_date"] = disbursed[0]
    common: dict[str, Any] = {
        "references": (order,) if order else (),
        "transaction_id": str(transaction.get("legacyId") or "") or None,
        "related_id": node_id,
        "raw": json.dumps(node, sort_keys=True, default=str),
        "location": location,
    }
    lines = [
        StatementLine(
            id=f"{node_id}:chargeback",
            kind=LineKind.CHARGEBACK,
            booked_on=booked_at.date(),
            booked_at=booked_at,
            amount=-disputed,
            label=f"Dispute {metadata['case_number']}".strip(),
            metadata={k: v for k, v in metadata.items() if v},
            **common,
        )
    ]
    if status.upper() == "WON" and node.get("amountWon"):
        won = _money(node["amountWon"], location, "amountWon")
        won_at = max(
            (
                _instant(h["timestamp"], location, "timestamp")
                for h in history
                if str(h.get("status", "")).upper() == "WON" and h.get("timestamp")
            ),
            default=booked_at,
        )
        lines.append(
            StatementLine(
                id=f"{node_id}:reversal",
                kind=LineKind.CHARGEBACK_REVERSAL,
                booked_on=won_at.date(),
                booked_at=won_at,
                amount=won,
                label=f"Dispute won {metadata['case_number']}".strip(),
                metadata={k: v for k, v in metadata.items() if v},
                **common,
            )
        )
    return [(None, line) for line in lines]
