"""The lean records the matcher works on, and their conversion from the core types.

The engine handles a million lines, so it works on small named tuples with
money in integer minor units (exact, and cheap to add and compare), not on
:class:`~ecomrules.money.Money`. :func:`line_record` and :func:`item_record`
build them from :class:`~ecomrules.parsing.model.StatementLine` and
:class:`~ecomrules.ledger.OpenItem`; a bulk loader may build them directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from ecomrules.errors import InexactAmountError, ReconcileError
from ecomrules.ledger import OpenItem
from ecomrules.money import Money
from ecomrules.parsing.model import StatementLine

__all__ = [
    "ItemRecord",
    "LineRecord",
    "item_record",
    "line_record",
    "name_key",
    "normalise_iban",
    "normalise_ibans",
    "normalise_name",
    "normalise_reference",
    "normalise_references",
]

_KEY = str.maketrans(
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    " -/._:#+*\\|,;'\"()[]{}\t\n",
)
_DIGITS = "0123456789"
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_LEGAL_FORMS = frozenset(
    (
        *("sarl", "sa", "sas", "gmbh", "ag", "kg", "ltd", "limited", "llc", "inc"),
        *("bv", "nv", "srl", "spa", "ab", "oy", "as", "co", "corp", "plc"),
    )
)
_NAME_DROP = str.maketrans(dict.fromkeys(".,;:&-/'\"()", " "))


class LineRecord(NamedTuple):
    """A statement line as the matcher sees it; amounts in signed minor units."""

    id: str
    cents: int
    currency: str
    day: int
    """``booked_on`` as a proleptic ordinal (``date.toordinal()``)."""
    references: tuple[str, ...] = ()
    label: str = ""
    name: str = ""
    iban: str = ""
    """The payer's IBAN as :func:`normalise_iban` gives it (no spaces, upper case)."""
    kind: str = "transfer"
    fee: int = 0
    """The PSP fee in minor units (``gross - fee == amount``), 0 for bank lines."""
    payout_id: str = ""


class ItemRecord(NamedTuple):
    """An open item as the matcher sees it; the residual in signed minor units."""

    id: str
    number: str
    partner_id: str
    partner_name: str
    currency: str
    residual: int
    due: int
    """``due_date`` as a proleptic ordinal."""
    reference: str = ""
    order_id: str = ""
    iban: str = ""


def normalise_reference(text: str) -> str:
    """The key references are joined on: upper case, no separators, no leading zeros.

    >>> normalise_reference("inv-000 123/4")
    'INV1234'
    """
    key = text.translate(_KEY)
    if not key.isascii():  # other scripts' digits are not stripped of zeros: the pattern's way
        return _LEADING_ZEROS.sub("", key.upper())
    if "0" not in key:
        return key
    if key.isdigit():
        return key.lstrip("0") or "0"
    head = key.rstrip(_DIGITS)
    if head.isalpha() and head.isascii():
        return head + (key[len(head) :].lstrip("0") or "0")
    return _LEADING_ZEROS.sub("", key)


def normalise_references(texts: Sequence[str]) -> list[str]:
    """:func:`normalise_reference` of each text, in one pass over them all.

    The texts are joined by NUL, translated, upper-cased and stripped of
    leading zeros at once (each step works character by character, and a
    zero run never spans a NUL), then split again.

    >>> normalise_references(["inv-000 123/4", "0007", ""])
    ['INV1234', '7', '']
    """
    if not texts:
        return []
    joined = "\x00".join(texts).translate(_KEY)
    if not joined.isascii():
        joined = joined.upper()
    keys = _LEADING_ZEROS.sub("", joined).split("\x00")
    if len(keys) != len(texts):  # a text held a NUL itself
        return [normalise_reference(text) for text in texts]
    return keys


_IBAN_SEPARATORS = str.maketrans("", "", " -.")


def normalise_iban(text: str) -> str:
    """An IBAN without spaces, dashes or dots, upper case (checked by :mod:`.iban`).

    >>> normalise_iban("fr76 3000-6000.0112 3456 7890 189")
    'FR7630006000011234567890189'
    """
    return text.translate(_IBAN_SEPARATORS).upper()


def normalise_ibans(texts: Sequence[str]) -> list[str]:
    """:func:`normalise_iban` of each text, in one pass over them all.

    The texts are joined by NUL, translated, upper-cased and split again
    (each step works character by character, and ``str.upper`` never makes
    a NUL).

    >>> normalise_ibans(["fr76 3000-6000", "", "de89.3704"])
    ['FR7630006000', '', 'DE893704']
    """
    if not texts:
        return []
    keys = "\x00".join(texts).translate(_IBAN_SEPARATORS).upper().split("\x00")
    if len(keys) != len(texts):  # a text held a NUL itself
        return [normalise_iban(text) for text in texts]
    return keys


_KEY_DROP = str.maketrans({".": None, **dict.fromkeys(",;:&-/'\"()", " ")})


def name_key(text: str) -> str:
    """A party's full name for exact identification: every word kept, legal form included.

    Case, accents, dots and other punctuation and spacing do not count (a
    bank writes ``CREPERIE DUPONT S.A.R.L.``); the words do, so names that
    differ by their legal form or one word have different keys.

    >>> name_key("Crêperie  Dupont-Martin S.A.R.L.") == name_key("CREPERIE DUPONT MARTIN SARL")
    True
    >>> name_key("Atelier Dupont SARL") == name_key("Atelier Dupont SAS")
    False
    """
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(text.translate(_KEY_DROP).casefold().split())


def normalise_name(text: str) -> str:
    """A party name for fuzzy comparison: lower case, punctuation and legal forms removed."""
    words = text.translate(_NAME_DROP).lower().split()
    return " ".join(w for w in words if w not in _LEGAL_FORMS)


def _minor(money: Money, what: str, owner: str) -> int:
    """``money`` in minor units; the error names ``what`` (``"line"``...) and its id."""
    try:
        return money.to_minor_units()
    except InexactAmountError:
        raise ReconcileError(
            f"{what} {owner}: {money} has more decimals than {money.currency.code} allows; "
            "round it before matching"
        ) from None


def line_record(line: StatementLine) -> LineRecord:
    """Build the matcher's record of a statement line."""
    counterparty = line.counterparty
    fee = 0
    if line.fee is not None and line.fee.currency == line.currency:
        fee = _minor(line.fee, "line", f"{line.id} fee")
    references = line.references
    return LineRecord(
        id=line.id,
        cents=_minor(line.amount, "line", line.id),
        currency=line.currency.code,
        day=line.booked_on.toordinal(),
        references=references
        if type(references) is tuple and all(references)
        else tuple(filter(None, references)),
        label=line.label,
        name=(counterparty.name or "") if counterparty else "",
        iban=normalise_iban(counterparty.iban or "") if counterparty else "",
        kind=line.kind.value,
        fee=fee,
        payout_id=line.payout_id or "",
    )


def item_record(item: OpenItem) -> ItemRecord:
    """Build the matcher's record of an open item."""
    return ItemRecord(
        id=item.id,
        number=item.number,
        partner_id=item.partner_id,
        partner_name=item.partner_name,
        currency=item.currency.code,
        residual=_minor(item.residual, "open item", item.id),
        due=item.due_date.toordinal(),
        reference=item.reference or "",
        order_id=item.order_id or "",
        iban=normalise_iban(item.iban or ""),
    )
