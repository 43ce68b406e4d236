"""Bounded subset-sum: which few open items does one payment settle?

Pools of up to 18 items (the usual customer has a few open items) meet in
the middle: the subset sums of each half are listed, and one dict lookup per
sum of the first half finds the second halves that complete it. Larger
pools use a bitset dynamic programme on Python ints over integer minor
units: bit ``s`` of ``layer[j]`` says that some ``j`` items add up to ``s``.
Layers are kept per suffix of the (preference-ordered) items, so the
solutions are then enumerated in preference order with every dead branch
pruned by one bit test. Larger pools whose target is too large for the
bitset are searched depth-first, pruned by the least and greatest sums still
reachable, within a step budget (measured, see the ADR). Items larger than
the target are never in the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["find_subsets"]

HALVES_LIMIT = 18
"""Pools of at most this many items meet in the middle (two lists of 512 sums at most)."""
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
    whole = sum(pool)
    if whole <= target:
        # values are positive: only the whole pool can reach the target, and
        # then no smaller part of it does (a payment of every open item)
        return [tuple(usable)] if whole == target and 0 < n <= max_items else []
    depth = min(max_items, n)
    if n <= HALVES_LIMIT:
        found = _halves(pool, target, depth, limit)
    elif n * depth * (target >> 6) > BITSET_BUDGET:
        found = _bounded_search(pool, target, depth, limit)
    else:
        found = _bitset_search(pool, target, depth, limit)
    return [tuple(usable[k] for k in subset) for subset in found]


def _sums(values: Sequence[int]) -> list[int]:
    """Every subset's sum, by doubling a list: bit ``i`` of an index is item ``i``."""
    sums = [0]
    for v in values:
        sums += list(map(v.__add__, sums))
    return sums


def _positions(sums: list[int], value: int) -> list[int]:
    """Every index of ``value`` in ``sums`` (``list.index`` scans in C)."""
    found: list[int] = []
    at = -1
    try:
        while True:
            at = sums.index(value, at + 1)
            found.append(at)
    except ValueError:
        return found


def _halves(values: Sequence[int], target: int, depth: int, limit: int) -> list[tuple[int, ...]]:
    """Meet in the middle: the sums of each half that add up to ``target``, met by a set.

    The sums the first half leaves to reach ``target`` are intersected with
    the second half's sums in C; only the few sums they share are looked
    up again, and a subset's size is its mask's bit count.
    """
    half = len(values) // 2
    left_sums = _sums(values[:half])
    right_sums = _sums(values[half:])
    shared = set(map(target.__sub__, left_sums)).intersection(right_sums)
    if not shared:
        return []
    hits: list[tuple[int, int, int]] = []  # (size, left mask, right mask)
    for s in shared:
        rights = _positions(right_sums, s)
        for m in _positions(left_sums, target - s):
            size = m.bit_count()
            hits.extend((size + r.bit_count(), m, r) for r in rights)
    hits = [hit for hit in hits if hit[0] <= depth]
    if not hits:
        return []
    fewest = min(hit[0] for hit in hits)
    width = len(values) - half
    subsets = sorted(
        tuple(i for i in range(half) if m >> i & 1)
        + tuple(half + i for i in range(width) if r >> i & 1)
        for size, m, r in hits
        if size == fewest
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
