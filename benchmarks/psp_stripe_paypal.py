"""Speed of the Stripe and PayPal parsers on generated million-row reports.

Generates (seeded, Decimal amounts, never float) a Stripe itemized payout
reconciliation report and a PayPal Transaction Detail Report (TRR) with
consistent controls, then times ``parse`` (on the report's bytes) and
``iter_lines`` (streaming the report from its file on disk) on each, every
measurement in a fresh process so its peak memory (max RSS) is its own.
``iter_lines`` runs on two sizes (``--rows`` and a quarter of it) to show that
its memory does not grow with the file.

    python benchmarks/psp_stripe_paypal.py [--rows 1000000] [--seed 7]

Prints rows/s by wall time and by CPU time (the machine is shared: wall time
counts the waits for a core), peak RSS, and the floor of the csv module alone
(``csv.reader`` over the same text) so figures compare across machines.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

STRIPE_COLUMNS = [
    "balance_transaction_id",
    "created_utc",
    "created",
    "available_on",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "description",
    "customer_facing_amount",
    "customer_facing_currency",
    "automatic_payout_id",
    "automatic_payout_effective_at",
    "charge_id",
    "customer_email",
    "payment_metadata[order_id]",
]

TRR_COLUMNS = [
    "Transaction ID", "Invoice ID", "PayPal Reference ID", "PayPal Reference ID Type",
    "Transaction Event Code", "Transaction Initiation Date", "Transaction Completion Date",
    "Transaction Debit or Credit", "Gross Transaction Amount", "Gross Transaction Currency",
    "Fee Debit or Credit", "Fee Amount", "Fee Currency", "Transactional Status",
    "Insurance Amount", "Sales Tax Amount", "Shipping Amount", "Transaction Subject",
    "Transaction Note", "Payer's Account ID", "Payer Address Status", "Item Name", "Item ID",
    "Option 1 Name", "Option 1 Value", "Option 2 Name", "Option 2 Value", "Auction Site",
    "Auction Buyer ID", "Auction Closing Date", "Shipping Address Line1",
    "Shipping Address Line2", "Shipping Address City", "Shipping Address State",
    "Shipping Address Zip", "Shipping Address Country", "Shipping Method", "Custom Field",
    "Billing Address Line1", "Billing Address Line2", "Billing Address City",
    "Billing Address State", "Billing Address Zip", "Billing Address Country", "Consumer ID",
    "First Name", "Last Name", "Consumer Business Name", "Card Type", "Payment Source",
    "Shipping Name", "Authorization Review Status", "Protection Eligibility",
    "Payment Tracking ID",
]  # fmt: skip

CENT = Decimal("0.01")


def _major(cents: int) -> str:
    return str(Decimal(cents) * CENT)


def generate_stripe(path: Path, rows: int, seed: int) -> None:
    """A payout reconciliation report: charges, refunds, fees; a payout every 2,000 rows."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STRIPE_COLUMNS)
        for n in range(rows):
            payout = f"po_{n // 2000:08d}"
            day = 1 + (n // 40000) % 28
            clock = rng.randrange(86400)
            stamp = f"2026-10-{day:02d} {clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}"
            roll = rng.random()
            gross = rng.randrange(500, 40000)
            if roll < 0.85:
                category, fee = "charge", gross * 29 // 1000 + 25
            elif roll < 0.95:
                category, gross, fee = "refund", -gross, 0
            else:
                category, gross, fee = "fee", -rng.randrange(5, 300), 0
            writer.writerow(
                [
                    f"txn_{n:012d}",
                    stamp,
                    stamp,
                    f"2026-10-{min(day + 2, 28):02d}",
                    "eur",
                    _major(gross),
                    _major(fee),
                    _major(gross - fee),
                    category,
                    f"ch_{n:012d}" if category == "charge" else f"re_{n:012d}",
                    "" if category != "fee" else "Card payments: network costs",
                    _major(gross),
                    "eur",
                    payout,
                    f"2026-10-{min(day + 3, 28):02d} 00:00:00",
                    f"ch_{n:012d}",
                    f"buyer{n % 9973}@example.com",
                    f"SO-{100000 + n}",
                ]
            )


def generate_trr(path: Path, rows: int, seed: int) -> None:
    """A TRR with one section per 100,000 rows and exact footers and counts."""
    rng = random.Random(seed)
    width = len(TRR_COLUMNS)
    index = {name: i for i, name in enumerate(TRR_COLUMNS)}
    report = [0, 0, 0, 0]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["RH", "2026/11/02 03:00:00 -0800", "A", "MERCHANT1", "008"])
        writer.writerow(["FH", "01"])
        for start in range(0, rows, 100_000):
            writer.writerow(
                ["SH", "2026/11/01 00:00:00 -0800", "2026/11/01 23:59:59 -0800", "MERCHANT1"]
            )
            writer.writerow(["CH", *TRR_COLUMNS])
            section = [0, 0, 0, 0]
            count = min(100_000, rows - start)
            for n in range(start, start + count):
                row = [""] * width
                gross = rng.randrange(500, 40000)
                refund = rng.random() < 0.1
                fee = gross * 34 // 1000 + 35
                clock = rng.randrange(86400)
                stamp = (
                    f"2026/11/01 {clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d} -0800"
                )
                row[index["Transaction ID"]] = f"{n:017X}"
                row[index["Invoice ID"]] = f"SO-{200000 + n}"
                row[index["Transaction Event Code"]] = "T1107" if refund else "T0006"
                row[index["Transaction Initiation Date"]] = stamp
                row[index["Transaction Completion Date"]] = stamp
                row[index["Transaction Debit or Credit"]] = "DR" if refund else "CR"
                row[index["Gross Transaction Amount"]] = str(gross)
                row[index["Gross Transaction Currency"]] = "USD"
                row[index["Fee Debit or Credit"]] = "CR" if refund else "DR"
                row[index["Fee Amount"]] = str(fee)
                row[index["Fee Currency"]] = "USD"
                row[index["Transactional Status"]] = "S"
                row[index["Payer's Account ID"]] = f"buyer{n % 9973}@example.com"
                row[index["First Name"]] = "Ada"
                row[index["Last Name"]] = "Lovelace"
                row[index["Item Name"]] = "Order"
                if refund:
                    section[1] += gross
                    section[2] += fee
                else:
                    section[0] += gross
                    section[3] += fee
                writer.writerow(["SB", *row])
            writer.writerow(["SF", "USD", *map(str, section)])
            writer.writerow(["SC", str(count)])
            report = [a + b for a, b in zip(report, section, strict=True)]
        writer.writerow(["RF", "USD", *map(str, report)])
        writer.writerow(["RC", str(rows)])
        writer.writerow(["FF", str(rows)])


