"""The documented file layouts, each defined once: columns, kinds, required, rules.

A :class:`Layout` is the one definition of a tabular input file
(``open-items.csv``, ``customers.csv``, ``orders.csv``, the default statement
CSV). Everything else comes from it: the row reader and the columnar
(pyarrow) reader of :mod:`ecomrules.inputs.table`, the pydantic row models
(:func:`row_model`) and the column table of the input file reference (a test
checks that ``docs/reference/inputs.md`` is :func:`markdown_table` of each
layout). A column is added in one place: its :class:`Column` here and the
field of the core type it fills.

The cell rules are written once, as functions of one cell's text
(:func:`convert`): the row reader calls them on every cell, the columnar
reader on each distinct value of a column (dates, currencies, flags,
choices) or checks the same rule in C (amounts, required text). An amount is
a plain decimal (``-12.30``: no exponent, no thousands separator) with at
most its currency's minor units; it is held in integer minor units.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import compress, count
from typing import Any

from ecomrules.decimals import MAX_INTEGER_DIGITS
from ecomrules.money import Currency

__all__ = [
    "Column",
    "Kind",
    "Layout",
    "Rule",
    "amount_units",
    "convert",
    "currency_code",
    "date_value",
    "flag_value",
    "header_problems",
    "markdown_table",
    "plain_amount",
    "where",
]


class Kind(enum.Enum):
    """What a cell holds, and so the rule that reads it."""

    TEXT = "text"
    AMOUNT = "amount"
    CURRENCY = "currency"
    DATE = "date"
    FLAG = "flag"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    """One column of a layout.

    ``default`` is the value of an absent (empty) optional cell. ``choices``
    is the enum a :attr:`Kind.CHOICE` cell names by value. ``not_negative``
    refuses a negative amount.
    """

    name: str
    kind: Kind
    required: bool
    meaning: str
    default: Any = None
    choices: type[enum.Enum] | None = None
    not_negative: bool = False
    doc_required: str | None = None
    """What the reference's "required" cell says when it is neither yes nor no."""


@dataclass(frozen=True)
class Rule:
    """A rule across the cells of one row, checked on whole columns.

    ``bad`` returns the indices of the rows that break it, from the columns as
    Python lists (the row reader, the row models); the message is reported on
    ``column``. ``columnar`` is the same rule over pyarrow arrays, for the
    columnar reader: a boolean array, true where a row breaks it (null counts
    as false). Its columns are typed: amounts int64 minor units, dates
    date32, flags bool, choices their enum value as text, absent optional
    cells null (or their default). Without it the columnar reader calls
    ``bad`` on Python lists. The hypothesis test of the readers and a test of
    each rule hold the two forms to the same rows.
    """

    column: str
    message: str
    bad: Callable[[Mapping[str, Sequence[Any]]], list[int]]
    columnar: Callable[[Mapping[str, Any]], Any] | None = None


@dataclass(frozen=True)
class Layout:
    """A documented file: its columns in written order, its row rules, its unique key."""

    name: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    key: str | None = "id"
    currency: str = "currency"
    """The column whose currency every amount of the row is in."""
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)


_AMOUNT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_LARGEST = 10**MAX_INTEGER_DIGITS
_TOO_LARGE = f"has more than {MAX_INTEGER_DIGITS} digits before the point (the maximum amount)"
AMOUNT_PATTERN = "^" + _AMOUNT.pattern + "$"
"""The only amount text accepted: a plain decimal literal (the columnar reader's regex)."""
_POWERS: tuple[int, ...] = tuple(10**k for k in range(19))
_TRUE = frozenset({"true", "yes", "1", "y"})
_FALSE = frozenset({"false", "no", "0", "n"})


class JsonFloat(str):
    """The text of a JSON number with a fraction or exponent (readers refuse it as an amount)."""

    __slots__ = ()


def plain_amount(value: Any) -> str:
    """The text of an amount written as a plain decimal, or ``ValueError`` saying why.

    A ``Decimal`` or an ``int`` from the API is taken as its plain text; a
    float never (a JSON number with a fraction either).
    """
    if isinstance(value, JsonFloat):
        raise ValueError("is a JSON number with a fraction (a float): write it as a string")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("is not a finite decimal")
        if value and value.adjusted() >= MAX_INTEGER_DIGITS:  # before format writes 10**999999
            raise ValueError(_TOO_LARGE)
        value = format(value, "f")
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= _LARGEST:  # before str() meets its 4,300-digit limit
            raise ValueError(_TOO_LARGE)
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("is not a decimal written as text")
    if not _AMOUNT.fullmatch(value) or not value.isascii():
        raise ValueError("is not a plain decimal (like -12.30; no exponent, no separators)")
    if len(value.partition(".")[0].lstrip("+-0")) > MAX_INTEGER_DIGITS:
        raise ValueError(_TOO_LARGE)
    return value


