"""Benchmark: read N open items from a live Tryton server and plan them under fr-b2b.

Starts trytond (the ``test-tryton`` extra) on a copy of the tests' template
database, fills it with N open receivable lines: N / I posted invoices whose
payment term splits each into I instalments (``--instalments``, default 10:
posting is Tryton's slow part), over one party for ten invoices, in batches
of 20 a call; the filled database is cached next to the virtualenv, so a
second run starts at once. Then it times, best of ``--repeat`` runs:
logging in and reading the open items, customers and dunning history
(:class:`~ecomrules.adapters.tryton.TrytonAdapter`, counting RPC calls), and
planning them (``plan(render=False)``).

    python benchmarks/tryton_read.py [--items 10000] [--instalments 10] [--repeat 3]
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

from trytond_records import invoice_defaults, invoice_values, post_invoices  # noqa: E402
from trytond_server import TrytonServer, copy_database  # noqa: E402

from ecomrules.adapters.tryton import TrytonAdapter, TrytonRpc, TrytonUrl  # noqa: E402
from ecomrules.dunning import load_policy, plan  # noqa: E402
from ecomrules.errors import ErpError  # noqa: E402

AS_OF = date(2026, 11, 20)
BATCH = 20


def post_all(rpc: TrytonRpc, ids: list[int]) -> None:
    """Post the invoices; on a busy machine Tryton may post part of a batch and refuse
    the rest ("You can not call post"): post what is still a draft, up to three times."""
    for _ in range(3):
        try:
            post_invoices(rpc, ids)
            return
        except ErpError as exc:
            print(f"  {exc}; posting the drafts again", file=sys.stderr, flush=True)
            rows = rpc.call("model.account.invoice.read", ids, ["state"])
            ids = [row["id"] for row in rows if row["state"] in ("draft", "validated")]
            if not ids:
                return
    post_invoices(rpc, ids)


def fill(url: str, items: int, instalments: int) -> None:
    """Create ``items`` open receivable lines: posted invoices of ``instalments`` each.

    Invoices go BATCH a call, over one party for every ten invoices.
    """
    with TrytonRpc(TrytonUrl.parse(url), timeout=3600) as rpc:
        defaults = invoice_defaults(rpc)
        if instalments > 1:
            lines: list[Any] = [
                {"type": "percent", "ratio": Decimal(1) / instalments, "divisor": instalments}
                | {"relativedeltas": [["create", [{"days": 30 * k}]]]}
                for k in range(1, instalments)
            ]
            lines.append(
                {"type": "remainder", "relativedeltas": [["create", [{"days": 30 * instalments}]]]}
            )
            (defaults["term"],) = rpc.call(
                "model.account.invoice.payment_term.create",
                [{"name": f"{instalments} instalments", "lines": [["create", lines]]}],
            )
        invoices = items // instalments
        parties = rpc.call(
            "model.party.party.create",
            [
                {"name": f"Client {n:05d}", "addresses": [["create", [{"city": "Lyon"}]]]}
                for n in range(max(1, invoices // 10))
            ],
        )
        addresses = {
            row["party"]: row["id"]
            for row in rpc.call("model.party.address.search_read", [], 0, None, None, ["party"])
        }
        for start in range(0, invoices, BATCH):
            values = [
                invoice_values(
                    defaults,
                    parties[n % len(parties)],
                    addresses[parties[n % len(parties)]],
                    Decimal(100 + n % 900) + Decimal("0.50"),
                    # Dates rise with the number: Tryton numbers invoices in date order.
                    AS_OF - timedelta(days=110 - (90 * n) // invoices),
                )
                for n in range(start, min(invoices, start + BATCH))
            ]
            ids = rpc.call("model.account.invoice.create", values)
            post_all(rpc, ids)
            print(f"  posted {start + len(ids)} / {invoices} invoices", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--instalments",
        type=int,
        default=10,
        help="receivable lines per invoice (a payment term of that many instalments); "
        "Tryton posts about 1-3 invoices a second here, so fewer invoices fill faster",
    )
    args = parser.parse_args()

    server = TrytonServer(["bench"])
    cache = (
        Path(sys.prefix)
        / "ecomrules-tryton-cache"
        / f"bench-{args.items}-{args.instalments}.sqlite"
    )
    filled_in = 0.0
    try:
        if cache.exists():
            shutil.copyfile(cache, server.root / "bench.sqlite")
            server.serve()
        else:
            server.start()
            began = time.perf_counter()
            fill(server.url("bench"), args.items, args.instalments)
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
        invoices = args.items // args.instalments
        print(f"filled {invoices} invoices ({args.items} lines) in {filled_in:.1f} s")
    print(f"open items read: {len(items)} of {len(customers)} customers in {calls} RPC calls")
    rate = len(items) / read
    print(f"read (login, items, customers, history): {read:.2f} s = {rate:,.0f} items/s")
    print(f"plan (fr-b2b, render=False): {planned:.2f} s, {len(result.notices)} notices")
    print(f"read + plan: {read + planned:.2f} s (best of {args.repeat})")


if __name__ == "__main__":
    main()
