"""Seeded generator of labelled reconciliation data (open items, a bank statement, the truth).

Usage: python benchmarks/reconcile/generate.py N OUTDIR [--seed 7]

Writes ``open-items.csv`` (the documented open-items layout), ``statement.csv``
(the default bank CSV layout: id, booking_date, value_date, amount, currency,
counterparty, iban, label, reference) and ``truth.csv`` (line_id, item_ids
joined by ``;``, empty for an unrelated line). Amounts are integer cents
formatted as decimals: no float touches money. The noise kinds and their shares:

=============  =====  ==============================================================
kind           share  what the line looks like
=============  =====  ==============================================================
exact           35 %  the invoice number (or RF creditor reference) in ``reference``
in_text         20 %  the number inside a noisy label, case and separators varied
typo             8 %  a reference with swapped or changed digits, or odd separators
payer_name       5 %  a reference, but a payer name and IBAN unlike the customer's
multi            5 %  one payment for 2-6 invoices of one customer (refs or IBAN)
partial          5 %  part of an invoice, with its reference
bank_fee         5 %  the invoice less a bank fee (0.50-5.00), reference in the label
same_amount      5 %  no reference, another customer has an item of the same amount
no_reference     7 %  no reference: the payer's IBAN (80 %) or only the name
unrelated        5 %  nothing to do with any open item
=============  =====  ==============================================================
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

KINDS = (
    ("exact", 35),
    ("in_text", 20),
    ("typo", 8),
    ("payer_name", 5),
    ("multi", 5),
    ("partial", 5),
    ("bank_fee", 5),
    ("same_amount", 5),
    ("no_reference", 7),
    ("unrelated", 5),
)
SURNAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Hofmann",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "Costa",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
)
TRADES = (
    "Books",
    "Games",
    "Toys",
    "Outdoor",
    "Bikes",
    "Garden",
    "Kitchen",
    "Music",
    "Photo",
    "Sports",
    "Fashion",
    "Shoes",
    "Beauty",
    "Pets",
    "Office",
    "Tools",
    "Lights",
    "Wine",
    "Coffee",
    "Tea",
    "Print",
    "Media",
    "Home",
    "Decor",
    "Crafts",
    "Hobby",
    "Comics",
)
FORMS = ("SARL", "GmbH", "SAS", "Ltd", "SRL", "BV", "AG", "")
WORDS = (
    "payment",
    "virement",
    "zahlung",
    "rechnung",
    "facture",
    "thanks",
    "merci",
    "order",
    "ref",
    "inv",
    "re",
    "dank",
)
START = date(2026, 1, 1)


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def rf_reference(body: str) -> str:
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def iban(rng: random.Random) -> str:
    return f"FR76{rng.randrange(10**22):022d}"


class World:
    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        partners = max(4, n // 4)
        self.partners = [
            (
                f"P{p:07d}",
                self.name(),
                iban(self.rng),
            )
            for p in range(partners)
        ]
        self.items: list[list[str]] = []

    def name(self) -> str:
        rng = self.rng
        return f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} {rng.choice(FORMS)}".strip()

    def amount(self) -> int:
        return self.rng.randint(500, self.rng.choice((5_000, 50_000, 500_000, 2_000_000)))

    def item(
        self, partner: tuple[str, str, str], cents: int | None = None
    ) -> tuple[str, int, str, date]:
        seq = len(self.items) + 1
        cents = self.amount() if cents is None else cents
        number = f"INV-{seq:07d}"
        issue = START + timedelta(days=self.rng.randrange(300))
        due = issue + timedelta(days=30)
        reference = rf_reference(f"{seq:09d}") if self.rng.random() < 0.3 else ""
        order = f"SO-{seq:07d}" if self.rng.random() < 0.4 else ""
        known_iban = partner[2] if self.rng.random() < 0.9 else ""
        self.items.append(
            [
                f"I{seq:07d}",
                number,
                partner[0],
                partner[1],
                "EUR",
                money(cents),
                money(cents),
                issue.isoformat(),
                due.isoformat(),
                reference,
                order,
                known_iban,
            ]
        )
        return f"I{seq:07d}", cents, reference or number, due

    def noisy(self, ref: str) -> str:
        rng = self.rng
        if ref.startswith("RF"):
            return (
                " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))
                if rng.random() < 0.5
                else ref
            )
        prefix, digits = ref.split("-")
        choice = rng.randrange(5)
        if choice == 0:
            return ref.lower()
        if choice == 1:
            return f"{prefix} {digits}"
        if choice == 2:
            return f"{prefix}{digits.lstrip('0')}"
        if choice == 3:
            return f"{prefix.lower()}/{digits}"
        return ref

    def typo(self, ref: str) -> str:
        rng = self.rng
        if ref.startswith("RF") or rng.random() < 0.3:
            sep = rng.choice(("/", ".", " / ", "_"))
            return (
                ref.replace("-", sep)
                if "-" in ref
                else " ".join(ref[i : i + 3] for i in range(0, len(ref), 3))
            )
        prefix, digits = ref.split("-")
        chars = list(digits)
        k = rng.randrange(len(chars) - 1, 2, -1) if len(chars) > 3 else len(chars) - 1
        if rng.random() < 0.5 and chars[k] != chars[k - 1]:
            chars[k], chars[k - 1] = chars[k - 1], chars[k]
        else:
            chars[k] = str((int(chars[k]) + rng.randrange(1, 10)) % 10)
        return f"{prefix}-{''.join(chars)}"

    def label(self, ref: str) -> str:
        words = self.rng.sample(WORDS, 3)
        return f"{words[0]} {words[1]} {ref} {words[2]}"


def generate(n: int, out: Path, seed: int) -> None:
    world = World(n, seed)
    rng = world.rng
    kinds = [k for k, share in KINDS for _ in range(share)]
    lines: list[list[str]] = []
    truth: list[tuple[str, str, str]] = []
    for number in range(1, n + 1):
        kind = rng.choice(kinds)
        partner = rng.choice(world.partners)
        line_id = f"L{number:07d}"
        payer, payer_iban = partner[1], partner[2] if rng.random() < 0.85 else ""
        reference, label = "", ""
        paid: list[str] = []
        if kind == "unrelated":
            cents = world.amount()
            payer, payer_iban = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}", iban(rng)
            label = " ".join(rng.sample(WORDS, 3))
            day = START + timedelta(days=rng.randrange(360))
        elif kind == "multi":
            count = rng.randint(2, 6)
            made = [world.item(partner) for _ in range(count)]
            paid = [m[0] for m in made]
            cents = sum(m[1] for m in made)
            day = max(m[3] for m in made) + timedelta(days=rng.randint(-5, 20))
            if rng.random() < 0.5:
                label = "invoices " + " ".join(world.noisy(m[2]) for m in made)
            else:
                payer_iban = partner[2]
                label = rng.choice(WORDS)
        else:
            item_id, cents, ref, due = world.item(partner)
            paid = [item_id]
            day = due + timedelta(days=rng.randint(-10, 40))
            if kind == "exact":
                reference = ref
            elif kind == "in_text":
                label = world.label(world.noisy(ref))
            elif kind == "typo":
                reference = world.typo(ref)
            elif kind == "payer_name":
                reference = ref
                payer, payer_iban = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}", iban(rng)
            elif kind == "partial":
                reference = ref
                cents = cents * rng.randint(20, 80) // 100 or 1
            elif kind == "bank_fee":
                fee = rng.randint(50, 500)
                if fee * 20 > cents:
                    fee = max(1, cents // 20)
                cents -= fee
                label = world.label(world.noisy(ref))
            elif kind == "same_amount":
                other = rng.choice(world.partners)
                if other[0] != partner[0]:
                    world.item(other, cents)
                label = rng.choice(WORDS)
                if rng.random() < 0.2:
                    payer_iban = partner[2]
            else:  # no_reference
                label = rng.choice(WORDS)
                payer_iban = partner[2] if rng.random() < 0.8 else ""
        lines.append(
            [
                line_id,
                day.isoformat(),
                day.isoformat(),
                money(cents),
                "EUR",
                payer,
                payer_iban,
                label,
                reference,
            ]
        )
        truth.append((line_id, ";".join(paid), kind))
    while len(world.items) < n:
        world.item(rng.choice(world.partners))
    out.mkdir(parents=True, exist_ok=True)
    _write(
        out / "open-items.csv",
        [
            "id",
            "number",
            "partner_id",
            "partner_name",
            "currency",
            "amount",
            "residual",
            "issue_date",
            "due_date",
            "reference",
            "order_id",
            "iban",
        ],
        world.items,
    )
    _write(
        out / "statement.csv",
        [
            "id",
            "booking_date",
            "value_date",
            "amount",
            "currency",
            "counterparty",
            "iban",
            "label",
            "reference",
        ],
        lines,
    )
    _write(out / "truth.csv", ["line_id", "item_ids", "kind"], truth)


def _write(
    path: Path, header: list[str], rows: list[list[str]] | list[tuple[str, str, str]]
) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.n, args.out, args.seed)


if __name__ == "__main__":
    main()
