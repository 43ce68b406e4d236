"""The output of every parser: statements of lines, payouts, and issues.

Sign convention: ``StatementLine.amount`` is the signed effect on the account
the file describes, credit (money in) positive. For PSP lines ``gross``,
``fee`` and ``amount`` (the net) hold ``gross - fee == amount``, a fee charged
being positive.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs
from attrs import field, frozen

from ecomrules.money import Currency, Money
from ecomrules.outcome import Issue, Severity, SourceLocation

__all__ = ["Counterparty", "LineKind", "ParseResult", "Payout", "Statement", "StatementLine"]


class LineKind(enum.Enum):
    """What a line is. Bank lines are mostly ``transfer``; PSP lines say more."""

    CHARGE = "charge"
    REFUND = "refund"
    CHARGEBACK = "chargeback"
    CHARGEBACK_REVERSAL = "chargeback_reversal"
    FEE = "fee"
    PAYOUT = "payout"
    ADJUSTMENT = "adjustment"
    TRANSFER = "transfer"
    FX_CONVERSION = "fx_conversion"
    RESERVE = "reserve"
    REVERSAL = "reversal"
    OTHER = "other"


def _frozen_map(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@frozen
class Counterparty:
    """The other party of a line, as far as the file names it."""

    name: str | None = None
    iban: str | None = None
    bic: str | None = None
    account: str | None = None
    email: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """Return the non-empty fields as a dict."""
        return {
            k: v
            for k, v in (
                ("name", self.name),
                ("iban", self.iban),
                ("bic", self.bic),
                ("account", self.account),
                ("email", self.email),
            )
            if v is not None
        }


@frozen
class StatementLine:
    """One booked movement of a bank statement or PSP report, with its source.

    ``id`` is the file's own identifier where it has one (FITID, AcctSvcrRef,
    balance transaction id), else a stable one derived from the statement and
    the line's position. ``references`` holds the merchant's references found
    in structured fields (end-to-end id, creditor reference, order id, invoice
    number); ``label`` the free text.
    """

    id: str
    kind: LineKind
    booked_on: date
    amount: Money
    label: str = ""
    references: tuple[str, ...] = ()
    counterparty: Counterparty | None = None
    booked_at: datetime | None = None
    value_date: date | None = None
    available_on: date | None = None
    gross: Money | None = None
    fee: Money | None = None
    payout_id: str | None = None
    transaction_id: str | None = None
    parent_id: str | None = None
    related_id: str | None = None
    metadata: Mapping[str, str] = field(factory=dict, converter=_frozen_map, eq=False)
    raw: str = field(default="", eq=False, repr=False)
    location: SourceLocation | None = field(default=None, eq=False)

    @property
    def currency(self) -> Currency:
        """The currency of the line's amount."""
        return self.amount.currency

    @classmethod
    def _trusted(
        cls,
        id: str,
        kind: LineKind,
        booked_on: date,
        amount: Money,
        label: str,
        references: tuple[str, ...],
        counterparty: Counterparty | None,
        booked_at: datetime | None,
        value_date: date | None,
        available_on: date | None,
        gross: Money | None,
        fee: Money | None,
        payout_id: str | None,
        transaction_id: str | None,
        parent_id: str | None,
        related_id: str | None,
        metadata: Mapping[str, str],
        raw: str,
        location: SourceLocation | None,
    ) -> StatementLine:
        """Build a line from every field in order, as ``StatementLine(...)`` would.

        For the hot loops of parsers (about half the cost of the attrs
        ``__init__``): ``metadata`` must be a mapping the caller hands over
        and never touches again, as it is wrapped read-only, not copied.
        """
        line = _new(cls)
        (
            set_id,
            set_kind,
            set_booked_on,
            set_amount,
            set_label,
            set_references,
            set_counterparty,
            set_booked_at,
            set_value_date,
            set_available_on,
            set_gross,
            set_fee,
            set_payout_id,
            set_transaction_id,
            set_parent_id,
            set_related_id,
            set_metadata,
            set_raw,
            set_location,
        ) = _LINE_SETTERS
        set_id(line, id)
        set_kind(line, kind)
        set_booked_on(line, booked_on)
        set_amount(line, amount)
        set_label(line, label)
        set_references(line, references)
        set_counterparty(line, counterparty)
        set_booked_at(line, booked_at)
        set_value_date(line, value_date)
        set_available_on(line, available_on)
        set_gross(line, gross)
        set_fee(line, fee)
        set_payout_id(line, payout_id)
        set_transaction_id(line, transaction_id)
        set_parent_id(line, parent_id)
        set_related_id(line, related_id)
        set_metadata(line, MappingProxyType(metadata))
        set_raw(line, raw)
        set_location(line, location)
        return line

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON form (decimals and dates as strings)."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "booked_on": self.booked_on.isoformat(),
            "booked_at": None if self.booked_at is None else self.booked_at.isoformat(),
            "value_date": None if self.value_date is None else self.value_date.isoformat(),
            "amount": str(self.amount.amount),
            "currency": self.amount.currency.code,
            "label": self.label,
            "references": list(self.references),
            "counterparty": None if self.counterparty is None else self.counterparty.to_json(),
        }
        optional: dict[str, Any] = {
            "available_on": None if self.available_on is None else self.available_on.isoformat(),
            "gross": None if self.gross is None else str(self.gross.amount),
            "fee": None if self.fee is None else str(self.fee.amount),
            "payout_id": self.payout_id,
            "transaction_id": self.transaction_id,
            "parent_id": self.parent_id,
            "related_id": self.related_id,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.metadata:
            out["metadata"] = dict(sorted(self.metadata.items()))
        out["location"] = None if self.location is None else str(self.location)
        return out


_new = object.__new__
_LINE_SETTERS: tuple[Any, ...] = tuple(
    StatementLine.__dict__[a.name].__set__ for a in attrs.fields(StatementLine)
)
"""The slot setters of every field of :class:`StatementLine`, in field order."""


@frozen
class Statement:
    """One account's statement: its lines and, where the format has them, balances.

    ``available_balance`` is the closing available balance (CAMT ``CLAV``, OFX
    ``AVAILBAL``) where the file gives one; it takes no part in the controls."""

    account: str | None
    currency: Currency | None
    lines: tuple[StatementLine, ...]
    id: str | None = None
    opening_balance: Money | None = None
    closing_balance: Money | None = None
    opening_date: date | None = None
    closing_date: date | None = None
    location: SourceLocation | None = field(default=None, eq=False)
    available_balance: Money | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON form (``available_balance`` only when known).

        A balance in another currency than the statement's (a bank's error, kept
        in lenient mode) gets ``<balance>_currency`` beside its amount.
        """
        out = {
            "id": self.id,
            "account": self.account,
            "currency": None if self.currency is None else self.currency.code,
            "opening_balance": _amount(self.opening_balance),
            "closing_balance": _amount(self.closing_balance),
            "opening_date": None if self.opening_date is None else self.opening_date.isoformat(),
            "closing_date": None if self.closing_date is None else self.closing_date.isoformat(),
            "lines": [line.to_json() for line in self.lines],
        }
        if self.available_balance is not None:
            out["available_balance"] = str(self.available_balance.amount)
        for key, balance in (
            ("opening_balance", self.opening_balance),
            ("closing_balance", self.closing_balance),
            ("available_balance", self.available_balance),
        ):
            if balance is not None and balance.currency != self.currency:
                # a balance in another currency than the statement's says which
                out[f"{key}_currency"] = balance.currency.code
        return out


@frozen
class Payout:
    """A PSP payout (batch settled to the bank) and the ids of the lines it pays out."""

    id: str
    amount: Money
    line_ids: tuple[str, ...]
    arrival_date: date | None = None

    @property
    def currency(self) -> Currency:
        """The payout's currency."""
        return self.amount.currency

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON form."""
        return {
            "id": self.id,
            "currency": self.amount.currency.code,
            "amount": str(self.amount.amount),
            "arrival_date": None if self.arrival_date is None else self.arrival_date.isoformat(),
            "lines": list(self.line_ids),
        }


@frozen
class ParseResult:
    """Everything one parser read from one source: statements, payouts and issues."""

    parser: str
    source: str
    statements: tuple[Statement, ...]
    payouts: tuple[Payout, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def lines(self) -> tuple[StatementLine, ...]:
        """All lines of all statements, in file order."""
        return tuple(line for statement in self.statements for line in statement.lines)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues of severity ``error``."""
        return tuple(i for i in self.issues if i.severity is Severity.ERROR)

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON document printed by ``ecomrules parse --json``."""
        return {
            "parser": self.parser,
            "source": self.source,
            "statements": [s.to_json() for s in self.statements],
            "payouts": [p.to_json() for p in self.payouts],
            "issues": [i.to_json() for i in self.issues],
        }


def _amount(money: Money | None) -> str | None:
    return None if money is None else str(money.amount)
