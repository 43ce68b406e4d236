"""The words of PayPal's Activity download in English, Spanish, French and German:
column names, transaction types and balance impacts.

Column names are matched case-insensitively with inner spaces collapsed. The
transaction type is free text in the account's language; its kind is found by
the keywords below, tried in order, so ``Payment Hold`` is a hold and
``Chargeback Fee`` a fee.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecomrules.parsing.model import LineKind

__all__ = ["COLUMNS", "LANGUAGE_OF_GROSS", "is_memo", "kind_of_type"]

COLUMNS: Mapping[str, tuple[str, ...]] = {
    "date": ("Date", "Fecha", "Datum"),
    "time": ("Time", "Hora", "Heure", "Uhrzeit"),
    "zone": ("TimeZone", "Time Zone", "Zona horaria", "Fuseau horaire", "Zeitzone"),
    "name": ("Name", "Nombre", "Nom"),
    "type": ("Type", "Description", "Tipo", "Descripción", "Typ", "Beschreibung"),
    "status": ("Status", "Estado", "État", "Etat"),
    "currency": ("Currency", "Divisa", "Moneda", "Devise", "Währung"),
    "gross": ("Gross", "Bruto", "Brut", "Brutto"),
    "fee": ("Fee", "Comisión", "Tarifa", "Frais", "Gebühr", "Entgelt"),
    "net": ("Net", "Neto", "Netto"),
    "from_email": (
        "From Email Address",
        "Correo electrónico del remitente",
        "De l'adresse email",
        "Absender E-Mail-Adresse",
    ),
    "to_email": (
        "To Email Address",
        "Correo electrónico del destinatario",
        "À l'adresse email",
        "Empfänger E-Mail-Adresse",
    ),
    "id": ("Transaction ID", "Id. de transacción", "Numéro de transaction", "Transaktionscode"),
    "reference": (
        "Reference Txn ID",
        "Id. de referencia de trans.",
        "Numéro de la transaction de référence",
        "Zugehöriger Transaktionscode",
    ),
    "invoice": (
        "Invoice Number",
        "Invoice ID",
        "Id. de factura",
        "Número de factura",
        "Numéro de facture",
        "Rechnungsnummer",
    ),
    "balance": ("Balance", "Saldo", "Solde", "Guthaben"),
    "subject": ("Subject", "Asunto", "Objet", "Betreff"),
    "impact": (
        "Balance Impact",
        "Impacto en el saldo",
        "Impact sur le solde",
        "Auswirkung auf Guthaben",
    ),
}
"""Each field and its header in English, Spanish, French and German."""

LANGUAGE_OF_GROSS: Mapping[str, str] = {
    "gross": "en",
    "bruto": "es",
    "brut": "fr",
    "brutto": "de",
}
"""The file's language (hence its number format), told by the gross column's name."""

_KINDS: tuple[tuple[LineKind, tuple[str, ...]], ...] = (
    (
        LineKind.FX_CONVERSION,
        ("currency conversion", "conversión de divisa", "conversion de devise", "umrechnung"),
    ),
    (
        LineKind.PAYOUT,
        ("withdrawal", "retiro", "retirada", "retrait", "virement", "abbuchung", "auszahlung"),
    ),
    (LineKind.FEE, ("fee", "comisión", "tarifa", "frais", "gebühr", "entgelt")),
    (LineKind.REFUND, ("refund", "reembolso", "remboursement", "rückzahlung", "erstattung")),
    (
        LineKind.CHARGEBACK,
        ("chargeback", "reversal", "contracargo", "rétrofacturation", "rückbuchung"),
    ),
    (
        LineKind.RESERVE,
        ("hold", "retención", "blocage", "réserve", "einbehalt", "zurückbehalt"),
    ),
    (LineKind.TRANSFER, ("deposit", "depósito", "dépôt", "einzahlung", "transfer")),
)
_MEMO = frozenset({"memo", "nota", "mémo", "notiz"})


def kind_of_type(type_text: str, money_in: bool) -> LineKind:
    """The kind of a transaction type; other types are payments (charge in, transfer out)."""
    text = type_text.lower()
    for kind, words in _KINDS:
        if any(word in text for word in words):
            return kind
    return LineKind.CHARGE if money_in else LineKind.TRANSFER


def is_memo(impact: str) -> bool:
    """Whether a ``Balance Impact`` value says the row does not move the balance."""
    return impact.strip().lower() in _MEMO
