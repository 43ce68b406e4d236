"""Guarantees of the matcher, checked on generated worlds."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.ledger import OpenItem
from ecomrules.parsing.model import StatementLine
from ecomrules.reconcile import Matcher, MatchResult, MatchStatus
from ecomrules.reconcile.blocking import derive_reference_pattern
from ecomrules.reconcile.comparison import ComparisonContext
from ecomrules.reconcile.decision import _REF, Proposal, Refusal, _decide, decide
from ecomrules.reconcile.index import ItemIndex
from ecomrules.reconcile.records import (
    ItemRecord,
    item_record,
    line_record,
    name_key,
    normalise_reference,
    normalise_references,
)
from ecomrules.testing.reconcile import item, line

IBANS = ("FR7630006000011234567890189", "DE89370400440532013000", "")
INVALID_IBAN = "DE89370400440532013001"
NAMES = ("Alpha SARL", "Beta GmbH", "Alpha SAS")  # two names one legal form apart


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[StatementLine], list[OpenItem]]:
    count = draw(st.integers(1, 8))
    items = []
    for n in range(count):
        cents = draw(st.integers(-3000, 20000).filter(bool))
        partner = draw(st.integers(0, 2))
        items.append(
            item(
                str(100 + n),
                _decimal(cents),
                partner=f"C{partner}",
                name=NAMES[partner],
                iban=IBANS[partner] or None,
                due=date(2026, 9, 1) + timedelta(days=draw(st.integers(0, 60))),
            )
        )
    lines = []
    for n in range(draw(st.integers(1, 8))):
        target = draw(st.sampled_from(items))
        residual = int(target.residual.amount * 100)
        how = draw(st.sampled_from(["exact", "partial", "over", "sum", "random"]))
        if how == "exact":
            cents = residual
        elif how == "partial":
            cents = residual // 2 or residual
        elif how == "over":
            cents = residual + draw(st.integers(1, 2000))
        elif how == "sum":
            other = draw(st.sampled_from(items))
            cents = residual + int(other.residual.amount * 100)
        else:
            cents = draw(st.integers(-2000, 20000))
        if cents == 0:
            cents = 1
        ref_style = draw(st.sampled_from(["ref", "label", "none"]))
        number = target.number
        lines.append(
            line(
                f"L{n}",
                _decimal(cents),
                refs=(number,) if ref_style == "ref" else (),
                label=f"paiement {number.lower()}" if ref_style == "label" else "",
                iban=draw(st.sampled_from((*IBANS, INVALID_IBAN))) or None,
                name=draw(st.sampled_from(["Alpha", "beta gmbh", "", "ALPHA SAS", "Alpha SARL"]))
                or None,
            )
        )
    return lines, items


def _decimal(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _check_invariants(
    lines: list[StatementLine], items: list[OpenItem], result: MatchResult
) -> None:
    residual = {i.id: int(i.residual.amount * 100) for i in items}
    taken: Counter[str] = Counter()
    for match in result.matches:
        source = next(x for x in lines if x.id == match.line_id)
        paid = int(source.amount.amount * 100) + (int(source.fee.amount * 100) if source.fee else 0)
        total = sum(a.units for a in match.allocations)
        assert abs(total) <= abs(paid), match
        if match.allocations:
            assert (total > 0) == (paid > 0), match
        for a in match.allocations:
            taken[a.item_id] += a.units
            assert (a.units > 0) == (residual[a.item_id] > 0), match
    for item_id, units in taken.items():
        assert abs(units) <= abs(residual[item_id]), (item_id, units)
    seen = Counter(m.line_id for m in result.matches)
    seen.update(u.line_id for u in result.unmatched_lines)
    assert seen == Counter(x.id for x in lines)
    assert set(result.unmatched_items).isdisjoint(taken)
    assert set(result.unmatched_items) | set(taken) == set(residual)


@settings(max_examples=150, deadline=None)
@given(worlds(), st.randoms(use_true_random=False))
def test_guarantees_hold_and_order_does_not_matter(world, rng) -> None:  # type: ignore[no-untyped-def]
    lines, items = world
    result = Matcher().match(lines, items)
    _check_invariants(lines, items, result)
    _near_name_never_wins(lines, items, result)
    bad = {x.id for x in lines if x.counterparty and x.counterparty.iban == INVALID_IBAN}
    assert {i.id for i in result.issues if i.record == "line"} == bad
    shuffled_lines, shuffled_items = list(lines), list(items)
    rng.shuffle(shuffled_lines)
    rng.shuffle(shuffled_items)
    assert Matcher().match(shuffled_lines, shuffled_items).to_json() == result.to_json()


def _near_name_never_wins(
    lines: list[StatementLine], items: list[OpenItem], result: MatchResult
) -> None:
    """Without a reference or an IBAN, an auto match of a payer named exactly like one
    partner settles only that partner's items, whatever names resemble it."""
    partner_of = {name_key(name): f"C{k}" for k, name in enumerate(NAMES)}
    owned: dict[str, set[str]] = {}
    for open_item in items:
        owned.setdefault(open_item.partner_id, set()).add(open_item.id)
    for match in result.by_status(MatchStatus.AUTO):
        source = next(x for x in lines if x.id == match.line_id)
        payer = source.counterparty
        if payer is None or payer.iban or source.references or source.label:
            continue
        named = partner_of.get(name_key(payer.name or ""))
        if named is not None:
            assert all(a.item_id in owned.get(named, set()) for a in match.allocations), match


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 10**7), st.sampled_from(["", "Alpha", "Someone"]))
def test_ties_are_refused(cents: int, payer: str) -> None:
    amount = _decimal(cents)
    items = [
        item("1", amount, partner="C1", name="Alpha SARL"),
        item("2", amount, partner="C2", name="Alpha SARL"),
    ]
    result = Matcher().match([line("L1", amount, name=payer or None)], items)
    assert result.matches == ()
    assert result.unmatched_lines[0].reasons in (
        ("reconcile.tie_refused",),
        ("reconcile.below_threshold",),
    )


