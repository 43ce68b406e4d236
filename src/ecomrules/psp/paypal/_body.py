"""The section bodies (``SB``) of PayPal's sectioned reports: one record, one line.

:class:`BodyReader` turns each ``SB`` record into a
:class:`~ecomrules.parsing.model.StatementLine`: amounts in minor units signed
by their ``CR``/``DR`` flags, the T-code's kind, the time with its offset, the
merchant's references and the payer. It adds each record to the totals of its
section, which the footers of :class:`~ecomrules.psp.paypal._envelope.Envelope`
check. This is the hot path of a million-row report: amounts, nets, times,
kinds and payers come from per-file caches keyed by their text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.fingerprint import Fingerprinter
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine
from ecomrules.psp.paypal._envelope import Envelope, totals_of
from ecomrules.psp.paypal.tcodes import kind_of
from ecomrules.psp.report_rows import AmountReader, width_error

__all__ = ["BodyReader"]

_PAYOUT = LineKind.PAYOUT
_NO_PARTY = Counterparty()
"""Cached for rows that name no counterparty (read back as ``None``)."""


class BodyReader(Envelope):
    """The section bodies of one file, with the caches of their texts."""

    def __init__(self, parser: str, source: str, policy: ErrorPolicy) -> None:
        super().__init__(source, policy)
        self.parser = parser
        self.amounts = AmountReader(minor_exponent=2)
        self.fingerprint = Fingerprinter(f"paypal:{parser}")
        self.used: set[str] = set()
        self.kinds: tuple[dict[str, LineKind], dict[str, LineKind]] = ({}, {})
        """Event code to kind, for debits (0) and credits (1), filled as codes are met."""
        self.times: dict[str, tuple[datetime, date]] = {}
        self.parties: dict[tuple[str, str, str, str], Counterparty] = {}
        self.zero: dict[str, Money] = {}
        self.repeats: dict[str, int] = {}
        self.tables: dict[str, tuple[Any, ...]] = {}

    def body(
        self,
        line_no: int,
        fields: list[str],
        raw: str,
        take: Callable[[list[str]], Any],
        width: int,
    ) -> StatementLine | None:
        """Turn one ``SB`` record into a line, or record why not and return ``None``.

        The hot path of a million-row report: the fields come out of one
        ``itemgetter`` call; amounts and times from per-file caches.
        """
        extra = len(fields) - 1 - width
        if extra > 0 and any(v.strip() for v in fields[width + 1 :]):
            error = width_error(
                len(fields) - 1,
                width,
                path=self.source,
                line=line_no,
                raw=raw,
                header="the column header",
            )
            self.policy.fail(error, "psp.paypal.row_width")
            return None
        if extra < 0:
            fields.extend([""] * -extra)
        fields.append("")
        self.file_rows += 1
        (
            txn,
            invoice,
            reference,
            reference_type,
            event,
            initiated,
            completed,
            direction,
            gross_text,
            code,
            fee_direction,
            fee_text,
            fee_code,
            custom,
            status,
            subject,
            item,
            payer,
            first_name,
            last_name,
            business,
            bank_reference,
        ) = take(fields)
        currency = self.currencies.get(code) or self.currency(
            code, line_no, "Gross Transaction Currency"
        )
        if currency is None:
            return None
        flag = direction if direction in ("CR", "DR") else direction.strip().upper()
        if flag == "CR":
            credit = True
        elif flag == "DR":
            credit = False
        else:
            self.fail(
                f"{direction!r} is not CR or DR",
                line_no,
                "Transaction Debit or Credit",
                direction,
                "psp.paypal.flag",
            )
            return None
        key = currency.code
        tables = self.tables.get(key)
        if tables is None:
            tables = self.tables[key] = (
                self.amounts.table(currency, False),
                self.amounts.table(currency, True),
                {},
            )
        # tables = (amounts as printed, amounts negated, nets by their signed
        # minor units); a debit is negated.
        # Money of zero is falsy: the caches are tested against None, not truth.
        gross = tables[not credit].get(gross_text)
        if gross is None:
            gross = self.amount(
                gross_text, currency, not credit, "Gross Transaction Amount", line_no
            )
            if gross is None:
                return None
        fee: Money | None = None
        fee_credit = False
        if fee_text:
            if fee_direction != "DR" and fee_direction != "CR":
                fee_direction = fee_direction.strip().upper()
            if fee_direction not in ("CR", "DR"):
                self.fail(
                    f"{fee_direction!r} is not CR or DR",
                    line_no,
                    "Fee Debit or Credit",
                    fee_direction,
                    "psp.paypal.flag",
                )
                return None
            if fee_code and fee_code != code and fee_code.upper() != currency.code:
                self.fail(
                    f"fee currency {fee_code!r} differs from the gross currency {code!r}",
                    line_no,
                    "Fee Currency",
                    fee_code,
                    "psp.paypal.fee_currency",
                )
                return None
            # A fee debited is a cost (a positive fee); a fee credited comes back.
            fee_credit = fee_direction == "CR"
            fee = tables[fee_credit].get(fee_text)
            if fee is None:
                fee = self.amount(fee_text, currency, fee_credit, "Fee Amount", line_no)
                if fee is None:
                    return None
        stamp = completed or initiated
        booked = self.times.get(stamp) or self.time(stamp, line_no, bool(completed))
        if booked is None:
            return None
        booked_at, booked_on = booked
        kind = self.kinds[credit].get(event) or self.kind(event, credit, line_no)
        if kind is None:
            return None
        totals = self.section_totals.get(code) or totals_of(self.section_totals, code)
        # Signed minor units: the gross as booked, the fee as a cost.
        if credit:
            gross_units = int(gross_text)
            totals.gross_cr += gross_units
        else:
            gross_units = -int(gross_text)
            totals.gross_dr -= gross_units
        if fee_text:
            if fee_credit:
                fee_units = -int(fee_text)
                totals.fee_cr -= fee_units
            else:
                fee_units = int(fee_text)
                totals.fee_dr += fee_units
        used = self.used
        count = len(used)
        used.add(txn)
        line_id = txn
        if not txn or len(used) == count:  # empty, or already used: one set operation
            line_id = self.identify(txn, fields)
            used.add(line_id)
        references: tuple[str, ...] = (
            (invoice, custom) if invoice and custom and invoice != custom else (invoice or custom,)
        )
        if not references[0]:
            references = ()
        metadata = {"event_code": event}
        if reference:
            metadata["paypal_reference_id"] = reference
            if reference_type:
                metadata["paypal_reference_type"] = reference_type
        if status:
            metadata["status"] = status
            if status != "S":
                self.policy.info(
                    "psp.paypal.status_not_settled",
                    f"transaction {txn} has status {status!r} (not S, completed)",
                    self.location(line_no, "Transactional Status"),
                )
        if bank_reference:
            metadata["bank_reference_id"] = bank_reference
        if initiated and initiated != completed:
            metadata["initiated_at"] = initiated
        party_key = (first_name, last_name, business, payer)
        party = self.parties.get(party_key) or self.party(party_key)
        counterparty = None if party is _NO_PARTY else party
        if fee is None:
            net = gross
            zero = self.zero.get(key)
            fee = self.zero_of(currency) if zero is None else zero
        else:
            net_units = gross_units - fee_units
            net = tables[2].get(net_units) if net_units else None
            if net is None:
                net = self.net(gross, fee, tables[2], net_units)
        return StatementLine._trusted(
            line_id,
            kind,
            booked_on,
            net,
            subject or item,
            references,
            counterparty,
            booked_at,
            None,
            None,
            gross,
            fee,
            line_id if kind is _PAYOUT else None,
            txn or None,
            reference if reference and reference_type in ("TXN", "") else None,
            None,
            metadata,
            raw,
            SourceLocation(self.source, line_no),
        )

    def amount(
        self, text: str, currency: Currency, negative: bool, column: str, line_no: int
    ) -> Money | None:
        """An amount not in the cache yet: parsed, or reported."""
        try:
            return self.amounts.signed(text, currency, negative)
        except ValueError as exc:
            self.fail(str(exc), line_no, column, text, "psp.paypal.amount")
            return None

    def net(self, gross: Money, fee: Money, nets: dict[int, Money], units: int) -> Money:
        """Gross less fee, computed once per currency and net in minor units.

        A zero net is computed each time and never cached: its sign (``-0.00``
        or ``0.00``) follows the gross and fee it comes from.
        """
        net = Money._trusted(gross.amount - fee.amount, gross.currency)
        if units:
            if len(nets) > 100_000:
                nets.clear()
            nets[units] = net
        return net

    def zero_of(self, currency: Currency) -> Money:
        zero = self.zero[currency.code] = Money._trusted(Decimal(0).scaleb(-2), currency)
        return zero

    def time(self, text: str, line_no: int, completed: bool) -> tuple[datetime, date] | None:
        """A time not in the cache yet, and its date: parsed, or reported."""
        try:
            value = self.instant(text)
        except ValueError as exc:
            column = "Transaction Completion Date" if completed else "Transaction Initiation Date"
            self.fail(str(exc), line_no, column, text, "psp.paypal.date")
            return None
        if len(self.times) > 100_000:
            self.times.clear()
        booked = self.times[text] = (value, value.date())
        return booked

    def kind(self, event: str, credit: bool, line_no: int) -> LineKind | None:
        """The kind of an event code not seen yet in this file, or ``None`` (reported)."""
        kind = kind_of(event.strip().upper(), credit)
        if kind is None:
            self.fail(
                f"{event!r} is not a T-code",
                line_no,
                "Transaction Event Code",
                event,
                "psp.paypal.tcode",
            )
            return None
        self.kinds[credit][event] = kind
        return kind

    def party(self, key: tuple[str, str, str, str]) -> Counterparty:
        """The counterparty of a first and last name, business name and payer, built once.

        The name is the person's, else the business's; the payer is the e-mail
        when it is one. A row naming nobody gets :data:`_NO_PARTY`.
        """
        first_name, last_name, business, payer = key
        name = f"{first_name} {last_name}".strip() if first_name or last_name else business
        email = payer if "@" in payer else ""
        party = Counterparty(name=name or None, email=email or None) if name or email else _NO_PARTY
        if len(self.parties) > 100_000:
            self.parties.clear()
        self.parties[key] = party
        return party

    def identify(self, txn: str, fields: list[str]) -> str:
        """The id of a row whose transaction id is empty or already used.

        A repeated id (a hold and its release share one) gets ``-2``, ``-3``.
        """
        if not txn:
            return self.fingerprint(*fields)
        count = self.repeats.get(txn, 1) + 1
        self.repeats[txn] = count
        return f"{txn}-{count}"
