"""Processors for the ``:86:`` information field, one per bank dialect.

Each processor takes the field's physical lines and returns :class:`Details`
(label, references, counterparty, metadata), or ``None`` when the text is not
its dialect; :data:`PROCESSORS` is tried in order and the free-text reader
takes what none claims. Add a dialect by adding a function to the list.

- German DFÜ / GVC (``166?00UEBERWEISUNG?20SVWZ+...?32Name``), with the SEPA
  keywords ``EREF+ KREF+ MREF+ CRED+ SVWZ+ ABWA+`` inside the purpose
  (``?20``-``?29``, ``?60``-``?63``); Triodos writes ``>`` for ``?``.
- Dutch SEPA tags (``/TRTP/.../IBAN/.../NAME/.../REMI/.../EREF/...``, ING's
  ``/CNTP/iban/bic/name/city/`` and ``/REMI/USTD//text/``, Mollie's ``tr_`` ids in EREF).
- ABN AMRO SEPA text (``SEPA IDEAL  IBAN: .. BIC: .. NAAM: .. OMSCHRIJVING: ..``).
- mBank (Poland): ``;``-separated ``ID IPH:``, ``Z RACH.:``, ``OD:``, ``TYT.:``, ``TNR:``.
- Free text (ABN AMRO classic, Raiffeisen HU, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from attrs import frozen

from ecomrules.parsing.model import Counterparty

__all__ = ["PROCESSORS", "Details", "read_details"]

_LINE_WIDTH = 65
_NO_REF = frozenset({"", "NONREF", "NOTPROVIDED", "EREF", "PREF", "KREF", "NONE"})


@frozen
class Details:
    """What an ``:86:`` field says about its line."""

    label: str
    references: tuple[str, ...] = ()
    counterparty: Counterparty | None = None
    metadata: tuple[tuple[str, str], ...] = ()


def _party(
    name: str | None, iban: str | None = None, bic: str | None = None, account: str | None = None
) -> Counterparty | None:
    values = [v.strip() or None if v is not None else None for v in (name, iban, bic, account)]
    if not any(values):
        return None
    name_, iban_, bic_, account_ = values
    if iban_ is not None and not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", iban_):
        account_, iban_ = account_ or iban_, None
    return Counterparty(name=name_, iban=iban_, bic=bic_, account=account_)


def _refs(*values: str | None) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        text = (value or "").strip()
        if text.upper() not in _NO_REF and text not in seen:
            seen.append(text)
    return tuple(seen)


# -- German GVC / DFÜ -------------------------------------------------------------

_GVC = re.compile(r"^([0-9]{3})?\?[0-9][0-9]")
_TRIODOS = re.compile(r"^[0-9]{3}>[0-9][0-9]")
_SEPA_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|OAMT|COAM|BREF|RREF)\+")


def gvc_details(lines: Sequence[str]) -> Details | None:
    """German ``GVC?00...?20...?32...`` (and Triodos ``000>10...``) structured details."""
    text = "".join(lines)
    head = _GVC.match(text)
    if head is None:
        return None
    code = head.group(1)
    parts = _subfields(text, "?")
    purpose = "".join(parts.get(f"{n}", "") for n in [*range(20, 30), *range(60, 64)])
    keywords: dict[str, str] = {}
    pieces = _SEPA_KEYWORD.split(purpose)
    free = pieces[0].strip()
    for key, value in zip(pieces[1::2], pieces[2::2], strict=True):
        keywords[key] = (keywords.get(key, "") + " " + value.strip()).strip()
    metadata = [("gvc", code)] if code else []
    for key, name in (("00", "posting_text"), ("10", "primanota"), ("34", "text_key_extension")):
        if parts.get(key, "").strip():
            metadata.append((name, parts[key].strip()))
    for key, name in (
        ("CRED", "creditor_id"),
        ("ABWA", "ultimate_debtor"),
        ("ABWE", "ultimate_creditor"),
        ("OAMT", "original_amount"),
        ("COAM", "compensation_amount"),
        ("DEBT", "debtor_id"),
    ):
        if key in keywords:
            metadata.append((name, keywords[key]))
    label = keywords.get("SVWZ") or free or purpose.strip() or parts.get("00", "").strip()
    party = _party(
        (parts.get("32", "") + parts.get("33", "")) or None,
        parts.get("31"),
        parts.get("30"),
    )
    if party is not None and party.bic is not None and party.bic.isdigit():
        metadata.append(("counterparty_bank_code", party.bic))
        party = _party(party.name, party.iban, None, party.account)
    return Details(
        label=label,
        references=_refs(keywords.get("EREF"), keywords.get("KREF"), keywords.get("MREF")),
        counterparty=party,
        metadata=tuple(metadata),
    )


def _subfields(text: str, mark: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for match in re.finditer(re.escape(mark) + r"([0-9][0-9])([^" + re.escape(mark) + r"]*)", text):
        parts[match.group(1)] = parts.get(match.group(1), "") + match.group(2)
    return parts


def triodos_details(lines: Sequence[str]) -> Details | None:
    """Triodos ``000>10...>20BIC>21IBAN>22-29 name and text>31 own account``."""
    text = "".join(lines)
    if _TRIODOS.match(text) is None:
        return None
    parts = _subfields(text, ">")
    label = "".join(parts.get(str(n), "") for n in range(22, 30)).strip()
    metadata = [("transaction_code", text[:3])]
    if parts.get("31", "").strip():
        metadata.append(("own_account", parts["31"].strip()))
    return Details(
        label=label,
        counterparty=_party(None, parts.get("21"), parts.get("20")),
        metadata=tuple(metadata),
    )


# -- Dutch SEPA tags -----------------------------------------------------------------

_NL_KEYS = (
    "TRTP|IBAN|BIC|NAME|REMI|EREF|MARF|CSID|RTRN|PREF|CNTP|ORDP|BENM|ADDR|ISDT|ID|ULTC|ULTD|"
    "ULTB|PURP|SVCL|CREF|OCMT|CHGS|EXCH|BUSP|BENM"
)
_NL_KEY = re.compile(rf"/({_NL_KEYS})/")
_REMI_PREFIX = re.compile(r"^(USTD//|STRD/CUR/|STRD/ISO/|STRD//|USTD/)")


def sepa_tag_details(lines: Sequence[str]) -> Details | None:
    """Dutch ``/TRTP/ /NAME/ /REMI/ /EREF/`` structured details (ING, ABN, Rabo, Mollie)."""
    text = "".join(lines)
    if not text.startswith("/") and "/TRTP/" not in text:
        return None
    matches = list(_NL_KEY.finditer(text))
    if not matches or (matches[0].start() != 0 and not text.startswith("/")):
        return None
    values: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = len(text) if following is None else following.start()
        value = text[match.end() : end].rstrip("/").strip()
        key = match.group(1)
        if value and key not in values:
            values[key] = value
    name, iban, bic = values.get("NAME"), values.get("IBAN"), values.get("BIC")
    if "CNTP" in values:
        cntp = [*values["CNTP"].split("/"), "", "", ""]
        iban, bic, name = iban or cntp[0], bic or cntp[1], name or cntp[2]
    remi = _REMI_PREFIX.sub("", values.get("REMI", "")).rstrip("/")
    metadata = [
        (label, values[key])
        for key, label in (
            ("TRTP", "transaction_type"),
            ("MARF", "mandate"),
            ("CSID", "creditor_id"),
            ("RTRN", "return_reason"),
            ("ADDR", "counterparty_address"),
            ("ISDT", "instruction_date"),
            ("ID", "counterparty_id"),
            ("PURP", "purpose"),
        )
        if key in values
    ]
    return Details(
        label=remi or values.get("TRTP", ""),
        references=_refs(values.get("EREF"), values.get("PREF")),
        counterparty=_party(name, iban, bic),
        metadata=tuple(metadata),
    )


# -- ABN AMRO SEPA text ------------------------------------------------------------------

_ABN_KEY = re.compile(
    r"(?:^|(?<=\s))(IBAN|BIC|NAAM|OMSCHRIJVING|KENMERK|BETALINGSKENM\.|MACHTIGING|INCASSANT"
    r"|ID DEBITEUR|ID BEGUNSTIGDE):\s?"
)


def abn_sepa_details(lines: Sequence[str]) -> Details | None:
    """ABN AMRO ``SEPA ...  IBAN: .. BIC: .. NAAM: .. OMSCHRIJVING: .. KENMERK: ..`` text."""
    text = free_details(lines).label
    if not text.startswith("SEPA ") or _ABN_KEY.search(text) is None:
        return None
    matches = list(_ABN_KEY.finditer(text))
    values: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = len(text) if following is None else following.start()
        values.setdefault(match.group(1), text[match.end() : end].strip())
    metadata = [("posting_text", text[: matches[0].start()].strip())]
    for key, name in (
        ("MACHTIGING", "mandate"),
        ("INCASSANT", "creditor_id"),
        ("ID DEBITEUR", "debtor_id"),
        ("ID BEGUNSTIGDE", "creditor_party_id"),
    ):
        if values.get(key):
            metadata.append((name, values[key]))
    return Details(
        label=values.get("OMSCHRIJVING", "") or metadata[0][1],
        references=_refs(values.get("BETALINGSKENM."), values.get("KENMERK")),
        counterparty=_party(values.get("NAAM"), values.get("IBAN"), values.get("BIC")),
        metadata=tuple(m for m in metadata if m[1]),
    )


# -- Polish mBank ---------------------------------------------------------------------

_MBANK = re.compile(r"^[0-9]{3} [^;]*;")
_MBANK_KEYS = {
    "ID IPH": "reference",
    "TNR": "reference",
    "Z RACH.": "account",
    "NA RACH.": "account",
    "OD": "name",
    "DO": "name",
    "TYT.": "label",
}


def mbank_details(lines: Sequence[str]) -> Details | None:
    """mBank (Poland): ``NNN DESCRIPTION; ID IPH: ..; Z RACH.: ..; OD: ..; TYT.: ..; TNR: ..``."""
    text = free_details(lines).label
    if _MBANK.match(text) is None:
        return None
    parts = [part.strip() for part in text.split(";")]
    found: dict[str, list[str]] = {}
    metadata = [("transaction_code", text[:3]), ("posting_text", parts[0][4:].strip())]
    for part in parts[1:]:
        key, colon, value = part.partition(":")
        role = _MBANK_KEYS.get(key.strip()) if colon else None
        if role is None:
            metadata.append(("details", part))
        elif value.strip():
            found.setdefault(role, []).append(value.strip())
    name, account = found.get("name", [None])[0], found.get("account", [None])[0]
    return Details(
        label=" ".join(found.get("label", [])) or parts[0][4:].strip(),
        references=_refs(*found.get("reference", [])),
        counterparty=_party(name, account),
        metadata=tuple(m for m in metadata if m[1]),
    )


# -- free text -----------------------------------------------------------------------


def free_details(lines: Sequence[str]) -> Details:
    """Unstructured text; a full-width line (65 characters) was wrapped mid-word."""
    parts: list[str] = []
    for index, line in enumerate(lines):
        if index and len(lines[index - 1]) < _LINE_WIDTH:
            parts.append(" ")
        parts.append(line)
    return Details(label="".join(parts).strip())


PROCESSORS: list[Callable[[Sequence[str]], Details | None]] = [
    gvc_details,
    triodos_details,
    sepa_tag_details,
    abn_sepa_details,
    mbank_details,
]
"""The structured dialects, tried in order before free text."""


def read_details(lines: Sequence[str]) -> Details:
    """Return the details of an ``:86:`` field's lines with the first processor that fits."""
    for processor in PROCESSORS:
        found = processor(lines)
        if found is not None:
            return found
    return free_details(lines)
