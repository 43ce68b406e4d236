from pathlib import Path

import pytest

from ecomrules.errors import InputError
from ecomrules.reconcile.bulk import read_item_records, read_line_records


def test_lines_in_the_default_layout(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(
        "id,booking_date,amount,currency,counterparty,iban,label,reference\n"
        "L1,2026-11-05,1250.00,EUR,Martin,fr76 3000 6000,VIR,RF18539007547034\n"
        "L2,2026-11-06,-7,JPY,,,,\n",
        encoding="utf-8",
    )
    first, second = read_line_records(path)
    assert first.cents == 125000
    assert first.iban == "FR7630006000"
    assert first.references == ("RF18539007547034",)
    assert second.cents == -7
    assert second.references == ()


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "open-items.csv"
    path.write_text(
        "id,number,partner_id,partner_name,currency,residual,due_date\n"
        "A,INV-1,C1,Alpha,EUR,10.005,2026-11-01\n"
        "B,INV-2,C1,Alpha,EUR,1.234,2026-02-30\n"
        "C,INV-3,C1,Alpha,EUR,1e3,2026-11-01\n"
        "D,INV-4,C1,Alpha,EUR,12.50,2026-11-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_item_records(path)
    assert caught.value.problems == (
        "open-items.csv:2: column 'residual': '10.005' has more than 2 decimal(s) for EUR",
        "open-items.csv:3: column 'residual': '1.234' has more than 2 decimal(s) for EUR",
        "open-items.csv:4: column 'residual': '1e3' is not a plain decimal (like -12.30)",
    )


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text("id,amount\nL1,1.00\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_line_records(path)
