"""Lines of the bank parsers' hot loops, built without re-checking typed values.

attrs' generated ``__init__`` of the 19-field :class:`StatementLine` costs
about as much as reading a CSV row. :func:`make_line` takes the fields a bank
line has (no gross, fee or payout) and builds it with
:meth:`StatementLine._trusted`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Final

from ecomrules.money import Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

__all__ = ["make_line"]

_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})


def make_line(
    line_id: str,
    kind: LineKind,
    booked_on: date,
    amount: Money,
    label: str,
    references: tuple[str, ...],
    counterparty: Counterparty | None,
    booked_at: datetime | None,
    value_date: date | None,
    raw: str,
    location: SourceLocation | None,
    *,
    transaction_id: str | None = None,
    parent_id: str | None = None,
    metadata: Mapping[str, str] = _EMPTY,
) -> StatementLine:
    """A :class:`StatementLine` with the given fields and the others at their defaults.

    ``metadata`` is stored read-only and not copied: hand over a mapping the
    caller no longer changes.
    """
    return StatementLine._trusted(
        line_id,
        kind,
        booked_on,
        amount,
        label,
        references,
        counterparty,
        booked_at,
        value_date,
        None,
        None,
        None,
        None,
        transaction_id,
        parent_id,
        None,
        metadata,
        raw,
        location,
    )
