"""``dunning-levels.csv``: the highest dunning level each customer has reached.

The credit check reads it as given (``customer_id,level``) until the levels
come from the dunning history itself.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ecomrules.inputs.reader import read_rows, unique_ids

__all__ = ["DunningLevelRow", "read_dunning_levels"]


class DunningLevelRow(BaseModel):
    """One row: a customer and the highest dunning level it has reached."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: str
    level: int = Field(ge=0)


def read_dunning_levels(path: str | Path, *, encoding: str = "utf-8") -> dict[str, int]:
    """Read ``customer_id -> level``; every bad row is reported in one ``InputError``."""
    name = Path(path).name
    rows = read_rows(
        path,
        DunningLevelRow,
        check=lambda rows: unique_ids(name, rows, "customer_id"),
        encoding=encoding,
    )
    return {row.customer_id: row.level for _, row in rows}
