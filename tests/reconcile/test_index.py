"""The item index: the tables grouped with pyarrow are the tables grouped in Python."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ecomrules.reconcile import index as index_module
from ecomrules.reconcile.index import ItemIndex
from ecomrules.reconcile.records import ItemRecord

_partners = st.lists(st.sampled_from(["P1", "P2", "P3", "P10", "Pé"]), max_size=40)
_ibans = st.sampled_from(["", "FR76001", "DE89002", "FR76003"])


@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=40))
def test_grouped_postings_are_the_plain_postings(residuals: list[int]) -> None:
    grouped = index_module._grouped_postings(residuals)
    plain = index_module._postings(residuals)
    assert list(grouped.items()) == list(plain.items())  # same keys in the same order


@given(
    _partners.flatmap(
        lambda ps: st.tuples(st.just(ps), st.lists(_ibans, min_size=len(ps), max_size=len(ps)))
    )
)
def test_grouped_partner_tables_are_the_plain_tables(data: tuple[list[str], list[str]]) -> None:
    partners, ibans = data
    found = index_module._grouped_partner_tables(partners, ibans)
    assert found is not None
    by_partner, by_iban, codes = found
    plain_by_partner, plain_by_iban = index_module._partner_tables(partners, ibans)
    assert list(by_partner.items()) == list(plain_by_partner.items())
    assert by_iban == plain_by_iban
    assert [list(by_partner)[c] for c in codes.to_pylist()] == partners


_VALID_IBANS = ("FR7630006000011234567890189", "DE89370400440532013000", "GB82WEST12345698765432")


def _items(count: int) -> list[ItemRecord]:
    return [
        ItemRecord(
            f"I{i}",
            f"INV-{i}",
            f"P{i % 7}",
            f"Partner {i % 7} SARL",
            "EUR",
            (i % 5 + 1) * 100,
            740_000 + i,
            iban=_VALID_IBANS[i % 3] if i % 2 else "",
        )
        for i in range(count)
    ]


def test_the_index_groups_with_pyarrow_and_builds_the_tables_a_loop_builds() -> None:
    items = _items(60)
    index = ItemIndex(items)
    assert index._partner_codes is not None
    residuals = [item.residual for item in items]
    partners = [item.partner_id for item in items]
    by_partner, by_iban = index_module._partner_tables(partners, [item.iban for item in items])
    assert list(index.by_amount.items()) == list(index_module._postings(residuals).items())
    assert list(index.by_partner.items()) == list(by_partner.items())
    assert index.partners_by_iban == by_iban
    assert index._item_name_codes().to_pylist() == [i % 7 for i in range(60)]
    assert index.named_with_amounts(["partner 3", "partner 9", "partner 3"], [300, 300, 700]) == [
        [i for i in range(60) if i % 7 == 3 and (i % 5 + 1) * 100 == 300],
        [],
        [],
    ]


def test_texts_pyarrow_cannot_hold_and_huge_residuals_are_grouped_in_python() -> None:
    items = [
        ItemRecord("I1", "INV-1", "P\udc80", "Acme", "EUR", 2**70, 740_000),
        ItemRecord("I2", "INV-2", "P\udc80", "Acme", "EUR", 2**70, 740_001),
    ]
    index = ItemIndex(items)
    assert index._partner_codes is None  # a lone surrogate is not UTF-8
    assert index.by_partner == {"P\udc80": [0, 1]}
    assert index.by_amount == {2**70: [0, 1]}
    assert index.named_with_amounts(["acme", "acme"], [2**70, 1]) == [[0, 1], []]


_keys = st.lists(st.sampled_from(["INV1", "INV2", "SO7", "RF18", "", "\ud800"]), max_size=40)


@given(_keys.flatmap(lambda ks: st.tuples(st.just(ks), st.permutations(range(len(ks))))))
def test_key_postings_are_the_loops_table(data: tuple[list[str], list[int]]) -> None:
    keys, owners = data
    plain: dict[object, index_module.Postings] = {}
    for key, owner in zip(keys, owners, strict=True):
        index_module._add(plain, key, owner)
    found = index_module._key_postings(keys, list(owners))
    assert list(found.items()) == list(plain.items())  # same keys, same order, same lists


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["P1", "P2", "P3"]),
            st.sampled_from([100, 200, -100]),
            st.sampled_from(["EUR", "CHF"]),
        ),
        max_size=30,
    )
)
def test_shared_amounts_worked_out_at_once_are_those_looked_up_one_by_one(
    rows: list[tuple[str, int, str]],
) -> None:
    items = [
        ItemRecord(f"I{k}", f"INV-{k}", partner, f"{partner} SA", currency, residual, 740_000)
        for k, (partner, residual, currency) in enumerate(rows)
    ]
    index = ItemIndex(items)
    at_once = [index.amount_shared(k) for k in range(len(items))]
    index._amount_shared = bytearray()  # empty: look through the partner or the amount bucket
    one_by_one = [index.amount_shared(k) for k in range(len(items))]
    assert at_once == one_by_one
    assert at_once == [
        any(j != k and rows[j] == rows[k] for j in range(len(rows))) for k in range(len(rows))
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from(["P1", "P2", "P3"]), st.sampled_from([100, 200])), max_size=30
    ),
    st.lists(st.tuples(st.sampled_from(["P1", "P2", "P9"]), st.sampled_from([100, 200, 300]))),
)
def test_a_partners_items_of_an_amount_joined_at_once_are_those_a_loop_finds(
    rows: list[tuple[str, int]], queries: list[tuple[str, int]]
) -> None:
    items = [
        ItemRecord(f"I{k}", f"INV-{k}", partner, f"{partner} SA", "EUR", residual, 740_000)
        for k, (partner, residual) in enumerate(rows)
    ]
    found = ItemIndex(items).owned_with_amounts(
        [partner for partner, _ in queries], [amount for _, amount in queries]
    )
    assert found == [
        [k for k, row in enumerate(rows) if row == (partner, amount)] for partner, amount in queries
    ]
