"""Benchmark: PDF letters of the pdf extra (fpdf2), per letter and the import.

Renders the demo's dunning letters (signed by the demo sender) and writes each
as a PDF, ``--repeat`` times, in rounds; prints the median time per letter, the
size of a PDF and the time to import fpdf2 in a fresh interpreter.

    python benchmarks/dunning_pdf.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date

from ecomrules import demo
from ecomrules.dunning import DunningEvent, DunningHistory, load_policy, load_sender, plan
from ecomrules.dunning.pdf import letter_pdf
from ecomrules.inputs import read_customers, read_open_items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sender = load_sender(demo.path("sender.toml"))
    history = DunningHistory(
        events=[
            DunningEvent("INV-1003", "C002", "reminder_1", 1, date(2026, 9, 16), "demo-1"),
            DunningEvent("INV-1003", "C002", "reminder_2", 2, date(2026, 9, 30), "demo-2"),
        ]
    )
    result = plan(
        read_open_items(demo.path("open-items.csv")),
        read_customers(demo.path("customers.csv")),
        history,
        load_policy("fr-b2b"),
        demo.AS_OF,
        sender=sender,
    )
    letters = [notice.letter for notice in result.notices if notice.letter is not None]
    letter_pdf(letters[0], sender=sender)  # warm up: the first call loads the font metrics
    rounds = []
    sizes = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for letter in letters:
            sizes.append(len(letter_pdf(letter, sender=sender)))
        rounds.append((time.perf_counter() - start) / len(letters))
    imports = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import fpdf"], check=True)
        imports.append(time.perf_counter() - start)
    baseline = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline.append(time.perf_counter() - start)
    print(f"letters: {len(letters)}, rounds: {args.repeat}")
    print(f"per letter: median {statistics.median(rounds) * 1000:.1f} ms")
    print(f"PDF size: {min(sizes)}-{max(sizes)} bytes")
    extra = statistics.median(imports) - statistics.median(baseline)
    print(f"import fpdf in a fresh interpreter: +{extra * 1000:.0f} ms")


if __name__ == "__main__":
    main()
