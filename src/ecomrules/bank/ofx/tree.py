"""OFX markup to a small tree: SGML 1.x (leaf tags left open) and XML 2.x alike.

OFX 1.x is SGML whose leaf elements have no closing tag (``<TRNAMT>-13.00``);
OFX 2.x is XML. One tokenizer reads both: an opening tag followed by text is a
leaf, one followed by another tag is an aggregate that a closing tag ends (an
empty leaf, never closed, is told apart when its parent closes). The
five XML entities and numeric references are decoded; CDATA is kept as text.
No DTD or external entity is ever read.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Final

from ecomrules.bank.problems import MALFORMED, RecordError
from ecomrules.outcome import SourceLocation

__all__ = ["MAX_DEPTH", "Node", "read_tree"]

MAX_DEPTH: Final = 64
"""Elements nested deeper are refused (real statements nest about ten deep)."""

_TOKEN: Final = re.compile(
    r"<(?:!\[CDATA\[(?P<cdata>.*?)\]\]|!--.*?--|\?.*?\?|!DOCTYPE[^>]*"
    r"|(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9_.]*)(?P<rest>[^<>]*))>",
    re.DOTALL,
)


class Node:
    """An OFX element: a leaf with ``text`` or an aggregate with ``children``."""

    __slots__ = ("children", "end", "line", "name", "start", "text")

    def __init__(self, name: str, line: int, start: int) -> None:
        self.name = name
        self.line = line
        self.start = start
        self.end = start
        self.text: str | None = None
        self.children: list[Node] = []

    def find(self, path: str) -> Node | None:
        """The first descendant along ``path`` (``"LEDGERBAL/BALAMT"``), or None."""
        node: Node | None = self
        for part in path.split("/"):
            if node is None:
                return None
            node = next((child for child in node.children if child.name == part), None)
        return node

    def findtext(self, path: str) -> str | None:
        """The stripped text of the leaf at ``path``; None when absent or empty."""
        node = self.find(path)
        if node is None or node.text is None:
            return None
        return node.text.strip() or None

    def iter(self, name: str) -> Iterator[Node]:
        """Every descendant named ``name``, in document order."""
        for child in self.children:
            if child.name == name:
                yield child
            yield from child.iter(name)


def read_tree(text: str, source: str) -> Node:
    """Read the OFX body of ``text`` (from its ``<OFX>`` tag) into a tree under a root node."""
    _check_closed(text, source)
    root = Node("#root", 1, 0)
    stack = [root]
    pending: Node | None = None
    buffer: list[str] = []
    line = 1
    last = 0
    for match in _TOKEN.finditer(text):
        between = text[last : match.start()]
        line_at = line + text.count("\n", last, match.start())
        if match.group("cdata") is not None:
            buffer.append(between)
            buffer.append(match.group("cdata"))
            line, last = line_at + match.group(0).count("\n"), match.end()
            continue
        buffer.append(between)
        name = match.group("name")
        if name is None:  # comment, processing instruction, doctype
            line, last = line_at + match.group(0).count("\n"), match.end()
            continue
        name = name.upper()
        content = "".join(buffer)
        buffer = []
        if match.group("close"):
            if pending is not None:
                pending.text = html.unescape(content)
                pending.end = match.end()
                if pending.name != name:
                    _close(stack, name, match.end())
                pending = None
            else:
                _close(stack, name, match.end())
        else:
            if pending is not None:
                if content.strip():
                    pending.text = html.unescape(content)
                    pending.end = match.start()
                else:
                    stack.append(pending)
                pending = None
            node = Node(name, line_at, match.start())
            stack[-1].children.append(node)
            if len(stack) > MAX_DEPTH:
                raise RecordError(
                    MALFORMED,
                    f"elements nested more than {MAX_DEPTH} deep",
                    location=SourceLocation(source, line_at),
                )
            if match.group("rest").rstrip().endswith("/"):
                node.text = ""
            else:
                pending = node
        line, last = line_at, match.end()
    if pending is not None:
        pending.text = html.unescape("".join(buffer) + text[last:])
    if len(root.children) == 0:
        raise RecordError(MALFORMED, "no OFX element found", location=SourceLocation(source, 1))
    return root


_OPENERS: Final = re.compile(r"<(?:!--|\?|!\[CDATA\[|!DOCTYPE)")
_CLOSERS: Final = {"<!--": "-->", "<?": "?>", "<![CDATA[": "]]>", "<!DOCTYPE": ">"}
_WHAT: Final = {
    "<!--": "a comment",
    "<?": "a processing instruction",
    "<![CDATA[": "a CDATA section",
    "<!DOCTYPE": "a DOCTYPE",
}


def _check_closed(text: str, source: str) -> None:
    """Refuse a comment, processing instruction, CDATA or DOCTYPE that is never closed.

    The tokenizer's pattern would look for the end of each such opening up to
    the end of the text, once per opening: quadratic. One pass from opening
    to closing, skipping what lies inside, is linear.
    """
    position = 0
    while (opening := _OPENERS.search(text, position)) is not None:
        closer = _CLOSERS[opening.group(0)]
        end = text.find(closer, opening.end())
        if end < 0:
            raise RecordError(
                MALFORMED,
                f"{_WHAT[opening.group(0)]} is opened here and never closed",
                location=SourceLocation(source, text.count("\n", 0, opening.start()) + 1),
            )
        position = end + len(closer)


def _close(stack: list[Node], name: str, end: int) -> None:
    """Close the innermost open aggregate named ``name`` (and any left open inside it).

    An element left open inside it was never an aggregate: it is an empty SGML
    leaf (``<CURDEF>`` then ``<BANKACCTFROM>``), so the elements read as its
    children go back to its parent, after it, and it keeps an empty text.
    """
    for depth in range(len(stack) - 1, 0, -1):
        if stack[depth].name == name:
            for inner in range(len(stack) - 1, depth, -1):
                leaf, parent = stack[inner], stack[inner - 1]
                at = parent.children.index(leaf) + 1
                parent.children[at:at] = leaf.children
                leaf.children = []
                leaf.text = ""
                leaf.end = leaf.start
            for node in stack[depth:]:
                node.end = end
            del stack[depth:]
            return
