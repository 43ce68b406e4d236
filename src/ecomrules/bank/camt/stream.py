"""Streaming XML reading for the CAMT parsers.

:func:`iter_entries` reads a binary stream in blocks and feeds expat through
ElementTree's C tree builder, with no per-element Python callback. It

- checks each document's prolog with defusedxml (no DTD, hence no entity
  declaration; no external reference) before a byte reaches the fast parser,
  which never loads anything from outside,
- removes the control bytes XML forbids (0x00-0x1F but TAB, LF and CR; a
  trailing 0x1A goes silently) and reports how many,
- starts a new document at each ``<?xml`` declaration, so two documents
  concatenated in one file are both read,
- scans the bytes for the tags that matter, so each entry keeps its line and
  its raw text (expat's tree builder does not say where an element was),
- hands over each entry (``Ntry``) as soon as its end tag has been read and
  removes it from the tree, so memory stays flat whatever the file's size,
- drops the indentation between tags (keeping the line breaks) before the tree
  builder sees it: whitespace-only text is no CAMT data, and it was two thirds
  of the building work.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO, Final, cast
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLPullParser

from attrs import frozen
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ecomrules.errors import InvariantError, MalformedRecordError
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.limits import current_limits, record_too_long

__all__ = ["ContainerEnd", "DocumentStart", "Entry", "iter_entries"]

_BLOCK: Final = 1 << 18
_CONTROL: Final = bytes(c for c in range(32) if c not in (9, 10, 13))
_DECLARATION: Final = b"<?xml"
_BOM: Final = b"\xef\xbb\xbf"
_ENCODING: Final = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ROOT_TAG: Final = re.compile(rb"<[A-Za-z_][^>]*>")
_INDENT: Final = re.compile(rb">[ \t]*\r?\n[ \t]*<")
_ENTRY: Final = "Ntry"
_DETAIL: Final = "TxDtls"  # its lines come from the entry text
_CONTAINERS: Final = ("Stmt", "Ntfctn", "Rpt")
# one literal pattern per name: a literal prefix lets the regex engine skip ahead,
# ten times faster than trying a pattern at every "<"
_ENTRY_NAME: Final = re.compile(rb"Ntry[\s/>]")
_CONTAINER_NAMES: Final = tuple(
    (name, re.compile(name.encode() + rb"[\s/>]")) for name in _CONTAINERS
)
_PREFIX: Final = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_DETAIL_TAG: Final = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?TxDtls[\s/>]")


@frozen
class DocumentStart:
    """A new XML document begins: its root element and first line."""

    root: Element
    line: int


@frozen
class Entry:
    """A complete entry, its container (statement, notification or report) and places."""

    element: Element
    line: int | None
    raw: str
    detail_lines: tuple[int, ...]
    container: Element
    container_line: int | None


@frozen
class ContainerEnd:
    """A container is complete (all its entries were handed over before)."""

    container: Element
    container_line: int | None


class _Document:
    """One XML document being fed, and what has been read of it so far."""

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.pull: XMLPullParser[Element] = XMLPullParser(("start",))
        self.guard: XMLPullParser[Element] | None = XMLPullParser(
            ("start",),
            _parser=DefusedXMLParser(
                target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
            ),
        )
        self.encoding = "utf-8"
        self.root: Element | None = None
        self.containers: set[str] = set()
        self.entry_tag = ""
        self.holder_tag = ""
        self.detail_tag = ""
        self.lines: dict[str, deque[int]] = {name: deque() for name in (*_CONTAINERS, _ENTRY)}
        self.raws: deque[str] = deque()
        self.entries_fed = 0
        self.containers_fed = 0
        self.entries_done = 0
        self.containers_done = 0
        self.next_child = 0
        self.current: Element | None = None
        self.current_line: int | None = None
        self.first_entry = -1


class _Reader:
    """The state of one pass over a stream."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.line = 1
        self.doc: _Document | None = None
        self.raw_parts: list[bytes] | None = None
        self.removed = 0

    def run(self, stream: BinaryIO) -> Iterator[DocumentStart | Entry | ContainerEnd]:
        # the bytes after the last ">" wait for the next block; kept as parts, so a
        # long run without ">" is joined once, not copied again at every block
        pending: list[bytes] = []
        waiting = 0
        limit = current_limits().max_record_bytes
        scan = True
        first = True
        while True:
            block = stream.read(_BLOCK)
            if block:
                cut = block.rfind(b">") + 1
                if cut == 0:
                    pending.append(block)
                    waiting += len(block)
                    if waiting > limit:
                        where = SourceLocation(self.source, self.line)
                        raise record_too_long(current_limits(), "a run without '>'", where)
                    continue
                data = b"".join((*pending, block[:cut])) if pending else block[:cut]
                pending = [block[cut:]]
                waiting = len(block) - cut
            else:
                data = b"".join(pending)
            if first:
                first = False
                # UTF-16: expat reads it, but its bytes cannot be cleaned or scanned
                scan = not (data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[1:2] == b"\x00")
            if scan:
                cleaned = data.translate(None, _CONTROL)
                self.removed += len(data) - len(cleaned) - data.count(b"\x1a")
                data = cleaned
            for piece, opens in _split_documents(data, self.doc is not None):
                if opens:
                    if self.doc is not None:
                        yield from self._finish(self.doc)
                    self.doc = _Document(self.line)
                    self.raw_parts = None
                    continue
                if self.doc is not None:
                    yield from self._feed(self.doc, piece, scan)
                self.line += piece.count(b"\n")
            if not block:
                break
        if self.doc is None:
            raise MalformedRecordError("no XML document", location=SourceLocation(self.source, 1))
        yield from self._finish(self.doc)

    def _feed(
        self, doc: _Document, piece: bytes, scan: bool
    ) -> Iterator[DocumentStart | Entry | ContainerEnd]:
        if scan:
            self._scan(doc, piece)
        try:
            if doc.guard is not None:
                self._guard(doc, piece)
            # indentation between tags is no data; left in, it triples the tree
            # builder's work. The newline stays, so expat's line numbers hold.
            doc.pull.feed(_INDENT.sub(b">\n<", piece) if scan else piece)
            if doc.root is None:
                doc.root = _first_start(doc.pull)
                if doc.root is not None:
                    # the root is known: the tree builder alone goes on, with no events
                    doc.pull._parser._setevents(doc.pull._events_queue, ())  # type: ignore[attr-defined]
                    doc.pull._events_queue.clear()  # type: ignore[attr-defined]
                    yield DocumentStart(doc.root, doc.first_line)
        except (ParseError, DefusedXmlException) as exc:
            raise self._malformed(exc, doc) from None
        if doc.root is not None:
            yield from self._harvest(doc)

    def _guard(self, doc: _Document, piece: bytes) -> None:
        """Let defusedxml read the prolog up to the root's start tag (DTDs are refused there).

        The piece is fed tag by tag until defusedxml reports the root element,
        so a tag-like text inside a comment cannot end the check early.
        """
        guard = doc.guard
        if guard is None:
            raise InvariantError("the prolog guard is gone before the root element was read")
        position = 0
        try:
            for tag in _ROOT_TAG.finditer(piece):
                guard.feed(piece[position : tag.end()])
                position = tag.end()
                if _first_start(guard) is not None:
                    doc.guard = None
                    return
            guard.feed(piece[position:])
        except LookupError as exc:  # a declaration too long for _scan's look: expat's own lookup
            name = str(exc).removeprefix("unknown encoding: ")
            raise MalformedRecordError(
                f"the XML declaration names an unknown encoding {name[:40]!r}",
                location=SourceLocation(self.source, self.line),
            ) from None
        if _first_start(guard) is not None:
            doc.guard = None

    def _scan(self, doc: _Document, piece: bytes) -> None:
        if doc.guard is not None:
            declared = _ENCODING.search(piece, 0, 200)
            if declared:
                doc.encoding = declared.group(1).decode("ascii")
                try:
                    codecs.lookup(doc.encoding)
                except LookupError:
                    raise MalformedRecordError(
                        f"the XML declaration names an unknown encoding {doc.encoding!r}",
                        location=SourceLocation(self.source, self.line),
                    ) from None
        line = self.line
        last = 0
        raw_start = 0 if self.raw_parts is not None else -1
        entry_lines = doc.lines[_ENTRY]
        for match in _ENTRY_NAME.finditer(piece):
            found = _tag_at(piece, match.start())
            if found is None:
                continue
            start, closing = found
            if closing:
                doc.entries_fed += 1
                if raw_start >= 0:
                    end = piece.find(b">", match.end() - 1) + 1
                    parts = self.raw_parts or []
                    parts.append(piece[raw_start:end])
                    doc.raws.append(b"".join(parts).decode(doc.encoding, errors="replace"))
                    self.raw_parts, raw_start = None, -1
                continue
            line += piece.count(b"\n", last, start)
            last = start
            entry_lines.append(line)
            self.raw_parts, raw_start = [], start
        if self.raw_parts is not None and raw_start >= 0:
            self.raw_parts.append(piece[raw_start:])
        for name, pattern in _CONTAINER_NAMES:
            for match in pattern.finditer(piece):
                found = _tag_at(piece, match.start())
                if found is None:
                    continue
                start, closing = found
                if closing:
                    doc.containers_fed += 1
                else:
                    doc.lines[name].append(self.line + piece.count(b"\n", 0, start))

    def _harvest(self, doc: _Document) -> Iterator[Entry | ContainerEnd]:
        """Hand over the entries and containers whose end tags have been read."""
        if doc.root is None:
            raise InvariantError("entries harvested before the root element was read")
        if not doc.containers:
            namespace = (
                doc.root.tag[: doc.root.tag.index("}") + 1] if doc.root.tag[:1] == "{" else ""
            )
            doc.containers = {namespace + name for name in _CONTAINERS}
            doc.entry_tag = namespace + _ENTRY
            doc.holder_tag = namespace + "NtryDtls"
            doc.detail_tag = namespace + _DETAIL
        if doc.root.tag.rpartition("}")[2].startswith("BkToCstmr"):
            message = doc.root  # no Document wrapper
        elif len(doc.root) == 0:
            return
        else:
            message = doc.root[0]
        while True:
            container = doc.current
            if container is None:
                while (
                    doc.next_child < len(message)
                    and message[doc.next_child].tag not in doc.containers
                ):
                    doc.next_child += 1
                if doc.next_child >= len(message):
                    return
                container = doc.current = message[doc.next_child]
                queue = doc.lines[container.tag.rpartition("}")[2]]
                doc.current_line = queue.popleft() if queue else None
                doc.first_entry = -1
            while doc.entries_done < doc.entries_fed:
                if doc.first_entry < 0:
                    doc.first_entry = next(
                        (i for i, child in enumerate(container) if child.tag == doc.entry_tag), -1
                    )
                    if doc.first_entry < 0:
                        break
                if (
                    doc.first_entry >= len(container)
                    or container[doc.first_entry].tag != doc.entry_tag
                ):
                    break
                entry = container[doc.first_entry]
                doc.entries_done += 1
                line_queue = doc.lines[_ENTRY]
                details = sum(
                    len(holder.findall(doc.detail_tag)) for holder in entry.findall(doc.holder_tag)
                )
                line = line_queue.popleft() if line_queue else None
                raw = doc.raws.popleft() if doc.raws else ""
                detail_lines: tuple[int, ...] = ()
                if details > 1 and line is not None:
                    # only a split batch needs them: counted in the entry's own text
                    detail_lines = tuple(
                        line + raw.count("\n", 0, found.start())
                        for found in _DETAIL_TAG.finditer(raw)
                    )
                yield Entry(entry, line, raw, detail_lines, container, doc.current_line)
                del container[doc.first_entry]
            if doc.containers_done < doc.containers_fed:
                doc.containers_done += 1
                yield ContainerEnd(container, doc.current_line)
                container.clear()
                doc.current = None
                doc.next_child += 1
                continue
            return

    def _finish(self, doc: _Document) -> Iterator[DocumentStart | Entry | ContainerEnd]:
        try:
            if doc.guard is not None:
                doc.guard.close()
            doc.pull.close()
        except (ParseError, DefusedXmlException) as exc:
            raise self._malformed(exc, doc) from None
        if doc.root is None:
            doc.root = _first_start(doc.pull)
            if doc.root is not None:
                yield DocumentStart(doc.root, doc.first_line)
        if doc.root is not None:
            # the document is complete: whatever the scan saw (nothing, for UTF-16)
            doc.entries_fed = doc.containers_fed = sys.maxsize
            yield from self._harvest(doc)

    def _malformed(self, exc: Exception, doc: _Document) -> MalformedRecordError:
        position = getattr(exc, "position", None)
        line = doc.first_line + position[0] - 1 if position else doc.first_line
        where = SourceLocation(self.source, line)
        if isinstance(exc, DefusedXmlException):
            return MalformedRecordError(
                f"refused XML: a DTD or entity declaration is not allowed ({exc})", location=where
            )
        message = str(exc).split(":", 1)[0] if position else str(exc)
        if message.startswith("no element found"):
            message = "the document is truncated"
        return MalformedRecordError(f"not well-formed XML: {message}", location=where)


