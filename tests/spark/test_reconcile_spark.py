"""ecomrules.reconcile.spark: the embedded engine's decisions, on Spark, whatever the partitioning.

The proof is the decision digest (:func:`ecomrules.testing.reconcile.decision_digest`)
of the generated benchmark data: equal to the embedded engine's with 1, 2 and
8 proposal groups and with the input shuffled. Hypothesis properties (no item
allocated beyond its residual, every line accounted for once) run on small
frames; the error cases on real failing inputs.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomrules.errors import InputError, ReconcileError
from ecomrules.reconcile import Matcher
from ecomrules.reconcile.bulk import read_item_records, read_line_records
from ecomrules.reconcile.spark import reconcile_spark
from ecomrules.testing.reconcile import decision_digest


def _embedded(folder: Path) -> Any:
    lines = read_line_records(folder / "statement.csv")
    items = read_item_records(folder / "open-items.csv")
    return Matcher().match_records(lines, items)


def _shuffled(folder: Path, out: Path, seed: int) -> Path:
    """The same files with their rows in another order."""
    out.mkdir()
    for name in ("statement.csv", "open-items.csv"):
        with (folder / name).open(newline="") as handle:
            rows = list(csv.reader(handle))
        body = rows[1:]
        random.Random(seed).shuffle(body)
        with (out / name).open("w", newline="") as handle:
            csv.writer(handle).writerows([rows[0], *body])
    return out


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory, generated: Any) -> tuple[Path, str]:
    folder = generated(100_000, tmp_path_factory.mktemp("n100k"), 5)
    return folder, decision_digest(_embedded(folder))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, generated: Any) -> tuple[Path, str]:
    folder = generated(3_000, tmp_path_factory.mktemp("n3k"), 6)
    return folder, decision_digest(_embedded(folder))


def _digest(spark: Any, folder: Path, partitions: int) -> str:
    run = reconcile_spark(
        spark,
        str(folder / "statement.csv"),
        str(folder / "open-items.csv"),
        partitions=partitions,
    )
    return decision_digest(run.to_match_result())


def test_100k_lines_shuffled_in_8_groups_decide_as_the_embedded_engine(
    spark: Any, large: tuple[Path, str], tmp_path: Path
) -> None:
    folder, expected = large
    assert _digest(spark, _shuffled(folder, tmp_path / "shuffled", 1), 8) == expected


@pytest.mark.parametrize("partitions", [1, 2])  # 8 groups: the 100,000 lines above
def test_one_or_two_groups_decide_as_the_embedded_engine(
    spark: Any, small: tuple[Path, str], partitions: int
) -> None:
    folder, expected = small
    assert _digest(spark, folder, partitions) == expected


def _stored(spark: Any) -> set[int]:
    """The ids of the RDDs the session keeps (cached frames and local checkpoints)."""
    return set(spark.sparkContext._jsc.getPersistentRDDs().keySet())


def _cache_empty(spark: Any) -> bool:
    return bool(spark._jsparkSession.sharedState().cacheManager().isEmpty())


def test_unpersist_releases_every_frame_the_run_stored(spark: Any, small: tuple[Path, str]) -> None:
    folder, expected = small
    spark.catalog.clearCache()
    before = _stored(spark)
    run = reconcile_spark(
        spark, str(folder / "statement.csv"), str(folder / "open-items.csv"), partitions=2
    )
    assert len(_stored(spark) - before) == len(run.kept) > 0  # kept while the tables are read
    assert decision_digest(run.to_match_result()) == expected
    run.unpersist()
    assert _stored(spark) == before
    assert _cache_empty(spark)


def test_a_partner_is_named_by_its_first_item_as_the_embedded_engine_reads_it(
    spark: Any, tmp_path: Path
) -> None:
    # P1's first item (I2) names it "Zeta Trading SARL", a later one (I1) by a name that
    # sorts first: the payer named as the first item pays both at once (a combination
    # found through P1's items only, since no item has the amount paid).
    (tmp_path / "open-items.csv").write_text(
        "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date\n"
        "I2,INV-2,P1,Zeta Trading SARL,EUR,100.00,100.00,2026-10-01,2026-11-01\n"
        "I1,INV-1,P1,Alpha Trading SARL,EUR,50.00,50.00,2026-10-01,2026-11-02\n"
        "I3,INV-3,P2,Other Shop GmbH,EUR,70.00,70.00,2026-10-01,2026-11-01\n"
    )
    (tmp_path / "statement.csv").write_text(
        "id,booking_date,value_date,amount,currency,counterparty,iban,label,reference\n"
        "L1,2026-11-10,2026-11-10,150.00,EUR,Zeta Trading SARL,,payment,\n"
        "L2,2026-11-10,2026-11-10,70.00,EUR,Other Shop GmbH,,payment,\n"
    )
    embedded = _embedded(tmp_path)
    assert [m.line_id for m in embedded.matches] == ["L1", "L2"]  # the case is the one meant
    assert _digest(spark, tmp_path, 2) == decision_digest(embedded)


_EXACT_ITEMS = """\
id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date,reference,order_id,iban
I1,INV-1001,P1,Alpha SARL,EUR,100.00,100.00,2026-10-01,2026-11-01,,,
I2,INV-1002,P2,Beta GmbH,EUR,200.00,200.00,2026-10-01,2026-11-01,RF18539007547034,,
I3,INV-1003,P3,Gamma SAS,EUR,300.00,300.00,2026-10-01,2026-11-01,,,
I4,INV-1004,P3,Gamma SAS,EUR,400.00,400.00,2025-05-01,2025-06-01,,,
I5,INV-1005,P4,Delta BV,EUR,500.00,500.00,2026-10-01,2026-11-01,,SO-77,
I6,INV-1006,P4,Delta BV,EUR,500.00,500.00,2026-10-01,2026-11-01,,SO-77,
I7,INV-1007,P5,Eps Ltd,EUR,700.00,700.00,2026-04-01,2026-05-01,,,
"""
_EXACT_LINES = """\
id,booking_date,value_date,amount,currency,counterparty,iban,label,reference
L01,2026-11-10,2026-11-10,100.00,EUR,,,,INV-1001
L02,2026-11-10,2026-11-10,100.00,EUR,Alpha SARL,,,INV-1001
L03,2026-11-10,2026-11-10,200.00,EUR,,,,RF18539007547034
L04,2026-11-10,2026-11-10,300.00,EUR,,,,inv 1003
L05,2026-11-10,2026-11-10,700.00,EUR,,,payment INV-1007 thanks,
L06,2026-11-10,2026-11-10,400.00,EUR,,,rechnung INV 1004,
L07,2026-11-10,2026-11-10,500.00,EUR,,,,SO-77
L08,2026-11-10,2026-11-10,300.00,EUR,,FR7630006000011234567890188,,INV-1003
L09,2026-11-10,2026-11-10,100.00,EUR,,,INV-1001,
L10,2026-11-10,2026-11-10,250.00,EUR,,,,INV-1001
"""


def test_exact_references_are_decided_in_sql_as_the_embedded_engine_decides_them(
    spark: Any, tmp_path: Path
) -> None:
    # In SQL: a reference equal (L01, L02), structured and valid (L03), equal once
    # normalised (L04), a reference in the text booked near or far from the due date
    # (L09, L05). To the proposal stage: a reference in the text booked more than a
    # year from the due date (the party decides), a key two items bear (L07), an
    # invalid IBAN (L08), an amount that is not the residual (L10). Items claimed by
    # several lines (I1 by four, I3 by L04 and L08) are shared out across both stages.
    (tmp_path / "open-items.csv").write_text(_EXACT_ITEMS)
    (tmp_path / "statement.csv").write_text(_EXACT_LINES)
    run = reconcile_spark(
        spark, str(tmp_path / "statement.csv"), str(tmp_path / "open-items.csv"), partitions=2
    )
    embedded = _embedded(tmp_path)
    assert decision_digest(run.to_match_result()) == decision_digest(embedded)
    assert run.exact == 6
    assert run.contested == 6  # L01, L02, L09, L10 (a part) on I1; L04, L08 on I3
    reasons = {m.line_id: m.codes for m in embedded.matches}
    assert reasons["L03"][0] == "reconcile.reference.structured"
    unmatched = {u.line_id: u.reasons for u in embedded.unmatched_lines}
    assert unmatched["L04"] == ("reconcile.item_taken",)  # L08's equal reference scores more
    assert "reconcile.date.far" in reasons["L05"]


def test_invalid_ibans_of_lines_items_and_the_partner_mapping_are_the_embedded_issues(
    spark: Any, tmp_path: Path
) -> None:
    from ecomrules.reconcile.settings import default_settings

    # I5's IBAN fails its checksum, I7's its length, I1's is valid; L08's fails its
    # checksum, L02's its country; one IBAN of the partner mapping is invalid, one valid
    items = _EXACT_ITEMS.replace(",SO-77,\n", ",SO-77,FR7630006000011234567890188\n", 1)
    items = items.replace("2026-05-01,,,", "2026-05-01,,,DE8937040044053201300", 1)
    items = items.replace("2026-11-01,,,\nI2", "2026-11-01,,,FR7630006000011234567890189\nI2")
    lines = _EXACT_LINES.replace("Alpha SARL,,,INV-1001", "Alpha SARL,QQ12 3456,,INV-1001")
    (tmp_path / "open-items.csv").write_text(items)
    (tmp_path / "statement.csv").write_text(lines)
    mapping = {"DE89 3704 0044 0532 0130 01": "P2", "DE89370400440532013000": "P1"}
    settings = attrs.evolve(default_settings(), partner_ibans=mapping)
    run = reconcile_spark(
        spark,
        str(tmp_path / "statement.csv"),
        str(tmp_path / "open-items.csv"),
        settings=settings,
        partitions=2,
    )
    embedded = Matcher(settings).match_records(
        read_line_records(tmp_path / "statement.csv"),
        read_item_records(tmp_path / "open-items.csv"),
    )
    assert [(i.record, i.id) for i in embedded.issues] == [  # the case is the one meant
        ("item", "I5"),
        ("item", "I7"),
        ("line", "L02"),
        ("line", "L08"),
        ("partners", "DE89370400440532013001"),
    ]
    found = run.to_match_result()
    assert found.issues == embedded.issues
    assert decision_digest(found) == decision_digest(embedded)
    assert run.summary()["issues"] == 5


def test_settings_whose_lone_candidates_need_the_party_leave_every_line_to_the_proposals(
    spark: Any, tmp_path: Path
) -> None:
    from ecomrules.reconcile.comparison import AmountComparison, Level
    from ecomrules.reconcile.settings import default_settings

    base = default_settings()
    weak = AmountComparison(exact=Level("reconcile.amount.exact", 1.0, "amount equal"))
    settings = attrs.evolve(base, comparisons=(base.comparisons[0], weak, *base.comparisons[2:]))
    (tmp_path / "open-items.csv").write_text(_EXACT_ITEMS)
    (tmp_path / "statement.csv").write_text(_EXACT_LINES)
    run = reconcile_spark(
        spark,
        str(tmp_path / "statement.csv"),
        str(tmp_path / "open-items.csv"),
        settings=settings,
        partitions=2,
    )
    lines = read_line_records(tmp_path / "statement.csv")
    items = read_item_records(tmp_path / "open-items.csv")
    embedded = Matcher(settings).match_records(lines, items)
    assert decision_digest(run.to_match_result()) == decision_digest(embedded)
    assert run.exact < 6


def test_contested_claims_are_split_into_the_connected_components_of_their_items(
    spark: Any,
) -> None:
    from ecomrules.reconcile.spark import _components

    # a chain whose least line is at one end (four rounds), a pair, a line alone
    claims = [("L4", "I1"), ("L3", "I1"), ("L3", "I2"), ("L2", "I2"), ("L2", "I3")]
    claims += [("L1", "I3"), ("L1", "I9"), ("L6", "I4"), ("L5", "I4"), ("L7", "I5")]
    edges = spark.createDataFrame(claims, "line_id string, item_id string")
    kept: list[Any] = []
    parts = _components(edges, kept)
    found = {row.line_id: row.part for row in parts.collect()}
    assert found == {
        **dict.fromkeys(["L1", "L2", "L3", "L4"], "L1"),
        "L5": "L5",
        "L6": "L5",
        "L7": "L7",
    }
    assert len(kept) == 2  # the claims and the last labels: each earlier round released


def test_two_groups_claiming_one_item_share_it_out_as_the_embedded_engine(
    spark: Any, tmp_path: Path
) -> None:
    # Three lines of three partners' groups pay I1 (P1) by its reference, L3 in part; I2
    # (P2) is claimed by L4 and L5 through its reference and the payer's name: a
    # component of two lines in another group. Whatever the groups, I1 goes by score
    # then line id, never beyond its residual.
    (tmp_path / "open-items.csv").write_text(
        "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date\n"
        "I1,INV-501,P1,Alpha SARL,EUR,100.00,100.00,2026-10-01,2026-11-01\n"
        "I2,INV-502,P2,Beta GmbH,EUR,80.00,80.00,2026-10-01,2026-11-01\n"
        "I3,INV-503,P3,Gamma SAS,EUR,60.00,60.00,2026-10-01,2026-11-01\n"
    )
    (tmp_path / "statement.csv").write_text(
        "id,booking_date,amount,currency,counterparty,iban,label,reference\n"
        "L1,2026-11-10,100.00,EUR,Gamma SAS,,,INV-501\n"
        "L2,2026-11-10,100.00,EUR,Alpha SARL,,,INV-501\n"
        "L3,2026-11-10,40.00,EUR,Beta GmbH,,paid INV-501,\n"
        "L4,2026-11-10,80.00,EUR,Beta GmbH,,,INV-502\n"
        "L5,2026-11-10,80.00,EUR,,,invoice INV 502,\n"
        "L6,2026-11-10,60.00,EUR,Gamma SAS,,,INV-503\n"
    )
    embedded = _embedded(tmp_path)
    for partitions in (1, 2, 8):
        run = reconcile_spark(
            spark,
            str(tmp_path / "statement.csv"),
            str(tmp_path / "open-items.csv"),
            partitions=partitions,
        )
        assert decision_digest(run.to_match_result()) == decision_digest(embedded)
        assert run.contested >= 4
        run.unpersist()


# ---------------------------------------------------------------- properties

_ITEM_HEAD = ["id", "number", "partner_id", "partner_name", "currency", "amount", "residual"]
_ITEM_HEAD += ["issue_date", "due_date"]
_LINE_HEAD = ["id", "booking_date", "amount", "currency", "counterparty", "iban", "label"]
_LINE_HEAD.append("reference")


@st.composite
def _worlds(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    """Several small worlds in one frame: few partners, amounts that collide, shared refs."""
    items: list[list[str]] = []
    lines: list[list[str]] = []
    for world in range(draw(st.integers(1, 4))):
        partners = [f"W{world}P{p}" for p in range(draw(st.integers(1, 3)))]
        amounts = draw(st.lists(st.integers(1, 9), min_size=1, max_size=4))
        count = draw(st.integers(1, 6))
        for k in range(count):
            partner = draw(st.sampled_from(partners))
            cents = draw(st.sampled_from(amounts)) * 1000
            amount = str(Decimal(cents).scaleb(-2))
            items.append(
                [
                    f"W{world}I{k}",
                    f"INV-{world}{k:03d}",
                    partner,
                    f"Maison {partner}",
                    "EUR",
                    amount,
                    amount,
                    "2026-10-01",
                    "2026-11-01",
                ]
            )
        for k in range(draw(st.integers(1, 6))):
            ref = draw(st.sampled_from(["", *[f"INV-{world}{j:03d}" for j in range(count)]]))
            cents = draw(st.sampled_from(amounts)) * 1000 * draw(st.sampled_from([1, 1, 2]))
            payer = draw(st.sampled_from(["", *[f"Maison {p}" for p in partners]]))
            lines.append(
                [
                    f"W{world}L{k}",
                    "2026-11-10",
                    str(Decimal(cents).scaleb(-2)),
                    "EUR",
                    payer,
                    "",
                    draw(st.sampled_from(["", "payment", f"invoice INV {world}{0:03d}"])),
                    ref,
                ]
            )
    return items, lines


def _frames(spark: Any, items: list[list[str]], lines: list[list[str]]) -> tuple[Any, Any]:
    item_frame = spark.createDataFrame(items, ", ".join(f"{c} string" for c in _ITEM_HEAD))
    line_frame = spark.createDataFrame(lines, ", ".join(f"{c} string" for c in _LINE_HEAD))
    return line_frame, item_frame


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(world=_worlds())
def test_no_item_is_allocated_beyond_its_residual_and_each_line_is_accounted_once(
    spark: Any, world: tuple[list[list[str]], list[list[str]]]
) -> None:
    items, lines = world
    line_frame, item_frame = _frames(spark, items, lines)
    result = reconcile_spark(spark, line_frame, item_frame, partitions=3).to_match_result()
    residual = {row[0]: int(Decimal(row[6]) * 100) for row in items}
    allocated: Counter[str] = Counter()
    for match in result.matches:
        for allocation in match.allocations:
            allocated[allocation.item_id] += allocation.units
    assert all(abs(units) <= abs(residual[item]) for item, units in allocated.items())
    seen = [m.line_id for m in result.matches] + [u.line_id for u in result.unmatched_lines]
    assert sorted(seen) == sorted(row[0] for row in lines)
    assert set(result.unmatched_items) == set(residual) - set(allocated)


# ---------------------------------------------------------------- errors


def _item(item_id: str, number: str, amount: str) -> list[str]:
    return [item_id, number, "P1", "Maison", "EUR", amount, amount, "2026-10-01", "2026-11-01"]


def test_rows_breaking_the_layout_are_an_input_error_naming_key_and_column(spark: Any) -> None:
    # the layout's own rules, checked in the workers: decimals beyond the currency's,
    # a residual larger than the amount (a row rule); every problem reported
    items = [_item("I1", "INV-1", "10.00"), _item("I2", "INV-2", "10.00")]
    items[1][6] = "12.00"
    lines = [["L1", "2026-11-10", "10.005", "EUR", "", "", "", "INV-1"]]
    line_frame, item_frame = _frames(spark, items, lines)
    with pytest.raises(InputError) as caught:
        reconcile_spark(spark, line_frame, item_frame)
    assert "open items DataFrame: id 'I2': column 'residual': is larger than amount" in str(
        caught.value
    )
    items[1][6] = "10.00"
    line_frame, item_frame = _frames(spark, items, lines)
    with pytest.raises(InputError) as caught:
        reconcile_spark(spark, line_frame, item_frame)
    assert "statement DataFrame: id 'L1': column 'amount': '10.005'" in str(caught.value)


def test_a_bad_cell_of_a_csv_file_is_named_by_file_line_and_column(
    spark: Any, tmp_path: Path
) -> None:
    (tmp_path / "open-items.csv").write_text(_EXACT_ITEMS.replace("2025-06-01", "2025-13-01"))
    (tmp_path / "statement.csv").write_text(_EXACT_LINES)
    before = _stored(spark)
    with pytest.raises(InputError) as caught:
        reconcile_spark(spark, str(tmp_path / "statement.csv"), str(tmp_path / "open-items.csv"))
    assert list(caught.value.problems) == [
        "open-items.csv:5: column 'due_date': '2025-13-01' is not a date (YYYY-MM-DD)"
    ]
    assert _stored(spark) == before  # the frames stored before the failure are released


def test_a_csv_file_missing_a_column_of_its_layout_is_refused_before_spark_runs(
    spark: Any, tmp_path: Path
) -> None:
    (tmp_path / "open-items.csv").write_text(_EXACT_ITEMS.replace(",issue_date,", ",issued,"))
    (tmp_path / "statement.csv").write_text(_EXACT_LINES)
    with pytest.raises(InputError, match="missing column 'issue_date'"):
        reconcile_spark(spark, str(tmp_path / "statement.csv"), str(tmp_path / "open-items.csv"))


def test_an_id_given_twice_is_refused_as_by_the_embedded_engine_leaving_nothing_stored(
    spark: Any,
) -> None:
    items = [_item("I1", "INV-1", "10.00"), _item("I1", "INV-2", "12.00")]
    lines = [["L1", "2026-11-10", "10.00", "EUR", "", "", "", "INV-1"]]
    line_frame, item_frame = _frames(spark, items, lines)
    before = _stored(spark)
    with pytest.raises(InputError, match="'I1' appears twice"):  # in one partition
        reconcile_spark(spark, line_frame, item_frame.coalesce(1))
    assert _stored(spark) == before  # the frames stored before the check are released
    with pytest.raises(ReconcileError, match="open item id 'I1' appears twice"):  # in two
        reconcile_spark(spark, line_frame, item_frame.repartitionByRange(2, "number"))
    assert _stored(spark) == before


def test_the_cli_writes_each_table_as_parquet_and_a_json_summary(
    spark: Any, small: tuple[Path, str], tmp_path: Path, cli: Any
) -> None:
    folder, _ = small
    out = tmp_path / "out"
    code, stdout, stderr = cli(
        [
            "reconcile",
            "--engine",
            "spark",
            "--open-items",
            str(folder / "open-items.csv"),
            "--statement",
            str(folder / "statement.csv"),
            "--out",
            str(out),
            "--master",
            "local[2]",
            "--json",
        ]
    )
    assert code == 0, stderr
    import json

    summary = json.loads(stdout)
    embedded = _embedded(folder)
    assert summary["auto"] + summary["review"] == len(embedded.matches)
    assert summary["unmatched_lines"] == len(embedded.unmatched_lines)
    assert sorted(p.name for p in out.iterdir()) == [
        "issues",
        "matches",
        "payouts",
        "review",
        "unmatched_items",
        "unmatched_lines",
    ]
    left = spark.read.parquet(str(out / "unmatched_items")).collect()
    assert sorted(row.item_id for row in left) == list(embedded.unmatched_items)


def test_a_failed_run_leaves_no_output_directory(tmp_path: Path, spark: Any, cli: Any) -> None:
    items = tmp_path / "open-items.csv"
    items.write_text(
        "id,number,partner_id,partner_name,currency,amount,residual,issue_date,due_date\n"
        "I1,INV-1,P1,Maison,EUR,10.00,10.00,2026-10-01,2026-11-01\n"
    )
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "id,booking_date,amount,currency,counterparty,iban,label,reference\n"
        "L1,2026-11-10,ten,EUR,,,,INV-1\n"
    )
    out = tmp_path / "out"
    code, _stdout, stderr = cli(
        [
            "reconcile",
            "--engine",
            "spark",
            "--open-items",
            str(items),
            "--statement",
            str(statement),
            "--out",
            str(out),
        ]
    )
    assert code == 2
    assert "statement.csv:2: column 'amount': 'ten'" in stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--engine", "spark"], "--out"),
        (["--engine", "hadoop", "--out", "x"], "--engine"),
        (["--master", "local[1]"], "--master goes with --engine spark"),
    ],
)
def test_bad_engine_arguments_are_usage_errors(
    tmp_path: Path, extra: list[str], expected: str, cli: Any
) -> None:
    items = tmp_path / "open-items.csv"
    items.write_text("id\n")
    statement = tmp_path / "statement.csv"
    statement.write_text("id\n")
    code, _stdout, stderr = cli(
        ["reconcile", "--open-items", str(items), "--statement", str(statement), *extra]
    )
    assert code == 2
    assert expected in stderr


def test_no_java_is_a_clear_error_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cli: Any
) -> None:
    from ecomrules import sparkrun

    # Java is checked whether or not PySpark is installed here.
    monkeypatch.setattr(sparkrun, "spark_version", lambda: (4, 0))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    items = tmp_path / "open-items.csv"
    items.write_text("id\n")
    code, _stdout, stderr = cli(
        [
            "reconcile",
            "--engine",
            "spark",
            "--open-items",
            str(items),
            "--statement",
            str(items),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "Java" in stderr
    assert not (tmp_path / "out").exists()


def test_a_jvm_failure_is_reported_by_its_own_exception_not_the_py4j_call() -> None:
    from ecomrules.sparkrun import first_line

    error = RuntimeError(
        "An error occurred while calling o25495.parquet.\n"
        ": org.apache.spark.SparkException: Not enough memory to build and broadcast the table\n"
        "\tat org.apache.spark.sql.errors.QueryExecutionErrors$.notEnough(Q.scala:2180)\n"
    )
    assert first_line(error) == (
        "org.apache.spark.SparkException: Not enough memory to build and broadcast the table"
    )


def test_an_rf_reference_gives_every_key_the_text_blocker_may_look_up() -> None:
    from collections import Counter

    from ecomrules.reconcile.blocking import reference_pattern
    from ecomrules.reconcile.spark import _text_keys

    pattern = reference_pattern(Counter({"INV": 10}), {8})
    # the blocker drops trailing groups of an RF written in groups until a key hits
    assert _text_keys(pattern, "paid RF18 5390 0754 7034") == [
        "RF18539007547034",
        "RF1853900754",
        "RF185390",
        "RF18",
    ]


def test_text_tokens_read_an_rf_reference_when_no_item_number_has_a_prefix() -> None:
    from collections import Counter

    from ecomrules.reconcile.blocking import reference_pattern
    from ecomrules.reconcile.spark import _text_tokens

    pattern = reference_pattern(Counter(), set())  # no prefix alternative in the pattern
    assert _text_tokens(pattern, "payment rf18 5390 0754 7034") == [
        ["RF18539007547034", "RF1853900754", "RF185390", "RF18"]
    ]
