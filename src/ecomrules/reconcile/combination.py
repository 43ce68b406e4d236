"""Bounded subset-sum: which few open items does one payment settle?

Large pools use a bitset dynamic programme on Python ints over integer minor
units: bit ``s`` of ``layer[j]`` says that some ``j`` items add up to ``s``.
Layers are kept per suffix of the (preference-ordered) items, so the
solutions are then enumerated in preference order with every dead branch
pruned by one bit test. Medium pools keep the same layers as sets of sums,
and small pools (the usual customer with a few open items) are searched
depth-first with bounds, which is cheaper there (measured, see the ADR).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

__all__ = ["find_subsets"]

DFS_LIMIT = 10
"""Pools of at most this many items are searched depth-first (cheapest when small)."""
SPARSE_LIMIT = 50_000
"""Pools with at most this many candidate subsets use sets of sums instead of bitsets."""
MAX_TARGET_BITS = 1 << 26
"""Targets past this many minor units (671,088.64 EUR) are not searched (memory bound)."""


def find_subsets(
    values: Sequence[int], target: int, *, max_items: int = 6, limit: int = 2
) -> list[tuple[int, ...]]:
    """Index tuples of the fewest ``values`` adding up to ``target``; at most ``limit`` of them.

    ``values`` are positive minor units in order of preference (older due
    dates first); solutions come in that order, so the first prefers the
    earliest items. Only solutions of the smallest size that has any are
    returned; a second one means the combination is ambiguous.

    >>> find_subsets([500, 300, 200, 700], 1000)
    [(1, 3)]
    >>> find_subsets([500, 300, 200, 700], 1000, limit=5) == [(1, 3)]
    True
    >>> find_subsets([300, 200, 500, 500], 500)  # two single items hit: ambiguous
    [(2,), (3,)]
    """
    n = len(values)
    if target <= 0 or n == 0 or target > MAX_TARGET_BITS or any(v <= 0 for v in values):
        return []
    depth = min(max_items, n)
    if n <= DFS_LIMIT:
        return _bounded_search(values, target, depth, limit)
    subsets = sum(math.comb(n, j) for j in range(depth + 1))
    reach = _sparse_layers if subsets <= SPARSE_LIMIT else _bitset_layers
    layers = reach(values, target, depth)
    size = next((j for j in range(1, depth + 1) if layers[0][j](target)), 0)
    if not size:
        return []
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []

    def walk(start: int, remaining: int, left: int) -> None:
        if left == 0:
            if remaining == 0:
                found.append(tuple(chosen))
            return
        for t in range(start, n - left + 1):
            v = values[t]
            if v <= remaining and layers[t + 1][left - 1](remaining - v):
                chosen.append(t)
                walk(t + 1, remaining - v, left - 1)
                chosen.pop()
                if len(found) >= limit:
                    return

    walk(0, target, size)
    return found


_Has = Callable[[int], bool]


def _bounded_search(
    values: Sequence[int], target: int, depth: int, limit: int
) -> list[tuple[int, ...]]:
    """Depth-first search by size, pruned by the least and greatest sums still possible."""
    n = len(values)
    tails = [sorted(values[t:]) for t in range(n + 1)]
    least = [[sum(tail[:k]) for k in range(depth + 1)] for tail in tails]
    most = [[sum(tail[len(tail) - k :]) if k else 0 for k in range(depth + 1)] for tail in tails]
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []

    def walk(start: int, remaining: int, left: int) -> None:
        if left == 0:
            if remaining == 0:
                found.append(tuple(chosen))
            return
        for t in range(start, n - left + 1):
            if not least[t][left] <= remaining <= most[t][left]:
                return
            v = values[t]
            if v <= remaining:
                chosen.append(t)
                walk(t + 1, remaining - v, left - 1)
                chosen.pop()
                if len(found) >= limit:
                    return

    for size in range(1, depth + 1):
        walk(0, target, size)
        if found:
            break
    return found


def _bitset_layers(values: Sequence[int], target: int, depth: int) -> list[list[_Has]]:
    """``[i][j](s)``: can exactly ``j`` of ``values[i:]`` add up to ``s``? Bits of Python ints."""
    n = len(values)
    mask = (1 << (target + 1)) - 1
    suffix: list[list[int]] = [[0] * (depth + 1) for _ in range(n + 1)]
    suffix[n][0] = 1
    for i in range(n - 1, -1, -1):
        below, here, v = suffix[i + 1], suffix[i], values[i]
        here[0] = 1
        for j in range(1, depth + 1):
            here[j] = below[j] | ((below[j - 1] << v) & mask)
    return [[_bit_test(bits) for bits in row] for row in suffix]


def _bit_test(bits: int) -> _Has:
    def has(total: int) -> bool:
        return bool(bits >> total & 1)

    return has


def _sparse_layers(values: Sequence[int], target: int, depth: int) -> list[list[_Has]]:
    """The same as sets of sums, cheaper when few subsets exist (small pools)."""
    n = len(values)
    suffix: list[list[set[int]]] = [[set() for _ in range(depth + 1)] for _ in range(n + 1)]
    suffix[n][0] = {0}
    for i in range(n - 1, -1, -1):
        below, here, v = suffix[i + 1], suffix[i], values[i]
        here[0] = {0}
        for j in range(1, depth + 1):
            here[j] = below[j] | {s + v for s in below[j - 1] if s + v <= target}
    return [[row_set.__contains__ for row_set in row] for row in suffix]
