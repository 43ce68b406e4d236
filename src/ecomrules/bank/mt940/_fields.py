"""Split MT940/MT942 text into messages of tagged fields, keeping each field's line.

Handles the envelopes and separators real files carry: SWIFT blocks
``{1:...}{2:...}{4:`` and ``-}``, a leading ``:940:`` line (Rabobank), bank
header lines before ``:20:`` (ABN AMRO, Van Lanschot), SOH/ETX bytes (mBank),
``-`` and ``-XXX`` message ends, and a ``-`` line that is really part of a
wrapped ``:86:`` (ING), told apart by what follows it. A block 4 end ``-}``
ends the message whatever follows it on the same line (the ``{5:...}``
trailer, ETX/SOH bytes, the next message's ``{1:...}{2:...}{4:``), and so
does one glued to the end of a balance field (``:62F:C...,00-}{5:...}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from attrs import define, field

__all__ = ["KNOWN_TAGS", "Field", "Message", "split_messages"]

KNOWN_TAGS = frozenset(
    {"20", "21", "25", "28", "28C", "60F", "60M", "61", "62F", "62M", "64", "65", "86"}
    | {"13", "13D", "34F", "90D", "90C", "NS"}
)
"""Tags that start a field; any other ``:NN:`` line continues the field before it."""

_TAG = re.compile(r"^:([0-9][0-9][A-Z]?|NS):")
_END = re.compile(r"^-(\}|XXX)?\s*$")
_CONTROL = "\x00\x01\x02\x03\x04"
_CLOSING = frozenset({"62F", "62M", "64", "65"})
_BLOCK_END = "-}"
_TRAILER_CUT = _CLOSING | {"60F", "60M", "90D", "90C", "34F", "13D", "20", "25", "28C"}
"""Fields whose value never holds ``-}``: one there is the block 4 end glued to them."""


@define
class Field:
    """One tagged field: its tag (``28`` read as ``28C``), value lines and first line number."""

    tag: str
    lines: list[str]
    line: int

    @property
    def value(self) -> str:
        """The value lines joined with newlines."""
        return "\n".join(self.lines)


@define
class Message:
    """The fields of one message (one statement) and the line it starts at."""

    line: int
    fields: list[Field] = field(factory=list)


def _is_envelope(text: str) -> bool:
    return text.startswith("{") or text in ("}", "-}")


def split_messages(lines: Iterable[tuple[int, str]]) -> Iterator[Message]:
    """Yield the messages of a file's physical lines, streamed."""
    message: Message | None = None
    current: Field | None = None
    seen_closing = False
    pending_dash: str | None = None
    for number, raw in lines:
        text = raw.strip(_CONTROL).rstrip()
        if not text.strip():
            continue
        match = _TAG.match(text)
        tag = None if match is None else match.group(1)
        if tag == "28":
            tag = "28C"
        starts_field = tag in KNOWN_TAGS
        ends_block = False
        if _BLOCK_END in text:  # rare: one substring test per line
            if starts_field and tag in _TRAILER_CUT:
                text, ends_block = text[: text.index(_BLOCK_END)].rstrip(), True
            elif text.startswith(_BLOCK_END):
                # ``-}`` then the trailer, control bytes or the next message's header.
                text = _BLOCK_END
        if pending_dash is not None:
            if starts_field or _is_envelope(text) or _END.match(text):
                if message is not None:
                    yield message
                message, current, seen_closing = None, None, False
            elif current is not None:
                current.lines.append(pending_dash)
            pending_dash = None
        if starts_field and tag is not None and match is not None:
            if tag == "20" and message is not None and message.fields:
                yield message
                message, seen_closing = None, False
            if message is None:
                message = Message(number)
            current = Field(tag, [text[match.end() :]], number)
            message.fields.append(current)
            seen_closing = seen_closing or tag in _CLOSING
            if ends_block:
                yield message
                message, current, seen_closing = None, None, False
            continue
        if _END.match(text):
            if current is not None and current.tag in ("61", "86") and not seen_closing:
                pending_dash = text
            else:
                if message is not None:
                    yield message
                message, current, seen_closing = None, None, False
            continue
        if current is not None and not _is_envelope(text):
            if tag is None or current.tag in ("61", "86", "NS"):
                current.lines.append(text)
        elif "{4:" in text and current is not None:
            if message is not None:
                yield message
            message, current, seen_closing = None, None, False
        # Anything else outside a field is envelope or bank header: not data.
    if message is not None:
        yield message
