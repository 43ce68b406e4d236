"""The store: detection, incremental and idempotent loads, the GA4 SQL path against Python's."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomrules.analytics import AnalyticsStore, StoreError
from ecomrules.analytics.readers.web import read_ga4
from ecomrules.analytics.store import detect_kind
from ecomrules.errors import InputError


def _rows(store: AnalyticsStore) -> list[tuple[object, ...]]:
    return store.con.execute("SELECT * FROM events ORDER BY source, event_key").fetchall()


def test_a_second_load_of_the_same_files_adds_nothing(shop_files: tuple[Path, Path]) -> None:
    sales, events = shop_files
    with AnalyticsStore() as store:
        first = store.load_orders(sales)
        again = store.load_orders(sales)
        assert first.orders_new == first.orders_read > 0
        assert again.orders_new == 0
        loaded = store.load_events(events)
        assert loaded.events_new == loaded.events_read > 0
        assert store.load_events(events).events_new == 0
        assert store.count("orders") == first.orders_read
        assert store.count("order_lines") == first.lines_read
        assert store.count("events") == loaded.events_read


def test_a_newer_export_of_an_order_replaces_it_and_its_lines(tmp_path: Path) -> None:
    header = "order_id,placed_at,currency,quantity,unit_price,refunded,status\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(
        header + "SO-1,2026-01-01,EUR,1,10.00,,paid\nSO-1,2026-01-01,EUR,2,5.00,,paid\n"
    )
    second.write_text(header + "SO-1,2026-01-01,EUR,1,10.00,10.00,refunded\n")
    with AnalyticsStore() as store:
        store.load_orders(first)
        result = store.load_orders(second)
        assert result.orders_new == 0
        assert store.con.execute("SELECT status, refunded FROM orders").fetchall() == [
            ("refunded", pytest.approx(10))
        ]
        assert store.count("order_lines") == 1


def test_the_store_is_a_file_that_keeps_its_rows(
    tmp_path: Path, shop_files: tuple[Path, Path]
) -> None:
    path = tmp_path / "shop.analytics.duckdb"
    with AnalyticsStore(path) as store:
        store.load_orders(shop_files[0])
        count = store.count("orders")
    with AnalyticsStore(path, read_only=True) as store:
        assert store.count("orders") == count


def test_the_sql_path_maps_ga4_exactly_as_the_python_reader(shop_files: tuple[Path, Path]) -> None:
    events = shop_files[1]
    with AnalyticsStore() as bulk, AnalyticsStore() as python:
        bulk.load_events(events)  # .ndjson: one SQL statement
        python.add_events(read_ga4(events.read_bytes(), str(events)), source="x", kind="ga4")
        assert _rows(bulk) == _rows(python)
        assert len(_rows(bulk)) > 1000


def test_ga4_parquet_as_bigquery_exports_it(tmp_path: Path, shop_files: tuple[Path, Path]) -> None:
    rows = [json.loads(line) for line in shop_files[1].read_text().splitlines()[:500]]
    for row in rows:
        for param in row["event_params"]:  # BigQuery's schema: int64 and double slots
            value = param["value"]
            if value["int_value"] is not None:
                value["int_value"] = int(value["int_value"])
    path = tmp_path / "events.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    with AnalyticsStore() as bulk, AnalyticsStore() as python:
        assert bulk.load_events(path).events_new == 500
        text = "\n".join(json.dumps(r) for r in rows).encode()
        python.add_events(read_ga4(text, "x"), source="x", kind="ga4")
        assert _rows(bulk) == _rows(python)


def _param(key: str, text: str | None = None, number: int | None = None) -> dict[str, object]:
    return {
        "key": key,
        "value": {"string_value": text, "int_value": number, "float_value": None,
                  "double_value": None},
    }  # fmt: skip


def test_the_sql_path_reads_params_and_click_ids_as_the_python_reader(tmp_path: Path) -> None:
    """Params it does not read, a key given twice (the first counts), click ids in any case."""
    base = {"event_timestamp": 1_700_000_000_000_000, "event_bundle_sequence_id": 1,
            "user_id": None}  # fmt: skip
    noise = [_param("page_title", "Home"), _param("engagement_time_msec", number=12)]
    rows = [
        {**base, "event_name": "page_view", "user_pseudo_id": "u1", "event_params": [
            *noise, _param("ga_session_id", number=7), _param("ga_session_id", number=8),
            _param("page_location", "https://shop.example/?utm_source=x&GCLID=abc")]},
        {**base, "event_name": " view_item ", "user_pseudo_id": "u2", "event_params": [
            _param("page_location", "https://shop.example/gclid"), *noise,
            _param("source", " (not set) "), _param("medium", "email ")]},
        {**base, "event_name": "purchase", "user_pseudo_id": "(not set)", "user_id": "c9",
         "event_params": [_param("currency", "eur"), _param("value", "12.345"),
                          _param("transaction_id", "T1"), *noise]},
        {**base, "event_name": "add_to_cart", "user_pseudo_id": "u3", "event_params": []},
    ]  # fmt: skip
    parquet, ndjson = tmp_path / "events.parquet", tmp_path / "events.ndjson"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    ndjson.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with AnalyticsStore() as python:
        python.add_events(read_ga4(ndjson.read_bytes(), "x"), source="x", kind="ga4")
        expected = _rows(python)
    by_name = {r[5]: r for r in expected}  # event_name
    assert sorted(by_name) == ["add_to_cart", "page_view", "purchase", "view_item"]
    assert by_name["page_view"][2] == "u1.7"  # the first ga_session_id
    assert [by_name[n][10] for n in ("page_view", "view_item")] == [True, False]  # gclid
    assert by_name["view_item"][7:9] == (None, "email")  # source, medium cleaned
    assert by_name["purchase"][3] == "c9"
    for path in (parquet, ndjson):
        with AnalyticsStore() as bulk:
            assert bulk.load_events(path).events_new == 4
            assert _rows(bulk) == expected


def test_an_event_already_stored_is_kept_as_it_was(tmp_path: Path) -> None:
    """A later export of the same event (same key, other details) adds nothing, changes nothing."""
    base = {"event_name": "page_view", "user_pseudo_id": "u", "event_timestamp": "5"}
    first, later = tmp_path / "first.ndjson", tmp_path / "later.ndjson"
    first.write_text(json.dumps({**base, "device": {"category": "mobile"}}) + "\n")
    later.write_text(
        json.dumps({**base, "device": {"category": "desktop"}})
        + "\n"
        + json.dumps({**base, "event_timestamp": "6", "device": {"category": "tablet"}})
        + "\n"
    )
    path = tmp_path / "shop.analytics.duckdb"
    with AnalyticsStore(path) as store:
        store.load_events(first)
    with AnalyticsStore(path) as store:  # reopened: the first load is on disk
        loaded = store.load_events(later)
        assert (loaded.events_read, loaded.events_new) == (2, 1)
        assert store.con.execute("SELECT device FROM events ORDER BY ts").fetchall() == [
            ("mobile",),
            ("tablet",),
        ]


def test_bulk_rows_without_user_are_refused_with_their_record(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    good = {"event_name": "page_view", "event_timestamp": "1", "user_pseudo_id": "u"}
    path.write_text(
        "\n".join(json.dumps(r) for r in [good, {**good, "user_pseudo_id": None}]) + "\n"
    )
    with AnalyticsStore() as store, pytest.raises(InputError) as caught:
        store.load_events(path)
    assert caught.value.problems[0].endswith("record 2: fields 'event_name', 'event_timestamp' "
                                             "and 'user_pseudo_id' are required")  # fmt: skip
    with AnalyticsStore() as store:
        with pytest.raises(InputError):
            store.load_events(path)
        assert store.count("events") == 0  # nothing half-loaded


def test_bulk_loads_keep_repeated_events_once_and_refuse_unknown_currencies(
    tmp_path: Path,
) -> None:
    base = {"event_name": "page_view", "user_pseudo_id": "u", "event_params": []}
    rows = [{**base, "event_timestamp": str(n)} for n in (1, 2, 2, 3, 3, 3)]
    first, second = tmp_path / "day1.ndjson", tmp_path / "day2.ndjson"
    first.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    later = [{**base, "event_timestamp": str(n)} for n in (3, 4, 4)]
    second.write_text("\n".join(json.dumps(r) for r in later) + "\n")
    with AnalyticsStore() as store:
        assert store.load_events(first).events_read == 6
        assert store.count("events") == 3  # 1, 2, 3: repeats inside the file kept once
        assert store.load_events(second).events_new == 1  # 3 was known, 4 twice
        assert store.load_events(first).events_new == 0
        money = {"key": "currency", "value": {"string_value": "XYZ"}}
        value = {"key": "value", "value": {"double_value": 12.5}}
        bad = tmp_path / "bad.ndjson"
        bad.write_text(
            json.dumps({**base, "event_timestamp": "9"})
            + "\n"
            + json.dumps({**base, "event_timestamp": "10", "event_params": [money, value]})
            + "\n"
        )
        with pytest.raises(InputError) as caught:
            store.load_events(bad)
        assert list(caught.value.problems) == [
            f"{bad}:record 2: field 'value': not an amount in XYZ"
        ]
        assert store.count("events") == 4  # the refused file left nothing behind


_DAY_MICROS = 86_400_000_000


def _ga4_line(user: str, stamp: object, name: str, bundle: int | None, device: str) -> str:
    row: dict[str, object] = {
        "event_name": name,
        "user_pseudo_id": user,
        "event_timestamp": stamp,
        "device": {"category": device},
    }
    if bundle is not None:
        row["event_bundle_sequence_id"] = bundle
    return json.dumps(row) + "\n"


ga4_events = st.tuples(
    st.sampled_from(["u1", "u2"]),
    # Days 0 to 9, a few instants each: a file spans some days, repeats fall anywhere.
    st.builds(lambda day, at: day * _DAY_MICROS + at, st.integers(0, 9), st.integers(0, 3)),
    st.sampled_from(["page_view", "add_to_cart"]),
    st.none() | st.integers(1, 2),
    st.sampled_from(["desktop", "mobile", "tablet"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(st.lists(ga4_events, max_size=12), min_size=1, max_size=4),
    again=st.lists(st.integers(0, 3), max_size=3),
)
def test_bulk_loads_keep_each_event_once_the_first_one_stored(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[list[tuple[str, int, str, int | None, str]]],
    again: list[int],
) -> None:
    """Over several loads, files that repeat events inside and across them, on any days."""
    folder = tmp_path_factory.mktemp("loads")
    paths = []
    for number, events in enumerate(files):
        path = folder / f"day{number}.ndjson"
        path.write_text("".join(_ga4_line(*event) for event in events))
        paths.append(path)
    order = [*paths, *(paths[i] for i in again if i < len(paths))]
    first_seen: dict[tuple[str, int, str, int | None], str] = {}
    with AnalyticsStore() as store:
        for path in order:
            known = len(first_seen)
            for user, stamp, name, bundle, device in files[paths.index(path)]:
                first_seen.setdefault((user, stamp, name, bundle), device)
            loaded = store.load_events(path)
            assert loaded.events_new == len(first_seen) - known
        rows = store.con.execute(
            "SELECT user_key, epoch_us(ts), event_name, device FROM events"
        ).fetchall()
    expected = [(u, stamp, name, device) for (u, stamp, name, _), device in first_seen.items()]
    assert sorted(rows) == sorted(expected)


def test_an_event_stored_by_the_python_reader_is_found_by_its_key_a_microsecond_apart(
    tmp_path: Path,
) -> None:
    """A fractional stamp: SQL rounds it (6 us), the Python reader truncates it (5 us).

    The key holds the stamp as exported, so both loads name the same event;
    the check of repeats looks beyond the file's own span for that reason.
    """
    line = _ga4_line("u", 5.7, "page_view", None, "mobile")
    bulk, latin = tmp_path / "events.ndjson", tmp_path / "events-latin1.ndjson"
    bulk.write_text(line)
    latin.write_bytes(line.encode("latin-1"))
    with AnalyticsStore() as store:
        assert store.load_events(latin, encoding="latin-1").events_new == 1
        assert store.load_events(bulk).events_new == 0
        assert store.con.execute("SELECT epoch_us(ts) FROM events").fetchall() == [(5,)]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"order_id,placed_at,currency,quantity,unit_price\n", "sales-csv"),
        (b"id,customer_id,currency,amount,status\n", "orders-csv"),
        (b'{"orders": [{"total_line_items_price": "1.00"}]}', "shopify"),
        (b'[{"date_created_gmt": "2020-01-01T00:00:00"}]', "woocommerce"),
        (b'[{"event_name": "x", "event_timestamp": 1}]', "ga4"),
        (b'{"sample_rows": [{"fullVisitorId": "1"}]}', "ua"),
        (b"<result><row><idVisit>1</idVisit></row></result>", "matomo"),
        (b"event_id,domain_sessionid,derived_tstamp\n", "snowplow"),
        (b"Name,Email,Lineitem quantity\n", "shopify-csv"),
    ],
)
def test_detection(head: bytes, kind: str) -> None:
    assert detect_kind(head, "f") == kind


def test_unknown_and_empty_files_are_refused(tmp_path: Path) -> None:
    empty, other = tmp_path / "empty.csv", tmp_path / "other.csv"
    empty.write_bytes(b"")
    other.write_text("a,b\n1,2\n")
    with AnalyticsStore() as store:
        with pytest.raises(StoreError, match="empty file"):
            store.load_orders(empty)
        with pytest.raises(StoreError, match="give --kind"):
            store.load_orders(other)
        with pytest.raises(StoreError, match="not one of"):
            store.load_orders(other, kind="sap")


def _memory_limit(store: AnalyticsStore) -> str:
    row = store.con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert row is not None
    return str(row[0])


def test_memory_is_capped_by_default_and_the_cap_can_be_lifted() -> None:
    with AnalyticsStore() as store:
        assert _memory_limit(store).startswith("953")  # 1 GB in MiB
    with AnalyticsStore(memory_limit=None) as store:  # DuckDB's own: 80% of the machine's
        assert not _memory_limit(store).startswith("953")


def test_memory_limit_is_set_and_a_bad_one_is_a_store_error() -> None:
    with AnalyticsStore(memory_limit="256MB") as store:
        limit = store.con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert limit is not None
        assert limit[0].startswith("244")  # 256 MB in MiB
    with pytest.raises(StoreError, match="cannot open the analytics store"):
        AnalyticsStore(memory_limit="lots")


def test_the_light_kind_names_of_the_cli_are_the_readers_kinds() -> None:
    from ecomrules.analytics.names import EVENT_KIND_NAMES, ORDER_KIND_NAMES
    from ecomrules.analytics.store import EVENT_KINDS, ORDER_KINDS

    assert tuple(ORDER_KINDS) == ORDER_KIND_NAMES
    assert tuple(EVENT_KINDS) == EVENT_KIND_NAMES
