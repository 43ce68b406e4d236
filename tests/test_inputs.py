"""Tabular inputs: every bad row reported together, with file, line and column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules import Money
from ecomrules.errors import InputError
from ecomrules.inputs import read_customers, read_open_items
from ecomrules.ledger import ItemStatus

HEADER = (
    "id,number,partner_id,partner_name,currency,amount,residual,"
    "issue_date,due_date,status,promise_until\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_open_items_into_core_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "open-items.csv",
        HEADER + "I1,F-1,C1,Ann,eur,100.50,40.25,2026-10-01,2026-10-31,promised,2026-12-01\n",
    )
    (item,) = read_open_items(path)
    assert item.residual == Money(Decimal("40.25"), "EUR")
    assert item.status is ItemStatus.PROMISED
    assert item.reference is None


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "open-items.csv",
        HEADER
        + "I1,F-1,C1,Ann,EUR,100,100,2026-10-01,2026-02-30,,\n"
        + "I2,F-2,C1,Ann,EUR,1.5e,1,2026-10-01,2026-10-31,,\n"
        + "I3,F-3,C1,Ann,XYZ,1,1,2026-10-01,2026-10-31,,\n"
        + "I4,F-4,C1,Ann,EUR,10,20,2026-10-01,2026-10-31,,\n"
        + "I5,F-5,C1,Ann,EUR,10,5,2026-10-01,2026-10-31,promised,\n"
        + "I6,F-6,C1,Ann,EUR,10,5,2026-10-01,2026-10-31,lost,\n",
    )
    with pytest.raises(InputError) as caught:
        read_open_items(path)
    problems = caught.value.problems
    assert problems[0] == (
        "open-items.csv:2: column 'due_date': '2026-02-30' is not a date (YYYY-MM-DD)"
    )
    assert problems[1] == (
        "open-items.csv:3: column 'amount': '1.5e' is not a plain decimal "
        "(like -12.30; no exponent, no separators)"
    )
    assert problems[2] == (
        "open-items.csv:4: column 'currency': 'XYZ' is not an ISO 4217 currency code"
    )
    assert problems[3] == "open-items.csv:5: column 'residual': is larger than amount"
    assert problems[4] == (
        "open-items.csv:6: column 'promise_until': missing: status 'promised' needs promise_until"
    )
    assert problems[5].startswith("open-items.csv:7: column 'status': 'lost'")
    assert len(problems) == 6


def test_duplicate_ids_and_unknown_columns(tmp_path: Path) -> None:
    dup = write(
        tmp_path,
        "customers.csv",
        "id,name,currency\nC1,Ann,EUR\nC1,Bob,EUR\n",
    )
    with pytest.raises(InputError, match=r"customers.csv:3: column 'id': 'C1' repeats line 2"):
        read_customers(dup)
    extra = write(tmp_path, "c2.csv", "id,name,currency,colour\nC1,Ann,EUR,red\n")
    with pytest.raises(InputError, match=r"c2.csv:1: unknown column 'colour'"):
        read_customers(extra)


def test_json_lines_refuse_float_amounts(tmp_path: Path) -> None:
    good = write(
        tmp_path,
        "customers.jsonl",
        '{"id": "C1", "name": "Ann", "currency": "EUR", "credit_limit": "500.00", "b2b": false}\n',
    )
    (customer,) = read_customers(good)
    assert customer.credit_limit == Money("500.00", "EUR")
    assert customer.b2b is False
    bad = write(
        tmp_path,
        "bad.jsonl",
        '{"id": "C1", "name": "Ann", "currency": "EUR", "credit_limit": 500.1}\n',
    )
    with pytest.raises(
        InputError,
        match=r"bad.jsonl:1: column 'credit_limit': '500.1' is a JSON number with a fraction",
    ):
        read_customers(bad)


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_customers(tmp_path / "absent.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,name,currency\nC1,Cr\xe9dit,EUR\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.csv:2: not UTF-8 .*; try --encoding latin-1"):
        read_customers(latin)
    (customer,) = read_customers(latin, encoding="latin-1")
    assert customer.name == "Crédit"


def test_row_with_too_many_values(tmp_path: Path) -> None:
    path = write(tmp_path, "customers.csv", "id,name,currency\nC1,Ann,EUR,oops\n")
    with pytest.raises(InputError, match=r"customers.csv:2: 4 value\(s\), the header has 3"):
        read_customers(path)


def test_an_amount_given_as_a_decimal_must_be_finite() -> None:
    from pydantic import ValidationError

    from ecomrules.inputs import OpenItemRow

    fields = {
        "id": "I1",
        "number": "INV-1",
        "partner_id": "P1",
        "partner_name": "Acme",
        "currency": "EUR",
        "amount": Decimal("10"),
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
    }
    row = OpenItemRow.model_validate({**fields, "residual": Decimal("10")})
    assert row.residual == 1000  # type: ignore[attr-defined]  # minor units, as the readers
    with pytest.raises(ValidationError, match="not a finite decimal"):
        OpenItemRow.model_validate({**fields, "residual": Decimal("NaN")})
