"""The columns of PayPal's section bodies (``SB``) that the STL and TRR parsers read.

Each field and the name it has in the ``CH`` record; names are compared with
case ignored and inner spaces collapsed (older TRR headers have double spaces).
The ``SB`` record may hold more columns: they stay in the line's raw text.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["COLUMNS", "RECORDS", "REQUIRED"]

COLUMNS: Mapping[str, tuple[str, ...]] = {
    "id": ("Transaction ID",),
    "invoice": ("Invoice ID",),
    "reference": ("PayPal Reference ID",),
    "reference_type": ("PayPal Reference ID Type",),
    "event": ("Transaction Event Code",),
    "initiated": ("Transaction Initiation Date",),
    "completed": ("Transaction Completion Date",),
    "direction": ("Transaction Debit or Credit",),
    "gross": ("Gross Transaction Amount",),
    "currency": ("Gross Transaction Currency",),
    "fee_direction": ("Fee Debit or Credit",),
    "fee": ("Fee Amount",),
    "fee_currency": ("Fee Currency",),
    "custom": ("Custom Field",),
    "status": ("Transactional Status",),
    "subject": ("Transaction Subject",),
    "item": ("Item Name",),
    "payer": ("Payer's Account ID",),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "business": ("Consumer Business Name",),
    "bank_reference": ("Bank Reference ID",),
}
"""Each field read and its name in the ``CH`` record."""

REQUIRED = ("id", "event", "direction", "gross", "currency")
"""The fields without which a column header is refused."""

RECORDS = frozenset({"RH", "FH", "SH", "CH", "SB", "SF", "SC", "RF", "RC", "FF"})
"""The record types of the envelope."""
