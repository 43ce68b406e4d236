"""``customers.csv``: who the customers are, their credit limit and contact."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ecomrules.gcpause import paused_collector
from ecomrules.inputs.fields import Amount, CurrencyCode, Flag, IsoDate
from ecomrules.inputs.reader import read_rows, unique_ids
from ecomrules.ledger import Customer
from ecomrules.money import Money

__all__ = ["CustomerRow", "read_customers"]


class CustomerRow(BaseModel):
    """One row of ``customers.csv``; see the input file reference for each column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    currency: CurrencyCode
    credit_limit: Amount | None = None
    group_id: str | None = None
    tier: str | None = None
    warning_message: str | None = None
    blocking_message: str | None = None
    created_on: IsoDate | None = None
    b2b: Flag = True
    email: str | None = None
    language: str = "en"
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None

    def address(self) -> tuple[str, ...]:
        """The address lines for a letter: street lines, postal code and city, country."""
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = (self.address_line1, self.address_line2, town, self.country)
        return tuple(part for part in parts if part)

    def to_domain(self) -> Customer:
        """Return the core :class:`~ecomrules.ledger.Customer`."""
        return Customer(
            id=self.id,
            name=self.name,
            currency=self.currency,
            credit_limit=None
            if self.credit_limit is None
            else Money(self.credit_limit, self.currency),
            group_id=self.group_id,
            tier=self.tier,
            warning_message=self.warning_message,
            blocking_message=self.blocking_message,
            created_on=self.created_on,
            b2b=self.b2b,
            email=self.email,
            language=self.language,
            address=self.address(),
        )


@paused_collector()
def read_customers(path: str | Path) -> list[Customer]:
    """Read ``customers.csv`` (or ``.jsonl``); every bad row is reported in one ``InputError``."""
    name = Path(path).name
    rows = read_rows(path, CustomerRow, check=lambda rows: unique_ids(name, rows))
    return [row.to_domain() for _, row in rows]
