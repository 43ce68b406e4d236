"""A line's pairs scored at once (``LineScorer``) give what each comparison gives pair by pair."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.fx import FxRates
from ecomrules.reconcile.blocking import GROUP, NAMED, PARTY, REF_KEY, REF_TEXT, SAME_AMOUNT
from ecomrules.reconcile.comparison import (
    AmountComparison,
    ComparisonContext,
    DateComparison,
    Level,
    LineScorer,
    PartyComparison,
    ReferenceComparison,
    ScoredPair,
    Tolerance,
)
from ecomrules.reconcile.decision import _score
from ecomrules.reconcile.index import ItemIndex
from ecomrules.reconcile.records import ItemRecord, LineRecord
from ecomrules.reconcile.settings import default_settings

DUE = date(2026, 11, 1).toordinal()
IBANS = ("FR7630006000011234567890189", "DE89370400440532013000", "GB82WEST12345698765432", "")
NAMES = ("Atelier Dupont Martin SARL", "Atelier Dupont Martin SAS", "Beta GmbH", "Atelier Dupont")
"""Partner names one legal form or one word apart, and one unlike them."""
PAYERS = (*NAMES, "atelier dupont martin", "Beta", "Gamma Ltd", "")
GAPS = (0, 10, -45, -46, 120, 121, 365, 366, -365, -366)
DELTAS = (0, 1, -1, 100, 101, -100, -101, 499, -500, -501, 50, 51, 300, 301, -300, -301, -1001)
"""Paid minus residual: each edge of the tolerances of ``TOLERANCES`` on residuals 12000, 40000."""
FLAGS = (0, REF_KEY, REF_TEXT, SAME_AMOUNT, PARTY, GROUP, NAMED, PARTY | SAME_AMOUNT, GROUP | NAMED)

TOLERANCES = (
    (AmountComparison().under, AmountComparison().over),
    (Tolerance(percent=Decimal("2.5")), Tolerance(absolute=Decimal("0.50"))),
    (Tolerance(), Tolerance(absolute=Decimal("3"), percent=Decimal("0.75"))),
)


def _amounts(under: Tolerance, over: Tolerance) -> AmountComparison:
    return AmountComparison(
        under=under,
        over=over,
        exact=Level("reconcile.amount.exact", 8.5, "amount equal to the residual"),
    )


@st.composite
def cases(
    draw: st.DrawFn,
) -> tuple[list[LineRecord], list[ItemRecord], list[dict[int, int]], dict[int, list[str]], int]:
    """Items of partners with near names, IBANs and groups; lines paying them in every way."""
    items: list[ItemRecord] = []
    for n in range(draw(st.integers(1, 9))):
        partner = draw(st.integers(0, 3))
        items.append(
            ItemRecord(
                f"I{n}",
                f"INV-{n:04d}",
                f"C{partner}",
                draw(st.sampled_from((NAMES[partner], NAMES[partner], ""))),
                draw(st.sampled_from(("EUR", "EUR", "EUR", "USD", "JPY"))),
                draw(st.sampled_from((5000, 5000, 12000, 40000, 100, -2000, 0))),
                DUE + draw(st.integers(-30, 30)),
                draw(st.sampled_from(("", f"REF{n}", "RF18539007547034"))),
                draw(st.sampled_from(("", "SO-1", f"SO-{n + 10}"))),
                draw(st.sampled_from((IBANS[partner % 3], "", IBANS[(partner + 1) % 3]))),
            )
        )
    lines: list[LineRecord] = []
    candidates: list[dict[int, int]] = []
    missed: dict[int, list[str]] = {}
    for n in range(draw(st.integers(1, 6))):
        target = draw(st.sampled_from(items))
        cents = draw(st.sampled_from((target.residual, target.residual, 0, -target.residual, 7)))
        cents += draw(st.sampled_from(DELTAS))
        fee = draw(st.sampled_from((0, 0, 35)))
        lines.append(
            LineRecord(
                f"L{n}",
                cents - fee,
                draw(st.sampled_from((target.currency, target.currency, "EUR", "USD", "CHF"))),
                target.due + draw(st.sampled_from(GAPS)),
                draw(st.sampled_from(((), (target.number,), ("INV-0001", "SO-1"), ("INV 000",)))),
                "",
                draw(st.sampled_from(PAYERS)),
                draw(st.sampled_from(IBANS)),
                fee=fee,
            )
        )
        chosen = [items.index(target)]  # the paid item, and others
        chosen += draw(st.lists(st.integers(0, len(items) - 1), max_size=7))
        candidates.append({j: draw(st.sampled_from(FLAGS)) for j in chosen})
        if draw(st.booleans()):
            missed[n] = [draw(st.sampled_from(("INV0001", "INV1", "SO10", "XYZ")))]
    return lines, items, candidates, missed, draw(st.integers(0, len(TOLERANCES) - 1))


def _pair_by_pair(
    k: int, line: LineRecord, found: dict[int, int], items: list[ItemRecord], ctx: ComparisonContext
) -> list[ScoredPair]:
    """Each comparison's ``compare`` in turn, summed in order: what the scorer must give."""
    out: list[ScoredPair] = []
    for j, flags in found.items():
        levels = tuple(compare(k, line, items[j], flags, ctx) for compare in ctx.compares)
        total = -9.0
        for level in levels:
            total += level.weight
        out.append((-total, items[j].due, items[j].id, j, levels, flags))
    return out


