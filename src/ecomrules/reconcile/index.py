"""The open-item index every blocker probes: reference keys, amounts, parties."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress
from operator import attrgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from attrs import frozen

from ecomrules.reconcile import columnar
from ecomrules.reconcile.iban import IbanCheck
from ecomrules.reconcile.records import (
    ItemRecord,
    name_key,
    normalise_iban,
    normalise_name,
    normalise_reference,
    normalise_references,
)

__all__ = ["ItemIndex", "Postings", "SharedFacts"]

Postings = int | list[int]
"""One item index, or a list of them when a key is shared."""


def _add(table: dict[object, Postings], key: object, index: int) -> None:
    prev = table.get(key)
    if prev is None:
        table[key] = index
    elif isinstance(prev, int):
        table[key] = [prev, index]
    else:
        prev.append(index)


def _postings(keys: Sequence[object]) -> dict[object, Postings]:
    """A table from the key of each index: an int per key, a list for shared keys.

    A plain loop: measured at a million items, it is as fast as building
    the table by ``dict(zip(...))`` calls when keys are unique, and three
    times faster when many are shared (amounts).
    """
    table: dict[object, Postings] = {}
    for i, key in enumerate(keys):
        _add(table, key, i)
    return table


def _key_postings(keys: list[str], owners: list[int]) -> dict[object, Postings]:
    """The table :func:`_add` builds from ``owners[k]`` under ``keys[k]``, in that order.

    Reference keys are nearly all distinct: the table is one ``dict(zip())``
    (at a million items 0.2 s against 0.9 s for the loop), and only the keys
    several rows share, found in C, are listed row by row (in row order, as
    the loop lists them). A text pyarrow cannot hold goes by the loop.
    """
    table: dict[object, Postings] = dict(zip(keys, owners, strict=True))
    if len(table) == len(keys):
        return table
    try:
        column = pa.array(keys, pa.string())
        counted = pc.value_counts(column)
        shared = counted.field("values").filter(pc.greater(counted.field("counts"), 1))
        rows = pc.indices_nonzero(pc.is_in(column, value_set=shared)).to_pylist()
    except (UnicodeEncodeError, pa.ArrowException):
        table = {}
        for key, owner in zip(keys, owners, strict=True):
            _add(table, key, owner)
        return table
    lists: dict[str, list[int]] = {}
    for row in rows:
        found = lists.get(keys[row])
        if found is None:
            lists[keys[row]] = [owners[row]]
        else:
            found.append(owners[row])
    table.update(lists)
    del column, counted, shared
    pa.default_memory_pool().release_unused()
    return table


def _grouped_postings(residuals: list[int]) -> dict[object, Postings]:
    """:func:`_postings` with the rows grouped in C (same table, same order)."""
    grouped = columnar.group(residuals, "int64")
    rows = grouped.rows
    table: dict[object, Postings] = {}
    start = 0
    for end in grouped.ends:
        first = rows[start]
        table[residuals[first]] = first if end - start == 1 else rows[start:end]
        start = end
    return table


def _partner_tables(
    partners: list[str], ibans: list[str]
) -> tuple[dict[str, list[int]], dict[str, set[str]]]:
    """Each partner's item indices, and each IBAN's partners (the items' own IBANs)."""
    by_partner: dict[str, list[int]] = {}
    for i, partner in enumerate(partners):
        partner_items = by_partner.get(partner)
        if partner_items is None:
            by_partner[partner] = [i]
        else:
            partner_items.append(i)
    by_iban: dict[str, set[str]] = {}
    iban_of = ibans.__getitem__
    for partner, owned in by_partner.items():  # a partner pays from one or two IBANs
        for iban in set(map(iban_of, owned)):
            if iban:
                known = by_iban.get(iban)
                if known is None:
                    by_iban[iban] = {partner}
                else:
                    known.add(partner)
    return by_partner, by_iban


def _grouped_partner_tables(
    partners: list[str], ibans: list[str]
) -> tuple[dict[str, list[int]], dict[str, set[str]], Any] | None:
    """:func:`_partner_tables` with the rows grouped in C, and each item's partner number.

    None when pyarrow cannot hold a text (a lone surrogate is not UTF-8).
    """
    try:
        grouped = columnar.group(partners, "string")
        pairs = columnar.distinct_pairs(grouped.codes, ibans)
    except (UnicodeEncodeError, pa.ArrowException):
        return None
    rows = grouped.rows
    by_partner: dict[str, list[int]] = {}
    start = 0
    names: list[str] = []  # partner ids by group number
    for end in grouped.ends:
        owned = rows[start:end]
        partner = partners[owned[0]]
        names.append(partner)
        by_partner[partner] = owned
        start = end
    by_iban: dict[str, set[str]] = {}
    for code, row in zip(*pairs, strict=True):
        iban = ibans[row]
        known = by_iban.get(iban)
        if known is None:
            by_iban[iban] = {names[code]}
        else:
            known.add(names[code])
    return by_partner, by_iban, grouped.codes


def _compact(values: list[int]) -> Sequence[int]:
    """Ints in one contiguous array (a list when one does not fit in 64 bits)."""
    try:
        return array("q", values)
    except OverflowError:
        return values


@frozen
class SharedFacts:
    """What a decision reads from *all* the open items, for a run on a part of them.

    A distributed run (:mod:`ecomrules.reconcile.spark`) matches each partition
    of the lines against only the items they can touch; these three facts are
    the ones a decision takes from the whole set, computed over all the items
    and handed to every partition so that it decides as one run would:

    - ``reference_shapes``: the letter prefixes (counted) and digit lengths of
      every item's keys, from which the reference pattern is derived
      (:func:`~ecomrules.reconcile.blocking.reference_shapes`);
    - ``amount_counts``: residual (minor units) -> how many items have it, at
      least for the residuals the partition's lines pay (a crowded amount
      bucket is narrowed);
    - ``names``: :func:`~ecomrules.reconcile.records.name_key` of a payer ->
      the one partner bearing that name, or None (nobody, or several), at
      least for the partition's payer names.
    """

    reference_shapes: tuple[Counter[str], set[int]]
    amount_counts: Mapping[int, int]
    names: Mapping[str, str | None]


def postings(value: Postings | None) -> Sequence[int]:
    """The item indices of a table entry (empty for a missing key)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else value


class ItemIndex:
    """Hash tables over the open items, built once per run (no n×m anywhere).

    ``by_key`` maps the normalised number, reference and order id of each
    item to it; ``by_amount`` the residual in minor units; ``by_partner``
    the partner id; ``partners_by_iban`` an IBAN to the partners known to pay
    from it (the items' own IBANs plus the configured partner mapping).

    ``residuals``, ``currencies`` and ``partners`` hold one field of every
    item by index, for the lookups blockers make item by item: at a million
    items, reading a field from a compact column instead of from each
    item's record took the amount blocker from about 3.7 s to 2.7 s.

    The items are grouped by partner and by residual in C
    (:func:`columnar.group <ecomrules.reconcile.columnar.group>`): the same
    tables as a loop over the items would build, about a third faster at a
    million items. Only what pyarrow cannot hold (a residual beyond 64 bits,
    a lone surrogate in a partner id, from records built by hand) is grouped
    by that loop.
    """

    def __init__(
        self,
        items: Sequence[ItemRecord],
        *,
        partner_ibans: Mapping[str, str] | None = None,
        partner_groups: Mapping[str, str] | None = None,
        shared: SharedFacts | None = None,
    ) -> None:
        self.items = items
        self.shared = shared
        """The facts of all the items when ``items`` is a part of them (a distributed run)."""
        self.number_keys = normalise_references(list(map(attrgetter("number"), items)))
        """The normalised number of each item, by index."""
        residuals = list(map(attrgetter("residual"), items))
        self.residuals = _compact(residuals)
        """The residual of each item (minor units), by index."""
        self.currencies: list[str] = list(map(attrgetter("currency"), items))
        """The currency code of each item, by index."""
        self.partners: list[str] = list(map(attrgetter("partner_id"), items))
        """The partner id of each item, by index."""
        keys = list(self.number_keys)
        owners = list(range(len(items)))
        for field in ("reference", "order_id"):  # the optional keys, of the items that have them
            raws = list(map(attrgetter(field), items))
            owners.extend(compress(range(len(raws)), raws))
            keys.extend(normalise_references(list(filter(None, raws))))
        by_key = _key_postings(keys, owners)
        del keys, owners
        ibans = list(map(attrgetter("iban"), items))
        self._partner_codes: Any = None  # each item's partner number, when grouped in C
        by_amount = (
            _grouped_postings(residuals)
            if isinstance(self.residuals, array)  # pyarrow holds 64-bit ints
            else _postings(residuals)
        )
        partner_tables = _grouped_partner_tables(self.partners, ibans)
        if partner_tables is None:
            by_partner, by_iban = _partner_tables(self.partners, ibans)
        else:
            by_partner, by_iban, self._partner_codes = partner_tables
        self.iban_check = IbanCheck()
        """The IBAN checks of this run (their answers cached), for the lines' IBANs too."""
        problem = self.iban_check.problem
        invalid = {iban: found for iban in by_iban if (found := problem(iban)) is not None}
        for iban in invalid:  # an invalid IBAN identifies nobody
            del by_iban[iban]
        self.invalid_iban_items = (
            [i for i, iban in enumerate(ibans) if iban in invalid] if invalid else []
        )
        """The indices of the items whose IBAN fails its checks (reported, not joined)."""
        self.invalid_partner_ibans: list[str] = []
        """The configured IBANs (partner mapping) that fail their checks, normalised."""
        del residuals, ibans
        for iban, partner in (partner_ibans or {}).items():
            key = normalise_iban(iban)
            if problem(key) is not None:
                self.invalid_partner_ibans.append(key)
                continue
            by_iban.setdefault(key, set()).add(partner)
        self.with_credit_notes = frozenset(
            partner
            for partner, units in zip(self.partners, self.residuals, strict=True)
            if units < 0
        )
        """Partners with a credit note open: a payment may net it in."""
        self._amount_shared: bytearray | None = None  # see amount_shared
        self._normalised: dict[str, str] = {}  # a name as written -> normalise_name of it
        self._numbers: dict[int, list[str]] = {}  # residual -> its items' numbers
        self._codes_of_names: dict[str, int] | None = None  # normalised name -> its number
        self._partner_name_codes: list[int] = []  # each partner's name number
        self._named: dict[str, str | None] | None = None  # name key -> its one partner
        self._partner_numbers: dict[str, int] | None = None  # partner -> its place in by_partner
        self._payers: dict[str, str | None] = {}  # a payer's name as written -> its partner
        self.group_of = dict(partner_groups or {})
        """Partner id -> group id (the configured groups)."""
        members: dict[str, list[str]] = {}
        for partner, group in sorted(self.group_of.items()):
            members.setdefault(group, []).append(partner)
        self.group_members = members
        """Group id -> its partner ids, sorted."""
        self.by_key = by_key
        self.by_amount = by_amount
        self.by_partner = by_partner
        self.partners_by_iban = by_iban

    def same_group(self, partner: str, others: Iterable[str]) -> bool:
        """True when ``partner`` belongs to the group of one of ``others``."""
        group = self.group_of.get(partner)
        return group is not None and any(self.group_of.get(o) == group for o in others)

    def normalised_name(self, text: str) -> str:
        """:func:`normalise_name` of ``text``, each distinct text normalised once per run.

        One table for the partners' names and the payers': the blockers, the
        name join and the party comparison all read it.
        """
        found = self._normalised.get(text)
        if found is None:
            found = self._normalised[text] = normalise_name(text)
        return found

    def amount_shared(self, item: int) -> bool:
        """True when another open item of the item's partner has its residual and currency.

        Worked out for every item at once on first use, in C (the rows sorted
        by partner, residual and currency; a row equal to a neighbour shares
        its amount): at a million items, asked for 140,000 items, this costs
        a fifth of looking through each item's partner or amount bucket.
        Items pyarrow does not group (see the class) are looked through.
        """
        shared = self._amount_shared
        if shared is None:
            shared = self._amount_shared = self._shared_amounts()
        if shared:
            return bool(shared[item])
        residual = self.residuals[item]
        partner = self.partners[item]
        currency = self.currencies[item]
        same_amount = postings(self.by_amount.get(residual))
        owned = self.by_partner.get(partner, ())
        partners, residuals, currencies = self.partners, self.residuals, self.currencies
        if len(same_amount) <= len(owned):
            return any(
                j != item and partners[j] == partner and currencies[j] == currency
                for j in same_amount
            )
        return any(
            j != item and residuals[j] == residual and currencies[j] == currency for j in owned
        )

    def _shared_amounts(self) -> bytearray:
        """A 1 for each item sharing partner, residual and currency with another item
        (empty when the items are not grouped in C)."""
        if self._partner_codes is None or not isinstance(self.residuals, array):
            return bytearray()
        if len(self.residuals) < 2:
            return bytearray(len(self.residuals))
        columns = pa.table(
            {
                "partner": self._partner_codes,
                "residual": pa.Array.from_buffers(
                    pa.int64(), len(self.residuals), [None, pa.py_buffer(self.residuals)]
                ),
                "currency": pc.dictionary_encode(pa.array(self.currencies, pa.string())).indices,
            }
        )
        order = pc.sort_indices(
            columns, sort_keys=[(name, "ascending") for name in columns.column_names]
        )
        rows = columns.take(order)
        same = None  # row k equals row k + 1 in every column
        for name in columns.column_names:
            column = rows.column(name)
            equal = pc.equal(column.slice(0, len(column) - 1), column.slice(1))
            same = equal if same is None else pc.and_(same, equal)
        flags = bytearray(len(self.residuals))
        if same is not None and len(same):
            false = pa.array([False])
            before = pa.concat_arrays([false, pc.fill_null(same, False).combine_chunks()])
            after = pa.concat_arrays([pc.fill_null(same, False).combine_chunks(), false])
            for k in pc.filter(order, pc.or_(before, after)).to_pylist():
                flags[k] = 1
        del columns, order, rows, same
        pa.default_memory_pool().release_unused()
        return flags

    def named_with_amounts(self, names: Sequence[str], residuals: Sequence[int]) -> list[list[int]]:
        """For each query (``names[k]``, ``residuals[k]``): the items whose partner's
        normalised name is that name and whose residual is that residual, ascending.

        A partner's name is its first item's (:func:`normalise_name`). All
        queries are answered by one hash join in C (pyarrow) of the queries'
        (name number, residual) pairs with the items': at a million items,
        asked for 250,000 crowded amounts, this replaced grouping each
        residual's items by name on first use (about 3 s) and grows with the
        number of queries plus items, not with their product.
        """
        codes_of = self._name_codes()
        wanted = [
            (k, code) for k, name in enumerate(names) if (code := codes_of.get(name)) is not None
        ]
        return self._joined_with_amounts(len(names), wanted, residuals, self._item_name_codes)

    def owned_with_amounts(
        self, partners: Sequence[str], residuals: Sequence[int]
    ) -> list[list[int]]:
        """For each query (``partners[k]``, ``residuals[k]``): the items of that partner
        whose residual is that residual, ascending (one hash join, as
        :meth:`named_with_amounts`)."""
        numbers = self._partner_numbers
        if numbers is None:
            numbers = self._partner_numbers = {p: k for k, p in enumerate(self.by_partner)}
        wanted = [
            (k, code)
            for k, partner in enumerate(partners)
            if (code := numbers.get(partner)) is not None
        ]
        return self._joined_with_amounts(len(partners), wanted, residuals, self._item_partner_codes)

    def _item_partner_codes(self) -> Any:
        """Each item's partner number (its position in ``by_partner``), a pyarrow int32 array."""
        if self._partner_codes is not None:
            return self._partner_codes
        codes = [0] * len(self.items)
        for code, owned in enumerate(self.by_partner.values()):
            for j in owned:
                codes[j] = code
        return pa.array(codes, pa.int32())

    def _joined_with_amounts(
        self,
        count: int,
        wanted: list[tuple[int, int]],
        residuals: Sequence[int],
        item_codes_of: Callable[[], Any],
    ) -> list[list[int]]:
        """The items whose code (``item_codes_of()``) and residual are those of each query
        (``wanted``: query number, code; ``residuals`` by query number), ascending."""
        found: list[list[int]] = [[] for _ in range(count)]
        if not wanted:
            return found
        item_codes = item_codes_of()
        if isinstance(self.residuals, array):
            asked = pa.table(
                {
                    "code": pa.array([code for _, code in wanted], pa.int32()),
                    "amount": pa.array([residuals[k] for k, _ in wanted], pa.int64()),
                    "query": pa.array([k for k, _ in wanted], pa.int32()),
                }
            )
            held = pa.table(
                {
                    "code": item_codes,
                    "amount": pa.Array.from_buffers(
                        pa.int64(), len(self.residuals), [None, pa.py_buffer(self.residuals)]
                    ),
                    "item": pc.indices_nonzero(pc.is_valid(item_codes)),  # 0, 1, 2... in C
                }
            )
            # the hash table on the queries (fewer than the items): 10x faster than on the items
            pairs = held.join(asked, ["code", "amount"], join_type="inner", use_threads=False)
            for k, j in zip(
                pairs.column("query").to_pylist(), pairs.column("item").to_pylist(), strict=True
            ):
                found[k].append(j)
            del asked, held, pairs
            pa.default_memory_pool().release_unused()  # the join's memory back
            for hits in found:
                if len(hits) > 1:
                    hits.sort()
        else:  # a residual beyond 64 bits: the same join by a dict
            table: dict[tuple[int, int], list[int]] = {}
            for k, code in wanted:
                table.setdefault((code, residuals[k]), []).append(k)
            codes = item_codes.to_pylist()
            for j, residual in enumerate(self.residuals):
                queries = table.get((codes[j], residual))
                if queries is not None:
                    for k in queries:
                        found[k].append(j)
        return found

    def numbers_with_amount(self, residual: int) -> Sequence[str]:
        """The normalised numbers of the items of residual ``residual``, in postings order."""
        numbers = self._numbers.get(residual)
        if numbers is None:
            bucket = postings(self.by_amount.get(residual))
            numbers = self._numbers[residual] = list(map(self.number_keys.__getitem__, bucket))
        return numbers

    def _name_codes(self) -> dict[str, int]:
        """Each partner's normalised name -> its number, in order of first appearance (built once).

        ``_partner_name_codes`` is set alongside: each partner's name number,
        in the order of ``by_partner``.
        """
        if self._codes_of_names is None:
            items = self.items
            keys = self._normalised
            codes: dict[str, int] = {}
            by_partner: list[int] = []
            for owned in self.by_partner.values():
                raw = items[owned[0]].partner_name
                key = keys.get(raw)
                if key is None:
                    key = keys[raw] = normalise_name(raw)
                code = codes.get(key)
                if code is None:
                    code = codes[key] = len(codes)
                by_partner.append(code)
            self._codes_of_names = codes
            self._partner_name_codes = by_partner
        return self._codes_of_names

    def _item_name_codes(self) -> Any:
        """The name number of each item's partner, by index (a pyarrow int32 array)."""
        self._name_codes()
        by_partner = pa.array(self._partner_name_codes, pa.int32())
        if self._partner_codes is not None:  # each item's partner number: one take in C
            return pc.take(by_partner, self._partner_codes)
        codes = [0] * len(self.items)
        for code, owned in zip(self._partner_name_codes, self.by_partner.values(), strict=True):
            for j in owned:
                codes[j] = code
        return pa.array(codes, pa.int32())

    def partner_named(self, payer: str) -> str | None:
        """The one partner whose full name is ``payer`` (:func:`name_key`), else None.

        None when no partner bears that name, or when several do: then the
        name identifies nobody. A partner's name is its first item's; the
        table is built on first use, each payer name looked up once.
        """
        payers = self._payers
        if payer in payers:
            return payers[payer]
        if self._named is None:
            self._named = self._partner_names() if self.shared is None else dict(self.shared.names)
        found = payers[payer] = self._named.get(name_key(payer)) if payer else None
        return found

    def _partner_names(self) -> dict[str, str | None]:
        """Name key -> the partner bearing it, None for a name two partners bear."""
        items = self.items
        keys: dict[str, str] = {}
        named: dict[str, str | None] = {}
        for partner, owned in self.by_partner.items():
            raw = items[owned[0]].partner_name
            key = keys.get(raw)
            if key is None:
                key = keys[raw] = name_key(raw)
            if not key:
                continue
            named[key] = partner if key not in named else None
        return named

    def keys_of(self, item: ItemRecord) -> Iterable[str]:
        """The normalised reference keys of an item."""
        yield normalise_reference(item.number)
        if item.reference:
            yield normalise_reference(item.reference)
        if item.order_id:
            yield normalise_reference(item.order_id)
