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


VARIED_ITEMS = (
    "\ufeffid,number,partner_id,partner_name,currency,residual,due_date,reference,iban\n"
    'A,INV-1,C1,"Alpha, Inc",EUR,+1.5,2026-11-01,RF18539007547034,fr76 3000 6000\n'
    'B,INV-2,C1,"Alpha\nsecond line",EUR,007.10,2024-02-29,,\n'
    "C,INV-3,C2,Büro Müller,JPY,-7,0001-01-01,,de89 ß\n"
    "D,INV-4,C3,Gulf,BHD,1.230000,9999-12-31,,\n"
    "E,INV-5,C3,Gulf,BHD,-0.5,2026-01-31,,\n"
)


def test_the_pyarrow_path_gives_the_csv_records(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from ecomrules.reconcile import columnar

    path = tmp_path / "open-items.csv"
    path.write_text(VARIED_ITEMS, encoding="utf-8")
    header = VARIED_ITEMS.lstrip("\ufeff").split("\n", 1)[0].split(",")
    fast = columnar.read_items(path, header)
    assert fast is not None
    assert fast == read_item_records(path, use_pyarrow=False)
    assert [r.residual for r in fast] == [150, 710, -7, 1230, -500]
    assert fast[2].iban == "DE89SS"


def test_the_pyarrow_path_reads_lines_as_csv_does(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from ecomrules.reconcile import columnar

    path = tmp_path / "bank.csv"
    path.write_text(
        "id,booking_date,amount,currency,label,reference\n"
        'L1,2026-11-05,1250.00,EUR,"VIR, ""INV-1""",RF18539007547034\n'
        "L2,2026-11-06,-7,JPY,,\n"
        "L3,2026-11-07,-0.00,EUR,NULL,N/A\r\n",  # no null markers: text stays text
        encoding="utf-8",
    )
    fast = columnar.read_lines(
        path, ["id", "booking_date", "amount", "currency", "label", "reference"]
    )
    assert fast is not None
    assert fast == read_line_records(path, use_pyarrow=False)
    assert fast[0].label == 'VIR, "INV-1"'
    assert fast[1].references == ()
    assert (fast[2].label, fast[2].references, fast[2].cents) == ("NULL", ("N/A",), 0)


@pytest.mark.parametrize(
    "row",
    [
        "A,INV-1,C1,Alpha,EUR,10.005,2026-11-01",  # too many decimals
        "A,INV-1,C1,Alpha,EUR,1e3,2026-11-01",  # not a plain decimal
        "A,INV-1,C1,Alpha,EUR,5.,2026-11-01",
        "A,INV-1,C1,Alpha,EUR,1.00,2026-02-30",  # no such day
        "A,INV-1,C1,Alpha,EUR,1.00,20261101",  # not YYYY-MM-DD
        "A,INV-1,C1,Alpha,EUR,1.00,0000-01-01",
        "A,INV-1,C1,Alpha,XXY,1.00,2026-11-01",  # no such currency
        "A,INV-1,C1,Alpha,EUR,1.00",  # too few values
        "A,INV-1,C1,Alpha,EUR,1.00,2026-11-01,extra",
        "",  # a blank line
    ],
)
def test_the_pyarrow_path_leaves_every_doubtful_file_to_csv(tmp_path: Path, row: str) -> None:
    pytest.importorskip("pyarrow")
    from ecomrules.reconcile import columnar

    header = "id,number,partner_id,partner_name,currency,residual,due_date"
    path = tmp_path / "open-items.csv"
    path.write_text(f"{header}\nZ,INV-9,C1,Alpha,EUR,2.00,2026-11-01\n{row}\n", encoding="utf-8")
    assert columnar.read_items(path, header.split(",")) is None


def test_a_file_of_several_pyarrow_blocks_reads_as_csv_does(tmp_path: Path) -> None:
    """Over 1 MB pyarrow reads in blocks; the currencies change between blocks."""
    pytest.importorskip("pyarrow")
    rows = ["id,number,partner_id,partner_name,currency,residual,due_date"]
    for k in range(60_000):
        currency = "EUR" if k < 30_000 else "USD" if k < 50_000 else "JPY"
        amount = str(k) if currency == "JPY" else f"{k}.50"
        rows.append(
            f"I{k},INV-{k},P{k % 97},Name {k % 97},{currency},{amount},2026-01-{1 + k % 28:02d}"
        )
    path = tmp_path / "open-items.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > 3_000_000
    records = read_item_records(path)
    assert records == read_item_records(path, use_pyarrow=False)
    assert [records[k].currency for k in (0, 30_000, 59_999)] == ["EUR", "USD", "JPY"]


@pytest.mark.parametrize("use_pyarrow", [True, False])
def test_currency_codes_are_read_as_iso_codes_whatever_their_case(
    tmp_path: Path, use_pyarrow: bool
) -> None:
    if use_pyarrow:
        pytest.importorskip("pyarrow")
    from ecomrules.reconcile import Matcher, MatchStatus

    items = tmp_path / "open-items.csv"
    items.write_text(
        "id,number,partner_id,partner_name,currency,residual,due_date\n"
        "I1,INV-1,P1,Acme,EUR,10.00,2026-01-01\n",
        encoding="utf-8",
    )
    lines = tmp_path / "bank.csv"
    lines.write_text(
        "id,booking_date,amount,currency,reference\nL1,2026-01-02,10.00,eur,INV-1\n",
        encoding="utf-8",
    )
    read = read_line_records(lines, use_pyarrow=use_pyarrow)
    assert [line.currency for line in read] == ["EUR"]
    result = Matcher().match_records(read, read_item_records(items, use_pyarrow=use_pyarrow))
    assert [(m.line_id, m.status) for m in result.matches] == [("L1", MatchStatus.AUTO)]


def test_digits_of_other_scripts_in_a_fraction_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(
        "id,booking_date,amount,currency\nL1,2026-01-02,10.\u00b2,EUR\nL2,2026-01-02,1.\u0661,EUR\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_line_records(path, use_pyarrow=False)
    assert caught.value.problems == (
        "bank.csv:2: column 'amount': '10.\u00b2' is not a plain decimal (like -12.30)",
        "bank.csv:3: column 'amount': '1.\u0661' is not a plain decimal (like -12.30)",
    )
