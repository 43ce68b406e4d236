"""Bounded subset-sum: which few open items does one payment settle?

Large pools use a bitset dynamic programme on Python ints over integer minor
units: bit ``s`` of ``layer[j]`` says that some ``j`` items add up to ``s``.
Layers are kept per suffix of the (preference-ordered) items, so the
solutions are then enumerated in preference order with every dead branch
pruned by one bit test. The smallest pools (the usual customer with a few
open items) list every subset sum; medium pools and pools whose target is
too large for the bitset are searched
depth-first, pruned by the least and greatest sums still reachable, within
a step budget (measured, see the ADR). Items larger than the target are
never in the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["find_subsets"]

ENUMERATE_LIMIT = 8
"""Pools of at most this many items have all their subset sums listed (256 at most)."""
DFS_LIMIT = 12
"""Pools of at most this many items are searched depth-first (cheapest when small)."""
BITSET_BUDGET = 250_000
"""Larger pools use the bitset when ``items x depth x target / 64`` stays under this."""
SEARCH_BUDGET = 200_000
"""Past both, the depth-first search gives up after this many steps (no combination)."""
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
    if target <= 0 or not values or target > MAX_TARGET_BITS or any(v <= 0 for v in values):
        return []
    usable = [i for i, v in enumerate(values) if v <= target]
    pool = [values[i] for i in usable]
    n = len(pool)
    if n == 0:
        return []
    depth = min(max_items, n)
    if n <= ENUMERATE_LIMIT:
        found = _enumerate(pool, target, depth, limit)
    elif n <= DFS_LIMIT or n * depth * (target >> 6) > BITSET_BUDGET:
        found = _bounded_search(pool, target, depth, limit)
    else:
        found = _bitset_search(pool, target, depth, limit)
    return [tuple(usable[k] for k in subset) for subset in found]


def _enumerate(values: Sequence[int], target: int, depth: int, limit: int) -> list[tuple[int, ...]]:
    """Every subset's sum, built by doubling lists (bit ``i`` of the index is item ``i``)."""
    sums = [0]
    sizes = [0]
    for v in values:
        sums += [s + v for s in sums]
        sizes += [k + 1 for k in sizes]
    hits = [m for m, s in enumerate(sums) if s == target and sizes[m] <= depth]
    if not hits:
        return []
    fewest = min(sizes[m] for m in hits)
    subsets = sorted(
        tuple(i for i in range(len(values)) if m >> i & 1) for m in hits if sizes[m] == fewest
    )
    return subsets[:limit]


def _bitset_search(
    values: Sequence[int], target: int, depth: int, limit: int
) -> list[tuple[int, ...]]:
    """The bitset programme, then a walk in preference order pruned by one bit test a step."""
    n = len(values)
    layers = _bitset_layers(values, target, depth)
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
    budget = [SEARCH_BUDGET]
    tails = [sorted(values[t:]) for t in range(n + 1)]
    least = [[sum(tail[:k]) for k in range(depth + 1)] for tail in tails]
    most = [[sum(tail[len(tail) - k :]) if k else 0 for k in range(depth + 1)] for tail in tails]
    where: dict[int, list[int]] = {}
    for position, value in enumerate(values):
        where.setdefault(value, []).append(position)
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []

    def walk(start: int, remaining: int, left: int) -> None:
        budget[0] -= 1
        if left == 1:  # the last item: one lookup instead of a loop
            for t in where.get(remaining, ()):
                if t >= start:
                    found.append((*chosen, t))
                    if len(found) >= limit:
                        return
            return
        for t in range(start, n - left + 1):
            if not least[t][left] <= remaining <= most[t][left] or budget[0] < 0:
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
