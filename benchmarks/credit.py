"""Credit benchmark: 100,000 decisions against 1,000,000 open items.

The exposure book is built once from the open items (seeded, Decimal amounts),
then each decision reads the customer's and group's exposure and every
accepted order is added to the book, as an order-entry service would do.
Prints wall times, rates, the outcome counts and peak memory.

    python benchmarks/credit.py [--items 1000000] [--decisions 100000] [--customers 20000]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261120)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    policy = CreditPolicy(
        rates=FxRates({("USD", "EUR"): Decimal("0.9235")}),
        tiers={"gold": TierRule(frozenset({Check.OVERDUE}))},
    )

    started = time.perf_counter()
    customers = make_customers(rng, args.customers)
    items = make_items(rng, customers, args.items)
    orders = []
    for n in range(args.decisions):
        who = customers[rng.randrange(len(customers))]
        amount = Money(Decimal(rng.randrange(100, 2_000_000)).scaleb(-2), "EUR")
        orders.append(Order(f"SO-{n}", who.id, amount, METHODS[rng.randrange(len(METHODS))]))
    by_id = {customer.id: customer for customer in customers}
    generated = time.perf_counter() - started

    floor_started = time.perf_counter()
    floor_cpu_started = time.process_time()
    floor_total = sum((item.residual.amount for item in items), Decimal(0))
    floor = time.perf_counter() - floor_started
    floor_cpu = time.process_time() - floor_cpu_started

    gc.disable()
    cpu_started = time.process_time()
    started = time.perf_counter()
    book = ExposureBook.build(customers, policy, AS_OF, open_items=items)
    built = time.perf_counter() - started
    built_cpu = time.process_time() - cpu_started

    outcomes: Counter[str] = Counter()
    decide_cpu_started = time.process_time()
    started = time.perf_counter()
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
    decided = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    decided_cpu = time.process_time() - decide_cpu_started
    gc.enable()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = built + decided
    print(
        f"credit benchmark: {args.items:,} open items, {args.customers:,} customers, "
        f"{args.decisions:,} decisions (seed {args.seed})"
    )
    print(f"  data generation (not timed)  {generated:8.2f} s")
    print(
        f"  floor: sum of the residuals  {floor:8.3f} s  (CPU {floor_cpu:.3f} s; "
        f"checksum {floor_total})"
    )
    print(
        f"  exposure book, built once    {built:8.2f} s  {args.items / built:12,.0f} items/s"
        f"  (CPU {built_cpu:.2f} s)"
    )
    print(
        f"  decisions + book updates     {decided:8.2f} s  {args.decisions / decided:12,.0f} /s"
        f"  ({decided / args.decisions * 1e6:.1f} us each; CPU {decided_cpu:.2f} s)"
    )
    print(
        f"  total (book + decisions)     {total:8.2f} s  budget 5.00 s: "
        f"{'within' if total < 5 else 'OVER'}; CPU {cpu:.2f} s "
        f"= {cpu / floor_cpu:.0f} x the floor's CPU"
    )
    print(f"  outcomes: {dict(sorted(outcomes.items()))}")
    print(f"  peak memory (max RSS)        {peak_mib:8.0f} MiB")


if __name__ == "__main__":
    main()
