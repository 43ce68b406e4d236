"""Canonical JSON text, the CLI's output: sorted keys, two-space indent, UTF-8 as is.

The text is exactly ``json.dumps(document, indent=2, sort_keys=True,
ensure_ascii=False)``, written in pieces. The standard library has no C
encoder for indented output: its Python encoder yields every token from
nested generators, about 20 µs per match of a reconciliation result. This
writer walks the document with plain calls, writes the common scalars
(strings through the C string encoder, ints) in place, and hands the stream
a few thousand pieces at a time: about three times faster, so a result of a
million matches is written in seconds rather than half a minute.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any, TextIO

__all__ = ["write_canonical"]

_INFINITY = float("inf")
_SMALL = 32
"""Dicts of at most this many keys have their sorted order remembered by key layout."""


def _float(value: float) -> str:
    """A float as ``json`` writes it (``NaN`` and ``Infinity`` allowed, as ``json`` allows them)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: object) -> str:
    """A dict key as ``json`` turns it into a string (it raises for any other type)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def write_canonical(document: Any, stream: TextIO, *, pieces_per_write: int = 8192) -> None:
    """Write ``document`` to ``stream`` as canonical JSON (no trailing newline).

    Types are read as ``json`` reads them: ``str``, ``int``, ``float``,
    ``bool``, ``None``, ``list`` and ``tuple``, ``dict`` (and their
    subclasses); anything else raises ``TypeError``.

    >>> import io
    >>> out = io.StringIO()
    >>> write_canonical({"b": [1, 2.5, None], "a": "é"}, out)
    >>> print(out.getvalue())
    {
      "a": "é",
      "b": [
        1,
        2.5,
        null
      ]
    }
    """
    out: list[str] = []
    append = out.append
    encode = encode_basestring
    int_text = int.__repr__
    float_text = float.__repr__
    orders: dict[tuple[Any, ...], list[Any]] = {}  # a dict's keys in insertion order -> sorted

    def flush() -> None:
        stream.write("".join(out))
        out.clear()

    def write(value: Any, level: int) -> None:
        kind = type(value)
        if kind is str:
            append(encode(value))
        elif kind is dict:
            write_dict(value, level)
        elif kind is list or kind is tuple:
            write_list(value, level)
        elif kind is int:
            append(int_text(value))
        elif kind is float:
            append(_float(value))
        elif isinstance(value, str):  # the order json tests the types in, subclasses included
            append(encode(value))
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif isinstance(value, int):
            append(int_text(value))
        elif isinstance(value, float):
            append(_float(value))
        elif isinstance(value, (list, tuple)):
            write_list(value, level)
        elif isinstance(value, dict):
            write_dict(value, level)
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    def write_dict(mapping: dict[Any, Any], level: int) -> None:
        if not mapping:
            append("{}")
            return
        inner = "\n" + "  " * (level + 1)
        separator = "," + inner
        append("{" + inner)
        first = True
        if len(mapping) <= _SMALL:  # records of one shape: their keys sorted once
            layout = tuple(mapping)
            order = orders.get(layout)
            if order is None:
                order = orders[layout] = sorted(layout)
        else:
            order = sorted(mapping)
        for key in order:
            value = mapping[key]
            if first:
                first = False
            else:
                append(separator)
            append(encode(key if type(key) is str else _key(key)))
            append(": ")
            kind = type(value)  # the common scalars in place: no call
            if kind is str:
                append(encode(value))
            elif kind is int:
                append(int_text(value))
            elif kind is float and -_INFINITY < value < _INFINITY:
                append(float_text(value))
            elif value is None:
                append("null")
            else:
                write(value, level + 1)
            if len(out) >= pieces_per_write:
                flush()
        append("\n" + "  " * level + "}")

    def write_list(values: list[Any] | tuple[Any, ...], level: int) -> None:
        if not values:
            append("[]")
            return
        inner = "\n" + "  " * (level + 1)
        separator = "," + inner
        append("[" + inner)
        first = True
        for value in values:
            if first:
                first = False
            else:
                append(separator)
            kind = type(value)
            if kind is dict:
                write_dict(value, level + 1)
            elif kind is str:
                append(encode(value))
            elif kind is int:
                append(int_text(value))
            else:
                write(value, level + 1)
            if len(out) >= pieces_per_write:
                flush()
        append("\n" + "  " * level + "]")

    write(document, 0)
    flush()
