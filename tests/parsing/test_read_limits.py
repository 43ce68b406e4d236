"""Read limits: one unpacking budget per file whatever the nesting, clean errors for broken
archives, escaped member names."""

from __future__ import annotations

import gzip
import io
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from ecomrules.errors import ParseError, ReadLimitError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing import parse_file
from ecomrules.parsing.limits import DEFAULT_LIMITS, ReadLimits, applied_limits
from ecomrules.parsing.registry import get_parser
from ecomrules.parsing.source import unwrap

SMALL = ReadLimits(max_unpacked_bytes=4 << 20, max_ratio=20, ratio_allowance=1 << 20)
CSV = b"date,amount\n" + b"2026-01-01,1.00\n" * 10


def zipped(members: dict[str, bytes], *, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_gzip_bomb_is_refused_while_it_streams() -> None:
    bomb = gzip.compress(b"\0" * (64 << 20))  # 64 MiB from about 64 KB
    tracemalloc.start()
    try:
        cap = max(20 * len(bomb), 1 << 20)
        with pytest.raises(ReadLimitError, match=f"unpacks to more than {cap} bytes") as caught:
            unwrap(bomb, "statement.csv.gz", SMALL)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20  # refused after the cap plus a piece, not after 64 MiB
    assert str(caught.value).startswith("statement.csv.gz: ")


def test_the_defaults_refuse_a_thousandfold_gzip() -> None:
    bomb = gzip.compress(b"\0" * (80 << 20))
    assert len(bomb) * DEFAULT_LIMITS.max_ratio < DEFAULT_LIMITS.ratio_allowance
    with pytest.raises(ReadLimitError):
        unwrap(bomb, "bomb.gz")


def test_zips_inside_a_zip_share_one_budget() -> None:
    inner = zipped({f"part{i}.csv": b"1" * (900 << 10) for i in range(3)})
    outer = zipped({f"inner{i}.zip": inner for i in range(3)})
    limits = ReadLimits(max_unpacked_bytes=4 << 20, max_ratio=100_000)
    assert len(unwrap(inner, "inner.zip", limits)) == 3  # each archive alone fits
    with pytest.raises(ReadLimitError, match=r"outer.zip!inner\d.zip") as caught:
        unwrap(outer, "outer.zip", limits)
    assert "at most 4194304 bytes" in str(caught.value)


def test_gzip_members_inside_a_zip_share_the_budget() -> None:
    member = gzip.compress(b"2" * (1 << 20))
    outer = zipped({f"day{i}.csv.gz": member for i in range(6)}, level=0)
    limits = ReadLimits(max_unpacked_bytes=4 << 20)
    with pytest.raises(ReadLimitError, match=r"outer.zip!day3.csv"):
        unwrap(outer, "outer.zip", limits)
    assert len(unwrap(outer, "outer.zip", ReadLimits(max_unpacked_bytes=16 << 20))) == 6


def test_nesting_deeper_than_the_limit_is_refused_not_a_recursion_error() -> None:
    data = CSV
    for _ in range(1000):
        data = gzip.compress(data, compresslevel=1)
    with pytest.raises(ReadLimitError, match="nested more than 3 deep"):
        unwrap(data, "deep.gz")
    three = gzip.compress(zipped({"a.csv.gz": gzip.compress(CSV)}))
    assert unwrap(three, "x.zip.gz") == [("x.zip!a.csv", CSV)]


def test_too_many_members_are_refused() -> None:
    archive = zipped({f"m{i}.csv": CSV for i in range(12)})
    with pytest.raises(ReadLimitError, match="more than 10 archive members"):
        unwrap(archive, "many.zip", ReadLimits(max_members=10))


def test_the_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="max_depth must be a positive integer"):
        ReadLimits(max_depth=0)


def test_a_workbook_with_a_huge_sheet_is_refused_before_openpyxl(tmp_path: Path) -> None:
    sheet = b"<worksheet>" + b" " * (70 << 20) + b"</worksheet>"
    book = zipped({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": sheet})
    path = tmp_path / "settlement.xlsx"
    path.write_bytes(book)
    with pytest.raises(ReadLimitError, match=r"settlement.xlsx!xl/worksheets/sheet1.xml"):
        parse_file(path, parser="adyen.settlement_details")
    parser = get_parser("adyen.settlement_details")
    with applied_limits(SMALL), pytest.raises(ReadLimitError):
        parser.parse(book, source="book.xlsx")
    # the same workbook renamed .zip is still a workbook, not a bag of members
    with pytest.raises(ReadLimitError):
        unwrap(book, "renamed.zip")


def _patch(archive: bytes, name: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Set a field of both the local and the central header of member ``name``."""
    data = bytearray(archive)
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    # local header: flags at 6, method at 8; central header: flags at 8, method at 10
    struct.pack_into(fmt, data, local + offset, value)
    struct.pack_into(fmt, data, central + offset + 2, value)
    assert name in data
    return bytes(data)


@pytest.mark.parametrize(
    ("label", "make"),
    [
        ("encrypted", lambda a: _patch(a, b"s.csv", 6, "<H", 0x1)),
        ("unknown method", lambda a: _patch(a, b"s.csv", 8, "<H", 99)),
        ("bzip2 garbage", lambda a: _patch(a, b"s.csv", 8, "<H", 12)),
        ("lzma garbage", lambda a: _patch(a, b"s.csv", 8, "<H", 14)),
        ("corrupt deflate", lambda a: a.replace(a[40:60], b"\xff" * 20, 1)),
        ("truncated", lambda a: a[: a.index(b"PK\x01\x02") - 30] + a[a.index(b"PK\x01\x02") :]),
    ],
)
def test_a_broken_zip_member_is_a_clean_error_naming_it(label: str, make: object) -> None:
    archive = zipped({"s.csv": CSV * 50})
    broken = make(archive)  # type: ignore[operator]
    with pytest.raises(ParseError) as caught:
        unwrap(broken, "bank.zip")
    assert "bank.zip" in str(caught.value), label


def test_member_names_cannot_forge_a_line(tmp_path: Path) -> None:
    archive = zipped({"a.csv\nerror: forged\x1b[31m": b"\x00\x01junk"})
    path = tmp_path / "names.zip"
    path.write_bytes(archive)
    [(name, _)] = unwrap(archive, "names.zip")
    assert name == "names.zip!a.csv\\nerror: forged\\x1b[31m"
    assert str(SourceLocation("a\nb", 3)) == "a\\nb:3"
    out = subprocess.run(
        [sys.executable, "-m", "ecomrules", "parse", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "\\nerror: forged" in out.stderr


def test_a_broken_gzip_stream_read_from_a_path_is_a_clean_error(tmp_path: Path) -> None:
    from ecomrules.bank.camt import Camt053Parser

    path = tmp_path / "camt.xml.gz"
    path.write_bytes(gzip.compress(b"<Document>" * 1000)[:-30] + b"\xff" * 30)
    with pytest.raises(ParseError):
        list(Camt053Parser().iter_lines(path, source="camt.xml.gz"))
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b"<Document>" + b" " * (8 << 20)))
    with applied_limits(SMALL), pytest.raises(ReadLimitError):
        list(Camt053Parser().iter_lines(bomb, source="bomb.xml.gz"))
