"""Growth of the readers' time on hostile inputs, sizes doubling: linear or quadratic?

Four inputs, each built at sizes doubling, each parsed in a fresh child process
(wall seconds and peak resident memory):

- ``camt``: a CAMT.053 document with one run of N bytes without ``>``,
- ``csv``: a bank CSV whose second line is N bytes with no line end,
- ``ofx``: an OFX file with N/4 unclosed ``<!--`` openings,
- ``gzip``: a gzip file of N/1000 bytes that expands a thousandfold.

Each child reads under read limits as large as possible (``--limits off``,
the default) so that the whole input is read and the growth shows; with
``--limits default`` it shows how soon the default limits refuse it. Point
``PYTHONPATH`` at an older ``src`` to measure that version (limits are then
ignored: it had none)::

    python benchmarks/hostile_inputs.py                     # 4 sizes each
    python benchmarks/hostile_inputs.py --steps 5 --only ofx
    git archive <old> src | tar -x -C /tmp/old && \\
        PYTHONPATH=/tmp/old/src python benchmarks/hostile_inputs.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import time

START = {"camt": 16 << 20, "csv": 16 << 20, "ofx": 10_000, "gzip": 64 << 20}

CAMT_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
    b"<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S</Id><Ntry><AddtlNtryInf>"
)


def build(kind: str, size: int) -> tuple[str, bytes]:
    """The parser name and the input of ``size`` (bytes of the hostile part)."""
    if kind == "camt":
        return "bank.camt053", CAMT_HEAD + b"x" * size + b"</AddtlNtryInf></Ntry></Stmt>"
    if kind == "csv":
        header = b"id,booking_date,value_date,amount,currency,counterparty,iban,label,reference\n"
        return "bank.csv", header + b"x" * size
    if kind == "ofx":
        return "bank.ofx", b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>" + b"<!--" * (size // 4)
    if kind == "gzip":
        return "gzip", gzip.compress(b"\0" * size, compresslevel=9)
    raise ValueError(kind)


def child(kind: str, size: int, limits: str) -> None:
    """Parse one input and print a JSON line: seconds, outcome, peak memory."""
    from contextlib import nullcontext

    parser_name, data = build(kind, size)
    context: object = nullcontext()
    try:
        from ecomrules.parsing.limits import ReadLimits, applied_limits

        if limits == "off":
            huge = 1 << 50
            context = applied_limits(
                ReadLimits(
                    max_unpacked_bytes=huge,
                    max_ratio=huge,
                    ratio_allowance=huge,
                    max_record_bytes=huge,
                )
            )
    except ImportError:  # a version without read limits
        pass
    started = time.perf_counter()
    outcome = "parsed"
    with context:  # type: ignore[attr-defined]
        try:
            if parser_name == "gzip":
                from ecomrules.parsing.source import unwrap

                unwrap(data, "bomb.csv.gz")
            else:
                from ecomrules.parsing.registry import get_parser

                get_parser(parser_name).parse(data, source=kind)
        except Exception as exc:
            outcome = type(exc).__name__
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"seconds": round(seconds, 3), "outcome": outcome, "peak_mib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=4, help="sizes per input, each doubling")
    parser.add_argument("--only", choices=sorted(START), action="append")
    parser.add_argument("--limits", choices=("off", "default"), default="off")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per child")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    print(f"{'input':<6} {'size':>12} {'seconds':>9} {'x prev':>7} {'peak MiB':>9}  outcome")
    for kind in args.only or sorted(START):
        previous = None
        for step in range(args.steps):
            size = START[kind] << step
            command = [sys.executable, __file__, "--child", kind, str(size), args.limits]
            try:
                out = subprocess.run(
                    command, capture_output=True, text=True, check=True, timeout=args.timeout
                )
            except subprocess.TimeoutExpired:
                print(f"{kind:<6} {size:>12} {'>' + str(int(args.timeout)):>9}")
                break
            result = json.loads(out.stdout.strip().splitlines()[-1])
            ratio = f"{result['seconds'] / previous:.1f}" if previous else ""
            previous = max(result["seconds"], 1e-3)
            print(
                f"{kind:<6} {size:>12} {result['seconds']:>9.3f} {ratio:>7} "
                f"{result['peak_mib']:>9}  {result['outcome']}"
            )


if __name__ == "__main__":
    main()