def measure(parser_name: str, path: str, mode: str) -> dict[str, float]:
    """Run in a child process: time one pass and report rows and peak RSS."""
    import gc

    from ecomrules.parsing.base import ErrorPolicy
    from ecomrules.parsing.registry import get_parser

    data = Path(path).read_bytes() if mode != "iter_lines" else b""
    parser = get_parser(parser_name)
    gc.collect()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if mode == "parse":
        result = parser.parse(data, source=path)
        rows = len(result.lines)
        issues = len(result.issues)
    elif mode == "iter_lines":  # streamed from the file: the bytes are never all in memory
        policy = ErrorPolicy("raise")
        lines = parser.iter_lines(Path(path), source=path, policy=policy)  # type: ignore[attr-defined]
        rows = sum(1 for _ in lines)
        issues = len(policy.issues)
    else:  # the floor: the csv module alone over the same text
        rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"))))
        issues = 0
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "seconds": elapsed, "cpu": cpu, "peak_mib": peak, "issues": issues}


def _child(parser_name: str, path: str, mode: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", parser_name, path, mode],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    """Generate both reports and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores; {args.rows:,} rows per report, seed {args.seed}"
    )
    small = max(args.rows // 4, 1)
    with tempfile.TemporaryDirectory() as tmp:
        for name, stem, generate in (
            (
                "stripe.payout_reconciliation",
                "stripe-payout-reconciliation-{}.csv",
                generate_stripe,
            ),
            ("paypal.transaction_detail", "TRR-20261101.01.008-{}.CSV", generate_trr),
        ):
            path = Path(tmp) / stem.format(args.rows)
            smaller = Path(tmp) / stem.format(small)
            generate(path, args.rows, args.seed)
            generate(smaller, small, args.seed)
            runs = [
                (path, "csv floor"),
                (path, "parse"),
                (smaller, "iter_lines"),
                (path, "iter_lines"),
            ]
            for run_path, mode in runs:
                size = run_path.stat().st_size / 1024**2
                figures = _child(name, str(run_path), mode)
                rate = figures["rows"] / figures["seconds"]
                cpu_rate = figures["rows"] / figures["cpu"]
                print(
                    f"{name:28} {mode:10} {figures['rows']:>9,.0f} rows"
                    f" {figures['seconds']:6.2f} s {rate:>8,.0f} rows/s"
                    f" (cpu {figures['cpu']:6.2f} s {cpu_rate:>8,.0f} rows/s)"
                    f"  peak {figures['peak_mib']:5.0f} MiB"
                    f"  [{size:.0f} MiB file, {figures['issues']:.0f} issues]"
                )


if __name__ == "__main__":
    from ecomrules.gcpause import paused_collector

    with paused_collector():  # as the command line runs (the library leaves gc alone)
        main()
