"""The exact-reference rule decided set-wise gives the decisions of the line-by-line path."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.reconcile import Matcher, MatchResult
from ecomrules.reconcile.blocking import (
    AmountBlocker,
    BlockingContext,
    PartyBlocker,
    ReferenceBlocker,
    TextReferenceBlocker,
)
from ecomrules.reconcile.comparison import AmountComparison, Level
from ecomrules.reconcile.decision import Proposal, Refusal, decide
from ecomrules.reconcile.engine import settle
from ecomrules.reconcile.exact import ExactRule, exact_cases, exact_verdicts
from ecomrules.reconcile.records import ItemRecord, LineRecord
from ecomrules.reconcile.settings import MatcherSettings, default_settings

DUE = date(2026, 11, 1).toordinal()
IBANS = ("FR7630006000011234567890189", "DE89370400440532013000", "")
INVALID_IBAN = "DE89370400440532013001"
NAMES = ("Alpha SARL", "Beta GmbH", "Alpha SAS")
GAPS = (0, 10, -45, -46, 120, 121, 365, 366, -365, -366)
"""Days from the paid item's due date: each edge of the date levels."""


def _rf(body: str) -> str:
    """A structured creditor reference (ISO 11649) with valid check digits."""
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def _settings_variants() -> list[MatcherSettings]:
    base = default_settings()
    weak = AmountComparison(exact=Level("reconcile.amount.exact", 1.0, "amount equal"))
    return [
        base,
        # the party decides a lone exact candidate: no verdict, every line line by line
        attrs.evolve(base, comparisons=(base.comparisons[0], weak, *base.comparisons[2:])),
        # no date comparison: the verdict does not depend on the date
        attrs.evolve(base, comparisons=(base.comparisons[0], base.comparisons[1])),
        # text only, then amount: the rule by text alone
        attrs.evolve(base, blockers=(TextReferenceBlocker(), AmountBlocker(), PartyBlocker())),
        # the amount blocker first: the rule does not apply
        attrs.evolve(base, blockers=(AmountBlocker(), ReferenceBlocker(), TextReferenceBlocker())),
        # a blocker that reads every line: the rule does not apply
        attrs.evolve(
            base,
            blockers=(
                ReferenceBlocker(),
                TextReferenceBlocker(),
                AmountBlocker(only_unresolved=False),
            ),
        ),
        # a threshold the exact levels do not reach alone: the party decides
        attrs.evolve(base, auto_threshold=0.99999999),
        # nor without a party comparison: every verdict is a review
        attrs.evolve(base, comparisons=base.comparisons[:3], auto_threshold=0.99999999),
    ]


SETTINGS = _settings_variants()


@st.composite
def books(draw: st.DrawFn) -> tuple[list[LineRecord], list[ItemRecord]]:
    """Items whose amounts, order ids and partners collide; lines paying them in every way."""
    items: list[ItemRecord] = []
    for n in range(draw(st.integers(1, 10))):
        partner = draw(st.integers(0, 2))
        reference = draw(st.sampled_from(("", "", _rf(f"{n}7{n}"), f"REF{n}")))
        items.append(
            ItemRecord(
                f"I{n}",
                f"INV-{n:04d}",
                f"C{partner}",
                NAMES[partner],
                draw(st.sampled_from(("EUR", "EUR", "EUR", "USD"))),
                draw(st.sampled_from((5000, 5000, 7500, 12000, -2000, 0))),
                DUE + draw(st.integers(-30, 30)),
                reference,
                draw(st.sampled_from(("", "", "SO-1", f"SO-{n + 10}"))),  # SO-1: a shared key
                IBANS[partner],
            )
        )
    lines: list[LineRecord] = []
    for n in range(draw(st.integers(1, 10))):
        target = draw(st.sampled_from(items))
        other = draw(st.sampled_from(items))
        how = draw(st.sampled_from(("exact", "exact", "exact", "partial", "over", "sum", "zero")))
        cents = {
            "exact": target.residual,
            "partial": target.residual // 2,
            "over": target.residual + 100,
            "sum": target.residual + other.residual,
            "zero": 0,
        }[how]
        ref_style = draw(
            st.sampled_from(
                (
                    "number",
                    "number",
                    "normalised",
                    "reference",
                    "order",
                    "two",
                    "missing",
                    "label",
                    "label",
                    "label_two",
                    "label_dated",
                    "none",
                )
            )
        )
        refs: tuple[str, ...] = ()
        label = draw(st.sampled_from(("", "virement", "payment for order")))
        if ref_style == "number":
            refs = (target.number,)
        elif ref_style == "normalised":
            refs = (target.number.lower().replace("-", " "),)
        elif ref_style == "reference":
            refs = (target.reference or target.number,)
        elif ref_style == "order":
            refs = (target.order_id or target.number,)
        elif ref_style == "two":
            refs = (target.number, other.number)
        elif ref_style == "missing":
            refs = ("INV-9999",)
            label = f"facture {target.number}"
        elif ref_style == "label":
            label = f"paiement {target.number.lower()}"
        elif ref_style == "label_two":
            label = f"{target.number} et {other.number}"
        elif ref_style == "label_dated":
            label = f"{target.number}-2026 merci"
        lines.append(
            LineRecord(
                f"L{n}",
                cents,
                draw(st.sampled_from(("EUR", "EUR", "EUR", "USD"))),
                target.due + draw(st.sampled_from(GAPS)),
                refs,
                label,
                draw(st.sampled_from(("", "Alpha SARL", "beta gmbh", "Alpha"))),
                draw(st.sampled_from((*IBANS, INVALID_IBAN))),
                "transfer",
                draw(st.sampled_from((0, 0, 0, 150))),
            )
        )
    return lines, items


