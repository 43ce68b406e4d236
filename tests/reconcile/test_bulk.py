"""The matcher's records read straight from the documented layouts."""

from pathlib import Path

import pytest

from ecomrules.errors import InputError
from ecomrules.inputs import read_open_items
from ecomrules.reconcile import item_record
from ecomrules.reconcile.bulk import read_item_records, read_line_records

ITEMS_HEADER = "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date"


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
        f"{ITEMS_HEADER}\n"
        "A,INV-1,C1,Alpha,EUR,10.005,10.005,2026-10-01,2026-11-01\n"
        "B,INV-2,C1,Alpha,EUR,2,1.234,2026-10-01,2026-02-30\n"
        "C,INV-3,C1,Alpha,EUR,5.95e2,1,2026-10-01,2026-11-01\n"
        "D,INV-4,C1,Alpha,EUR,12.50,12.50,2026-10-01,2026-11-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_item_records(path)
    assert caught.value.problems == (
        "open-items.csv:2: column 'amount': '10.005' has more than 2 decimal(s) for EUR",
        "open-items.csv:2: column 'residual': '10.005' has more than 2 decimal(s) for EUR",
        "open-items.csv:3: column 'residual': '1.234' has more than 2 decimal(s) for EUR",
        "open-items.csv:3: column 'due_date': '2026-02-30' is not a date (YYYY-MM-DD)",
        "open-items.csv:4: column 'amount': '5.95e2' is not a plain decimal "
        "(like -12.30; no exponent, no separators)",
    )


def test_the_record_reader_checks_what_the_item_reader_checks(tmp_path: Path) -> None:
    """amount, issue_date and status were once ignored by the record reader."""
    path = tmp_path / "open-items.csv"
    path.write_text(
        f"{ITEMS_HEADER},status\n"
        "A,INV-1,C1,Alpha,EUR,oops,1.00,someday,2026-11-01,lost\n"
        "B,INV-2,C1,Alpha,EUR,1.00,5.00,2026-10-01,2026-09-01,open\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as records:
        read_item_records(path)
    with pytest.raises(InputError) as items:
        read_open_items(path)
    assert records.value.problems == items.value.problems
    assert [p.split(": ")[1] for p in records.value.problems] == [
        "column 'amount'",
        "column 'issue_date'",
        "column 'status'",
        "column 'due_date'",
        "column 'residual'",
    ]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text("id,amount\nL1,1.00\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column 'booking_date'"):
        read_line_records(path)


VARIED_ITEMS = (
    "\ufeffid,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date,"
    "reference,iban\n"
    'A,INV-1,C1,"Alpha, Inc",EUR,2,+1.5,2026-10-01,2026-11-01,RF18539007547034,fr76 3000 6000\n'
    'B,INV-2,C1,"Alpha\nsecond line",EUR,8,007.10,2024-02-01,2024-02-29,,\n'
    "C,INV-3,C2,Büro Müller,JPY,-7,-7,0001-01-01,0001-01-01,,de89 ß\n"
    "D,INV-4,C3,Gulf,BHD,1.23,1.230000,9999-12-31,9999-12-31,,\n"
    "E,INV-5,C3,Gulf,BHD,-0.5,-0.5,2026-01-31,2026-01-31,,\n"
)


def test_records_are_the_core_items_records(tmp_path: Path) -> None:
    path = tmp_path / "open-items.csv"
    path.write_text(VARIED_ITEMS, encoding="utf-8")
    records = read_item_records(path)
    assert records == [item_record(item) for item in read_open_items(path)]
    assert [r.residual for r in records] == [150, 710, -7, 1230, -500]
    assert records[1].partner_name == "Alpha\nsecond line"


def test_a_file_of_several_pyarrow_blocks_reads_as_the_core_reader(tmp_path: Path) -> None:
    """Over 1 MB pyarrow reads in blocks; the currencies change between blocks."""
    rows = [ITEMS_HEADER]
    for k in range(60_000):
        currency = "EUR" if k < 30_000 else "USD" if k < 50_000 else "JPY"
        amount = str(k) if currency == "JPY" else f"{k}.50"
        rows.append(
            f"I{k},INV-{k},P{k % 97},Name {k % 97},{currency},{amount},{amount},"
            f"2026-01-01,2026-01-{1 + k % 28:02d}"
        )
    path = tmp_path / "open-items.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > 3_000_000
    records = read_item_records(path)
    assert records[::997] == [item_record(item) for item in read_open_items(path)[::997]]
    assert [records[k].currency for k in (0, 30_000, 59_999)] == ["EUR", "USD", "JPY"]


def test_currency_codes_are_read_as_iso_codes_whatever_their_case(tmp_path: Path) -> None:
    from ecomrules.reconcile import Matcher, MatchStatus

    items = tmp_path / "open-items.csv"
    items.write_text(
        f"{ITEMS_HEADER}\nI1,INV-1,P1,Acme,EUR,10.00,10.00,2026-01-01,2026-01-01\n",
        encoding="utf-8",
    )
    lines = tmp_path / "bank.csv"
    lines.write_text(
        "id,booking_date,amount,currency,reference\nL1,2026-01-02,10.00,eur,INV-1\n",
        encoding="utf-8",
    )
    read = read_line_records(lines)
    assert [line.currency for line in read] == ["EUR"]
    result = Matcher().match_records(read, read_item_records(items))
    assert [(m.line_id, m.status) for m in result.matches] == [("L1", MatchStatus.AUTO)]


def test_digits_of_other_scripts_in_a_fraction_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(
        "id,booking_date,amount,currency\nL1,2026-01-02,10.\u00b2,EUR\nL2,2026-01-02,1.\u0661,EUR\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_line_records(path)
    plain = "is not a plain decimal (like -12.30; no exponent, no separators)"
    assert caught.value.problems == (
        f"bank.csv:2: column 'amount': '10.\u00b2' {plain}",
        f"bank.csv:3: column 'amount': '1.\u0661' {plain}",
    )