_REFERENCE_TEXT = st.text(
    alphabet=st.sampled_from("0123456789AaBbRrFfNnVv -/._:#ß١٢ \t\x00\n"), max_size=12
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_REFERENCE_TEXT, max_size=8))
def test_batch_normalisation_is_normalisation_of_each(texts: list[str]) -> None:
    assert normalise_references(texts) == [normalise_reference(t) for t in texts]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_REFERENCE_TEXT, _REFERENCE_TEXT, _REFERENCE_TEXT), max_size=8))
def test_the_reference_pattern_is_the_same_read_in_one_pass_or_text_by_text(
    fields: list[tuple[str, str, str]],
) -> None:
    def record(number: str, reference: str = "", order_id: str = "") -> ItemRecord:
        return ItemRecord("I", number, "P", "Payer", "EUR", 100, 1, reference, order_id)

    items = [record(*f) for f in fields]
    # a blank reference with a line break adds no shape but forces the text-by-text reading
    forced = [*items, record(" \n ")]
    assert derive_reference_pattern(items).pattern == derive_reference_pattern(forced).pattern


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from(["EUR", "JPY", "BHD", "CLF", "CHF"]),
)
def test_amounts_in_json_are_the_money_amounts(units: int, currency: str) -> None:
    from ecomrules.money import Currency, Money
    from ecomrules.reconcile.result import Allocation, Match, MatchStatus

    expected = str(Money.from_minor_units(units, Currency.of(currency)).amount)
    match = Match(
        "L1",
        MatchStatus.REVIEW,
        0.5,
        (Allocation("I1", units, currency),),
        currency,
        write_off=units,
        unallocated=units,
        fee=units,
    )
    document = match.to_json()
    assert document["allocations"] == [{"item_id": "I1", "amount": expected}]
    if units:
        assert document["write_off"] == document["unallocated"] == document["fee"] == expected


