"""Speed of the Adyen Settlement details report parser over a generated batch.

Usage: python benchmarks/psp_adyen_sdr.py [ROWS] [--stream]   (default 200000)

With ``--stream`` the lines are taken one by one from ``iter_lines`` and
dropped (no payout control), so the peak RSS is that of streaming; run it in
its own process for its own peak.

Generates one batch of ROWS settled/refund/chargeback rows in EUR and USD
with a MerchantPayout row per currency, parses it in strict mode and prints
wall and CPU time with rows per second of each, the process's peak RSS, and
the time of a bare csv.reader pass over the same bytes (the floor) with the
ratio to it. Amounts are built from integer cents, never floats.
"""

from __future__ import annotations

import csv
import io
import random
import resource
import sys
import time
from decimal import Decimal

from ecomrules.parsing.base import ErrorPolicy
from ecomrules.parsing.registry import get_parser

HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
    "Creation Date,TimeZone,Type,Modification Reference,Gross Currency,Gross Debit (GC),"
    "Gross Credit (GC),Exchange Rate,Net Currency,Net Debit (NC),Net Credit (NC),"
    "Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Payment Method Variant,"
    "Modification Merchant Reference,Batch Number"
)
CENT = Decimal("0.01")


def generate(rows: int, seed: int = 7) -> bytes:
    """A balanced batch of ``rows`` rows plus one MerchantPayout row per currency."""
    rnd = random.Random(seed)
    totals = {"EUR": Decimal(0), "USD": Decimal(0)}
    out = [HEADER]
    for n in range(rows):
        currency = "EUR" if n % 3 else "USD"
        gross = Decimal(rnd.randint(100, 50_000)) * CENT
        fee = Decimal(rnd.randint(1, 90)) * CENT
        kind = ("Settled", "Settled", "Settled", "Refunded", "Chargeback")[n % 5]
        stamp = f"2026-01-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00"
        psp = f"{8800000000000000 + n}"
        if kind == "Settled":
            net = gross - fee
            cells = ("", gross, "", net)
        else:
            net = -gross - fee
            cells = (gross, "", -net, "")
        totals[currency] += net
        out.append(
            f"Co,Shop,{psp},ORD-{n},visa,{stamp},CET,{kind},{psp}M,{currency},{cells[0]},"
            f"{cells[1]},1,{currency},{cells[2]},{cells[3]},{fee},,,,visacredit,,1"
        )
    for currency, total in sorted(totals.items()):
        debit, credit = (total, "") if total >= 0 else ("", -total)
        out.append(
            f"Co,Shop,,,,2026-01-29 06:00:00,CET,MerchantPayout,TX batch 1,{currency},,,,"
            f"{currency},{debit},{credit},,,,,,,1"
        )
    return ("\n".join(out) + "\n").encode()


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--stream"]
    stream = "--stream" in sys.argv[1:]
    rows = int(args[0]) if args else 200_000
    data = generate(rows)
    parser = get_parser("adyen.settlement_details")
    start = time.perf_counter()
    floor_rows = sum(1 for _ in csv.reader(io.StringIO(data.decode())))
    floor = time.perf_counter() - start
    start, cpu_start = time.perf_counter(), time.process_time()
    if stream:
        policy = ErrorPolicy("raise")
        count = sum(1 for _ in parser.iter_lines(data, source="generated.csv", policy=policy))  # type: ignore[attr-defined]
        issues, payouts = policy.issues, []
    else:
        result = parser.parse(data, source="generated.csv")
        count, issues, payouts = len(result.lines), list(result.issues), list(result.payouts)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if issues or count != rows + 2 or floor_rows != rows + 3:
        raise SystemExit(f"unexpected result: {issues[:3]}, {count} lines")
    print(f"rows: {rows}  bytes: {len(data)}  {'iter_lines' if stream else 'parse'}")
    print(f"wall: {elapsed:.2f} s  {rows / elapsed:,.0f} rows/s")
    print(f"CPU:  {cpu:.2f} s  {rows / cpu:,.0f} rows/s")
    print(f"peak RSS of the process: {peak / 1024:.0f} MiB")
    print(f"floor csv.reader: {floor:.2f} s  ratio wall/floor: {elapsed / floor:.1f}")
    print("payouts:", [(p.currency.code, str(p.amount.amount)) for p in payouts])


if __name__ == "__main__":
    from ecomrules.gcpause import paused_collector

    with paused_collector():  # as the command line runs (the library leaves gc alone)
        main()
