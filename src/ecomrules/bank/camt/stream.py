"""Streaming XML reading for the CAMT parsers.

:func:`iter_events` reads a binary stream in blocks and feeds a defused expat
pull parser (no DTD, no entities, no network). It

- removes the control bytes XML forbids (0x00-0x1F but TAB, LF and CR, which
  takes a trailing 0x1A too) and reports how many,
- starts a new document at each ``<?xml`` declaration, so two documents
  concatenated in one file are both read,
- remembers the line of each start tag named in ``tracked`` (expat's pull
  interface does not say where an element was) and keeps the raw text of each
  ``raw_of`` element, so every entry keeps its place and its record.

It yields only the start and end events of the tracked elements and of each
document's root; the caller clears what it has read, so memory stays flat.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO, Literal, cast
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLPullParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ecomrules.errors import MalformedRecordError
from ecomrules.outcome import SourceLocation

__all__ = ["Event", "XmlEvent", "iter_events"]

_BLOCK = 1 << 18
_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 13))
_DECLARATION = b"<?xml"
_BOM = b"\xef\xbb\xbf"
_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

Event = Literal["document", "start", "end", "removed"]
XmlEvent = tuple[Event, Element, int | None, str | None]
"""``(event, element, line, raw)``: ``raw`` is set on the end of a ``raw_of`` element;
``document`` carries each document's root; ``removed`` (last) the count of control
bytes removed, as the element's text."""


