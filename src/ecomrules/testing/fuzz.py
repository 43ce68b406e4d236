"""A mutation fuzzer for the registered parsers: only the library's errors, in bounded time.

:func:`fuzz_parser` takes a parser and seed files, mutates the seeds (bit
flips, cuts, repeated slices, hostile tokens such as ``<!--``, ``1e999999``,
digits of other scripts, deep nesting, gzip and zip wrappers) and reads each
mutant as :func:`~ecomrules.parsing.parse_file` would: unwrap, sniff, parse in
both error modes. A :class:`Failure` is anything but a
:class:`~ecomrules.errors.ParseError` escaping, or one input taking more than
:data:`SECONDS_PER_KIB` per KiB (at least :data:`MIN_SECONDS`) each of three
times it is read. Runs are
reproducible: the mutants of ``(seed files, rng_seed)`` are always the same.

The test suite runs a few seconds per parser; ``benchmarks/fuzz_parsers.py``
runs it for longer and prints runs and distinct failures.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import random
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

from attrs import frozen

from ecomrules.errors import ParseError
from ecomrules.parsing.base import Parser
from ecomrules.parsing.source import HEAD_SIZE, unwrap

__all__ = [
    "MIN_SECONDS",
    "SECONDS_PER_KIB",
    "Failure",
    "FuzzReport",
    "fuzz_parser",
    "mutate",
    "seed_files",
]

SECONDS_PER_KIB: Final = 1.0
"""The most one input may take per KiB of its size."""

MIN_SECONDS: Final = 1.0
"""The time any input may take, however small (timings on a busy machine jitter)."""

_TOKENS: Final = (
    b"<!--",
    b"<?",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY a 'aa'>]>",
    b"&a;",
    b"1e999999",
    b"-1E-999999",
    b"99999999999999999999999999999",
    b"0," + b"9" * 30,
    "\u0668\u0669".encode(),
    "\uff11\uff12".encode(),
    "\u00b2".encode(),
    b"\x00",
    b"\x1a",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\r",
    b"\n",
    b'"',
    b",",
    b";",
    b"[" * 200,
    b"{" * 200,
    b"<A>" * 200,
    b"NaN",
    b"Infinity",
    b"9999-12-31",
    b"0001-01-01",
    b"99991231",
    b"000000",
    b"EUR",
    b"XXX",
    b'encoding="x-nope"',
    b"CHARSET:x-nope",
    b":61:",
    b"-",
)


@frozen
class Failure:
    """One way a parser misbehaved on one input: ``kind`` is ``"escaped"`` or ``"slow"``."""

    parser: str
    kind: str
    detail: str
    where: str
    data: bytes

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two failures the same: parser, kind and place (or exception type)."""
        return (self.parser, self.kind, self.where)


@frozen
class FuzzReport:
    """What a fuzzing pass did: runs, seconds and the failures found (first of each key)."""

    parser: str
    runs: int
    seconds: float
    failures: tuple[Failure, ...]


def seed_files(folders: Sequence[Path], parser: Parser) -> list[bytes]:
    """The files under ``folders`` that ``parser`` sniffs as its own (YES or MAYBE).

    When it claims none, every file is a seed: mutants of other formats still
    probe its refusals.
    """
    seeds: list[bytes] = []
    others: list[bytes] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.stat().st_size > 2 << 20:
                continue
            data = path.read_bytes()
            try:
                members = unwrap(data, path.name)
            except ParseError:
                continue
            for name, content in members:
                claimed = parser.sniff(content[:HEAD_SIZE], name)
                (seeds if claimed else others).append(content)
    return seeds or others


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One mutant of ``data``: one to four random edits, sometimes wrapped in gzip or zip."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        _EDITS[rng.randrange(len(_EDITS))](out, rng)
    mutant = bytes(out)
    wrap = rng.random()
    if wrap < 0.03:
        return gzip.compress(mutant, compresslevel=1)
    if wrap < 0.05:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("member.dat", mutant)
        raw = bytearray(buffer.getvalue())
        if rng.random() < 0.5 and len(raw) > 40:  # corrupt the archive itself
            raw[rng.randrange(30, len(raw))] ^= 1 << rng.randrange(8)
        return bytes(raw)
    return mutant


def _position(out: bytearray, rng: random.Random) -> int:
    return rng.randrange(len(out) + 1)


def _flip(out: bytearray, rng: random.Random) -> None:
    if out:
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)


