from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.reconcile.combination import find_subsets


def _brute(values: list[int], target: int, depth: int) -> list[tuple[int, ...]]:
    for size in range(1, depth + 1):
        hits = [
            c for c in combinations(range(len(values)), size) if sum(values[i] for i in c) == target
        ]
        if hits:
            return hits[:2]
    return []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 500), min_size=1, max_size=18),
    st.integers(1, 2000),
    st.integers(1, 6),
)
def test_fewest_items_in_preference_order_like_brute_force(
    values: list[int], target: int, depth: int
) -> None:
    assert find_subsets(values, target, max_items=depth) == _brute(
        values, target, min(depth, len(values))
    )


def test_large_pool_uses_the_bitset_and_agrees() -> None:
    values = [1000 + 37 * k for k in range(40)]
    target = values[3] + values[17] + values[30]
    found = find_subsets(values, target)
    assert found
    assert all(sum(values[i] for i in f) == target for f in found)
    assert {len(f) for f in found} == {3}  # no pair of this progression hits the target


def test_nothing_for_non_positive_targets_or_values() -> None:
    assert find_subsets([100, 200], 0) == []
    assert find_subsets([100, -200], 100) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=1, max_size=18), st.integers(1, 6), st.data())
def test_targets_made_of_the_values_agree_with_brute_force(
    values: list[int], depth: int, data: st.DataObject
) -> None:
    chosen = data.draw(st.sets(st.sampled_from(range(len(values))), min_size=1))
    target = sum(values[i] for i in chosen)
    assert find_subsets(values, target, max_items=depth) == _brute(
        values, target, min(depth, len(values))
    )


def test_a_payment_of_every_item_is_the_whole_pool_within_the_item_limit() -> None:
    assert find_subsets([300, 200, 500], 1000) == [(0, 1, 2)]
    assert find_subsets([300, 200, 500, 5000], 1000) == [(0, 1, 2)]  # 5000 is above the target
    assert find_subsets([300, 200, 500], 1000, max_items=2) == []
    assert find_subsets([300, 200, 500], 1001) == []  # the whole pool is short
