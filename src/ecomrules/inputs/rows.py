"""Pydantic row models made from the layouts: one row of a documented file, validated alone.

:func:`row_model` builds the model of a :class:`~ecomrules.inputs.layout.Layout`:
its fields are the layout's columns, and validating a mapping of cells runs
the very conversion the file readers run
(:func:`~ecomrules.inputs.table.convert_record`) and the layout's row rules.
Amounts come out as ints of minor units, like the readers' columns.

>>> from ecomrules.inputs import OpenItemRow
>>> row = OpenItemRow.model_validate({"id": "I-1", "number": "FA-1", "partner_id": "C1",
...     "partner_name": "Acme", "currency": "EUR", "amount": "100.00", "residual": "40.50",
...     "issue_date": "2026-11-02", "due_date": "2026-12-02"})
>>> row.residual, row.due_date
(4050, datetime.date(2026, 12, 2))
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model, model_validator

from ecomrules.inputs.layout import Kind, Layout
from ecomrules.inputs.table import convert_record

__all__ = ["row_model"]

_TYPES: dict[Kind, Any] = {
    Kind.TEXT: str,
    Kind.AMOUNT: int,
    Kind.CURRENCY: str,
    Kind.DATE: date,
    Kind.FLAG: bool,
}


def row_model(layout: Layout, name: str) -> type[BaseModel]:
    """The pydantic model of one row of ``layout``, named ``name``."""

    class _Row(BaseModel):
        model_config = ConfigDict(frozen=True)

        @model_validator(mode="before")
        @classmethod
        def _by_layout(cls, data: Any) -> Any:
            if not isinstance(data, dict):
                raise ValueError(f"a row of {layout.name} is a mapping of column names")
            values, problems = convert_record(layout, data)
            if not problems:
                columns = {key: [value] for key, value in values.items()}
                problems = [
                    (rule.column, rule.message) for rule in layout.rules if rule.bad(columns)
                ]
            if problems:
                raise ValueError("; ".join(f"column {c!r}: {m}" if c else m for c, m in problems))
            return values

    fields: dict[str, Any] = {}
    for column in layout.columns:
        annotation: Any = column.choices if column.kind is Kind.CHOICE else _TYPES[column.kind]
        if column.required:
            fields[column.name] = (annotation, ...)
        else:
            fields[column.name] = (annotation | None, column.default)
    model: type[BaseModel] = create_model(name, __base__=_Row, __module__=__name__, **fields)
    model.__doc__ = f"One row of ``{layout.name}`` (made from its layout)."
    return model
