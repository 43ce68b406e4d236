"""Canonical JSON, the CLI's output: sorted keys, two-space indent, UTF-8 as is.

The bytes are those of ``json.dumps(document, indent=2, sort_keys=True,
ensure_ascii=False)`` encoded as UTF-8, written by orjson (a C encoder) and
streamed: the big lists of a document (a million matches) go to the stream
a few thousand records at a time, so the text of a large result is never held
whole, and a list may be given as a :class:`Stream` (any iterable, a
generator) so that its records are not held whole either.

Where orjson's text differs from ``json``'s, it is made the same:

- floats below 1e-4 in magnitude, which orjson writes in full
  (``0.00001``) or with a one-digit exponent (``5.96e-8``) and ``json``
  as ``1e-05`` and ``5.96e-08``, are rewritten;
- what orjson refuses and ``json`` writes (integers beyond 64 bits, keys
  that are not strings, ``str``/``int``/``dict``/``list`` subclasses such as
  a ``StrEnum``) is written by ``json`` itself, for that batch only;
- NaN and the infinities are not JSON: orjson writes them as ``null`` where
  ``json`` writes ``NaN``/``Infinity``. The CLI's documents hold none
  (amounts are decimal strings, scores are finite); this is the one
  difference, and it is tested.

See ADR 0006 for the measured figures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, BinaryIO

import orjson

__all__ = [
    "BATCH",
    "Encoded",
    "Stream",
    "dumps_canonical",
    "indented",
    "records",
    "write_canonical",
]

BATCH = 4096
"""Records of a big list encoded (and written) at a time."""

_OPTIONS = (
    orjson.OPT_INDENT_2
    | orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
_SMALL_FLOAT = re.compile(rb"-?(?:0\.0000[0-9]*|[0-9][0-9.]*e-[0-9])")
"""A float below 1e-4 as orjson writes it (``0.00001``, ``5.96e-8``); ``json`` writes
``1e-05`` and ``5.96e-08``."""


def _small_floats(text: bytes) -> bytes:
    """Rewrite orjson's small floats as ``json`` writes them; text in strings is left alone.

    A number token follows a space (``": "`` or the indentation) and ends its
    line (``,`` and a newline, a newline, or the end); a string holds no raw
    newline, so a token found this way is never inside a string. The needles
    are searched with ``bytes.find`` (C speed); the rare hits are checked here.
    """
    spans: list[tuple[int, int]] = []
    for needle in (b"0.0000", b"e-"):
        at = text.find(needle)
        while at != -1:
            start = text.rfind(b" ", 0, at) + 1
            end = at
            while end < len(text) and text[end] not in b",\n":
                end += 1
            if (
                end == len(text) or text[end] == 10 or text[end : end + 2] == b",\n"
            ) and _SMALL_FLOAT.fullmatch(text, start, end):
                spans.append((start, end))
            at = text.find(needle, end)
    if not spans:
        return text
    pieces, last = [], 0
    for start, end in sorted(set(spans)):
        pieces += [text[last:start], repr(float(text[start:end])).encode()]
        last = end
    pieces.append(text[last:])
    return b"".join(pieces)


class Stream:
    """A list of the document given as an iterable, encoded as it is consumed.

    ``count`` (when known) is reported to the ``progress`` callback of
    :func:`write_canonical` as the total.
    """

    __slots__ = ("count", "items")

    def __init__(self, items: Iterable[Any], count: int | None = None) -> None:
        self.items = items
        self.count = count


class Encoded:
    """A list of the document whose records its owner encodes itself, for speed.

    ``batches(level)`` yields the text of a few thousand records at a time,
    as :func:`write_canonical` writes them in a list at ``level`` (records
    separated by ``,\\n``, no brackets), each with its number of records;
    ``count`` is the total, for the ``progress`` callback.
    """

    __slots__ = ("batches", "count")

    def __init__(
        self, batches: Callable[[int], Iterable[tuple[bytes, int]]], count: int | None = None
    ) -> None:
        self.batches = batches
        self.count = count


def _encode(value: Any) -> bytes:
    """One value as canonical JSON at indentation level 0."""
    try:
        text = orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # big ints, other keys, subclasses: json's own text
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).encode()
    return _small_floats(text)


def dumps_canonical(document: Any) -> bytes:
    """The canonical JSON of ``document`` as bytes (no trailing newline).

    >>> print(dumps_canonical({"b": [1, 2.5, None, 1e-05], "a": "é"}).decode())
    {
      "a": "é",
      "b": [
        1,
        2.5,
        null,
        1e-05
      ]
    }
    """
    return _encode(document)


def indented(text: bytes, level: int) -> bytes:
    """``text`` (canonical JSON at level 0) as written nested ``level`` levels deep."""
    if level == 0:
        return text
    return text.replace(b"\n", b"\n" + b"  " * level)


def _opening(level: int) -> bytes:
    """How a list nested ``level`` lists deep opens (and, as long, closes) in orjson's text."""
    return b"".join(b"  " * depth + b"[\n" for depth in range(level + 1))


