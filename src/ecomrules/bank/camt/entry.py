"""One CAMT entry (``Ntry``) to statement lines: amounts, dates, parties, references.

An entry with several transaction details (``TxDtls``, a batch booking)
becomes one line per detail, each with the entry's id as ``parent_id``; when
the details do not add up to the booked amount (charges, FX), a remainder line
keeps the total exact. An entry with one or no detail is one line.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import Final
from xml.etree.ElementTree import Element

from ecomrules.bank.camt.elements import (
    Names,
    find_path,
    own_text,
    path_text,
    read_amount,
    read_date,
)
from ecomrules.bank.lines import make_line
from ecomrules.bank.problems import MISSING_FIELD, RecordError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = ["EntryContext", "read_entry"]

_PLACEHOLDERS: Final = frozenset({"", "NOTPROVIDED", "NONREF", "NOT PROVIDED"})


class EntryContext:
    """What reading an entry needs from its statement: names, place, currency."""

    __slots__ = ("created_on", "currency", "n", "policy", "source", "statement_key", "zone")

    def __init__(
        self,
        n: Names,
        source: str,
        statement_key: str,
        currency: Currency | None,
        policy: ErrorPolicy,
        created_on: date | None,
        zone: tzinfo | None = None,
    ) -> None:
        self.n = n
        self.source = source
        self.statement_key = statement_key
        self.currency = currency
        self.policy = policy
        self.created_on = created_on
        self.zone = zone
        """The statement's own UTC offset (its period's, else its creation time's)."""


def read_entry(
    ntry: Element,
    ctx: EntryContext,
    index: int,
    at: SourceLocation,
    raw: str,
    tx_lines: tuple[int, ...],
) -> list[StatementLine]:
    """Turn one booked ``Ntry`` into its lines (see the module docstring)."""
    n = ctx.n
    local = n.local
    kids = {local[child.tag]: child for child in reversed(ntry)}
    amount = read_amount(kids.get("Amt"), at, "Ntry/Amt")
    indicator = own_text(kids.get("CdtDbtInd")) or ""
    if indicator not in ("CRDT", "DBIT"):
        raise RecordError(
            MISSING_FIELD, f"Ntry/CdtDbtInd {indicator!r} is not CRDT or DBIT", location=at
        )
    credit = indicator == "CRDT"
    reversal = (own_text(kids.get("RvslInd")) or "").lower() in ("true", "1")
    booked_on, booked_at = read_date(kids.get("BookgDt"), n, at, "Ntry/BookgDt")
    if booked_at is not None and booked_at.tzinfo is not None and ctx.zone is not None:
        # a date-time written in another offset (UTC) is booked on the statement's day
        booked_on = booked_at.astimezone(ctx.zone).date()
    value_date, _ = read_date(kids.get("ValDt"), n, at, "Ntry/ValDt")
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
    entry_reference = own_text(kids.get("NtryRef"))
    entry_id = (
        own_text(kids.get("AcctSvcrRef")) or entry_reference or f"{ctx.statement_key}/{index}"
    )
    meta: dict[str, str] = {}
    _put(meta, "entry_reference", entry_reference)
    codes = kids.get("BkTxCd")
    if codes is not None:
        _put(meta, "bank_transaction_code", _bank_code(codes, n))
        _put(meta, "proprietary_code", path_text(codes, n.paths["Prtry/Cd"]))
    _put(meta, "additional_entry_info", own_text(kids.get("AddtlNtryInf")))
    charges = kids.get("Chrgs")
    if charges is not None:
        total = find_path(charges, n.paths["TtlChrgsAndTaxAmt"])
        if total is None:
            total = find_path(charges, n.paths["Rcrd/Amt"])
        _put(meta, "charges", own_text(total))
    if reversal:
        meta["reversal"] = "true"
    _fx(kids.get("AmtDtls"), n, meta)
    details: list[Element] = []
    for holder in ntry.findall(n.paths["NtryDtls"][0]):
        batch = holder.find(n.paths["Btch"][0])
        if batch is not None:
            _put(meta, "batch_size", path_text(batch, n.paths["NbOfTxs"]))
            _put(meta, "payment_information_id", path_text(batch, n.paths["PmtInfId"]))
        details.extend(holder.findall(n.paths["TxDtls"][0]))
    signed = amount if credit else Money._trusted(-amount.amount, amount.currency)
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
    tx_lines: tuple[int, ...],
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
        tx_credit = (
            path_text(tx, n.paths["CdtDbtInd"]) or ("CRDT" if credit else "DBIT")
        ) == "CRDT"
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