def _line_by_line(
    matcher: Matcher, lines: list[LineRecord], items: list[ItemRecord]
) -> tuple[list[Proposal | Refusal], MatchResult]:
    """Every line blocked and decided one by one, as the matcher ran before the rule."""
    work = list(lines)
    index, issues, invalid, blocking, ctx = matcher._prepare(work, items)
    candidates = blocking.candidates
    decisions = [
        decide(i, work[i], candidates[i], index, matcher.settings, ctx) for i in range(len(work))
    ]
    copies = [attrs.evolve(d) for d in decisions]  # settle changes the decisions it shares out
    pairs = sum(map(len, filter(None, candidates)))
    result = settle(copies, work, items, invalid, pairs=pairs)
    return decisions, attrs.evolve(result, issues=issues) if issues else result


@settings(max_examples=400, deadline=None)
@given(books(), st.sampled_from(range(len(SETTINGS))))
def test_the_rule_set_wise_decides_as_every_line_one_by_one(book, which) -> None:  # type: ignore[no-untyped-def]
    lines, items = book
    matcher = Matcher(SETTINGS[which])
    expected, result = _line_by_line(matcher, lines, items)
    decisions, _, _, _ = matcher._propose(list(lines), items, None, None)
    assert decisions == expected
    assert matcher.match_records(lines, items) == result


def test_the_rule_decides_lines_by_reference_and_by_text_and_leaves_the_others() -> None:
    items = [
        ItemRecord("I1", "INV-0001", "C0", "Alpha SARL", "EUR", 5000, DUE),
        ItemRecord("I2", "INV-0002", "C1", "Beta GmbH", "EUR", 7500, DUE, _rf("272")),
        ItemRecord("I3", "INV-0003", "C1", "Beta GmbH", "EUR", 7500, DUE, "", "SO-1"),
        ItemRecord("I4", "INV-0004", "C1", "Beta GmbH", "EUR", 9000, DUE, "", "SO-1"),
        ItemRecord("I5", "INV-0005", "C0", "Alpha SARL", "USD", 6000, DUE),
    ]
    lines = [
        LineRecord("L1", 5000, "EUR", DUE, ("INV-0001",)),  # by reference, exact
        LineRecord("L2", 7500, "EUR", DUE + 200, (_rf("272"),)),  # structured: sure at once
        LineRecord("L3", 7500, "EUR", DUE, (), "virement inv 3"),  # by text
        LineRecord("L4", 7500, "EUR", DUE, ("SO-1",)),  # a key two items bear
        LineRecord("L5", 6000, "EUR", DUE, ("INV-0005",)),  # another currency
        LineRecord("L6", 4000, "EUR", DUE, ("INV-0001",)),  # a part of the residual
        LineRecord("L7", 9000, "EUR", DUE, ("INV-0004", "SO-1")),  # two references
    ]
    matcher = Matcher()
    rule = ExactRule(matcher.settings)
    index, _, _ = matcher._index(list(lines), items)
    assert sorted(rule.by_references(lines, index, set())) == [0, 1]
    blocking = BlockingContext(lines, index)
    ReferenceBlocker().block(blocking)
    TextReferenceBlocker().block(blocking)
    assert sorted(rule.by_tokens(blocking, set())) == [2]
    decisions, _, _, _ = matcher._propose(list(lines), items, None, None)
    expected, _ = _line_by_line(matcher, lines, items)
    assert decisions == expected
    codes = {
        lines[d.line].id: [lv.code for lv in d.contributions]
        for d in decisions
        if isinstance(d, Proposal)
    }
    assert codes["L1"][0] == "reconcile.reference.exact"
    assert codes["L2"] == ["reconcile.reference.structured", "reconcile.amount.exact"]
    assert codes["L3"][0] == "reconcile.reference.in_text"


def test_the_rule_stands_aside_when_the_blockers_or_levels_would_decide_otherwise() -> None:
    base = default_settings()
    assert exact_cases(base) == (True, True)
    assert exact_cases(SETTINGS[3]) == (False, True)
    assert exact_cases(SETTINGS[4]) == (False, False)
    assert exact_cases(SETTINGS[5]) == (False, False)
    # a weaker amount level: the party comparison decides but for the strongest references
    assert {(v.ref_kind, v.date_kind) for v in exact_verdicts(SETTINGS[1])} == {
        ("structured", "near"),
        ("structured", "far"),
        ("exact", "near"),
    }
    assert exact_verdicts(SETTINGS[6]) == []
    assert {v.auto for v in exact_verdicts(SETTINGS[7])} == {False}
    assert {(v.ref_kind, v.date_kind) for v in exact_verdicts(base)} >= {
        ("exact", "near"),
        ("in_text", "far"),
    }


@pytest.mark.parametrize("which", range(len(SETTINGS)))
def test_each_edge_of_the_date_levels_is_decided_as_line_by_line(which: int) -> None:
    items = [
        ItemRecord("I1", "INV-0001", "C0", "Alpha SARL", "EUR", 5000, DUE),
        ItemRecord("I2", "INV-0002", "C1", "Beta GmbH", "EUR", 7500, DUE, _rf("272")),
    ]
    lines = []
    for gap in GAPS:
        for k, (cents, refs, label) in enumerate(
            [
                (5000, ("INV-0001",), ""),
                (5000, ("inv 1",), ""),
                (5000, (), "paiement inv-0001"),
                (7500, (_rf("272"),), ""),
            ]
        ):
            lines.append(LineRecord(f"L{gap}-{k}", cents, "EUR", DUE + gap, refs, label))
    matcher = Matcher(SETTINGS[which])
    expected, result = _line_by_line(matcher, lines, items)
    decisions, _, _, _ = matcher._propose(list(lines), items, None, None)
    assert decisions == expected
    assert matcher.match_records(lines, items) == result
