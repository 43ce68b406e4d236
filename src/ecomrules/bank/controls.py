"""What the bank parsers share: opening their input as a stream, the balance control."""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from ecomrules.bank.problems import BALANCE_MISMATCH
from ecomrules.errors import ControlTotalError, ParseError
from ecomrules.money import Money
from ecomrules.outcome import SourceLocation
from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.limits import Budget, MeteredReader, current_limits

__all__ = ["Input", "check_balance", "open_input"]

Input = bytes | str | os.PathLike[str] | BinaryIO
"""What ``iter_lines`` reads: bytes, a path (gzip opened as it streams) or a binary file."""


@contextmanager
def open_input(data: Input, source: str) -> Iterator[BinaryIO]:
    """Yield ``data`` as a binary stream; a gzip file is decompressed as it is read.

    The decompressed bytes are charged to a budget under
    :func:`~ecomrules.parsing.limits.current_limits` as they stream out.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        yield io.BytesIO(data)
        return
    if isinstance(data, str | os.PathLike):
        try:
            handle = Path(data).open("rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ParseError(
                f"cannot read: {exc.strerror}", location=SourceLocation(source)
            ) from None
        with handle:
            if handle.read(2) == b"\x1f\x8b":
                handle.seek(0)
                budget = Budget(current_limits(), source, os.fstat(handle.fileno()).st_size)
                with gzip.open(handle, "rb") as unpacked:
                    metered = MeteredReader(unpacked, budget, source)
                    yield io.BufferedReader(metered, 1 << 16)
            else:
                handle.seek(0)
                yield handle
        return
    yield data


def check_balance(
    opening: Money | None,
    total: Decimal,
    closing: Money | None,
    policy: ErrorPolicy,
    where: SourceLocation | None,
    label: str,
) -> None:
    """Check opening + ``total`` (the sum of the lines) = closing where both balances are known.

    A difference raises :class:`~ecomrules.errors.ControlTotalError` in strict
    mode and becomes a ``bank.balance_mismatch`` error issue in lenient mode.
    """
    if opening is None or closing is None:
        return
    if opening.currency != closing.currency:
        policy.fail(
            ControlTotalError(
                f"{label}: the opening balance is in {opening.currency.code}, "
                f"the closing balance in {closing.currency.code}",
                location=where,
            ),
            BALANCE_MISMATCH,
        )
        return
    expected = opening.amount + total
    if expected != closing.amount:
        policy.fail(
            ControlTotalError(
                f"{label}: opening balance {opening.amount} + lines {total} = {expected}, "
                f"but the closing balance is {closing.amount} "
                f"(difference {closing.amount - expected})",
                location=where,
            ),
            BALANCE_MISMATCH,
        )