_TWINS = (
    "Atelier Dupont Martin SARL",
    "Atelier Dupont Martin SAS",
    "Atelier Dupont Martin Fils SARL",
    "Atelier Dupont Martin",
    "Atelier Dupont Moreau SARL",
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(_TWINS) - 1), st.integers(1, 50_000), st.integers(0, 60)),
        min_size=1,
        max_size=12,
    ),
    st.data(),
)
def test_an_exact_unique_name_and_an_amount_unique_to_it_is_automatic(
    owed: list[tuple[int, int, int]], data: st.DataObject
) -> None:
    """Near twins (legal form or one word apart, one name a prefix of others) owe amounts,
    equal ones too; a payment of one item's amount by a payer named exactly like its
    customer (case and accents as a bank writes them), without IBAN or reference, is an
    automatic match of that item when no other item of that customer has that amount."""
    items = [
        item(
            f"I{n}",
            _decimal(cents),
            partner=f"N{twin}",
            name=_TWINS[twin],
            due=date(2026, 10, 1) + timedelta(days=days),
        )
        for n, (twin, cents, days) in enumerate(owed)
    ]
    target = data.draw(st.sampled_from(items))
    same = [i for i in items if i.partner_id == target.partner_id and i.residual == target.residual]
    payer = data.draw(st.sampled_from((target.partner_name, target.partner_name.upper())))
    result = Matcher().match([line("L1", str(target.residual.amount), name=payer)], items)
    if len(same) == 1:
        (match,) = result.matches
        assert match.status is MatchStatus.AUTO, result
        assert [a.item_id for a in match.allocations] == [target.id]
    for match in result.matches:  # whatever the case: never another customer's item
        assert {a.item_id for a in match.allocations} <= {
            i.id for i in items if i.partner_id == target.partner_id
        }


# The engine's shortcuts decide as its general path does: a line's only candidate paid
# exactly is decided before the general assigner, and the comparisons keep what they
# worked out for one pair for the next (names, similarities, a line's unjoined keys).


def _general(i, line, candidates, index, settings, ctx) -> Proposal | Refusal:  # type: ignore[no-untyped-def]
    """The decision of the general assigner, the amount's uniqueness checked after it."""
    decision = _decide(i, line, candidates, index, settings, ctx)
    if type(decision) is Proposal and decision.auto and len(decision.allocations) == 1:
        chosen = decision.allocations[0][0]
        if candidates and not candidates.get(chosen, 0) & _REF and index.amount_shared(chosen):
            decision.auto = False
            decision.reasons = (*decision.reasons, "reconcile.amount.not_unique")
    return decision


@settings(max_examples=200, deadline=None)
@given(worlds(), st.lists(st.integers(0, 7), max_size=3))
def test_a_lone_candidate_paid_exactly_is_decided_as_the_general_path_decides(  # type: ignore[no-untyped-def]
    world, twins
) -> None:
    statement, open_items = world
    matcher = Matcher()
    work = [line_record(x) for x in statement]
    items = [item_record(x) for x in open_items]
    for k in twins:  # another open item of the same partner and amount: the amount is no proof
        if k < len(items):
            twin = items[k]
            items.append(twin._replace(id=f"{twin.id}T{len(items)}", number=f"T{len(items)}"))
    index, _, _, blocking, ctx = matcher._prepare(work, items)
    for i, record in enumerate(work):
        found = blocking.candidates[i]
        # the blockers' candidates, and each item alone as if a blocker had found only it
        for candidates in (found, *({j: (found or {}).get(j, 4)} for j in range(len(items)))):
            fast = decide(i, record, candidates, index, matcher.settings, ctx)
            assert fast == _general(i, record, candidates, index, matcher.settings, ctx)


@settings(max_examples=150, deadline=None)
@given(worlds(), st.randoms(use_true_random=False))
def test_comparisons_with_their_caches_give_the_levels_of_a_fresh_start(world, rng) -> None:  # type: ignore[no-untyped-def]
    statement, open_items = world
    matcher = Matcher()
    work = [line_record(x) for x in statement]
    items = [item_record(x) for x in open_items]
    _, _, _, blocking, ctx = matcher._prepare(work, items)
    pairs = [(i, j) for i in range(len(work)) for j in range(len(items))]
    rng.shuffle(pairs)  # the lines interleaved: a cache kept for one line must not serve another
    for i, j in pairs:
        flags = (blocking.candidates[i] or {}).get(j, 0)
        fresh_index = ItemIndex(items)
        fresh = ComparisonContext(fresh_index, blocking.missed_keys, matcher.settings.comparisons)
        fresh.rates = ctx.rates
        for comparison in matcher.settings.comparisons:
            cached = comparison.compare(i, work[i], items[j], flags, ctx)
            assert cached == comparison.compare(i, work[i], items[j], flags, fresh)