def _byte(out: bytearray, rng: random.Random) -> None:
    if out:
        out[rng.randrange(len(out))] = rng.choice(b"0123456789,.-+:/<>\"'\n\r\t \x00\xff")


def _token(out: bytearray, rng: random.Random) -> None:
    at = _position(out, rng)
    out[at:at] = rng.choice(_TOKENS)


def _replace_digits(out: bytearray, rng: random.Random) -> None:
    digits = [i for i in range(min(len(out), 4096)) if 48 <= out[i] <= 57]
    if digits:
        at = rng.choice(digits)
        out[at : at + 1] = chr(0x0660 + out[at] - 48).encode()


def _delete(out: bytearray, rng: random.Random) -> None:
    if out:
        at = rng.randrange(len(out))
        del out[at : at + rng.choice((1, 2, 8, 64, 1024))]


def _cut(out: bytearray, rng: random.Random) -> None:
    del out[_position(out, rng) :]


def _repeat(out: bytearray, rng: random.Random) -> None:
    if out:
        at = rng.randrange(len(out))
        piece = bytes(out[at : at + rng.choice((1, 4, 16, 80))])
        out[at:at] = piece * rng.choice((2, 10, 100, 1000))


def _swap_lines(out: bytearray, rng: random.Random) -> None:
    lines = bytes(out).split(b"\n")
    if len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        out[:] = b"\n".join(lines)


def _duplicate_line(out: bytearray, rng: random.Random) -> None:
    lines = bytes(out).split(b"\n")
    if lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        out[:] = b"\n".join(lines)


_EDITS: Final[tuple[Callable[[bytearray, random.Random], None], ...]] = (
    _flip,
    _byte,
    _token,
    _token,
    _replace_digits,
    _delete,
    _cut,
    _repeat,
    _swap_lines,
    _duplicate_line,
)


def _read(parser: Parser, data: bytes) -> None:
    """Read ``data`` as ``parse_file`` does with ``--format``: unwrap, sniff, parse both ways."""
    try:
        members = unwrap(data, "fuzz.dat")
    except ParseError:
        return
    for name, content in members:
        parser.sniff(content[:HEAD_SIZE], name)
        for mode in ("raise", "collect"):
            with contextlib.suppress(ParseError):
                parser.parse(content, source=name, on_error=mode)


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if "ecomrules" in f.filename and "testing" not in f.filename]
    frame = (inside or frames)[-1] if (inside or frames) else None
    place = f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"
    return f"{type(exc).__name__} at {place}"


def fuzz_parser(
    parser: Parser,
    seeds: Sequence[bytes],
    *,
    seconds: float | None = None,
    runs: int | None = None,
    rng_seed: int = 0,
) -> FuzzReport:
    """Fuzz ``parser`` from ``seeds`` until ``seconds`` pass or ``runs`` inputs are read."""
    if seconds is None and runs is None:
        raise ValueError("give seconds, runs or both")
    rng = random.Random(rng_seed)
    pool = list(seeds) or [b""]
    found: dict[tuple[str, str, str], Failure] = {}
    started = time.perf_counter()
    count = 0
    for data in _mutants(pool, rng):
        if runs is not None and count >= runs:
            break
        if seconds is not None and time.perf_counter() - started >= seconds:
            break
        count += 1
        began = time.perf_counter()
        try:
            _read(parser, data)
        except Exception as exc:  # the check: nothing but ParseError escapes
            failure = Failure(
                parser.name, "escaped", f"{type(exc).__name__}: {exc}"[:300], _where(exc), data
            )
            found.setdefault(failure.key, failure)
            continue
        took = time.perf_counter() - began
        allowed = max(MIN_SECONDS, SECONDS_PER_KIB * len(data) / 1024)
        if took > allowed:  # timed twice more: a busy machine's pause is no finding
            took = min(took, _timed(parser, data), _timed(parser, data))
        if took > allowed:
            failure = Failure(
                parser.name, "slow", f"{took:.2f} s for {len(data)} bytes", "slow", data
            )
            found.setdefault(failure.key, failure)
    return FuzzReport(parser.name, count, time.perf_counter() - started, tuple(found.values()))


def _timed(parser: Parser, data: bytes) -> float:
    began = time.perf_counter()
    with contextlib.suppress(Exception):
        _read(parser, data)
    return time.perf_counter() - began


def _mutants(pool: list[bytes], rng: random.Random) -> Iterator[bytes]:
    while True:
        yield mutate(rng.choice(pool), rng)