def amount_units(text: Any, currency: str) -> int:
    """An amount cell as an int of ``currency``'s minor units, or ``ValueError`` saying why.

    The one amount rule of every reader: a plain decimal, no exponent, at
    most the currency's minor units (``1240.50``; ``1240.505 EUR`` and
    ``5.95e2`` are refused).

    >>> amount_units("-12.30", "EUR"), amount_units("7", "JPY")
    (-1230, 7)
    """
    text = plain_amount(text)
    exponent = Currency.of(currency).exponent
    whole, _, fraction = text.partition(".")
    if len(fraction) > exponent:
        if fraction[exponent:].strip("0"):
            raise ValueError(f"has more than {exponent} decimal(s) for {currency}")
        fraction = fraction[:exponent]
    negative = whole.startswith("-")
    digits = whole.lstrip("+-")
    value = int(digits) * _POWERS[exponent] + int(fraction.ljust(exponent, "0") or "0")
    return -value if negative else value


def date_value(text: Any) -> date:
    """A date cell ``YYYY-MM-DD`` (or a ``date`` from the API), or ``ValueError``."""
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    if not isinstance(text, str):
        raise ValueError("is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a date (YYYY-MM-DD)") from None


def flag_value(text: Any) -> bool:
    """A flag cell: ``true``/``false``, ``yes``/``no``, ``1``/``0``, ``y``/``n``, any case."""
    if isinstance(text, bool):
        return text
    folded = str(text).strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError("is not true or false")


def currency_code(text: Any) -> str:
    """An ISO 4217 code, upper case, or ``ValueError``."""
    if not isinstance(text, str):
        raise ValueError("is not a currency code")
    try:
        return Currency.of(text).code
    except ValueError:
        raise ValueError("is not an ISO 4217 currency code") from None


def _currency(text: Any) -> str:
    currency = Currency.of(currency_code(text))
    if currency.minor_units is None:
        raise ValueError(f"{currency.code} has no minor units: amounts cannot be exact in it")
    return currency.code


def _text(text: Any) -> str:
    if not isinstance(text, str):
        raise ValueError("is not text")
    return text


def convert(column: Column, text: Any) -> Any:
    """One cell's value by ``column``'s rule, or ``ValueError`` with the reason.

    Amounts are converted by :func:`amount_units`, which needs the row's
    currency; here an amount is only checked to be plain text.
    """
    kind = column.kind
    if kind is Kind.TEXT:
        return _text(text)
    if kind is Kind.DATE:
        return date_value(text)
    if kind is Kind.CURRENCY:
        return _currency(text)
    if kind is Kind.FLAG:
        return flag_value(text)
    if kind is Kind.CHOICE:
        assert column.choices is not None
        try:
            return column.choices(text)
        except ValueError:
            allowed = ", ".join(repr(c.value) for c in column.choices)
            raise ValueError(f"is not one of {allowed}") from None
    raise ValueError(f"{column.name} is an amount: convert it with amount_units")


def _close(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate ``name`` most likely stands for (``due`` for ``due_date``), if any."""
    folded = name.strip().lower()
    for candidate in candidates:
        if folded == candidate or candidate.startswith(folded) or folded.startswith(candidate):
            return candidate
    found = difflib.get_close_matches(folded, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def header_problems(
    file: str,
    names: Sequence[str],
    known: Sequence[str],
    required: Sequence[str],
    *,
    line: str = "",
) -> list[str]:
    """What is wrong with a header row, as whole-file problems (empty when nothing is).

    Missing required columns and unknown columns, each with a "did you mean"
    for a close name; a name given twice; a header that is one cell holding
    ``;``, tab or ``|`` (the file uses another separator). ``line`` is the
    header's raw text, for that last check.
    """
    stripped = [name.strip() for name in names]
    present = set(stripped)
    if len(stripped) == 1 and not present & set(known):
        for separator, called in ((";", "';'"), ("\t", "tab"), ("|", "'|'")):
            if separator in (line or stripped[0]):
                return [
                    f"{file}:1: this file uses {called} as separator; the layout is "
                    f"comma-separated (columns: {', '.join(required)}, ...)"
                ]
    problems = []
    missing = [name for name in required if name not in present]
    unknown = [name for name in stripped if name not in known]
    for name in missing:
        hint = _close(name, unknown)
        hint_text = f" (is {hint!r} meant to be {name!r}?)" if hint else ""
        problems.append(f"{file}:1: missing column {name!r}{hint_text}")
    free = [name for name in known if name not in present]
    for name in unknown:
        if not name:
            problems.append(f"{file}:1: a column has no name")
            continue
        hint = _close(name, free)
        hint_text = f"; did you mean {hint!r}?" if hint else ""
        problems.append(f"{file}:1: unknown column {name!r}{hint_text} (known: {', '.join(known)})")
    seen: set[str] = set()
    for name in stripped:
        if name in seen and name:
            problems.append(f"{file}:1: column {name!r} appears twice")
        seen.add(name)
    return problems


def where(flags: Iterable[Any]) -> list[int]:
    """The indices of the true flags (in C: rules over a million rows stay cheap).

    >>> where([False, True, True])
    [1, 2]
    """
    return list(compress(count(), flags))


def markdown_table(layout: Layout) -> str:
    """The layout's column table, as in the input file reference."""
    rows = ["| column | required | meaning |", "|---|---|---|"]
    for column in layout.columns:
        required = column.doc_required or ("yes" if column.required else "no")
        rows.append(f"| `{column.name}` | {required} | {column.meaning} |")
    return "\n".join(rows)
