"""The configuration of a CSV bank statement: a pydantic document loaded from TOML or JSON.

A :class:`CsvConfig` says how to read a bank's CSV export: the delimiter,
encoding, number and date formats, which line holds the header, which column
holds what, and how the sign is given (a signed amount, debit and credit
columns, or an amount with a D/C flag). :func:`load_csv_config` reports every
problem of a document at once with its ``$.path``; :meth:`CsvConfig.to_domain`
returns the :class:`CsvLayout` the parser runs on.
"""

from __future__ import annotations

import codecs
import copy
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from attrs import frozen
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ecomrules import _jsontext
from ecomrules.decimals import DecimalFormat
from ecomrules.errors import ConfigError, ConfigProblem, UnknownCurrencyError
from ecomrules.money import Currency

__all__ = [
    "DEFAULT_COLUMNS",
    "CsvColumns",
    "CsvConfig",
    "CsvLayout",
    "load_csv_config",
]

DEFAULT_COLUMNS = (
    "id",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "counterparty",
    "iban",
    "label",
    "reference",
)
"""The header of the default mapping, in its written order."""

AmountMode = Literal["signed", "debit_credit", "flag"]


class CsvColumns(BaseModel):
    """Which header names hold which field; ``None`` (or ``""``) where the file has none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = "id"
    booking_date: str = "booking_date"
    value_date: str | None = "value_date"
    amount: str | None = "amount"
    debit: str | None = None
    credit: str | None = None
    direction: str | None = None
    currency: str | None = "currency"
    counterparty: str | None = "counterparty"
    iban: str | None = "iban"
    bic: str | None = None
    label: list[str] = Field(default_factory=lambda: ["label"])
    reference: list[str] = Field(default_factory=lambda: ["reference"])
    balance: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        """TOML has no null: an empty name means the file has no such column."""
        return None if value == "" else value


class CsvConfig(BaseModel):
    """How to read one bank's CSV statement (see the CSV format page for every field)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    delimiter: str = Field(default=",", min_length=1, max_length=1)
    quote: str = Field(default='"', min_length=1, max_length=1)
    encoding: str = "utf-8"
    decimal: Literal[".", ","] = "."
    group: Literal[".", ",", " ", "'"] | None = None
    date_format: str = "%Y-%m-%d"
    header_row: int = Field(default=1, ge=1)
    amount_mode: AmountMode = "signed"
    debit_flags: list[str] = Field(default_factory=lambda: ["D", "DBIT", "DR", "DEBIT", "-"])
    credit_flags: list[str] = Field(default_factory=lambda: ["C", "CRDT", "CR", "CREDIT", "+"])
    currency: str | None = None
    account: str | None = None
    newest_first: bool = False
    columns: CsvColumns = Field(default_factory=CsvColumns)

    def problems(self) -> list[ConfigProblem]:
        """The cross-field problems pydantic cannot see, each with its ``$.path``."""
        found: list[ConfigProblem] = []
        columns = self.columns
        needs = {
            "signed": ("amount",),
            "debit_credit": ("debit", "credit"),
            "flag": ("amount", "direction"),
        }[self.amount_mode]
        found.extend(
            ConfigProblem(
                f"$.columns.{name}", f"amount_mode {self.amount_mode!r} needs this column"
            )
            for name in needs
            if getattr(columns, name) is None
        )
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            found.append(ConfigProblem("$.encoding", f"unknown encoding {self.encoding!r}"))
        if self.group is not None and self.group == self.decimal:
            found.append(ConfigProblem("$.group", "the group separator equals the decimal one"))
        probe = date(2026, 12, 31)
        try:
            readable = datetime.strptime(probe.strftime(self.date_format), self.date_format)
        except ValueError:
            readable = None
        if readable is None or readable.date() != probe:
            found.append(
                ConfigProblem(
                    "$.date_format", f"{self.date_format!r} does not read back a whole date"
                )
            )
        if self.currency is not None:
            try:
                Currency.of(self.currency)
            except UnknownCurrencyError:
                found.append(ConfigProblem("$.currency", f"unknown currency {self.currency!r}"))
        elif columns.currency is None:
            found.append(ConfigProblem("$.currency", "give a currency when no column holds one"))
        if set(self.debit_flags) & set(self.credit_flags):
            found.append(ConfigProblem("$.credit_flags", "a flag cannot mean debit and credit"))
        return found

    def to_domain(self) -> CsvLayout:
        """Return the checked layout the parser runs on; raise ConfigError on a problem."""
        problems = self.problems()
        if problems:
            raise ConfigError("csv config", problems)
        return CsvLayout(
            delimiter=self.delimiter,
            quote=self.quote,
            encoding=self.encoding,
            number=DecimalFormat(decimal=self.decimal, group=self.group),
            date_format=self.date_format,
            header_row=self.header_row,
            amount_mode=self.amount_mode,
            debit_flags=frozenset(flag.upper() for flag in self.debit_flags),
            credit_flags=frozenset(flag.upper() for flag in self.credit_flags),
            currency=Currency.of(self.currency) if self.currency else None,
            account=self.account,
            columns=self.columns,
            newest_first=self.newest_first,
        )


