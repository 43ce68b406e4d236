"""Credit benchmark: 100,000 decisions against 1,000,000 open items.

The exposure book is built once from the open items (seeded, Decimal amounts),
then each decision reads the customer's and group's exposure and every
accepted order is added to the book, as an order-entry service would do.
Prints wall and CPU time of each step (input generation, which is not part of
the engine's figure; the floor, summing the residuals once; the book; the
decisions), the rates, the outcome counts and the peak memory.

    python benchmarks/credit.py [--items 1000000] [--decisions 100000] [--customers 20000] [--no-gc]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from ecomrules.credit import (
    CreditPolicy,
    ExposureBook,
    FxRates,
    Order,
    PaymentMethod,
    TierRule,
    decide,
)
from ecomrules.credit.policy import Check
from ecomrules.ledger import Customer, ItemStatus, OpenItem
from ecomrules.money import Money

AS_OF = date(2026, 11, 20)
METHODS = [PaymentMethod.INVOICE] * 7 + [
    PaymentMethod.PREPAID,
    PaymentMethod.CARD_AUTHORIZED,
    PaymentMethod.CASH_ON_DELIVERY,
]


def make_customers(rng: random.Random, count: int) -> list[Customer]:
    out = []
    for n in range(count):
        limit = Money(Decimal(rng.randrange(500, 5_000) * 100), "EUR")
        out.append(
            Customer(
                id=f"C{n:06d}",
                name=f"Customer {n}",
                currency="EUR",
                credit_limit=None if n % 50 == 0 else limit,
                group_id=f"G{n // 10:05d}" if n % 3 == 0 else None,
                tier="gold" if n % 17 == 0 else None,
                warning_message="watch" if n % 97 == 0 else None,
                blocking_message="stop" if n % 991 == 0 else None,
                created_on=AS_OF - timedelta(days=rng.randrange(1, 3000)),
            )
        )
    return out


def make_items(rng: random.Random, customers: list[Customer], count: int) -> list[OpenItem]:
    currencies = ["EUR"] * 9 + ["USD"]
    statuses = [ItemStatus.OPEN] * 18 + [ItemStatus.DISPUTED, ItemStatus.PROMISED]
    out = []
    for n in range(count):
        who = customers[rng.randrange(len(customers))]
        currency = currencies[rng.randrange(10)]
        cents = rng.randrange(-20_000, 500_000)
        money = Money(Decimal(cents).scaleb(-2), currency)
        late_payer = who.id[-1] == "7"  # one customer in ten pays late
        due = AS_OF + timedelta(days=rng.randrange(-150 if late_payer else -12, 60))
        status = statuses[rng.randrange(20)]
        out.append(
            OpenItem(
                id=f"I{n}",
                number=f"FA-{n}",
                partner_id=who.id,
                partner_name=who.name,
                amount=money,
                residual=money,
                issue_date=due - timedelta(days=30),
                due_date=due,
                status=status,
                promise_until=AS_OF + timedelta(days=5) if status is ItemStatus.PROMISED else None,
            )
        )
    return out


class Step:
    """Wall and CPU time of one step of the run."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def stop(self) -> Step:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        return self

    def __str__(self) -> str:
        return f"wall {self.wall:6.2f} s  CPU {self.cpu:6.2f} s"


def peak_mib() -> float:
    """The peak resident memory of the process so far (MiB)."""
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 1024 / 1024


def make_orders(rng: random.Random, customers: list[Customer], count: int) -> list[Order]:
    out = []
    for n in range(count):
        who = customers[rng.randrange(len(customers))]
        amount = Money(Decimal(rng.randrange(100, 2_000_000)).scaleb(-2), "EUR")
        out.append(Order(f"SO-{n}", who.id, amount, METHODS[rng.randrange(len(METHODS))]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="switch the garbage collector off while timing (the book pauses it itself)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    policy = CreditPolicy(
        rates=FxRates({("USD", "EUR"): Decimal("0.9235")}),
        tiers={"gold": TierRule(frozenset({Check.OVERDUE}))},
    )

    generation = Step()
    customers = make_customers(rng, args.customers)
    items = make_items(rng, customers, args.items)
    orders = make_orders(rng, customers, args.decisions)
    by_id = {customer.id: customer for customer in customers}
    generation.stop()
    data_mib = peak_mib()

    floor = Step()
    floor_total = sum((item.residual.amount for item in items), Decimal(0))
    floor.stop()

    if args.no_gc:
        gc.disable()
    build = Step()
    book = ExposureBook.build(customers, policy, AS_OF, open_items=items)
    build.stop()

    outcomes: Counter[str] = Counter()
    deciding = Step()
    for order in orders:
        customer = by_id[order.customer_id]
        decision = decide(
            order,
            customer,
            book.exposure(customer.id),
            policy,
            AS_OF,
            group=book.group(customer),
        )
        outcomes[decision.outcome.value] += 1
        if decision.accepted:
            book.add_order(order)
    deciding.stop()
    gc.enable()

    wall, cpu = build.wall + deciding.wall, build.cpu + deciding.cpu
    print(
        f"credit benchmark: {args.items:,} open items, {args.customers:,} customers, "
        f"{args.decisions:,} decisions (seed {args.seed}; garbage collector "
        f"{'off' if args.no_gc else 'on'} while timing)"
    )
    print(f"  input generation (not timed)  {generation}")
    print(f"  floor: sum of the residuals   {floor}  (checksum {floor_total})")
    print(f"  exposure book, built once     {build}  {args.items / build.cpu:11,.0f} items/s CPU")
    print(
        f"  decisions + book updates      {deciding}  {args.decisions / deciding.cpu:11,.0f} /s CPU"
        f"  ({deciding.cpu / args.decisions * 1e6:.1f} us each)"
    )
    print(
        f"  engine total (book + decide)  wall {wall:6.2f} s  CPU {cpu:6.2f} s  "
        f"budget 5.00 s: wall {'within' if wall < 5 else 'OVER'}, "
        f"CPU {'within' if cpu < 5 else 'OVER'}; CPU = {cpu / floor.cpu:.0f} x the floor's"
    )
    print(f"  outcomes: {dict(sorted(outcomes.items()))}")
    end_mib = peak_mib()
    print(
        f"  peak memory (max RSS)         {end_mib:6.0f} MiB  (inputs {data_mib:.0f} MiB, "
        f"engine {end_mib - data_mib:.0f} MiB on top)"
    )


if __name__ == "__main__":
    from ecomrules.gcpause import paused_collector

    with paused_collector():  # as the command line runs (the library leaves gc alone)
        main()
