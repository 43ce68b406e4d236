"""One definition per documented layout: every reader reads it the same way.

For random files of each layout (valid and invalid cells, missing and
shuffled optional columns, short rows, repeated ids) the columnar (pyarrow)
reader, the row reader, the JSON-lines reader and the row model give the
same values, and refuse the same files. The docs' tables are the layouts'.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomrules.errors import InputError
from ecomrules.inputs import (
    CUSTOMERS,
    OPEN_ITEMS,
    ORDERS,
    STATEMENT,
    CustomerRow,
    OpenItemRow,
    OrderRow,
    StatementRow,
)
from ecomrules.inputs.layout import Kind, Layout, markdown_table
from ecomrules.inputs.statement import PAYOUTS, PSP_STATEMENT
from ecomrules.inputs.table import (
    Table,
    _build,
    _columnar,
    _csv_records,
    parse_csv,
    read_table,
)
from ecomrules.ledger import ItemStatus

LAYOUTS = {
    "open-items": OPEN_ITEMS,
    "customers": CUSTOMERS,
    "orders": ORDERS,
    "statement": STATEMENT,
}
MODELS = {"open-items": OpenItemRow, "customers": CustomerRow, "orders": OrderRow}
MODELS["statement"] = StatementRow
DOCS = Path(__file__).resolve().parents[1] / "docs" / "reference" / "inputs.md"

CELLS: dict[Kind, list[str]] = {
    Kind.TEXT: ["", "x", "A-1", " y ", "a,b", 'q"t', "é", "two\nlines"],
    Kind.AMOUNT: [
        *("", "0", "12.30", "-7", "+1.5", "10.005", "1.230", "5.95e2", "1,5", " 1", "x"),
        *("007.10", "-0.00", "99999999999999999999", "12"),
    ],
    Kind.CURRENCY: ["", "EUR", "eur", "JPY", "BHD", "XYZ", "XAU", " EUR", "EUR"],
    Kind.DATE: [
        *("", "2026-01-31", "2026-02-30", "20260101", "2026-1-1", " 2026-01-01"),
        *("0001-01-01", "9999-12-31", "2026-03-01"),
    ],
    Kind.FLAG: ["", "true", "false", "yes", "0", "maybe", " TRUE"],
}
VALID: dict[Kind, list[str]] = {
    Kind.TEXT: ["x", "A-1", "é", "a,b"],
    Kind.AMOUNT: ["0", "12.30", "7", "1.230"],
    Kind.CURRENCY: ["EUR", "eur", "JPY"],
    Kind.DATE: ["2026-01-31", "2026-03-01"],
    Kind.FLAG: ["true", "false", ""],
}


def _cell(layout: Layout, name: str, valid: bool) -> st.SearchStrategy[str]:
    column = layout.by_name[name]
    if name == layout.key:
        return st.sampled_from(["K1", "K2", "K3", "K4", "K5"] + ([] if valid else [""]))
    if column.kind is Kind.CHOICE:
        assert column.choices is not None
        values = [member.value for member in column.choices]
        return st.sampled_from(values if valid else ["", "bogus", *values])
    return st.sampled_from(VALID[column.kind] if valid else CELLS[column.kind])


@st.composite
def files(draw: st.DrawFn, layout: Layout) -> tuple[list[str], list[list[str]]]:
    optional = [c.name for c in layout.columns if not c.required]
    names = list(layout.required) + draw(st.lists(st.sampled_from(optional), unique=True))
    names = draw(st.permutations(names))
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        valid = draw(st.integers(0, 3)) > 0
        row = [draw(_cell(layout, name, valid)) for name in names]
        if valid:  # most rules across cells hold too
            cells = dict(zip(names, row, strict=True))
            for later, earlier in (("residual", "amount"), ("due_date", "issue_date")):
                if later in cells:
                    cells[later] = cells[earlier]
            for needs, given_ in (
                ("promise_until", "status"),
                ("expected_invoice_date", "preorder"),
            ):
                if (
                    needs in cells
                    and not cells[needs]
                    and cells.get(given_) in ("promised", "true")
                ):
                    cells[needs] = "2026-01-31"
            if "deposit" in cells:
                cells["deposit"] = ""
            row = list(cells.values())
        if draw(st.integers(0, 15)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # short (or blank) row
        rows.append(row)
    return names, rows


def _write(path: Path, names: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _by_rows(path: Path, layout: Layout, names: list[str]) -> Table | InputError:
    try:
        return _build(path, layout, _csv_records(path, names, "utf-8"))
    except InputError as exc:
        return exc


@pytest.mark.parametrize("kind", list(LAYOUTS))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_reader_gives_the_same_values_and_refuses_the_same_files(
    tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    layout = LAYOUTS[kind]
    names, rows = data.draw(files(layout))
    path = tmp_path / "input.csv"
    _write(path, names, rows)
    by_rows = _by_rows(path, layout, names)
    columnar = _columnar(path, layout, names, "utf-8")
    if isinstance(by_rows, InputError):
        assert columnar is None, by_rows.problems
        with pytest.raises(InputError) as caught:
            read_table(path, layout)
        assert caught.value.problems == by_rows.problems
        with pytest.raises(InputError) as caught:  # parsed before (by a thread, in the CLI)
            read_table(path, layout, parsed=parse_csv(path, layout))
        assert caught.value.problems == by_rows.problems
    else:
        if columnar is not None:
            assert columnar.columns == by_rows.columns
            assert columnar.rows == by_rows.rows
        assert read_table(path, layout).columns == by_rows.columns
        parsed = parse_csv(path, layout)
        assert read_table(path, layout, parsed=parsed).columns == by_rows.columns
    # JSON lines: the same records as objects of strings, read by the same rules
    whole = [row for row in rows if len(row) == len(names)]
    if len(whole) == len(rows) and all(row != [""] for row in rows):
        lines = tmp_path / "input.jsonl"
        records = [{k: v for k, v in zip(names, row, strict=True) if v} for row in whole]
        lines.write_text("".join(json.dumps(r) + "\n" for r in records) or "\n", "utf-8")
        try:
            from_json: Table | InputError = read_table(lines, layout)
        except InputError as exc:
            from_json = exc
        assert isinstance(from_json, InputError) == isinstance(by_rows, InputError)
        if isinstance(by_rows, Table) and isinstance(from_json, Table):
            assert from_json.columns == by_rows.columns
        # the row model, one row at a time, accepts the rows the readers accept
        if isinstance(by_rows, Table):
            for i, record in enumerate(records):
                row = MODELS[kind].model_validate(record)
                assert row.model_dump() == {k: v[i] for k, v in by_rows.columns.items()}


def _doc_table(title: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"^\| column \|.*?(?=\n\n|\Z)", section, re.S | re.M)
    assert found is not None, title
    return found.group(0).strip()


@pytest.mark.parametrize(
    ("title", "layout"),
    [
        ("open-items.csv", OPEN_ITEMS),
        ("customers.csv", CUSTOMERS),
        ("orders.csv", ORDERS),
        ("bank-statement.csv", STATEMENT),
        ("statement lines", PSP_STATEMENT),
        ("payouts", PAYOUTS),
    ],
)
def test_the_reference_tables_are_the_layouts(title: str, layout: Layout) -> None:
    assert _doc_table(title) == markdown_table(layout), (
        f"regenerate the {title} table of docs/reference/inputs.md: "
        "python -c 'from ecomrules.inputs.layout import markdown_table; ...'"
    )


def test_a_row_model_refuses_what_the_readers_refuse() -> None:
    fields: dict[str, Any] = {
        "id": "I1",
        "number": "INV-1",
        "partner_id": "P1",
        "partner_name": "Acme",
        "currency": "EUR",
        "amount": "100.00",
        "residual": "500.00",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
    }
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="column 'residual': is larger than amount"):
        OpenItemRow.model_validate(fields)
    with pytest.raises(ValidationError, match=r"'1240\.505' has more than 2 decimal"):
        OpenItemRow.model_validate({**fields, "residual": "1240.505"})


@pytest.mark.parametrize("names", [3, 5000])
def test_a_big_file_reads_the_same_and_shares_the_strings_of_repeated_values(
    tmp_path: Path, names: int
) -> None:
    """Past a few thousand rows the columnar reader keeps one string per distinct value of a
    column whose values repeat (a customer's name on each item): the same values as the row
    reader, empty optional cells included."""
    rows = [
        [
            f"I{n}",
            f"FA-{n}",
            f"C{n % names}",
            ("Atelier Dupont", "Crêperie Martin", "")[n % 3] or f"Client {n % names}",
            "EUR",
            "10.00",
            "10.00",
            "2026-01-01",
            "2026-01-31",
            ("", "INV-7", "")[n % 3],
        ]
        for n in range(6000)
    ]
    header = [*OPEN_ITEMS.required, "order_id"]
    path = tmp_path / "open-items.csv"
    _write(path, header, rows)
    table = read_table(path, OPEN_ITEMS)
    by_rows = _by_rows(path, OPEN_ITEMS, header)
    assert isinstance(by_rows, Table)
    assert table.columns == by_rows.columns
    partners = table.columns["partner_name"]
    assert len({id(name) for name in partners}) == len(set(partners)) < 2100
    assert len({id(ref) for ref in table.columns["order_id"]}) == 2  # "INV-7" and None


def test_a_file_parsed_before_is_refused_as_a_whole_file_first(tmp_path: Path) -> None:
    """:func:`parse_csv` makes the whole-file checks of :func:`read_table` itself."""
    empty = tmp_path / "statement.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        parse_csv(empty, STATEMENT)
    typo = tmp_path / "typo.csv"
    typo.write_text("id,booking,amount,currency\nS1,2026-01-01,1.00,EUR\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column 'booking_date'"):
        parse_csv(typo, STATEMENT)


_BASE = {
    "open-items": {
        "id": "I1",
        "number": "FA-1",
        "partner_id": "C1",
        "partner_name": "Acme",
        "currency": "EUR",
        "amount": "100.00",
        "residual": "40.00",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "status": "open",
        "promise_until": "",
    },
    "orders": {
        "id": "O1",
        "customer_id": "C1",
        "currency": "EUR",
        "amount": "100.00",
        "deposit": "",
        "preorder": "false",
        "expected_invoice_date": "",
    },
}
_RULE_CASES = [
    # (layout, the rule's message, cells that break it, cells at its edge that keep it)
    ("open-items", "is before issue_date", {"due_date": "2025-12-31"}, {"due_date": "2026-01-01"}),
    ("open-items", "needs promise_until", {"status": "promised"}, {"promise_until": "2026-02-01"}),
    ("open-items", "needs promise_until", {"status": "promised"}, {"status": "disputed"}),
    ("open-items", "opposite sign", {"residual": "-0.01"}, {"residual": "0.00"}),
    ("open-items", "opposite sign", {"amount": "-100.00"}, {"amount": "-100", "residual": "-1"}),
    ("open-items", "larger than amount", {"residual": "100.01"}, {"residual": "100.00"}),
    (
        "open-items",
        "larger than amount",
        {"amount": "-100", "residual": "-100.01"},
        {"amount": "-100", "residual": "-100.00"},
    ),
    ("orders", "larger than amount", {"deposit": "100.01"}, {"deposit": "100.00"}),
    ("orders", "needs expected_invoice_date", {"preorder": "true"}, {"preorder": "false"}),
    (
        "orders",
        "needs expected_invoice_date",
        {"preorder": "true"},
        {"preorder": "true", "expected_invoice_date": "2026-03-01"},
    ),
]


@pytest.mark.parametrize(("kind", "message", "breaks", "keeps"), _RULE_CASES)
def test_the_columnar_form_of_each_row_rule_refuses_what_the_rule_refuses(
    tmp_path: Path, kind: str, message: str, breaks: dict[str, str], keeps: dict[str, str]
) -> None:
    """Each rule, in C on whole columns, refuses a row that breaks it and keeps a row at its
    edge; the refused file's error names the line and the column, as the row reader does."""
    layout = LAYOUTS[kind]
    base = _BASE[kind]
    names = list(base)
    rule = next(rule for rule in layout.rules if message in rule.message)
    assert rule.columnar is not None
    for cells, broken in ((breaks, True), (keeps, False)):
        second = {**base, "id": "X2", **cells}
        path = tmp_path / f"{kind}.csv"
        _write(path, names, [list(base.values()), list(second.values())])
        assert (_columnar(path, layout, names, "utf-8") is None) is broken, (cells, broken)
        if broken:
            with pytest.raises(InputError) as caught:
                read_table(path, layout)
            assert list(caught.value.problems) == [
                f"{path.name}:3: column {rule.column!r}: {rule.message}"
            ]
        else:
            assert read_table(path, layout).rows == 2


def test_a_repeated_key_is_refused_by_the_columnar_reader_as_by_the_rows(tmp_path: Path) -> None:
    base = _BASE["open-items"]
    path = tmp_path / "open-items.csv"
    _write(path, list(base), [list(base.values()), list(base.values())])
    assert _columnar(path, OPEN_ITEMS, list(base), "utf-8") is None
    with pytest.raises(InputError, match=r"open-items.csv:3: column 'id': 'I1' repeats line 2"):
        read_table(path, OPEN_ITEMS)


def test_the_columnar_reader_makes_python_values_only_of_the_columns_read(tmp_path: Path) -> None:
    base = _BASE["open-items"]
    path = tmp_path / "open-items.csv"
    _write(path, list(base), [list(base.values())])
    table = read_table(path, OPEN_ITEMS)
    assert table.columns["residual"] == [4000]
    assert set(table.columns) == {column.name for column in OPEN_ITEMS.columns}
    made = table.columns._made  # type: ignore[attr-defined]
    assert set(made) == {"id", "residual"}  # the key, checked unique as Python strings
    assert dict(table.columns) == {
        **{name: [value] for name, value in base.items()},
        "amount": [10000],
        "residual": [4000],
        "issue_date": [date(2026, 1, 1)],
        "due_date": [date(2026, 1, 31)],
        "status": [ItemStatus.OPEN],
        "promise_until": [None],
        "reference": [None],
        "order_id": [None],
        "iban": [None],
        "partner_vat": [None],
    }