@frozen
class CsvLayout:
    """A checked :class:`CsvConfig`, ready for the parser."""

    delimiter: str
    quote: str
    encoding: str
    number: DecimalFormat
    date_format: str
    header_row: int
    amount_mode: AmountMode
    debit_flags: frozenset[str]
    credit_flags: frozenset[str]
    currency: Currency | None
    account: str | None
    columns: CsvColumns
    newest_first: bool = False

    def mapped(self) -> tuple[str, ...]:
        """The header names the mapping uses, in a stable order."""
        names: list[str] = []
        for value in self.columns.model_dump().values():
            if isinstance(value, list):
                names.extend(value)
            elif value is not None:
                names.append(value)
        return tuple(dict.fromkeys(names))


def load_csv_config(document: str | Path | Mapping[str, Any]) -> CsvLayout:
    """Load a config from a ``.toml`` or ``.json`` file, or a mapping, and check it whole.

    Raises :class:`~ecomrules.errors.ConfigError` listing every problem with
    its path (``$.columns.amount: ...``).
    """
    source = "csv config"
    if isinstance(document, Mapping):
        raw: Any = dict(document)
    else:
        path = Path(document)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                source, [ConfigProblem("$", f"cannot read: {exc.strerror}")]
            ) from None
        try:
            raw = _jsontext.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(source, [ConfigProblem("$", f"not valid: {exc}")]) from None
    try:
        config = CsvConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(source, _all_problems(raw, exc)) from None
    problems = config.problems()
    if problems:
        raise ConfigError(source, problems)
    return config.to_domain()


def _all_problems(raw: Any, exc: ValidationError) -> list[ConfigProblem]:
    """The field problems, then the cross-field ones of what remains without the bad fields."""
    problems = [_problem(error) for error in exc.errors()]
    if not isinstance(raw, dict):
        return problems
    pruned = copy.deepcopy(raw)
    for error in exc.errors():
        holder: Any = pruned
        loc = error["loc"]
        for part in loc[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and loc:
            holder.pop(loc[-1], None)
    try:
        partial = CsvConfig.model_validate(pruned)
    except ValidationError:
        return problems
    seen = {problem.path for problem in problems}
    problems.extend(problem for problem in partial.problems() if problem.path not in seen)
    return problems


def _problem(error: Any) -> ConfigProblem:
    path = "$"
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return ConfigProblem(path, str(error["msg"]))


DEFAULT_LAYOUT = CsvConfig().to_domain()
"""The default mapping: the columns of :data:`DEFAULT_COLUMNS`, signed amounts, ISO dates."""
