"""Speed and memory of the CSV and CAMT.053 bank parsers over generated files.

Generates (seeded, Decimal amounts) a CSV statement in the default mapping and a
CAMT.053 statement, then measures in fresh child processes, one measurement
each: ``parse`` (the whole file into a ParseResult) and ``iter_lines`` (the
streaming reader over the file path). Each child reports lines, wall and CPU
seconds, and its peak resident memory (``ru_maxrss``); ``iter_lines`` runs at
two sizes so you can see its peak memory does not grow with the file, once
plainly and once under tracemalloc (Python allocations only).

    python benchmarks/bank_xml_csv.py                      # 1,000,000 CSV lines, 200,000 entries
    python benchmarks/bank_xml_csv.py --csv 100000 --camt 20000
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
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ecomrules.bank.camt import Camt053Parser
from ecomrules.bank.csv import CsvParser, write_csv
from ecomrules.money import Money
from ecomrules.parsing.model import Counterparty, LineKind, StatementLine

START = date(2026, 1, 1)
NAMES = ["Librairie Martin SARL", "Games & Co GmbH", "Papeterie Dubois", "Comics Corner Ltd"]


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(-500_000, 900_000)).scaleb(-2)


def generate_csv(path: Path, count: int, seed: int = 7) -> None:
    """Write ``count`` lines in the default CSV mapping."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        for start in range(0, count, 20_000):
            chunk = []
            for index in range(start, min(start + 20_000, count)):
                booked = START + timedelta(days=index % 330)
                chunk.append(
                    StatementLine(
                        id=f"T{index:08d}",
                        kind=LineKind.TRANSFER,
                        booked_on=booked,
                        value_date=booked + timedelta(days=rng.randint(0, 2)),
                        amount=Money(_amount(rng), "EUR"),
                        label=f"Payment {index} invoice FA-2026-{rng.randint(1000, 9999)}",
                        references=(f"SO-{rng.randint(1000, 9999)}",),
                        counterparty=Counterparty(
                            name=rng.choice(NAMES), iban="FR7630006000011234567890189"
                        ),
                    )
                )
            text = write_csv(chunk)
            out.write(text if start == 0 else text.split("\n", 1)[1])


_ENTRY = """      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>{indicator}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{booked}</Dt></BookgDt>
        <ValDt><Dt>{booked}</Dt></ValDt>
        <AcctSvcrRef>REF{index:09d}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>SO-{order}</EndToEndId></Refs>
            <Amt Ccy="EUR">{amount}</Amt>
            <RltdPties>
              <Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>
              <DbtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></DbtrAcct>
              <Cdtr><Pty><Nm>Games Shop SAS</Nm></Pty></Cdtr>
            </RltdPties>
            <RmtInf><Ustrd>Invoice FA-2026-{invoice}</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
"""


def generate_camt(path: Path, count: int, seed: int = 11) -> None:
    """Write one CAMT.053 statement of ``count`` entries, balanced."""
    rng = random.Random(seed)
    amounts = [_amount(rng) for _ in range(count)]
    opening = Decimal("1000.00")
    closing = opening + sum(amounts, Decimal(0))
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n'
            "  <BkToCstmrStmt>\n    <GrpHdr><MsgId>BENCH</MsgId>"
            "<CreDtTm>2026-11-19T18:00:00</CreDtTm></GrpHdr>\n    <Stmt>\n"
            "      <Id>BENCH-1</Id>\n"
            "      <Acct><Id><IBAN>FR7630004000031234567890143</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
            f"{_balance('OPBD', opening)}{_balance('CLBD', closing)}"
        )
        for index, amount in enumerate(amounts):
            out.write(
                _ENTRY.format(
                    amount=abs(amount),
                    indicator="CRDT" if amount >= 0 else "DBIT",
                    booked=(START + timedelta(days=index % 330)).isoformat(),
                    index=index,
                    order=rng.randint(1000, 9999),
                    invoice=rng.randint(1000, 9999),
                    name=rng.choice(NAMES).replace("&", "&amp;"),
                )
            )
        out.write("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n")


def _balance(code: str, amount: Decimal) -> str:
    indicator = "CRDT" if amount >= 0 else "DBIT"
    return (
        f"      <Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{abs(amount)}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        "<Dt><Dt>2026-11-19</Dt></Dt></Bal>\n"
    )


def measure(kind: str, mode: str, path: Path) -> dict[str, object]:
    """Run one measurement in this process and return its figures."""
    parser = CsvParser() if kind == "csv" else Camt053Parser()
    if mode == "iter_lines_traced":
        tracemalloc.start()
        lines = sum(1 for _ in parser.iter_lines(path, source=path.name))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"kind": kind, "mode": mode, "lines": lines, "traced_peak_kib": peak // 1024}
    wall, cpu = time.perf_counter(), time.process_time()
    if mode == "parse":
        result = parser.parse(path.read_bytes(), source=path.name)
        assert not result.errors, result.errors[:3]
        lines = len(result.lines)
    else:
        lines = sum(1 for _ in parser.iter_lines(path, source=path.name))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "kind": kind,
        "mode": mode,
        "lines": lines,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "lines_per_s_wall": round(lines / wall),
        "lines_per_s_cpu": round(lines / cpu),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def _child(kind: str, mode: str, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, object] = json.loads(out.stdout)
    return figures


def main() -> None:
    """Generate, measure in child processes, print a table."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--csv", type=int, default=1_000_000, help="CSV lines")
    args.add_argument("--camt", type=int, default=200_000, help="CAMT.053 entries")
    args.add_argument(
        "--measure", nargs=3, metavar=("KIND", "MODE", "PATH"), help=argparse.SUPPRESS
    )
    options = args.parse_args()
    if options.measure:
        kind, mode, path = options.measure
        print(json.dumps(measure(kind, mode, Path(path))))
        return
    rows: list[dict[str, object]] = []
    traced: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for kind, count, generate in (
            ("csv", options.csv, generate_csv),
            ("camt", options.camt, generate_camt),
        ):
            big, small = base / f"big.{kind}", base / f"small.{kind}"
            generate(big, count)
            generate(small, max(count // 4, 1))
            rows.append(_child(kind, "parse", big))
            rows.append(_child(kind, "iter_lines", big))
            rows.append(_child(kind, "iter_lines", small))
            traced.append(_child(kind, "iter_lines_traced", big))
            traced.append(_child(kind, "iter_lines_traced", small))
            print(f"{kind}: {big.stat().st_size / 2**20:.0f} MiB file", file=sys.stderr)
    header = ["kind", "mode", "lines", "wall_s", "cpu_s", "lines_per_s_wall", "lines_per_s_cpu"]
    header.append("peak_rss_mib")
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[key]) for key in header))
    print()
    print("iter_lines under tracemalloc (Python allocations, peak):")
    for row in traced:
        print(f"{row['kind']} | {row['lines']} lines | peak {row['traced_peak_kib']} KiB")


if __name__ == "__main__":
    from ecomrules.gcpause import paused_collector

    with paused_collector():  # as the command line runs (the library leaves gc alone)
        main()
