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
batch's text is encoded to UTF-8 at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring
from typing import Any

from ecomrules.cli.canonical_json import BATCH, dumps_canonical, indented
from ecomrules.reconcile.comparison import Level
from ecomrules.reconcile.result import Match, MatchStatus, amount_text

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
        self.status = {status: status.value for status in MatchStatus}

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

    def string(self, text: str) -> str:
        encoded = self.strings[text] = encode_basestring(text)
        return encoded

    def batch(self, matches: Sequence[Match]) -> bytes:
        """The records of ``matches`` separated by ``,\\n``."""
        head, tail, allocation, one, close = (
            self.head,
            self.tail,
            self.allocation,
            self.one,
            self.close,
        )
        parts, scores, strings, status = self.parts, self.scores, self.strings, self.status
        dumps = encode_basestring
        texts = []
        for match in matches:
            contributions = match.contributions
            reasons = match.reasons
            found = parts.get((*map(id, contributions), reasons)) or self.part(
                contributions, reasons
            )
            currency = match.currency
            allocations = match.allocations
            if len(allocations) == 1:
                (first,) = allocations
                listed = one % (
                    amount_text(first.units, first.currency),
                    dumps(first.item_id),
                )
            elif allocations:
                listed = (
                    "[\n"
                    + ",\n".join(
                        [
                            allocation % (amount_text(a.units, a.currency), dumps(a.item_id))
                            for a in allocations
                        ]
                    )
                    + close
                )
            else:
                listed = "[]"
            fee, unallocated, write_off = match.fee, match.unallocated, match.write_off
            texts.append(
                head
                + listed
                + tail
                % (
                    found[1],
                    strings.get(currency) or self.string(currency),
                    f'"{amount_text(fee, currency)}"' if fee else "null",
                    dumps(match.line_id),
                    found[0],
                    scores.get(match.score) or self.score(match.score),
                    status[match.status],
                    f'"{amount_text(unallocated, currency)}"' if unallocated else "null",
                    f'"{amount_text(write_off, currency)}"' if write_off else "null",
                )
            )
        return ",\n".join(texts).encode()


def match_texts(matches: Sequence[Match], level: int) -> Iterator[tuple[bytes, int]]:
    """The matches as the records of a list at ``level``, :data:`BATCH` at a time.

    Each batch is the text of its records separated by ``,\\n`` (no brackets)
    and its number of records.
    """
    encoder = _Encoder(level)
    for start in range(0, len(matches), BATCH):
        batch = matches[start : start + BATCH]
        yield encoder.batch(batch), len(batch)