class _Document:
    """One XML document being fed: its pull parser, lines and raw texts of tracked tags."""

    __slots__ = ("encoding", "first_line", "lines", "open", "parser", "qualified", "raws", "root")

    def __init__(self, first_line: int) -> None:
        parser = DefusedXMLParser(
            target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        self.parser: XMLPullParser[Element] = XMLPullParser(("start", "end"), _parser=parser)
        self.first_line = first_line
        self.encoding: str | None = None
        self.lines: dict[str, deque[int]] = {}
        self.open: dict[str, list[int | None]] = {}
        self.raws: deque[str] = deque()
        self.qualified: dict[str, str] = {}
        self.root: Element | None = None


class _Reader:
    """The state of one pass over a stream."""

    def __init__(self, source: str, tracked: tuple[str, ...], raw_of: str) -> None:
        self.source = source
        self.names = tracked
        self.raw_of = raw_of
        self.pattern = re.compile(
            rb"<(/?)(?:[A-Za-z_][\w.-]*:)?("
            + b"|".join(name.encode() for name in tracked)
            + rb")[\s/>]"
        )
        self.line = 1
        self.doc: _Document | None = None
        self.raw_parts: list[bytes] | None = None

    def run(self, stream: BinaryIO) -> Iterator[XmlEvent]:
        carry = b""
        removed = 0
        scan = True
        first = True
        while True:
            block = stream.read(_BLOCK)
            data = carry + block
            if block:
                cut = data.rfind(b">") + 1
                if cut == 0:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            if first:
                first = False
                # UTF-16: expat reads it, but its bytes cannot be cleaned or scanned
                scan = not (data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[1:2] == b"\x00")
            if scan:
                cleaned = data.translate(None, _CONTROL)
                # 0x1A is the old end-of-file mark: dropped without a word
                removed += len(data) - len(cleaned) - data.count(b"\x1a")
                data = cleaned
            for piece, opens in _split_documents(data, self.doc is not None):
                if opens:
                    if self.doc is not None:
                        yield from self._finish(self.doc)
                    self.doc = _Document(self.line)
                    self.raw_parts = None
                    continue
                if self.doc is not None:
                    if scan:
                        self._scan(self.doc, piece)
                    yield from self._feed(self.doc, piece)
                self.line += piece.count(b"\n")
            if not block:
                break
        if self.doc is None:
            raise MalformedRecordError("no XML document", location=SourceLocation(self.source, 1))
        yield from self._finish(self.doc)
        if removed:
            marker = Element("removed")
            marker.text = str(removed)
            yield "removed", marker, None, None

    def _scan(self, doc: _Document, piece: bytes) -> None:
        if doc.encoding is None:
            declared = _ENCODING.search(piece, 0, 200)
            doc.encoding = declared.group(1).decode() if declared else "utf-8"
        line = self.line
        last = 0
        raw_start = 0 if self.raw_parts is not None else -1
        for match in self.pattern.finditer(piece):
            name = match.group(2).decode()
            if match.group(1):
                if name == self.raw_of and raw_start >= 0:
                    parts = self.raw_parts or []
                    parts.append(piece[raw_start : match.end()])
                    doc.raws.append(b"".join(parts).decode(doc.encoding, errors="replace"))
                    self.raw_parts, raw_start = None, -1
                continue
            line += piece.count(b"\n", last, match.start())
            last = match.start()
            doc.lines.setdefault(name, deque()).append(line)
            if name == self.raw_of:
                self.raw_parts, raw_start = [], match.start()
        if self.raw_parts is not None and raw_start >= 0:
            self.raw_parts.append(piece[raw_start:])

    def _feed(self, doc: _Document, piece: bytes) -> Iterator[XmlEvent]:
        try:
            doc.parser.feed(piece)
        except (ParseError, DefusedXmlException) as exc:
            raise self._malformed(exc, doc) from None
        return self._events(doc)

    def _finish(self, doc: _Document) -> Iterator[XmlEvent]:
        try:
            doc.parser.close()
        except (ParseError, DefusedXmlException) as exc:
            raise self._malformed(exc, doc) from None
        return self._events(doc)

    def _events(self, doc: _Document) -> Iterator[XmlEvent]:
        try:
            yield from self._read_events(doc)
        except (ParseError, DefusedXmlException) as exc:
            raise self._malformed(exc, doc) from None

    def _read_events(self, doc: _Document) -> Iterator[XmlEvent]:
        for item in doc.parser.read_events():
            # only start and end events are asked for: each is (event, element)
            event, elem = cast(tuple[str, Element], item)
            if doc.root is None:
                doc.root = elem
                tag = elem.tag
                namespace = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
                doc.qualified.update({namespace + name: name for name in self.names})
                yield "document", elem, doc.first_line, None
                continue
            name = doc.qualified.get(elem.tag)
            if name is None:
                continue
            if event == "start":
                queue = doc.lines.get(name)
                at = queue.popleft() if queue else None
                doc.open.setdefault(name, []).append(at)
                yield "start", elem, at, None
            else:
                stack = doc.open.get(name)
                raw = doc.raws.popleft() if name == self.raw_of and doc.raws else None
                yield "end", elem, stack.pop() if stack else None, raw

    def _malformed(self, exc: Exception, doc: _Document) -> MalformedRecordError:
        position = getattr(exc, "position", None)
        line = doc.first_line + position[0] - 1 if position else doc.first_line
        message = str(exc).split(":", 1)[0] if position else str(exc)
        if message.startswith("no element found"):
            message = "the document is truncated"
        return MalformedRecordError(
            f"not well-formed XML: {message}", location=SourceLocation(self.source, line)
        )


def iter_events(
    stream: BinaryIO, source: str, tracked: tuple[str, ...], raw_of: str
) -> Iterator[XmlEvent]:
    """Yield the start and end events of the ``tracked`` elements of every document.

    Raises :class:`~ecomrules.errors.MalformedRecordError`, with the file's
    line, when a document is not well-formed, declares a DTD or entities, or
    is truncated.
    """
    return _Reader(source, tracked, raw_of).run(stream)


def _split_documents(data: bytes, in_document: bool) -> Iterator[tuple[bytes, bool]]:
    """Cut ``data`` before each ``<?xml`` (and its BOM): ``(piece, opens_a_document)``."""
    piece_start = search = 0
    if not in_document:
        start = len(data) - len(data.lstrip(b" \t\r\n"))
        if start == len(data):
            yield data, False
            return
        if start:
            yield data[:start], False
        yield b"", True
        piece_start = start
        search = start + (4 if data.startswith(_BOM, start) else 1)
    while (found := data.find(_DECLARATION, search)) >= 0:
        cut = found - 3 if found >= 3 and data[found - 3 : found] == _BOM else found
        if cut > piece_start:
            yield data[piece_start:cut], False
        yield b"", True
        piece_start, search = cut, found + 1
    if piece_start < len(data):
        yield data[piece_start:], False
