"""Write-then-parse round trips for CFONB 120 and MT940 (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrules.bank.cfonb120 import write_cfonb120
from ecomrules.bank.mt940 import write_mt940
from ecomrules.money import Currency, Money
from ecomrules.parsing.model import Counterparty, LineKind, Statement, StatementLine
from ecomrules.parsing.registry import get_parser

_WORD = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.", min_size=1, max_size=12)
_LABEL = st.lists(_WORD, max_size=14).map(" ".join)
_REF = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=16)
_DAY = st.dates(min_value=date(2000, 1, 31), max_value=date(2099, 11, 30))
_DAY_MT940 = st.dates(min_value=date(2000, 1, 31), max_value=date(2069, 11, 30))  # YY 00-69


def _amount(currency: Currency, limit: int) -> st.SearchStrategy[Decimal]:
    return st.integers(-limit, limit).map(lambda n: Decimal(n).scaleb(-currency.exponent))


@st.composite
def _statement(draw: st.DrawFn, *, cfonb: bool) -> Statement:
    code = draw(st.sampled_from(["EUR", "JPY", "BHD"] if cfonb else ["EUR", "USD", "CHF"]))
    currency = Currency.of(code)
    opened = draw(_DAY if cfonb else _DAY_MT940)
    lines = []
    for number in range(draw(st.integers(0, 5))):
        booked = opened + timedelta(days=draw(st.integers(0, 3)))
        value = booked + timedelta(days=draw(st.integers(-20, 20)))
        amount = draw(_amount(currency, 10**9).filter(bool))
        party = None
        if not cfonb and draw(st.booleans()):
            iban = draw(st.from_regex(r"NL[0-9][0-9][A-Z]{4}[0-9]{10}", fullmatch=True))
            party = Counterparty(name=draw(_LABEL.filter(bool)), iban=iban)
        lines.append(
            StatementLine(
                id=str(number),
                kind=LineKind.TRANSFER,
                booked_on=booked,
                value_date=value if cfonb is False or draw(st.booleans()) else None,
                amount=Money(amount, currency),
                label=draw(_LABEL),
                references=tuple(draw(st.lists(_REF, max_size=1))),
                counterparty=party,
                transaction_id=None if cfonb else draw(st.none() | _REF),
            )
        )
    opening = draw(_amount(currency, 10**11))
    closing = opening + sum((line.amount.amount for line in lines), Decimal(0))
    account = (
        f"{draw(st.from_regex(r'[0-9]{5}', fullmatch=True))}/"
        f"{draw(st.from_regex(r'[0-9]{5}', fullmatch=True))}/"
        f"{draw(st.from_regex(r'[0-9A-Z]{11}', fullmatch=True))}"
        if cfonb
        else draw(st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,20}", fullmatch=True))
    )
    return Statement(
        account=account,
        currency=currency,
        lines=tuple(lines),
        opening_balance=Money(opening, currency),
        closing_balance=Money(closing, currency),
        opening_date=opened,
        closing_date=opened + timedelta(days=3),
    )


def _essentials(statement: Statement, *, cfonb: bool) -> tuple[object, ...]:
    return (
        statement.account,
        statement.currency,
        statement.opening_balance,
        statement.closing_balance,
        statement.opening_date,
        statement.closing_date,
        tuple(
            (
                line.booked_on,
                line.value_date,
                line.amount,
                line.label,
                line.references,
                None if cfonb else line.counterparty,
                None if cfonb else line.transaction_id,
            )
            for line in statement.lines
        ),
    )


@settings(max_examples=60)
@given(
    st.lists(_statement(cfonb=True), min_size=1, max_size=3), st.sampled_from(["\r\n", "\n", ""])
)
def test_cfonb120_round_trip(statements: list[Statement], line_end: str) -> None:
    text = write_cfonb120(statements, line_end=line_end)
    if line_end == "":  # the one-line export: records padded to 120 characters
        assert len(text) % 120 == 0
    parsed = get_parser("bank.cfonb120").parse(text.encode("latin-1"), source="rt")
    assert [_essentials(s, cfonb=True) for s in parsed.statements] == [
        _essentials(s, cfonb=True) for s in statements
    ]


@settings(max_examples=60)
@given(st.lists(_statement(cfonb=False), min_size=1, max_size=3))
def test_mt940_round_trip(statements: list[Statement]) -> None:
    text = write_mt940(statements)
    parsed = get_parser("bank.mt940").parse(text.encode("utf-8"), source="rt")
    assert [_essentials(s, cfonb=False) for s in parsed.statements] == [
        _essentials(s, cfonb=False) for s in statements
    ]


@settings(max_examples=20)
@given(st.lists(_statement(cfonb=False), min_size=1, max_size=2))
def test_mt940_writer_output_reads_the_same_in_the_mt940_library(
    statements: list[Statement],
) -> None:
    """The reference library reads what the writer writes: same amounts and value dates."""
    import mt940

    text = write_mt940(statements)
    theirs = list(mt940.models.Transactions().parse(text))
    ours = [line for statement in statements for line in statement.lines]
    assert [t.data["amount"].amount for t in theirs] == [line.amount.amount for line in ours]
    assert [t.data["date"] for t in theirs] == [line.value_date for line in ours]