_REFERENCE_KEYS: Final = {
    "InstrId": "instruction_id",
    "MndtId": "mandate_id",
    "TxId": "transaction_reference",
    "MsgId": "message_id",
    "PmtInfId": "payment_information_id",
    "ChqNb": "cheque_number",
    "UETR": "uetr",
}


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
    local = n.local
    booked_on, booked_at, value_date, reversal, entry_meta, raw = common
    meta = dict(entry_meta)
    references: list[str] = []
    labels: list[str] = []
    party: Counterparty | None = None
    transaction_id = None
    for detail in merged or ([tx] if tx is not None else []):
        kids = {local[child.tag]: child for child in reversed(detail)}
        parties = kids.get("RltdPties")
        if parties is not None:
            if party is None:
                party = _party(parties, kids.get("RltdAgts"), n, credit != reversal)
            _ultimate_parties(parties, n, meta)
        refs = kids.get("Refs")
        end_to_end = None
        if refs is not None:
            for ref in refs:
                name = local[ref.tag]
                if name == "AcctSvcrRef":
                    transaction_id = transaction_id or own_text(ref)
                elif name == "EndToEndId":
                    end_to_end = own_text(ref)
                elif name in _REFERENCE_KEYS:
                    _put(meta, _REFERENCE_KEYS[name], own_text(ref))
        remittance = kids.get("RmtInf")
        if remittance is not None:
            _remittance(remittance, n, references, labels, meta)
        if end_to_end and end_to_end.upper() not in _PLACEHOLDERS:
            references.append(end_to_end)
            meta.setdefault("end_to_end_id", end_to_end)
        _fx(kids.get("AmtDtls"), n, meta)
        returned = kids.get("RtrInf")
        if returned is not None:
            reason = path_text(returned, n.paths["Rsn/Cd"]) or path_text(
                returned, n.paths["Rsn/Prtry"]
            )
            _put(meta, "return_reason", reason)
            _put(meta, "return_info", path_text(returned, n.paths["AddtlInf"]))
        _put(meta, "additional_transaction_info", own_text(kids.get("AddtlTxInf")))
    label = " ".join(labels) or meta.get("additional_transaction_info") or ""
    if not label:
        label = meta.get("additional_entry_info", "")
    kind = LineKind.REVERSAL if reversal or "return_reason" in meta else LineKind.TRANSFER
    return make_line(
        line_id,
        kind,
        booked_on,
        amount,
        label,
        tuple(dict.fromkeys(references)),
        party,
        booked_at,
        value_date,
        raw,
        where,
        transaction_id=transaction_id,
        parent_id=parent_id,
        metadata=MappingProxyType(meta),
    )


def _remittance(
    remittance: Element, n: Names, references: list[str], labels: list[str], meta: dict[str, str]
) -> None:
    """Unstructured lines to ``labels`` (then additional remittance); references in order."""
    local = n.local
    additional: list[str] = []
    for part in remittance:
        name = local[part.tag]
        if name == "Ustrd":
            text = own_text(part)
            if text:
                labels.append(text)
            continue
        if name != "Strd":
            continue
        ref = path_text(part, n.paths["CdtrRefInf/Ref"])
        if ref:
            references.append(ref)
            kind = (
                path_text(part, n.paths["CdtrRefInf/Tp/CdOrPrtry/Cd"])
                or path_text(part, n.paths["CdtrRefInf/Tp/CdOrPrtry/Prtry"])
                or ("SCOR" if ref.upper().startswith("RF") else None)
            )
            _put(meta, "creditor_reference_type", kind)
        for child in part:
            child_name = local[child.tag]
            if child_name == "RfrdDocInf":
                number = path_text(child, n.paths["Nb"])
                if number:
                    references.append(number)
            elif child_name == "AddtlRmtInf":
                text = own_text(child)
                if text:
                    additional.append(text)
    labels.extend(additional)


