"""Print how far ecomrules agrees with peer parsers on the shared corpus, per format.

    python scripts/peer_agreement.py [path/to/corpus] [--differences]

Peers: ``mt-940`` (MT940), ``ofxparse`` (OFX), ``bai2`` (BAI2), from the
``test`` extra. Lines are compared in file order (amount, date, reference),
balances one by one; ``--differences`` lists every disagreement. The
script silences the ``mt940`` logger: the peer logs every file it cannot read,
which the ``skipped`` list already names.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from ecomrules.testing.peers import agreement

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def main(argv: list[str]) -> int:
    logging.getLogger("mt940").setLevel(logging.CRITICAL + 1)
    args = [a for a in argv if not a.startswith("--")]
    corpus = Path(args[0]) if args else DEFAULT
    results = agreement(corpus)
    print(
        f"{'format':<8}{'peer':<10}{'files':>6}{'lines':>8}{'agree':>8}{'balances':>10}{'agree':>8}"
    )
    for fmt, found in results.items():
        lines, lines_ok, balances, balances_ok = found.totals()
        print(
            f"{fmt:<8}{found.peer:<10}{len(found.files):>6}{lines:>8}{lines_ok:>8}"
            f"{balances:>10}{balances_ok:>8}"
        )
        if "--differences" in argv:
            for compared in found.files:
                for difference in compared.differences:
                    print(f"  {compared.name}: {difference}")
            for name, reason in found.skipped:
                print(f"  skipped {name}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
