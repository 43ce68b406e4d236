"""The ``matches`` of ``ecomrules reconcile --json`` as canonical JSON text, by template.

A million matches are the bulk of the document (705 MB at a million lines).
Building a dict a match (:meth:`Match.to_json`) and having orjson encode it
costs twice as much as filling one text template a match: the keys in sorted
order, indented for the match's place in the document, exactly the bytes
:func:`~ecomrules.cli.canonical_json.write_canonical` writes for
:meth:`Match.to_json` (a hypothesis test compares them on random results).

What matches share is encoded once, by the canonical encoder itself: the
``reasons`` and ``contributions`` lists of each distinct set of levels (a run
has a few dozen), each distinct score, each currency. Ids are encoded by
``json``'s own string encoder (in C; the canonical text is ``json``'s), a
batch's text is encoded to UTF-8 at once. Amounts are written from their
minor units by integer division (``%d.%02d``), the text
:func:`~ecomrules.reconcile.result.amount_text` writes through a ``Decimal``
(a third of the time at a million amounts), and the status by its enum value
read directly (hashing an enum member runs Python code).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from json.encoder import encode_basestring
from typing import Any

from ecomrules.cli.canonical_json import BATCH, dumps_canonical, indented
from ecomrules.money import Currency
from ecomrules.reconcile.comparison import Level
from ecomrules.reconcile.result import Match, MatchFields, match_fields

__all__ = ["match_texts"]


class _Encoder:
    """Encodes matches as the records of a list at one level of the document."""

    def __init__(self, level: int) -> None:
        outer = "  " * (level + 1)  # the record's braces
        inner = outer + "  "  # its keys
        deep = inner + "  "  # an allocation's braces
        self.level = level + 2  # the level of the lists a record holds
        self.head = outer + "{\n" + inner + '"allocations": '
        self.tail = "".join(
            (
                ",\n" + inner + '"contributions": %s',
                ",\n" + inner + '"currency": %s',
                ",\n" + inner + '"fee": %s',
                ",\n" + inner + '"line_id": %s',
                ",\n" + inner + '"reasons": %s',
                ",\n" + inner + '"score": %s',
                ",\n" + inner + '"status": "%s"',
                ",\n" + inner + '"unallocated": %s',
                ",\n" + inner + '"write_off": %s',
                "\n" + outer + "}",
            )
        )
        self.allocation = (
            deep + "{\n" + deep + '  "amount": "%s",\n' + deep + '  "item_id": %s\n' + deep + "}"
        )
        self.one = "[\n" + self.allocation + "\n" + inner + "]"
        self.close = "\n" + inner + "]"
        self.parts: dict[tuple[Any, ...], tuple[str, str, tuple[Level, ...]]] = {}
        self.scores: dict[float, str] = {}
        self.strings: dict[str, str] = {}
        self.scales: dict[str, tuple[int, str]] = {}

    def _list(self, value: list[Any]) -> str:
        return indented(dumps_canonical(value), self.level).decode()

    def part(self, contributions: tuple[Level, ...], reasons: tuple[str, ...]) -> tuple[Any, ...]:
        """The encoded reasons and contributions of a set of levels (keyed by the levels'
        identities; the levels are kept in the entry, so an identity is never reused)."""
        found = self.parts[(*map(id, contributions), reasons)] = (
            self._list([level.code for level in contributions] + list(reasons)),
            self._list([{"code": level.code, "weight": level.weight} for level in contributions]),
            contributions,
        )
        return found

    def score(self, score: float) -> str:
        text = self.scores[score] = dumps_canonical(round(score, 6)).decode()
        return text

    def scale(self, currency: str) -> tuple[int, str]:
        """How ``currency``'s minor units are written: their power of ten and the pattern of
        the whole and the fraction (``%d.%02d`` for cents), as :func:`amount_text` writes."""
        exponent = Currency.of(currency).exponent
        found = self.scales[currency] = (10**exponent, f"%d.%0{exponent}d")
        return found

    def amount(self, units: int, currency: str) -> str:
        """``amount_text(units, currency)``, by integer division instead of a ``Decimal``."""
        power, pattern = self.scales.get(currency) or self.scale(currency)
        if power == 1:
            return str(units)
        if units < 0:
            return "-" + pattern % divmod(-units, power)
        return pattern % divmod(units, power)

    def string(self, text: str) -> str:
        encoded = self.strings[text] = encode_basestring(text)
        return encoded

    def batch(self, matches: Iterable[MatchFields]) -> bytes:
        """The records of ``matches`` (each match's fields) separated by ``,\\n``."""
        head, tail, allocation, one, close = (
            self.head,
            self.tail,
            self.allocation,
            self.one,
            self.close,
        )
        parts, scores, strings, amount = self.parts, self.scores, self.strings, self.amount
        dumps = encode_basestring
        texts = []
        for (
            line_id,
            status,
            score,
            allocations,
            currency,
            contributions,
            reasons,
            write_off,
            unallocated,
            fee,
        ) in matches:
            found = parts.get((*map(id, contributions), reasons)) or self.part(
                contributions, reasons
            )
            if len(allocations) == 1:
                ((item_id, units, of),) = allocations
                listed = one % (amount(units, of), dumps(item_id))
            elif allocations:
                listed = (
                    "[\n"
                    + ",\n".join(
                        [
                            allocation % (amount(units, of), dumps(item_id))
                            for item_id, units, of in allocations
                        ]
                    )
                    + close
                )
            else:
                listed = "[]"
            texts.append(
                head
                + listed
                + tail
                % (
                    found[1],
                    strings.get(currency) or self.string(currency),
                    f'"{amount(fee, currency)}"' if fee else "null",
                    dumps(line_id),
                    found[0],
                    scores.get(score) or self.score(score),
                    status._value_,  # the enum's value without hashing the member
                    f'"{amount(unallocated, currency)}"' if unallocated else "null",
                    f'"{amount(write_off, currency)}"' if write_off else "null",
                )
            )
        return ",\n".join(texts).encode()


def match_texts(matches: Sequence[Match], level: int) -> Iterator[tuple[bytes, int]]:
    """The matches as the records of a list at ``level``, :data:`BATCH` at a time.

    Each batch is the text of its records separated by ``,\\n`` (no brackets)
    and its number of records. The matches are read by their fields
    (:func:`~ecomrules.reconcile.result.match_fields`): the matcher's
    :class:`~ecomrules.reconcile.result.Matches` are written without being built.
    """
    encoder = _Encoder(level)
    fields = match_fields(matches)
    while batch := list(islice(fields, BATCH)):
        yield encoder.batch(batch), len(batch)
