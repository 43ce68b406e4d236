"""Benchmark: read N open items from a live Tryton server and plan them under fr-b2b.

Starts trytond (the ``test-tryton`` extra) on a copy of the tests' template
database, fills it with N posted one-line invoices over N/10 parties (in
batches of 500 a call; the filled database is cached next to the virtualenv,
so a second run starts at once), then times, best of ``--repeat`` runs:
logging in and reading the open items, customers and dunning history
(:class:`~ecomrules.adapters.tryton.TrytonAdapter`, counting RPC calls), and
planning them (``plan(render=False)``).

    python benchmarks/tryton_read.py [--items 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "tryton"))

from trytond_records import call_past_warnings, one  # noqa: E402
from trytond_server import TrytonServer, copy_database  # noqa: E402

from ecomrules.adapters.tryton import TrytonAdapter, TrytonRpc, TrytonUrl  # noqa: E402
from ecomrules.dunning import load_policy, plan  # noqa: E402

AS_OF = date(2026, 11, 20)
BATCH = 500


def fill(url: str, items: int) -> None:
    """Create ``items`` posted invoices over items // 10 parties, BATCH a call."""
    with TrytonRpc(TrytonUrl.parse(url), timeout=3600) as rpc:
        company = rpc.context["company"]
        receivable = one(
            rpc, "account.account", [["type.receivable", "=", True], ["closed", "!=", True]]
        )
        revenue = one(rpc, "account.account", [["type.revenue", "=", True], ["closed", "!=", True]])
        journal = one(rpc, "account.journal", [["code", "=", "REV"]])
        term = one(rpc, "account.invoice.payment_term", [["name", "=", "30 days"]])
        currency = one(rpc, "currency.currency", [["code", "=", "EUR"]])
        parties = rpc.call(
            "model.party.party.create",
            [
                {"name": f"Client {n:05d}", "addresses": [["create", [{"city": "Lyon"}]]]}
                for n in range(max(1, items // 10))
            ],
        )
        addresses = {
            row["party"]: row["id"]
            for row in rpc.call("model.party.address.search_read", [], 0, None, None, ["party"])
        }
        for start in range(0, items, BATCH):
            values: list[dict[str, Any]] = []
            for n in range(start, min(items, start + BATCH)):
                party = parties[n % len(parties)]
                values.append(
                    {
                        "type": "out",
                        "company": company,
                        "party": party,
                        "invoice_address": addresses[party],
                        "account": receivable,
                        "journal": journal,
                        "currency": currency,
                        "payment_term": term,
                        "invoice_date": AS_OF - timedelta(days=20 + n % 90),
                        "lines": [
                            [
                                "create",
                                [
                                    {
                                        "type": "line",
                                        "company": company,
                                        "currency": currency,
                                        "account": revenue,
                                        "description": "Conseil",
                                        "quantity": 1.0,
                                        "unit_price": Decimal(100 + n % 900) + Decimal("0.50"),
                                    }
                                ],
                            ]
                        ],
                    }
                )
            ids = rpc.call("model.account.invoice.create", values)
            call_past_warnings(rpc, "model.account.invoice.post", ids)
            print(f"  filled {start + len(ids)} / {items}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    server = TrytonServer(["bench"])
    cache = Path(sys.prefix) / "ecomrules-tryton-cache" / f"bench-{args.items}.sqlite"
    filled_in = 0.0
    try:
        if cache.exists():
            shutil.copyfile(cache, server.root / "bench.sqlite")
            server.serve()
        else:
            server.start()
            began = time.perf_counter()
            fill(server.url("bench"), args.items)
            filled_in = time.perf_counter() - began
            copy_database(server.root / "bench.sqlite", cache)
        url = server.url("bench")
        policy = load_policy("fr-b2b")
        reads, plans = [], []
        for _ in range(args.repeat):
            began = time.perf_counter()
            with TrytonAdapter.connect(url) as erp:
                items = erp.open_items()
                customers = erp.customers()
                history = erp.dunning_history(policy)
                calls = erp.rpc.calls
            reads.append(time.perf_counter() - began)
            began = time.perf_counter()
            result = plan(items, customers, history, policy, AS_OF, render=False)
            plans.append(time.perf_counter() - began)
    finally:
        server.stop()
    read, planned = min(reads), min(plans)
    if filled_in:
        print(f"filled {args.items} invoices in {filled_in:.1f} s")
    print(f"open items read: {len(items)} of {len(customers)} customers in {calls} RPC calls")
    rate = len(items) / read
    print(f"read (login, items, customers, history): {read:.2f} s = {rate:,.0f} items/s")
    print(f"plan (fr-b2b, render=False): {planned:.2f} s, {len(result.notices)} notices")
    print(f"read + plan: {read + planned:.2f} s (best of {args.repeat})")


if __name__ == "__main__":
    main()