def iter_entries(
    stream: BinaryIO, source: str, removed: list[int]
) -> Iterator[DocumentStart | Entry | ContainerEnd]:
    """Yield each document's start, each complete entry and each container's end, in order.

    The count of control bytes removed is appended to ``removed`` at the end.
    Raises :class:`~ecomrules.errors.MalformedRecordError`, with the file's
    line, when a document is not well-formed, declares a DTD or entities, or
    is truncated.
    """
    reader = _Reader(source)
    yield from reader.run(stream)
    removed.append(reader.removed)


def _tag_at(piece: bytes, position: int) -> tuple[int, bool] | None:
    """Where the tag whose name starts at ``position`` begins, and whether it closes.

    None when the name is not a tag's (text, or the end of a longer name).
    """
    before = piece[position - 1] if position else 0
    if before == 0x3C:  # "<"
        return position - 1, False
    if before == 0x2F and position >= 2 and piece[position - 2] == 0x3C:  # "</"
        return position - 2, True
    if before == 0x3A:  # "prefix:"
        start = piece.rfind(b"<", max(0, position - 64), position)
        if start >= 0 and _PREFIX.fullmatch(piece, start, position):
            return start, piece[start + 1] == 0x2F
    return None


def _first_start(pull: XMLPullParser[Element]) -> Element | None:
    """The element of the first start event waiting in ``pull``, if any."""
    for item in pull.read_events():
        _, element = cast(tuple[str, Element], item)
        return element
    return None


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
