"""The sender of the letters: who the shop is and how a customer pays it.

A letter a shop can send names the company (name, address, registration and
VAT numbers), says how to pay (IBAN, BIC and the reference to quote) and is
signed by someone. :class:`Sender` holds that; build it in code or load it
from a TOML or JSON file with :func:`load_sender`, validated like the policy
files (every problem at once, each at its ``$.path``).

The payment reference is a rule, not a fixed text: a pattern whose fields
``{customer_id}``, ``{invoices}`` (the notice's invoice numbers joined with
``/``) and ``{notice}`` (the notice's short key) are filled in per letter, so
that the payment the customer makes can be matched back by reconciliation.
The IBAN is checked (ISO 13616 mod-97) and the BIC's shape too: a typo there
sends money elsewhere.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ecomrules.config_file import read_config_file, validation_problems
from ecomrules.errors import ConfigError, ConfigProblem

__all__ = [
    "REFERENCE_FIELDS",
    "Sender",
    "SenderDocument",
    "check_bic",
    "check_iban",
    "load_sender",
    "sender_from_document",
]

REFERENCE_FIELDS = frozenset({"customer_id", "invoices", "notice"})
"""The fields a payment reference rule may use."""

_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def check_iban(text: str) -> str:
    """Return the IBAN without spaces, upper case; raise ``ValueError`` unless it is valid.

    >>> check_iban("fr76 3000 6000 0112 3456 7890 189")
    'FR7630006000011234567890189'
    >>> check_iban("FR76 3000 6000 0112 3456 7890 188")
    Traceback (most recent call last):
    ...
    ValueError: IBAN check digits do not match (a typing error?)
    """
    compact = text.replace(" ", "").upper()
    if not _IBAN.fullmatch(compact):
        raise ValueError("is not an IBAN (country, 2 check digits, up to 30 letters or digits)")
    moved = compact[4:] + compact[:4]
    if int("".join(str(int(char, 36)) for char in moved)) % 97 != 1:
        raise ValueError("IBAN check digits do not match (a typing error?)")
    return compact


def check_bic(text: str) -> str:
    """Return the BIC upper case; raise ``ValueError`` unless it has 8 or 11 characters."""
    compact = text.replace(" ", "").upper()
    if not _BIC.fullmatch(compact):
        raise ValueError("is not a BIC (8 or 11 letters and digits: bank, country, place)")
    return compact


def check_reference_rule(rule: str) -> str:
    """Return ``rule``; raise ``ValueError`` when it uses a field that does not exist."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(rule) if name is not None]
    except ValueError as exc:
        raise ValueError(f"is not a reference pattern: {exc}") from None
    unknown = sorted({name for name in fields if name not in REFERENCE_FIELDS})
    if unknown:
        known = ", ".join("{" + name + "}" for name in sorted(REFERENCE_FIELDS))
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {known}")
    return rule


def _checked(path: str, check: Callable[[str], str], value: str | None) -> str | None:
    """Check ``value`` for an attrs field; a failure is a ConfigError at ``path``."""
    if value is None:
        return None
    try:
        return check(value)
    except ValueError as exc:
        raise ConfigError("<sender>", [ConfigProblem(path, str(exc))]) from None


def _iban_field(value: str | None) -> str | None:
    return _checked("$.payment.iban", check_iban, value)


def _bic_field(value: str | None) -> str | None:
    return _checked("$.payment.bic", check_bic, value)


def _reference_field(value: str) -> str:
    return _checked("$.payment.reference", check_reference_rule, value) or value


def _lines(value: Sequence[str] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@frozen
class Sender:
    """The company that sends the letters, its bank details and signature.

    A bad IBAN, BIC or reference rule raises :class:`~ecomrules.errors.ConfigError`
    at the field's path in the sender file (``$.payment.iban``).

    ``address`` and ``signature`` are lines. ``payment_reference`` is the rule
    for the reference a customer quotes (see the module). ``logo`` is an image
    URL or file path shown at the top of the HTML letter and the PDF (a local
    file only).
    """

    name: str
    address: tuple[str, ...] = field(default=(), converter=_lines)
    registration: str | None = None
    vat_id: str | None = None
    iban: str | None = field(default=None, converter=_iban_field)
    bic: str | None = field(default=None, converter=_bic_field)
    payment_reference: str = field(default="{invoices}", converter=_reference_field)
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    signature: tuple[str, ...] = field(default=(), converter=_lines)
    logo: str | None = None

    def reference_for(self, customer_id: str, invoices: Sequence[str], notice: str) -> str:
        """Return the payment reference for one letter."""
        return self.payment_reference.format(
            customer_id=customer_id, invoices="/".join(invoices), notice=notice
        )


class _Payment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    iban: str | None = None
    bic: str | None = None
    reference: str = "{invoices}"

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        return None if value is None else check_iban(value)

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        return None if value is None else check_bic(value)

    @field_validator("reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        return check_reference_rule(value)


class _Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = None
    phone: str | None = None
    website: str | None = None


class SenderDocument(BaseModel):
    """The sender file's layout (TOML or JSON); see the reference page for each field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    address: list[str] = []
    registration: str | None = None
    vat_id: str | None = None
    payment: _Payment = _Payment()
    contact: _Contact = _Contact()
    signature: list[str] = []
    logo: str | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value


def sender_from_document(data: Any, *, source: str = "<sender>") -> Sender:
    """Validate a parsed sender document and return the :class:`Sender`."""
    try:
        doc = SenderDocument.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, validation_problems(exc, data)) from None
    return Sender(
        name=doc.name,
        address=tuple(doc.address),
        registration=doc.registration,
        vat_id=doc.vat_id,
        iban=doc.payment.iban,
        bic=doc.payment.bic,
        payment_reference=doc.payment.reference,
        email=doc.contact.email,
        phone=doc.contact.phone,
        website=doc.contact.website,
        signature=tuple(doc.signature),
        logo=doc.logo,
    )


def load_sender(path: str | Path) -> Sender:
    """Read a sender profile from a ``.toml`` (or ``.json``) file.

    A relative ``logo`` path is taken from the file's folder.
    """
    file = Path(path)
    sender = sender_from_document(read_config_file(file), source=str(file))
    if sender.logo and "://" not in sender.logo and not Path(sender.logo).is_absolute():
        from attrs import evolve

        sender = evolve(sender, logo=str(file.parent / sender.logo))
    return sender
