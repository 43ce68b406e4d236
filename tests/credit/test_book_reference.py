"""The exposure book against a plain item-by-item recomputation with Money arithmetic.

The book's bulk load takes shortcuts (sums per customer folded into groups,
ages worked out once per due date, rates looked up once); this checks that
every part, its exact digits, ``max_days_overdue`` and ``entries`` are those
of the obvious computation, across currencies, groups in another currency
than their members, credits, disputes and promises, in one load or several.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.credit import CreditPolicy, ExposureBook, FxRates
from ecomrules.errors import InvariantError, MoneyError
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Currency, Money
from ecomrules.testing.credit import make_customer, make_item

AS_OF = date(2026, 11, 20)
RATES = FxRates(
    {
        ("USD", "EUR"): Decimal("0.9235"),
        ("JPY", "EUR"): Decimal("0.00615"),
        ("EUR", "USD"): Decimal("1.0831"),
        ("JPY", "USD"): Decimal("0.00666"),
        ("EUR", "JPY"): Decimal("162.61"),
        ("USD", "JPY"): Decimal("150.13"),
    },
    ROUND_HALF_EVEN,
)
PEOPLE = [
    make_customer("A1", currency="EUR", group_id="GA"),
    make_customer("A2", currency="USD", limit=None, group_id="GA"),
    make_customer("GA", currency="JPY", limit="900000"),
    make_customer("B1", currency="USD", limit="50.00", group_id="GB"),
    make_customer("B2", currency="USD", group_id="GB"),
    make_customer("C1", currency="EUR"),
    make_customer("D1", currency="JPY", limit=None, group_id="GD"),
]
PARTS = (
    "not_due",
    "overdue_1_30",
    "overdue_31_60",
    "overdue_61_90",
    "overdue_over_90",
    "draft_invoices",
    "open_orders",
    "reserved",
    "credits",
    "deposits",
    "scheduled",
)
ROWS = st.lists(
    st.tuples(
        st.sampled_from(["EUR", "USD", "JPY"]),
        st.integers(min_value=-50_000, max_value=900_000),
        st.just(0),  # no digit beyond the minor units: an OpenItem refuses them
        st.integers(min_value=-40, max_value=130),
        st.sampled_from([c.id for c in PEOPLE]),
        st.sampled_from(list(ItemStatus)),
        st.integers(min_value=-3, max_value=3),
    ),
    max_size=25,
)


def _items(rows: list[tuple[str, int, int, int, str, ItemStatus, int]]) -> list[OpenItem]:
    out = []
    for n, (cur, units, extra, days, who, status, promise) in enumerate(rows):
        amount = Decimal(units).scaleb(-Currency.of(cur).exponent - extra)
        out.append(
            make_item(
                f"I{n}",
                str(amount),
                as_of=AS_OF,
                days_overdue=days,
                partner=who,
                currency=cur,
                status=status,
                promise_until=AS_OF + timedelta(days=promise)
                if status is ItemStatus.PROMISED and promise
                else None,
            )
        )
    return out


def _reference(
    parties: list[Customer], items: list[OpenItem], currency: Currency
) -> tuple[dict[str, str], int, int]:
    """Each part as text, max_days_overdue and entries of one party, the obvious way."""
    ids = {c.id for c in parties}
    sums = {name: Money(Decimal(0).quantize(currency.quantum), currency) for name in PARTS}
    max_days = entries = 0
    for item in items:
        if item.partner_id not in ids or not item.residual:
            continue
        entries += 1
        value = RATES.convert(item.residual, currency)
        days = (AS_OF - item.due_date).days
        if item.residual.amount < 0:
            sums["credits"] = sums["credits"] + -value
            continue
        name = (
            "not_due"
            if days <= 0
            else "overdue_1_30"
            if days <= 30
            else "overdue_31_60"
            if days <= 60
            else "overdue_61_90"
            if days <= 90
            else "overdue_over_90"
        )
        sums[name] = sums[name] + value
        promised = item.status is ItemStatus.PROMISED and (
            item.promise_until is None or item.promise_until < AS_OF
        )
        if days > 0 and (item.status is ItemStatus.OPEN or promised):
            max_days = max(max_days, days)
    return {name: str(money.amount) for name, money in sums.items()}, max_days, entries


def _figures(book: ExposureBook, who: Customer, group: bool) -> tuple[dict[str, str], int, int]:
    if group:
        found = book.group(who)
        assert found is not None
        exposure = found.exposure
    else:
        exposure = book.exposure(who.id)
    parts = {name: str(getattr(exposure, name).amount) for name in PARTS}
    return parts, exposure.max_days_overdue, exposure.entries


@settings(max_examples=80, deadline=None)
@given(ROWS, st.integers(min_value=0, max_value=25))
def test_the_book_equals_an_item_by_item_recomputation(
    rows: list[tuple[str, int, int, int, str, ItemStatus, int]], split: int
) -> None:
    items = _items(rows)
    policy = CreditPolicy(rates=RATES)
    book = ExposureBook(PEOPLE, policy, AS_OF)
    book.exposure("A1")  # a read before the loads must not go stale
    book.add_items(items[:split])
    book.group(PEOPLE[0])
    book.add_items(items[split:])
    groups = {"GA": ["A1", "A2", "GA"], "GB": ["B1", "B2"], "GD": ["D1"]}
    currencies = {"GA": Currency.of("JPY"), "GB": Currency.of("USD"), "GD": Currency.of("JPY")}
    for who in PEOPLE:
        assert _figures(book, who, False) == _reference([who], items, who.currency)
        group_id = who.group_id or (who.id if who.id in groups else None)
        if group_id is not None:
            members = [c for c in PEOPLE if c.id in groups[group_id]]
            expected = _reference(members, items, currencies[group_id])
            assert _figures(book, who, True) == expected


def test_a_load_that_fails_changes_nothing() -> None:
    people = [make_customer("E1", group_id="G"), make_customer("G", currency="USD", limit="100.00")]
    policy = CreditPolicy(rates=FxRates({("EUR", "USD"): Decimal("1.08")}))
    book = ExposureBook(people, policy, AS_OF)
    book.add_items([make_item("a", "10.00", as_of=AS_OF, partner="E1")])
    before = (book.exposure("E1"), book.group(people[0]))
    gbp = make_item("g", "5.00", as_of=AS_OF, partner="E1", currency="GBP")
    with pytest.raises(MoneyError, match="GBP/EUR"):
        book.add_items([make_item("b", "20.00", as_of=AS_OF, partner="E1"), gbp])
    stranger = make_item("z", "1.00", as_of=AS_OF, partner="Z")
    with pytest.raises(InvariantError, match="open item z: customer 'Z' is not known"):
        book.add_items([make_item("c", "30.00", as_of=AS_OF, partner="E1"), stranger])
    assert (book.exposure("E1"), book.group(people[0])) == before
    assert book.exposure("E1").total == Money(Decimal("10.00"), "EUR")
    group = book.group(people[0])
    assert group is not None
    assert group.exposure.total == Money(Decimal("10.80"), "USD")
    assert book.members("G") == ("E1", "G")
    assert book.members("E1") == ()


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4),
    st.sampled_from(sorted(RATES.rates)),
)
def test_the_amount_converter_rounds_as_convert_does(
    amount: Decimal, pair: tuple[str, str]
) -> None:
    source, target = Currency.of(pair[0]), Currency.of(pair[1])
    converted = RATES.amount_converter(source, target)(amount)
    expected = RATES.convert(Money(amount, source), target).amount
    assert (str(converted), converted) == (str(expected), expected)
    assert RATES.amount_converter(source, source)(amount) is amount
    with pytest.raises(MoneyError, match="GBP/EUR"):
        RATES.amount_converter(Currency.of("GBP"), Currency.of("EUR"))
