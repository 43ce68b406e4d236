"""Read limits: how much a file may unpack to, how deep its wrappers nest, how long a record is.

A 4 MB gzip file can expand to 4 GiB and a 1 MB workbook to a 1 GiB sheet; a
zip may hold zips. Every file read through :func:`~ecomrules.parsing.parse_file`
gets one :class:`Budget` for all its wrappers together, whatever the nesting:
the bytes unpacked are counted while they stream out of the decompressor, and
reading stops with a :class:`~ecomrules.errors.ReadLimitError` naming the
member as soon as the total passes :attr:`ReadLimits.max_unpacked_bytes` or
:attr:`ReadLimits.max_ratio` times the file's size. Nesting deeper than
:attr:`ReadLimits.max_depth` and archives of more than
:attr:`ReadLimits.max_members` members are refused before anything is
unpacked. Line readers refuse a line (or an XML text run) longer than
:attr:`ReadLimits.max_record_bytes`, so memory per record stays bounded.

Callers pass their own :class:`ReadLimits` to ``parse_file(..., limits=...)``
or set them for a block with :func:`applied_limits` (a context variable, never
process-wide state); everything else reads :func:`current_limits`, which is
:data:`DEFAULT_LIMITS` unless a caller said otherwise.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Final

from attrs import Attribute, field, frozen

from ecomrules.errors import ParseError, ReadLimitError
from ecomrules.outcome import SourceLocation, escape_name

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "DEFAULT_LIMITS",
    "Budget",
    "MeteredReader",
    "ReadLimits",
    "applied_limits",
    "current_limits",
    "record_too_long",
]

_KIB: Final = 1024
_MIB: Final = 1024 * _KIB
_GIB: Final = 1024 * _MIB


def _positive(instance: object, attribute: Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive integer, not {value!r}")


@frozen
class ReadLimits:
    """The limits a file is read under; every field is a positive integer.

    ``max_unpacked_bytes``: all members of one file together, after
    decompression (default 2 GiB). ``max_ratio`` and ``ratio_allowance``: the
    file may unpack to at most ``max(max_ratio * its size, ratio_allowance)``
    bytes (defaults 200 and 64 MiB: real reports compress 5 to 50 times, a
    bomb a thousand). ``max_depth``: wrappers inside wrappers (a gzip in a
    zip in a zip is 3, the default). ``max_members``: members of one archive
    (default 10,000). ``max_record_bytes``: one line of a text format, or one
    run of XML between two ``>`` (default 1 MiB).
    """

    max_unpacked_bytes: int = field(default=2 * _GIB, validator=_positive)
    max_ratio: int = field(default=200, validator=_positive)
    ratio_allowance: int = field(default=64 * _MIB, validator=_positive)
    max_depth: int = field(default=3, validator=_positive)
    max_members: int = field(default=10_000, validator=_positive)
    max_record_bytes: int = field(default=_MIB, validator=_positive)


DEFAULT_LIMITS: Final = ReadLimits()
"""The limits used when the caller sets none."""

_CURRENT: ContextVar[ReadLimits] = ContextVar("ecomrules_read_limits", default=DEFAULT_LIMITS)


def current_limits() -> ReadLimits:
    """The limits in force: the innermost :func:`applied_limits`, else the defaults."""
    return _CURRENT.get()


@contextmanager
def applied_limits(limits: ReadLimits) -> Iterator[ReadLimits]:
    """Read under ``limits`` inside the ``with`` block (this thread or task only)."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


class Budget:
    """What one input file may still unpack to, shared by all its nested wrappers."""

    __slots__ = ("cap", "limits", "members", "source", "used")

    def __init__(self, limits: ReadLimits, source: str, size: int) -> None:
        self.limits = limits
        self.source = source
        allowed = max(limits.max_ratio * size, limits.ratio_allowance)
        self.cap = min(limits.max_unpacked_bytes, allowed)
        self.used = 0
        self.members = 0

    def charge(self, count: int, member: str) -> None:
        """Count ``count`` more unpacked bytes of ``member``; refuse once past the cap."""
        self.used += count
        if self.used > self.cap:
            raise ReadLimitError(
                f"unpacks to more than {self.cap} bytes, the limit for {self.source} "
                f"(at most {self.limits.max_unpacked_bytes} bytes and "
                f"{self.limits.max_ratio} times the file's size)",
                location=SourceLocation(member),
            )

    def enter(self, depth: int, member: str) -> None:
        """Refuse a wrapper nested deeper than the limit."""
        if depth > self.limits.max_depth:
            raise ReadLimitError(
                f"wrappers nested more than {self.limits.max_depth} deep",
                location=SourceLocation(member),
            )

    def add_members(self, count: int, member: str) -> None:
        """Count the members of an archive; refuse past the limit."""
        self.members += count
        if self.members > self.limits.max_members:
            raise ReadLimitError(
                f"more than {self.limits.max_members} archive members",
                location=SourceLocation(member),
            )


class MeteredReader(io.RawIOBase):
    """A decompressing stream whose output is charged to a :class:`Budget` as it is read.

    A decompressor's own failures (``zlib.error``, ``EOFError``, ``OSError``
    of a bad gzip) become a :class:`~ecomrules.errors.ParseError` naming ``member``.
    """

    def __init__(self, inner: io.BufferedIOBase, budget: Budget, member: str) -> None:
        super().__init__()
        self._inner = inner
        self._budget = budget
        self._member = member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        try:
            count = self._inner.readinto(buffer)
        except (zlib.error, EOFError, OSError) as exc:
            raise ParseError(
                f"broken compressed data: {escape_name(str(exc)) or type(exc).__name__}",
                location=SourceLocation(self._member),
            ) from None
        self._budget.charge(count, self._member)
        return int(count)


def record_too_long(limits: ReadLimits, what: str, where: SourceLocation) -> ReadLimitError:
    """The error for a line or XML run longer than ``limits.max_record_bytes``."""
    return ReadLimitError(
        f"{what} longer than {limits.max_record_bytes} bytes (the record limit)", location=where
    )
