"""``ecomrules analytics`` end to end: load, sales, funnel, gaps, compare; outputs and errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecomrules", "analytics", *args, "--store", str(store)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, shop_files: tuple[Path, Path]) -> Path:
    path = tmp_path_factory.mktemp("cli") / "shop.analytics.duckdb"
    sales, events = shop_files
    loaded = run("load", "orders", str(sales), "--json", store=path)
    assert loaded.returncode == 0, loaded.stderr
    document = json.loads(loaded.stdout)
    assert document["loads"][0]["kind"] == "sales-csv"
    assert document["totals"]["orders"] == document["loads"][0]["orders_new"] > 0
    events_loaded = run("load", "events", str(events), store=path)
    assert events_loaded.returncode == 0, events_loaded.stderr
    assert "events read" in events_loaded.stdout
    return path


def test_sales_json_by_month_and_category(store: Path) -> None:
    result = run("sales", "--by", "month,category", "--json", store=store)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert {r["category"] for r in rows} >= {"Board games", "Books", "Video games"}
    assert all(r["net"] == f"{float(r['net']):.2f}" for r in rows)


def test_sales_csv_and_filter(store: Path) -> None:
    result = run("sales", "--by", "country", "--filter", "category=Books", "--csv", store=store)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert set(rows[0]) >= {"country", "currency", "orders", "net"}


def test_funnel_table_and_json(store: Path) -> None:
    table = run("funnel", "--by", "channel", store=store)
    assert table.returncode == 0, table.stderr
    assert "Paid Search" in table.stdout
    document = json.loads(run("funnel", "--json", store=store).stdout)
    (row,) = document["rows"]
    counts = [s["sessions"] for s in row["steps"]]
    assert counts == sorted(counts, reverse=True)


def test_gaps_html_and_png(store: Path, tmp_path: Path) -> None:
    html, png = tmp_path / "report.html", tmp_path / "gaps.png"
    result = run("gaps", "--html", str(html), "--png", str(png), store=store)
    assert result.returncode == 0, result.stderr
    assert "web purchases without an order" in result.stdout
    text = html.read_text()
    assert text.count("<svg") == 4
    assert "<script" not in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_arguments_exit_2_with_the_option_named(store: Path, tmp_path: Path) -> None:
    for args, message in (
        (("sales", "--by", "colour"), "--by: colour not one of"),
        (("sales", "--from", "2026-13-01"), "for --from: '2026-13-01' is not a date (YYYY-MM-DD)"),
        (("funnel", "--to", "0001-01-01"), "for --to: 0001-01-01 is outside"),
        (("funnel", "--filter", "device"), "--filter: 'device' is not NAME=VALUE"),
        (("load", "orders", str(tmp_path / "missing.csv")), "missing.csv"),
        (("load", "orders"), "no order file given (or --tryton URL)"),
        (("load", "orders", "x.csv", "--tryton", "http://a:b@127.0.0.1:1/db/"), "not both"),
        (("load", "orders", "x.csv", "--from", "2026-01-01"), "they go with --tryton"),
        (("load", "orders", "--tryton", "http://a:b@127.0.0.1:9/db/"), "127.0.0.1:9"),
    ):
        result = run(*args, store=store)
        assert result.returncode == 2, args
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_queries_before_any_load_say_so(tmp_path: Path) -> None:
    result = run("sales", store=tmp_path / "none.duckdb")
    assert result.returncode == 2
    assert "no analytics store yet" in result.stderr


def test_a_cp1252_export_loads_with_encoding_and_is_refused_without(tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_bytes(
        "order_id,placed_at,currency,quantity,unit_price,product\n"
        "A1,2026-11-02T10:00:00,EUR,2,12.50,Caf\u00e9 cr\u00e8me\n".encode("cp1252")
    )
    store = tmp_path / "a.duckdb"
    refused = run("load", "orders", str(sales), store=store)
    assert refused.returncode == 2
    assert f"{sales}:2: not utf-8 (byte 0xe9); try --encoding cp1252" in refused.stderr
    loaded = run("load", "orders", str(sales), "--encoding", "cp1252", "--json", store=store)
    assert loaded.returncode == 0, loaded.stderr
    cube = run("sales", "--by", "product", "--json", store=store)
    assert json.loads(cube.stdout)["rows"][0]["product"] == "Caf\u00e9 cr\u00e8me"
    unknown = run("load", "orders", str(sales), "--encoding", "klingon", store=store)
    assert unknown.returncode == 2
    assert "unknown encoding 'klingon'" in unknown.stderr
