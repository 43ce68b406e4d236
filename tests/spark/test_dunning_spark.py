"""The Spark dunning engine decides as the embedded one: same plan, same digest, same errors."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomrules.dunning import (
    CustomerPause,
    DunningHistory,
    DunningPolicy,
    ItemBlock,
    load_policy,
    plan,
)
from ecomrules.dunning import spark as dunning_spark
from ecomrules.dunning.policy import DaysAfterDue
from ecomrules.dunning.spark import BucketPlanner, SparkHistory, plan_frames
from ecomrules.errors import InputError, SparkError
from ecomrules.ledger import Customer, OpenItem
from ecomrules.testing.dunning import BASE, customer, dunning_events, open_items
from ecomrules.testing.dunning_book import (
    AS_OF,
    customer_columns,
    generate,
    item_columns,
    plan_digest,
    write_csv,
)

POLICY = load_policy("fr-b2b")


def frames(spark: Any, items: list[OpenItem], people: list[Customer]) -> tuple[Any, Any]:
    """The items and customers as DataFrames of the documented layouts (text columns)."""
    return (
        spark.createDataFrame(pa.table(item_columns(items))),
        spark.createDataFrame(pa.table(customer_columns(people))),
    )


@pytest.fixture(scope="module")
def book(spark: Any) -> dict[str, Any]:
    """100,000 generated items over 10,000 customers, with history and payments in transit."""
    items, people, history, lines = generate(100_000, 10_000, 7)
    embedded = plan(
        items, people, history, POLICY, AS_OF, in_transit=lines, bank_data_as_of=AS_OF, render=False
    ).to_json()
    item_frame, customer_frame = frames(spark, items, people)
    return {
        "items": item_frame.cache(),
        "customers": customer_frame.cache(),
        "history": SparkHistory.of(spark, history),
        "lines": lines,
        "embedded": embedded,
    }


@pytest.mark.parametrize(("buckets", "shuffled"), [(1, False), (2, True), (8, True)])
def test_the_spark_plan_of_100k_items_is_the_embedded_plan(
    spark: Any, book: dict[str, Any], buckets: int, shuffled: bool
) -> None:
    items, people = book["items"], book["customers"]
    if shuffled:  # another order and another partitioning of the same rows
        items = items.repartition(buckets + 3).orderBy(dunning_spark_rand(buckets))
        people = people.repartition(buckets + 1)
    result = plan_frames(
        spark,
        items,
        people,
        POLICY,
        AS_OF,
        history=book["history"],
        in_transit=book["lines"],
        bank_data_as_of=AS_OF,
        buckets=buckets,
    )
    try:
        document = result.to_json()
    finally:
        result.unpersist()
    embedded = book["embedded"]
    assert len(embedded["notices"]) > 1_000
    assert len(embedded["holds"]) > 1_000
    for table in ("notices", "holds", "claims", "issues"):
        assert document[table] == embedded[table], table
    assert plan_digest(document) == plan_digest(embedded)
    assert result.counts["notices"] == len(embedded["notices"])


def dunning_spark_rand(seed: int) -> Any:
    from pyspark.sql import functions as F

    return F.rand(seed)


def first_level_days(policy: DunningPolicy) -> int:
    trigger = policy.levels[0].trigger
    assert isinstance(trigger, DaysAfterDue)
    return trigger.days


@st.composite
def books(draw: st.DrawFn) -> list[tuple[list[OpenItem], DunningHistory]]:
    """Several small scenarios, each over its own customers (ids prefixed ``E<k>-``)."""
    ladder = [level.key for level in POLICY.levels]
    out = []
    for k in range(draw(st.integers(1, 6))):
        prefix = f"E{k}-"
        items = [
            OpenItem(
                **{**_fields(item), "id": prefix + item.id, "partner_id": prefix + item.partner_id}
            )
            for item in draw(open_items())
        ]
        events = draw(dunning_events(items, ladder))
        ids = [item.id for item in items]
        until = st.none() | st.integers(0, 200).map(lambda n: BASE + timedelta(days=n))
        blocks = draw(st.lists(st.builds(ItemBlock, st.sampled_from(ids), until), max_size=2))
        who = st.sampled_from([f"{prefix}C{i}" for i in range(3)])
        pauses = draw(st.lists(st.builds(CustomerPause, who, until), max_size=1))
        out.append((items, DunningHistory(events, (), blocks, pauses)))
    return out


def _fields(item: OpenItem) -> dict[str, Any]:
    import attrs

    return attrs.asdict(item, recurse=False)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(books(), st.integers(0, 200).map(lambda n: BASE + timedelta(days=n)))
def test_small_books_are_planned_as_embedded_and_each_overdue_item_once(
    spark: Any, scenarios: list[tuple[list[OpenItem], DunningHistory]], as_of: date
) -> None:
    people = [
        attrs_evolve(customer(f"C{i}"), f"E{k}-C{i}")
        for k in range(len(scenarios))
        for i in range(3)
    ]
    items = [item for scenario, _ in scenarios for item in scenario]
    history = DunningHistory(
        [e for _, h in scenarios for e in h.events],
        (),
        [b for _, h in scenarios for b in h.blocks],
        [p for _, h in scenarios for p in h.pauses],
    )
    item_frame, customer_frame = frames(spark, items, people)
    result = plan_frames(
        spark, item_frame, customer_frame, POLICY, as_of, history=history, buckets=3
    )
    try:
        document = result.to_json()
    finally:
        result.unpersist()
    embedded = plan(items, people, history, POLICY, as_of, render=False).to_json()
    assert document == embedded
    placed = [i["item_id"] for n in document["notices"] for i in n["items"]]
    placed += [hold["item_id"] for hold in document["holds"]]
    assert len(placed) == len(set(placed))
    dunned = {event.item_id for event in history.events}
    latest = as_of - timedelta(days=first_level_days(POLICY))
    overdue = {
        item.id
        for item in items
        if item.residual.amount > 0 and item.due_date <= latest and item.id not in dunned
    }
    assert overdue <= set(placed)


def attrs_evolve(person: Customer, new_id: str) -> Customer:
    import attrs

    return attrs.evolve(person, id=new_id, name=f"Customer {new_id}")


# -- errors --------------------------------------------------------------------------------------


class FailingPlanner(BucketPlanner):
    """Fails in the bucket holding customer C3 (shipped to the workers by value)."""

    def plan(self, table: pa.Table) -> pa.Table:
        if "C3" in self._part(table, "customers").column("id").to_pylist():
            raise ZeroDivisionError("the bucket cannot be planned")
        return super().plan(table)


def small_book() -> tuple[list[OpenItem], list[Customer]]:
    from ecomrules.testing.dunning import open_item

    people = [customer(f"C{i}") for i in range(6)]
    items = [
        open_item(f"I{i}", AS_OF - timedelta(days=10 + i), customer_id=f"C{i % 6}")
        for i in range(30)
    ]
    return items, people


def test_a_failing_bucket_is_a_spark_error_naming_it(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyspark import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(dunning_spark, "BucketPlanner", FailingPlanner)
    items, people = small_book()
    item_frame, customer_frame = frames(spark, items, people)
    try:
        with pytest.raises(SparkError) as caught:
            plan_frames(spark, item_frame, customer_frame, POLICY, AS_OF, buckets=4)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    message = str(caught.value)
    assert message.startswith("bucket ")
    assert " of 4 failed" in message
    assert "ZeroDivisionError: the bucket cannot be planned" in message
    assert "Traceback" not in message


def test_a_bad_csv_row_is_an_input_error_naming_file_line_and_column(
    spark: Any, tmp_path: Path
) -> None:
    items, people = small_book()
    columns = item_columns(items)
    columns["due_date"][6] = "2026-13-40"  # line 8: the header is line 1
    items_csv = write_csv(tmp_path / "open-items.csv", columns)
    customers_csv = write_csv(tmp_path / "customers.csv", customer_columns(people))
    with pytest.raises(InputError) as caught:
        plan_frames(spark, str(items_csv), customers_csv, POLICY, AS_OF, buckets=2)
    assert caught.value.problems[0].startswith("open-items.csv:8: column 'due_date':")


def test_a_missing_column_and_a_float_amount_are_input_errors(spark: Any) -> None:
    items, people = small_book()
    item_frame, customer_frame = frames(spark, items, people)
    with pytest.raises(InputError, match="due_date"):
        plan_frames(spark, item_frame.drop("due_date"), customer_frame, POLICY, AS_OF)
    floats = item_frame.withColumn("amount", item_frame["amount"].cast("double"))
    with pytest.raises(InputError, match="'amount' is a floating-point column"):
        plan_frames(spark, floats, customer_frame, POLICY, AS_OF)


def test_an_item_id_given_twice_is_refused_across_buckets(spark: Any) -> None:
    items, people = small_book()
    columns = item_columns(items)
    columns["id"][1] = columns["id"][0]  # customers C0 and C1: maybe two buckets
    item_frame = spark.createDataFrame(pa.table(columns))
    customer_frame = spark.createDataFrame(pa.table(customer_columns(people)))
    with pytest.raises(InputError, match="open item id 'I0' appears 2 times"):
        plan_frames(spark, item_frame, customer_frame, POLICY, AS_OF, buckets=8)
    with pytest.raises(InputError, match="appears twice"):
        plan(items[:1] * 2, people, DunningHistory(), POLICY, AS_OF)  # as the embedded engine


def test_the_plan_is_written_whole_or_not_at_all(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items, people = small_book()
    item_frame, customer_frame = frames(spark, items, people)
    result = plan_frames(spark, item_frame, customer_frame, POLICY, AS_OF, buckets=2)
    out = tmp_path / "plan"
    counts = result.write(out)
    assert sorted(p.name for p in out.iterdir()) == [
        "_SUCCESS",
        "claims",
        "holds",
        "issues",
        "notices",
    ]
    assert spark.read.parquet(str(out / "notices")).count() == counts["notices"] > 0
    with pytest.raises(SparkError, match="exists"):
        result.write(out)

    def broken(self: Any, name: str) -> Any:
        if name == "claims":
            raise RuntimeError("disk full")
        return original(self, name)

    original = dunning_spark.SparkDunningPlan.table
    monkeypatch.setattr(dunning_spark.SparkDunningPlan, "table", broken)
    with pytest.raises(SparkError, match="disk full"):
        result.write(tmp_path / "failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    result.unpersist()


# -- the command line ----------------------------------------------------------------------------


def test_the_cli_writes_the_plan_as_parquet_and_prints_a_summary(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecomrules.cli.app import main

    items, people = small_book()
    items_csv = write_csv(tmp_path / "open-items.csv", item_columns(items))
    customers_csv = write_csv(tmp_path / "customers.csv", customer_columns(people))
    out = tmp_path / "plan"
    args = ["dunning", "plan", "--engine", "spark", "--policy", "fr-b2b", "--as-of", "2026-11-20"]
    args += ["--open-items", str(items_csv), "--customers", str(customers_csv)]
    with pytest.raises(SystemExit) as done:
        main([*args, "--out", str(out), "--workspace", str(tmp_path / "none.db"), "--json"])
    assert done.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    embedded = plan(items, people, DunningHistory(), POLICY, AS_OF, render=False)
    assert summary["rows"]["notices"] == len(embedded.notices) > 0
    assert summary["notices"] == dict(Counter(n.level for n in embedded.notices))
    assert summary["holds"] == dict(Counter(h.reason.code for h in embedded.holds))
    notices = spark.read.parquet(str(out / "notices")).orderBy("customer_id").collect()
    assert [row["idempotency_key"] for row in notices] == [
        n.idempotency_key for n in embedded.notices
    ]
    assert (out / "_SUCCESS").exists()

    columns = item_columns(items)
    columns["residual"][3] = "12.345"  # line 5: more decimals than EUR has
    bad = write_csv(tmp_path / "bad-items.csv", columns)
    failed = tmp_path / "failed"
    with pytest.raises(SystemExit) as caught:
        main([*args[:-4], "--open-items", str(bad), "--customers", str(customers_csv),
              "--out", str(failed), "--json"])  # fmt: skip
    assert caught.value.code == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "error.input"
    assert error["problems"][0]["message"].startswith("bad-items.csv:5: column 'residual':")
    assert not failed.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_charges_claims_and_moved_items_are_planned_as_embedded(spark: Any) -> None:
    """Open charges, interest already charged, indemnities, and records of another customer."""
    from ecomrules.dunning import ChargeKind, DunningCharge, DunningEvent
    from ecomrules.money import Money
    from ecomrules.testing.dunning import open_item

    people = [customer(f"C{i}") for i in range(8)]
    old = AS_OF - timedelta(days=60)
    items = [open_item(f"J{i}", old, "1200.00", customer_id=f"C{i % 8}") for i in range(24)]
    items += small_book()[0]
    events = []
    for item in items[:24]:  # reminders 1 and 2 sent: the formal notice is due today
        for rank, level, days in ((1, "reminder_1", 8), (2, "reminder_2", 22)):
            events.append(
                DunningEvent(
                    item.id,
                    item.partner_id,
                    level,
                    rank,
                    old + timedelta(days=days),
                    f"k{item.id}{rank}",
                )
            )
    # I7 now belongs to C1, but its reminder was sent to C6 three days ago.
    events.append(DunningEvent("I7", "C6", "reminder_1", 1, AS_OF - timedelta(days=3), "moved"))
    eur = Money(Decimal("10.00"), "EUR")
    month = AS_OF - timedelta(days=30)
    charges = [
        DunningCharge("fee-C2", "C2", None, ChargeKind.FEE, "reminder_2", eur, month),
        DunningCharge(
            "int-J3", "C5", "J3", ChargeKind.INTEREST, "reminder_2", eur,
            AS_OF - timedelta(days=9), period_end=AS_OF - timedelta(days=9),
        ),
        DunningCharge("ind-J4", "C4", "J4", ChargeKind.INDEMNITY, "formal_notice", eur, old),
        DunningCharge("paid-C3", "C3", None, ChargeKind.FEE, "reminder_1", eur, old, paid=eur),
        DunningCharge("fee-C99", "C99", None, ChargeKind.FEE, "reminder_1", eur, old),
    ]  # fmt: skip
    history = DunningHistory(events, charges, [ItemBlock("J5")], [CustomerPause("C7")])
    embedded = plan(items, people, history, POLICY, AS_OF, render=False).to_json()
    item_frame, customer_frame = frames(spark, items, people)
    result = plan_frames(
        spark, item_frame, customer_frame, POLICY, AS_OF, history=history, buckets=5
    )
    try:
        document = result.to_json()
    finally:
        result.unpersist()
    assert len(embedded["claims"]) == 4
    assert any(n["interest"] for n in embedded["notices"])
    assert any(n["open_charges"] for n in embedded["notices"])
    assert document == embedded
