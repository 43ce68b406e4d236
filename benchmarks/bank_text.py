"""Speed and memory of the text statement parsers on generated files.

Generates (seeded, amounts as Decimal) a CFONB 120 file of 1,000,000
movements and an MT940 file of 200,000 transactions, then in a fresh process
for each measurement parses them with ``iter_lines`` (streaming) and
``parse`` (whole file) and prints lines per second and the peak resident
memory. ``iter_lines`` also runs on a file a tenth of the size, to show that
its peak memory does not grow with the file. The ``mt-940`` library is timed
on a smaller MT940 file for comparison.

    python benchmarks/bank_text.py [--scale 1.0] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ecomrules.bank.cfonb120._fields import encode_amount, encode_date

CFONB_MOVEMENTS = 1_000_000
MT940_TRANSACTIONS = 200_000
PER_STATEMENT = 1_000
WORDS = ["VIR", "SEPA", "PRLV", "CARTE", "FACTURE", "ABONNEMENT", "REMBOURSEMENT", "CLIENT"]


def _record(*fields: tuple[int, str]) -> str:
    chars = [" "] * 120
    for column, text in fields:
        chars[column - 1 : column - 1 + len(text)] = text
    return "".join(chars)


def _cfonb_records(movements: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    balance = Decimal("10000.00")
    day = date(2025, 1, 1)
    head = ((3, "30004"), (12, "00123"), (17, "EUR"), (20, "2"), (22, "00012345678"))
    written = 0
    while written < movements:
        count = min(PER_STATEMENT, movements - written)
        yield _record((1, "01"), *head, (35, encode_date(day)), (91, encode_amount(balance, 2)))
        for number in range(count):
            amount = Decimal(rng.randint(-500_000, 500_000) or 1).scaleb(-2)
            balance += amount
            label = " ".join(rng.choice(WORDS) for _ in range(3))[:31]
            yield _record(
                (1, "04"),
                *head,
                (33, "05"),
                (35, encode_date(day)),
                (43, encode_date(day)),
                (49, label),
                (91, encode_amount(amount, 2)),
                (105, f"REF{written + number:013d}"),
            )
            if number % 4 == 0:
                yield _record(
                    (1, "05"),
                    *head,
                    (35, encode_date(day)),
                    (46, "LIB"),
                    (49, f"COMMANDE {rng.randint(1, 10**8)} CLIENT {number}"),
                )
        written += count
        yield _record((1, "07"), *head, (35, encode_date(day)), (91, encode_amount(balance, 2)))
        day += timedelta(days=1)


def _mt940_lines(transactions: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    balance = Decimal("10000.00")
    day = date(2025, 1, 1)
    written = 0
    while written < transactions:
        count = min(PER_STATEMENT, transactions - written)
        mark = "D" if balance < 0 else "C"
        yield ":20:STATEMENT"
        yield ":25:NL91ABNA0417164300"
        yield f":28C:{written // PER_STATEMENT + 1:05d}"
        yield f":60F:{mark}{day:%y%m%d}EUR{abs(balance):f}".replace(".", ",")
        for number in range(count):
            amount = Decimal(rng.randint(-500_000, 500_000) or 1).scaleb(-2)
            balance += amount
            side = "D" if amount < 0 else "C"
            amount_text = f"{abs(amount):f}".replace(".", ",")
            yield f":61:{day:%y%m%d}{day:%m%d}{side}{amount_text}NTRFEREF//B{written + number}"
            yield (
                f":86:/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/Klant"
                f" {number}/REMI/Order {rng.randint(1, 10**6)}"
            )
            yield f"/EREF/tr_{written + number:012d}"
        written += count
        mark = "D" if balance < 0 else "C"
        yield f":62F:{mark}{day:%y%m%d}EUR{abs(balance):f}".replace(".", ",")
        yield "-"
        day += timedelta(days=1)


def _write(path: Path, lines: Iterator[str]) -> int:
    count = 0
    with path.open("w", encoding="latin-1", newline="") as out:
        for line in lines:
            out.write(line + "\r\n")
            count += 1
    return count


def _measure(kind: str, path: str) -> dict[str, object]:
    """Run in a fresh process: parse ``path`` and return the figures."""
    start = time.perf_counter()
    cpu = time.process_time()
    if kind == "cfonb-stream":
        from ecomrules.bank.cfonb120 import iter_lines

        lines = sum(1 for _ in iter_lines(path))
    elif kind == "cfonb-parse":
        from ecomrules.bank.cfonb120 import Cfonb120Parser

        lines = len(Cfonb120Parser().parse(Path(path).read_bytes(), source=path).lines)
    elif kind == "mt940-stream":
        from ecomrules.bank.mt940 import iter_lines as mt_lines

        lines = sum(1 for _ in mt_lines(path))
    elif kind == "mt940-parse":
        from ecomrules.bank.mt940 import Mt940Parser

        lines = len(Mt940Parser().parse(Path(path).read_bytes(), source=path).lines)
    elif kind == "mt940-library":
        import mt940

        lines = len(list(mt940.models.Transactions().parse(Path(path).read_text("latin-1"))))
    else:
        raise SystemExit(f"unknown measurement {kind}")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "lines": lines, "seconds": seconds, "cpu": cpu, "peak_mib": peak}


def _run(kind: str, path: Path, physical: int) -> None:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(out.stdout)
    wall, cpu, lines = figures["seconds"], figures["cpu"], figures["lines"]
    print(
        f"{kind:<14} {path.name:<16} {lines:>9,} st. lines {physical:>10,} file lines"
        f" | wall {wall:6.2f} s {lines / wall:>8,.0f} st.l/s {physical / wall:>8,.0f} f.l/s"
        f" | cpu {cpu:6.2f} s {lines / cpu:>8,.0f} st.l/s {physical / cpu:>8,.0f} f.l/s"
        f" | peak RSS {figures['peak_mib']:6.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        cfonb_n = int(CFONB_MOVEMENTS * args.scale)
        mt_n = int(MT940_TRANSACTIONS * args.scale)
        files = {
            "cfonb-small": (work / "small.cfonb120", _cfonb_records(cfonb_n // 10, 1)),
            "cfonb": (work / "big.cfonb120", _cfonb_records(cfonb_n, 1)),
            "mt940-small": (work / "small.mt940", _mt940_lines(mt_n // 10, 2)),
            "mt940": (work / "big.mt940", _mt940_lines(mt_n, 2)),
        }
        sizes = {}
        for key, (path, lines) in files.items():
            sizes[key] = _write(path, lines)
            mib = path.stat().st_size / 2**20
            print(f"generated {path.name}: {sizes[key]:,} lines, {mib:.0f} MiB")
        print(f"python {sys.version.split()[0]} on {sys.platform}")
        _run("cfonb-stream", files["cfonb-small"][0], sizes["cfonb-small"])
        _run("cfonb-stream", files["cfonb"][0], sizes["cfonb"])
        _run("cfonb-parse", files["cfonb"][0], sizes["cfonb"])
        _run("mt940-stream", files["mt940-small"][0], sizes["mt940-small"])
        _run("mt940-stream", files["mt940"][0], sizes["mt940"])
        _run("mt940-parse", files["mt940"][0], sizes["mt940"])
        _run("mt940-library", files["mt940-small"][0], sizes["mt940-small"])


if __name__ == "__main__":
    from ecomrules.gcpause import paused_collector

    with paused_collector():  # as the command line runs (the library leaves gc alone)
        main()
