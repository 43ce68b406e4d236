"""The one base of the tabular PSP parsers: both row kits through the same skeleton."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ecomrules.errors import MalformedRecordError
from ecomrules.money import Currency, Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.model import LineKind, StatementLine
from ecomrules.parsing.registry import get_parser
from ecomrules.psp.controls import check_net
from ecomrules.psp.report_parser import HeaderReportParser, RecordReader, ReportContext
from ecomrules.psp.report_rows import ReportTable, bad_field, field_getter

CASES = Path(__file__).parent / "cases"
COLUMNS = {"id": ("id",), "currency": ("currency",), "gross": ("gross",), "net": ("net",)}


class _Ledger(HeaderReportParser):
    """A records-kit parser: gross and net per row, the fee their difference plus a cent."""

    name = "test.ledger"
    provider = "Test"
    spec_url = "https://example.invalid/ledger"
    signature = frozenset({"id", "net"})
    records = True

    def record_reader(self, context: ReportContext) -> RecordReader:
        table = context.table
        take = field_getter(COLUMNS, table.resolve(COLUMNS), table.width)

        def read(line_no: int, fields: list[str], raw: str) -> StatementLine | None:
            fields.append("")
            line_id, code, gross, net = take(fields)
            if not net:
                error = bad_field(
                    "is empty", path=context.source, line=line_no, column="net", value=net
                )
                context.policy.fail(error, "test.amount")
                return None
            currency = Currency.of(code)
            line = StatementLine(
                id=line_id,
                kind=LineKind.CHARGE,
                booked_on=date(2026, 3, 2),
                amount=Money(Decimal(net), currency),
                gross=Money(Decimal(gross), currency),
                fee=Money(Decimal(gross) - Decimal(net) + Decimal("0.01"), currency),
                payout_id="P1",
                raw=raw,
                location=SourceLocation(context.source, line_no),
            )
            check_net(line, context.policy)
            return line

        return read


LEDGER = b"id,currency,gross,net\nL1,EUR,10.00,9.00\nL2,EUR,5.00,\n"


def test_a_records_kit_line_is_checked_once_and_a_bad_cell_names_file_line_and_column() -> None:
    result = _Ledger().parse(LEDGER, source="ledger.csv", on_error="collect")
    assert [line.id for line in result.lines] == ["L1"]
    assert [(issue.code, str(issue.location)) for issue in result.issues] == [
        ("psp.control.net_mismatch", "ledger.csv:2"),
        ("test.amount", "ledger.csv:3:net"),
    ]
    assert [(payout.id, str(payout.amount)) for payout in result.payouts] == [("P1", "9.00 EUR")]
    with pytest.raises(MalformedRecordError, match=r"ledger\.csv:2:net"):
        _Ledger().parse(b"id,currency,gross,net\nL2,EUR,5.00,\n", source="ledger.csv")


def test_a_records_kit_file_without_a_record_is_refused_with_the_parsers_message() -> None:
    with pytest.raises(MalformedRecordError, match="no header row"):
        _Ledger().parse(b"\n\n", source="empty.csv")
    with pytest.raises(MalformedRecordError, match="empty file: no header row"):
        get_parser("stripe.balance_change").parse(b"", source="empty.csv")


def test_records_kit_streams_from_a_path_what_it_reads_from_bytes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(LEDGER)
    from_path = list(_Ledger().iter_lines(path, source="ledger.csv", on_error="collect"))
    from_bytes = list(_Ledger().iter_lines(LEDGER, source="ledger.csv", on_error="collect"))
    assert from_path == from_bytes
    assert [line.id for line in from_path] == ["L1"]


def test_rows_kit_iter_lines_reads_a_path_as_its_bytes() -> None:
    path = CASES / "gocardless_payout_transactions.csv"
    parser = get_parser("gocardless.payout_transactions")
    from_path = list(parser.iter_lines(path, source="g.csv"))  # type: ignore[attr-defined]
    assert from_path == list(parser.iter_lines(path.read_bytes(), source="g.csv"))
    assert from_path == list(parser.parse(path.read_bytes(), source="g.csv").lines)


def test_a_table_read_by_the_csv_module_has_rows_not_records() -> None:
    table = ReportTable.from_text("a,b\n1,2\n", "t.csv")
    with pytest.raises(TypeError, match="rows, not records"):
        table.records()
    rows = [(1, ["A ", "b"], "A ,b"), (2, ["1", "2"], "1,2")]
    records = ReportTable.from_records(iter(rows), "t.csv")
    assert records.header == ["A", "b"]
    assert records.resolve({"first": ("a",), "second": ("B",), "third": ("c",)}) == {
        "first": 0,
        "second": 1,
    }
    assert list(records.records()) == [(2, ["1", "2"], "1,2")]