@settings(max_examples=400, deadline=None)
@given(cases())
def test_scorer_gives_each_comparison_s_levels_and_total(
    case: tuple[
        list[LineRecord], list[ItemRecord], list[dict[int, int]], dict[int, list[str]], int
    ],
) -> None:
    lines, items, candidates, missed, tolerance = case
    comparisons = (
        ReferenceComparison(),
        _amounts(*TOLERANCES[tolerance]),
        DateComparison(),
        PartyComparison(),
    )
    index = ItemIndex(
        items,
        partner_ibans={"GB82WEST12345698765432": "C2"},
        partner_groups={"C0": "G", "C3": "G"},
    )
    ctx = ComparisonContext(index, missed, comparisons)
    ctx.rates = FxRates({"USD/EUR": Decimal("0.92")}, ROUND_HALF_EVEN, derive_inverse=True)
    scorer = ctx.scorer
    assert scorer is not None
    for k, line in enumerate(lines):
        expected = _pair_by_pair(k, line, candidates[k], items, ctx)
        got = scorer.score(k, line, candidates[k], items, -9.0, ctx)
        assert got == expected
        # the same Level objects, so the codes, weights and descriptions are the configured ones
        pairs = zip(got, expected, strict=True)
        assert all(a is b for g, e in pairs for a, b in zip(g[4], e[4], strict=True))


def test_scorer_only_for_the_built_in_comparisons() -> None:
    built_in = default_settings().comparisons
    assert LineScorer.of(built_in) is not None
    assert LineScorer.of(built_in[:3]) is None  # no party comparison
    assert LineScorer.of((built_in[1], built_in[0], *built_in[2:])) is None  # another order

    class Kinder(PartyComparison):
        pass

    assert LineScorer.of((*built_in[:3], Kinder())) is None  # a subclass may compare otherwise


def test_assigner_ranks_the_same_with_and_without_the_scorer() -> None:
    """Ties, near names and a zero residual: the ranking the assigner sorts is the same."""
    items = [
        ItemRecord("A", "INV-1", "C0", NAMES[0], "EUR", 5000, DUE),
        ItemRecord("B", "INV-2", "C1", NAMES[1], "EUR", 5000, DUE),
        ItemRecord("C", "INV-3", "C2", NAMES[2], "EUR", 0, DUE + 400),
        ItemRecord("D", "INV-4", "C3", NAMES[3], "USD", 5400, DUE),
    ]
    line = LineRecord("L", 5000, "EUR", DUE + 3, (), "", "Atelier Dupont Martin")
    found = {0: SAME_AMOUNT, 1: SAME_AMOUNT, 2: 0, 3: 0}
    settings_ = default_settings()
    index = ItemIndex(items)
    with_scorer = ComparisonContext(index, {}, settings_.comparisons)
    without = ComparisonContext(index, {}, settings_.comparisons)
    without.scorer = None
    ranked = _score(0, line, found, items, settings_, with_scorer)
    assert ranked == _score(0, line, found, items, settings_, without)
    assert [s[2] for s in ranked[:2]] == ["A", "B"]  # a tie of two near names, by id
    assert ranked[0][0] == ranked[1][0]


def test_scorer_at_every_tolerance_edge() -> None:
    """Every residual, difference, fee, sign and currency pair of the edges, each tolerance set."""
    items = [
        ItemRecord(f"I{n}", f"INV-{n}", "C0", NAMES[0], currency, residual, DUE)
        for n, (residual, currency) in enumerate(
            (r, c) for r in (12000, 40000, 100, -12000, 0) for c in ("EUR", "USD", "JPY")
        )
    ]
    index = ItemIndex(items)
    found = dict.fromkeys(range(len(items)), SAME_AMOUNT)
    for under, over in TOLERANCES:
        comparisons = (ReferenceComparison(), _amounts(under, over), DateComparison())
        ctx = ComparisonContext(index, {}, (*comparisons, PartyComparison()))
        ctx.rates = FxRates({"USD/EUR": Decimal("0.92")}, ROUND_HALF_EVEN, derive_inverse=True)
        scorer = ctx.scorer
        assert scorer is not None
        k = 0
        for residual in (12000, 40000, 100, -12000):
            for delta in DELTAS:
                for fee in (0, 35):
                    for currency in ("EUR", "USD", "JPY"):
                        paid = residual + delta
                        line = LineRecord(f"L{k}", paid - fee, currency, DUE, fee=fee)
                        expected = _pair_by_pair(k, line, found, items, ctx)
                        assert scorer.score(k, line, found, items, -9.0, ctx) == expected
                        k += 1


@settings(max_examples=300, deadline=None)
@given(
    absolute=st.none() | st.decimals(0, 50, places=3),
    percent=st.none() | st.decimals(0, 100, places=3),
    difference=st.integers(0, 20_000),
    residual=st.integers(-1_000_000, 1_000_000),
    currency=st.sampled_from(("EUR", "JPY", "KWD")),
)
def test_tolerance_in_integers_is_the_decimal_rule(
    absolute: Decimal | None, percent: Decimal | None, difference: int, residual: int, currency: str
) -> None:
    """``allows`` by integer bounds decides as the rule written in Decimals does."""
    from ecomrules.money import Currency

    within = difference == 0
    if absolute is not None or percent is not None:
        limit = None if absolute is None else absolute.scaleb(Currency.of(currency).exponent)
        within = (limit is None or difference <= int(limit)) and (
            percent is None or difference * 100 <= percent * abs(residual)
        )
    assert Tolerance(absolute, percent).allows(difference, residual, currency) is within
