"""``open-items.csv``: invoices, credit notes and orders still open."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from ecomrules.gcpause import paused_collector
from ecomrules.inputs.fields import Amount, CurrencyCode, IsoDate
from ecomrules.inputs.reader import read_rows, unique_ids
from ecomrules.ledger import ItemStatus, OpenItem
from ecomrules.money import Currency, Money

__all__ = ["OpenItemRow", "read_open_items"]


class OpenItemRow(BaseModel):
    """One row of ``open-items.csv``; see the input file reference for each column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    number: str
    partner_id: str
    partner_name: str
    currency: CurrencyCode
    amount: Amount
    residual: Amount
    issue_date: IsoDate
    due_date: IsoDate
    reference: str | None = None
    order_id: str | None = None
    iban: str | None = None
    status: ItemStatus = ItemStatus.OPEN
    promise_until: IsoDate | None = None
    partner_vat: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> OpenItemRow:
        if self.due_date < self.issue_date:
            raise ValueError("due_date is before issue_date")
        if self.status is ItemStatus.PROMISED and self.promise_until is None:
            raise ValueError("status 'promised' needs promise_until")
        if (self.amount >= 0) != (self.residual >= 0) and self.residual != 0:
            raise ValueError("residual and amount have opposite signs")
        if abs(self.residual) > abs(self.amount):
            raise ValueError("residual is larger than amount")
        return self

    def to_domain(self) -> OpenItem:
        """Return the core :class:`~ecomrules.ledger.OpenItem`."""
        currency = Currency.of(self.currency)  # amounts are finite Decimals: no converter
        return OpenItem(
            id=self.id,
            number=self.number,
            partner_id=self.partner_id,
            partner_name=self.partner_name,
            amount=Money._trusted(self.amount, currency),
            residual=Money._trusted(self.residual, currency),
            issue_date=self.issue_date,
            due_date=self.due_date,
            reference=self.reference,
            order_id=self.order_id,
            iban=self.iban,
            status=self.status,
            promise_until=self.promise_until,
            partner_vat=self.partner_vat,
        )


@paused_collector()
def read_open_items(path: str | Path) -> list[OpenItem]:
    """Read ``open-items.csv`` (or ``.jsonl``); every bad row is reported in one ``InputError``."""
    name = Path(path).name
    rows = read_rows(path, OpenItemRow, check=lambda rows: unique_ids(name, rows))
    return [row.to_domain() for _, row in rows]
