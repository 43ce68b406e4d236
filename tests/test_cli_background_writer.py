"""``--out FILE`` is written by a thread while the next batch is encoded: same bytes, errors."""

from __future__ import annotations

import io
from typing import BinaryIO, cast

import pytest

from ecomrules.cli.canonical_json import Stream
from ecomrules.cli.output import BackgroundWriter, write_json


def _document() -> dict[str, object]:
    rows = ({"n": n, "text": "é" * (n % 7)} for n in range(20_000))
    return {"rows": Stream(rows, 20_000)}


def test_the_thread_writes_the_bytes_of_a_direct_write_in_order() -> None:
    direct = io.BytesIO()
    write_json(_document(), direct)
    through = io.BytesIO()
    with BackgroundWriter(through) as writer:
        write_json(_document(), cast(BinaryIO, writer))
        assert writer.writable()
    assert through.getvalue() == direct.getvalue()
    assert len(direct.getvalue()) > 100_000  # more batches than the queue holds


class _Full(io.BytesIO):
    """A stream that fails after a few writes, as a full disk does."""

    def __init__(self, allowed: int) -> None:
        super().__init__()
        self.allowed = allowed

    def write(self, data: object) -> int:
        if self.allowed == 0:
            raise OSError(28, "No space left on device")
        self.allowed -= 1
        return super().write(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("allowed", [0, 3])
def test_a_failed_write_is_raised_in_the_writing_thread(allowed: int) -> None:
    rows = Stream(({"n": n} for n in range(50_000)), 50_000)
    target = _Full(allowed)
    with pytest.raises(OSError, match="No space left"), BackgroundWriter(target) as writer:
        write_json({"rows": rows}, cast(BinaryIO, writer))
    assert target.allowed == 0


def test_a_failure_of_the_last_write_is_raised_by_close() -> None:
    target = _Full(0)
    writer = BackgroundWriter(target)
    writer.write(b"x")
    with pytest.raises(OSError, match="No space left"):
        writer.close()
    writer.close()  # closing again raises nothing more
