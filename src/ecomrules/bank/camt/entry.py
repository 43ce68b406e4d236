"""One CAMT entry (``Ntry``) to statement lines: amounts, dates, parties, references.

An entry with several transaction details (``TxDtls``, a batch booking)
becomes one line per detail, each with the entry's id as ``parent_id``; when
the details do not add up to the booked amount (charges, FX), a remainder line
keeps the total exact. An entry with one or no detail is one line.
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
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = ["EntryContext", "Names", "read_amount", "read_date", "read_entry"]

_AMOUNT: Final = re.compile(r"^\d{1,18}(\.\d{1,17})?$")
_PLACEHOLDERS: Final = frozenset({"", "NOTPROVIDED", "NONREF", "NOT PROVIDED"})


class Names:
    """Qualified ElementTree paths for one namespace: ``names("Refs/TxId")``."""

    __slots__ = ("_cache", "_namespace")

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self._cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        found = self._cache.get(path)
        if found is None:
            found = "/".join(self._namespace + part for part in path.split("/"))
            self._cache[path] = found
        return found


class EntryContext:
    """What reading an entry needs from its statement: names, place, currency."""

    __slots__ = ("created_on", "currency", "n", "policy", "source", "statement_key")

    def __init__(
        self,
        n: Names,
        source: str,
        statement_key: str,
        currency: Currency | None,
        policy: ErrorPolicy,
        created_on: date | None,
    ) -> None:
        self.n = n
        self.source = source
        self.statement_key = statement_key
        self.currency = currency
        self.policy = policy
        self.created_on = created_on


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
        return Money(Decimal(text), Currency.of(code))
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
    text = holder.findtext(n("Dt"))
    try:
        if text is not None:
            text = text.strip()
            # some banks put a date-time inside Dt
            return date.fromisoformat(text[:10] if len(text) > 10 else text), None
        text = holder.findtext(n("DtTm"))
        if text is not None:
            moment = datetime.fromisoformat(text.strip())
            return moment.date(), moment
    except ValueError:
        raise RecordError(
            INVALID_DATE, f"{field} {text!r} is not a valid date", location=where, field=field
        ) from None
    return None, None


def read_entry(
    ntry: Element, ctx: EntryContext, index: int, at: SourceLocation, raw: str, tx_lines: list[int]
) -> list[StatementLine]:
    """Turn one booked ``Ntry`` into its lines (see the module docstring)."""
    n = ctx.n
    amount = read_amount(ntry.find(n("Amt")), at, "Ntry/Amt")
    indicator = (ntry.findtext(n("CdtDbtInd")) or "").strip()
    if indicator not in ("CRDT", "DBIT"):
        raise RecordError(
            MISSING_FIELD, f"Ntry/CdtDbtInd {indicator!r} is not CRDT or DBIT", location=at
        )
    credit = indicator == "CRDT"
    reversal = (ntry.findtext(n("RvslInd")) or "").strip().lower() in ("true", "1")
    booked_on, booked_at = read_date(ntry.find(n("BookgDt")), n, at, "Ntry/BookgDt")
    value_date, _ = read_date(ntry.find(n("ValDt")), n, at, "Ntry/ValDt")
    if booked_on is None:
        booked_on = value_date
    if booked_on is None:
        if ctx.created_on is None:
            raise RecordError(MISSING_FIELD, "Ntry has neither BookgDt nor ValDt", location=at)
        booked_on = ctx.created_on
        ctx.policy.info(
            "bank.camt.date_from_message",
            "entry has neither BookgDt nor ValDt; its message's creation date is used",
            at,
        )
    entry_id = (
        _text(ntry, n("AcctSvcrRef")) or _text(ntry, n("NtryRef")) or f"{ctx.statement_key}/{index}"
    )
    meta: dict[str, str] = {}
    _put(meta, "entry_reference", _text(ntry, n("NtryRef")))
    _put(meta, "bank_transaction_code", _bank_code(ntry, n))
    _put(meta, "proprietary_code", _text(ntry, n("BkTxCd/Prtry/Cd")))
    _put(meta, "additional_entry_info", _text(ntry, n("AddtlNtryInf")))
    charges = ntry.find(n("Chrgs/TtlChrgsAndTaxAmt"))
    if charges is None:
        charges = ntry.find(n("Chrgs/Rcrd/Amt"))
    if charges is not None and charges.text:
        meta["charges"] = charges.text.strip()
    if reversal:
        meta["reversal"] = "true"
    _fx(ntry.find(n("AmtDtls")), n, meta)
    batch = ntry.find(n("NtryDtls/Btch"))
    if batch is not None:
        _put(meta, "batch_size", _text(batch, n("NbOfTxs")))
        _put(meta, "payment_information_id", _text(batch, n("PmtInfId")))
    details = ntry.findall(n("NtryDtls/TxDtls"))
    signed = amount if credit else -amount
    common = (booked_on, booked_at, value_date, reversal, meta, raw)
    if len(details) <= 1:
        tx = details[0] if details else None
        return [_line(ctx, entry_id, None, signed, tx, credit, at, common)]
    return _split(ctx, entry_id, signed, details, credit, at, tx_lines, common)


_Common = tuple[date, datetime | None, date | None, bool, dict[str, str], str]


def _split(
    ctx: EntryContext,
    entry_id: str,
    signed: Money,
    details: list[Element],
    credit: bool,
    at: SourceLocation,
    tx_lines: list[int],
    common: _Common,
) -> list[StatementLine]:
    n = ctx.n
    amounts: list[Money] = []
    for position, tx in enumerate(details):
        where = SourceLocation(at.path, tx_lines[position]) if position < len(tx_lines) else at
        own = _detail_amount(tx, n, signed.currency, where)
        if own is None:
            ctx.policy.info(
                "bank.camt.batch_not_split",
                f"entry {entry_id}: a transaction detail has no amount in "
                f"{signed.currency.code}; the batch is kept as one line",
                at,
            )
            return [_line(ctx, entry_id, None, signed, None, credit, at, common, details)]
        tx_credit = (_text(tx, n("CdtDbtInd")) or ("CRDT" if credit else "DBIT")) == "CRDT"
        amounts.append(own if tx_credit else -own)
    lines = [
        _line(
            ctx,
            f"{entry_id}/{position + 1}",
            entry_id,
            amounts[position],
            tx,
            credit,
            SourceLocation(at.path, tx_lines[position]) if position < len(tx_lines) else at,
            common,
        )
        for position, tx in enumerate(details)
    ]
    rest = signed.amount - sum((m.amount for m in amounts), Decimal(0))
    if rest:
        booked_on, booked_at, value_date, _, meta, raw = common
        ctx.policy.warn(
            "bank.camt.batch_remainder",
            f"entry {entry_id}: the transaction details differ from the booked amount "
            f"by {rest}; a remainder line keeps the total",
            at,
        )
        lines.append(
            StatementLine(
                id=f"{entry_id}/rest",
                kind=LineKind.FEE if "charges" in meta else LineKind.ADJUSTMENT,
                booked_on=booked_on,
                amount=Money(rest, signed.currency),
                label="batch remainder",
                booked_at=booked_at,
                value_date=value_date,
                parent_id=entry_id,
                metadata=meta,
                raw=raw,
                location=at,
            )
        )
    return lines


def _line(
    ctx: EntryContext,
    line_id: str,
    parent_id: str | None,
    amount: Money,
    tx: Element | None,
    credit: bool,
    where: SourceLocation,
    common: _Common,
    merged: list[Element] | None = None,
) -> StatementLine:
    n = ctx.n
    booked_on, booked_at, value_date, reversal, entry_meta, raw = common
    meta = dict(entry_meta)
    references: list[str] = []
    labels: list[str] = []
    party: Counterparty | None = None
    transaction_id = None
    for detail in merged or ([tx] if tx is not None else []):
        party = party or _party(detail, n, credit != reversal)
        transaction_id = transaction_id or _text(detail, n("Refs/AcctSvcrRef"))
        _remittance(detail, n, references, labels, meta)
        _fx(detail.find(n("AmtDtls")), n, meta)
        reason = _text(detail, n("RtrInf/Rsn/Cd")) or _text(detail, n("RtrInf/Rsn/Prtry"))
        _put(meta, "return_reason", reason)
        _put(meta, "return_info", _text(detail, n("RtrInf/AddtlInf")))
        _put(meta, "additional_transaction_info", _text(detail, n("AddtlTxInf")))
    label = " ".join(labels) or meta.get("additional_transaction_info") or ""
    if not label:
        label = meta.get("additional_entry_info", "")
    kind = LineKind.REVERSAL if reversal or "return_reason" in meta else LineKind.TRANSFER
    return StatementLine(
        id=line_id,
        kind=kind,
        booked_on=booked_on,
        amount=amount,
        label=label,
        references=tuple(dict.fromkeys(references)),
        counterparty=party,
        booked_at=booked_at,
        value_date=value_date,
        transaction_id=transaction_id,
        parent_id=parent_id,
        metadata=meta,
        raw=raw,
        location=where,
    )


def _remittance(
    tx: Element, n: Names, references: list[str], labels: list[str], meta: dict[str, str]
) -> None:
    for ustrd in tx.iterfind(n("RmtInf/Ustrd")):
        if ustrd.text and ustrd.text.strip():
            labels.append(ustrd.text.strip())
    additional: list[str] = []
    for strd in tx.iterfind(n("RmtInf/Strd")):
        ref = _text(strd, n("CdtrRefInf/Ref"))
        if ref:
            references.append(ref)
            kind = (
                _text(strd, n("CdtrRefInf/Tp/CdOrPrtry/Cd"))
                or _text(strd, n("CdtrRefInf/Tp/CdOrPrtry/Prtry"))
                or ("SCOR" if ref.upper().startswith("RF") else None)
            )
            _put(meta, "creditor_reference_type", kind)
        for document in strd.iterfind(n("RfrdDocInf")):
            number = _text(document, n("Nb"))
            if number:
                references.append(number)
        for extra in strd.iterfind(n("AddtlRmtInf")):
            if extra.text and extra.text.strip():
                additional.append(extra.text.strip())
    labels.extend(additional)
    refs = tx.find(n("Refs"))
    if refs is not None:
        end_to_end = _text(refs, n("EndToEndId"))
        if end_to_end and end_to_end.upper() not in _PLACEHOLDERS:
            references.append(end_to_end)
            meta.setdefault("end_to_end_id", end_to_end)
        for key, tag in (
            ("instruction_id", "InstrId"),
            ("mandate_id", "MndtId"),
            ("transaction_reference", "TxId"),
            ("message_id", "MsgId"),
            ("payment_information_id", "PmtInfId"),
            ("cheque_number", "ChqNb"),
            ("uetr", "UETR"),
        ):
            _put(meta, key, _text(refs, n(tag)))


def _party(tx: Element, n: Names, original_credit: bool) -> Counterparty | None:
    sides = ("Dbtr", "Cdtr") if original_credit else ("Cdtr", "Dbtr")
    for side in sides:
        name = (
            _text(tx, n(f"RltdPties/{side}/Nm"))
            or _text(tx, n(f"RltdPties/{side}/Pty/Nm"))
            or _text(tx, n(f"RltdPties/{side}/Agt/FinInstnId/Nm"))
        )
        iban = _text(tx, n(f"RltdPties/{side}Acct/Id/IBAN"))
        account = None if iban else _text(tx, n(f"RltdPties/{side}Acct/Id/Othr/Id"))
        bic = _text(tx, n(f"RltdAgts/{side}Agt/FinInstnId/BIC")) or _text(
            tx, n(f"RltdAgts/{side}Agt/FinInstnId/BICFI")
        )
        if name or iban or account:
            return Counterparty(
                name=name, iban=iban.replace(" ", "") if iban else None, bic=bic, account=account
            )
    return None


def _detail_amount(
    tx: Element, n: Names, currency: Currency, where: SourceLocation
) -> Money | None:
    for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/CntrValAmt/Amt"):
        elem = tx.find(n(path))
        if elem is not None and elem.get("Ccy", "").upper() == currency.code:
            return read_amount(elem, where, f"TxDtls/{path}")
    return None


def _fx(details: Element | None, n: Names, meta: dict[str, str]) -> None:
    if details is None:
        return
    instructed = details.find(n("InstdAmt/Amt"))
    if instructed is not None and instructed.text:
        meta["instructed_amount"] = instructed.text.strip()
        meta["instructed_currency"] = instructed.get("Ccy", "")
    for exchange in details.iter(n("CcyXchg")):
        for key, tag in (
            ("fx_source_currency", "SrcCcy"),
            ("fx_target_currency", "TrgtCcy"),
            ("fx_unit_currency", "UnitCcy"),
            ("fx_rate", "XchgRate"),
            ("fx_contract", "CtrctId"),
            ("fx_quotation_date", "QtnDt"),
        ):
            _put(meta, key, _text(exchange, n(tag)))
        break


def _bank_code(ntry: Element, n: Names) -> str | None:
    domain = _text(ntry, n("BkTxCd/Domn/Cd"))
    if not domain:
        return None
    family = _text(ntry, n("BkTxCd/Domn/Fmly/Cd")) or ""
    sub = _text(ntry, n("BkTxCd/Domn/Fmly/SubFmlyCd")) or ""
    return "/".join(part for part in (domain, family, sub) if part)


def _text(elem: Element, path: str) -> str | None:
    value = elem.findtext(path)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _put(meta: dict[str, str], key: str, value: str | None) -> None:
    if value is not None and key not in meta:
        meta[key] = value