def _party(
    parties: Element | None, agents: Element | None, n: Names, original_credit: bool
) -> Counterparty | None:
    if parties is None:
        return None
    local = n.local
    kids = {local[child.tag]: child for child in reversed(parties)}
    agent_kids = {} if agents is None else {local[c.tag]: c for c in reversed(agents)}
    for side in ("Dbtr", "Cdtr") if original_credit else ("Cdtr", "Dbtr"):
        holder = kids.get(side)
        name = None
        if holder is not None:
            name = (
                path_text(holder, n.paths["Nm"])
                or path_text(holder, n.paths["Pty/Nm"])
                or path_text(holder, n.paths["Agt/FinInstnId/Nm"])
            )
        account_holder = kids.get(side + "Acct")
        iban = account = None
        if account_holder is not None:
            iban = path_text(account_holder, n.paths["Id/IBAN"])
            account = None if iban else path_text(account_holder, n.paths["Id/Othr/Id"])
        if not (name or iban or account):
            continue
        agent = agent_kids.get(side + "Agt")
        bic = None
        if agent is not None:
            bic = path_text(agent, n.paths["FinInstnId/BIC"]) or path_text(
                agent, n.paths["FinInstnId/BICFI"]
            )
        key = (name, iban, bic, account)
        party = n.parties.get(key)
        if party is None:
            party = Counterparty(
                name=name, iban=iban.replace(" ", "") if iban else None, bic=bic, account=account
            )
            if len(n.parties) < 50_000:
                n.parties[key] = party
        return party
    return None


def _ultimate_parties(parties: Element, n: Names, meta: dict[str, str]) -> None:
    """``UltmtDbtr``/``UltmtCdtr``: on whose behalf the money was paid or is received."""
    for side, key in (("UltmtDbtr", "ultimate_debtor"), ("UltmtCdtr", "ultimate_creditor")):
        holder = find_path(parties, n.paths[side])
        if holder is None:
            continue
        holder = find_path(holder, n.paths["Pty"]) or holder  # version 8 wraps it in Pty
        _put(meta, key, path_text(holder, n.paths["Nm"]))
        identifier = (
            path_text(holder, n.paths["Id/OrgId/AnyBIC"])
            or path_text(holder, n.paths["Id/OrgId/Othr/Id"])
            or path_text(holder, n.paths["Id/PrvtId/Othr/Id"])
        )
        _put(meta, f"{key}_id", identifier)


def _detail_amount(
    tx: Element, n: Names, currency: Currency, where: SourceLocation
) -> Money | None:
    for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/CntrValAmt/Amt"):
        elem = find_path(tx, n.paths[path])
        if elem is not None and elem.get("Ccy", "").upper() == currency.code:
            return read_amount(elem, where, f"TxDtls/{path}")
    return None


def _fx(details: Element | None, n: Names, meta: dict[str, str]) -> None:
    if details is None:
        return
    instructed = find_path(details, n.paths["InstdAmt/Amt"])
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
            _put(meta, key, path_text(exchange, n.paths[tag]))
        break


def _bank_code(codes: Element, n: Names) -> str | None:
    domain = codes.find(n.paths["Domn"][0])
    if domain is None:
        return None
    parts = [own_text(domain.find(n.paths["Cd"][0]))]
    family = domain.find(n.paths["Fmly"][0])
    if family is not None:
        parts.append(own_text(family.find(n.paths["Cd"][0])))
        parts.append(own_text(family.find(n.paths["SubFmlyCd"][0])))
    if not parts[0]:
        return None
    return "/".join(part for part in parts if part)


def _put(meta: dict[str, str], key: str, value: str | None) -> None:
    if value is not None and key not in meta:
        meta[key] = value