def _records(batch: list[Any], level: int) -> memoryview:
    """The records of ``batch`` as written in a list at ``level``, without its brackets.

    The batch is encoded nested in ``level`` one-element lists, so orjson
    indents its records for their place in the document itself: no second
    pass over the text to indent it, no copy to cut the brackets off.
    """
    value: Any = batch
    for _ in range(level):
        value = [value]
    text = _encode(value)
    opening = _opening(level)
    return memoryview(text)[len(opening) : len(text) - len(opening)]


def _big(value: Any) -> bool:
    return isinstance(value, Stream | Encoded) or (type(value) is list and len(value) > BATCH)


def _holds_big(value: Any) -> bool:
    """A big list, or a dict with one somewhere inside (written key by key)."""
    return _big(value) or (
        type(value) is dict
        and any(map(_holds_big, value.values()))
        and all(type(key) is str for key in value)
    )


def _batches(value: Stream | list[Any]) -> Iterator[list[Any]]:
    items = iter(value.items if isinstance(value, Stream) else value)
    while batch := list(islice(items, BATCH)):
        yield batch


def write_canonical(
    document: Any, stream: BinaryIO, *, progress: Callable[[int], None] | None = None
) -> None:
    """Write ``document`` to the binary ``stream`` as canonical JSON (no trailing newline).

    Lists of more than :data:`BATCH` records and :class:`Stream` values are
    written a batch at a time (``progress``, when given, is called with the
    number of records of each batch); everything else is one orjson call.
    """
    _write(document, stream, 0, progress)


def _write(
    value: Any, stream: BinaryIO, level: int, progress: Callable[[int], None] | None
) -> None:
    pad = b"  " * level
    if _big(value):
        texts = (
            value.batches(level)
            if isinstance(value, Encoded)
            else ((_records(batch, level), len(batch)) for batch in _batches(value))
        )
        first = True
        for text, count in texts:
            stream.write(b"[\n" if first else b",\n")
            stream.write(text)
            first = False
            if progress is not None:
                progress(count)
        stream.write(b"[]" if first else b"\n" + pad + b"]")
        return
    if _holds_big(value):
        keys = sorted(value)
        inner = pad + b"  "
        for position, key in enumerate(keys):
            stream.write((b"{\n" if position == 0 else b",\n") + inner + _encode(key) + b": ")
            _write(value[key], stream, level + 1, progress)
        stream.write(b"\n" + pad + b"}")
        return
    stream.write(indented(_encode(value), level))


def _sizes(document: Any) -> int | None:
    """The number of records the big lists of ``document`` hold (None if a Stream has no count)."""
    if isinstance(document, Stream | Encoded):
        return document.count
    if type(document) is list:
        return len(document) if len(document) > BATCH else 0
    if type(document) is dict:
        total = 0
        for value in document.values():
            size = _sizes(value)
            if size is None:
                return None
            total += size
        return total
    return 0


def records(document: Any) -> int | None:
    """How many records :func:`write_canonical` reports to ``progress`` for ``document``."""
    return _sizes(document)
