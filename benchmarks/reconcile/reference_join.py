"""The exact-reference stage, as the engine runs it and as one set-wise join in C.

Usage: python benchmarks/reconcile/reference_join.py FOLDER [--repeat 3]

Most lines are settled by their structured reference equal to an item's
key. The engine joins them in a dict (``ReferenceBlocker``: the lines'
references normalised at once, one ``dict.get`` a reference, one
``BlockingContext.add`` a hit). This script times, in turns in one process
(CPU seconds, best of ``--repeat``), that blocker against the same join done
set-wise: the normalised references and the item keys as pyarrow arrays,
one hash join (pyarrow ``Table.join``, and DuckDB over the same tables),
then the (line, item) pairs added to the candidates. Each variant must give
the same candidates, checked. The item index (``by_key``) is built before
the timing: the engine needs it for the text references anyway.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import duckdb
    import pyarrow as pa

    from ecomrules.gcpause import paused_collector
    from ecomrules.reconcile.blocking import REF_KEY, BlockingContext, ReferenceBlocker
    from ecomrules.reconcile.bulk import read_item_records, read_line_records
    from ecomrules.reconcile.index import ItemIndex, postings
    from ecomrules.reconcile.records import normalise_references

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with paused_collector():
        items = read_item_records(args.folder / "open-items.csv")
        lines = read_line_records(args.folder / "statement.csv")
        index = ItemIndex(items)

        def engine() -> BlockingContext:
            ctx = BlockingContext(lines, index)
            ReferenceBlocker().block(ctx)
            return ctx

        def item_keys() -> pa.Table:
            keys: list[str] = []
            owners: list[int] = []
            for key, hit in index.by_key.items():
                for item in postings(hit):
                    keys.append(key)
                    owners.append(item)
            return pa.table(
                {"key": pa.array(keys, pa.string()), "item": pa.array(owners, pa.int32())}
            )

        def line_keys() -> tuple[list[int], list[str]]:
            refs = [(i, ref) for i, line in enumerate(lines) for ref in line.references]
            return [i for i, _ in refs], normalise_references([ref for _, ref in refs])

        def add_pairs(owner: list[int], keys: list[str], pairs: Any) -> BlockingContext:
            ctx = BlockingContext(lines, index)
            add = ctx.add
            by_row: dict[int, list[int]] = {}
            for row, item in zip(
                pairs.column("row").to_pylist(), pairs.column("item").to_pylist(), strict=True
            ):
                by_row.setdefault(row, []).append(item)
            for row, (i, key) in enumerate(zip(owner, keys, strict=True)):
                found = by_row.get(row)
                if found is None:
                    if key:
                        ctx.miss(i, key)
                    continue
                for item in sorted(found):
                    add(i, item, REF_KEY)
            return ctx

        held = item_keys()  # built once, outside the timing: it would be built with the index

        def arrow() -> BlockingContext:
            owner, keys = line_keys()
            asked = pa.table(
                {"key": pa.array(keys, pa.string()), "row": pa.array(range(len(keys)), pa.int32())}
            )
            pairs = asked.join(held, "key", join_type="inner", use_threads=False)
            return add_pairs(owner, keys, pairs)

        connection = duckdb.connect()
        connection.execute("SET threads TO 1")

        def duck() -> BlockingContext:
            owner, keys = line_keys()
            asked = pa.table(
                {"key": pa.array(keys, pa.string()), "row": pa.array(range(len(keys)), pa.int32())}
            )
            connection.register("asked", asked)
            connection.register("held", held)
            pairs = connection.sql(
                "SELECT row, item FROM asked JOIN held USING (key)"
            ).to_arrow_table()
            return add_pairs(owner, keys, pairs)

        variants: dict[str, Callable[[], BlockingContext]] = {
            "dict join (engine)": engine,
            "pyarrow join": arrow,
            "duckdb join": duck,
        }
        best = dict.fromkeys(variants, float("inf"))
        results: dict[str, BlockingContext] = {}
        for _ in range(args.repeat):
            for name, run in variants.items():
                start = time.process_time()
                results[name] = run()
                best[name] = min(best[name], time.process_time() - start)
        reference = results["dict join (engine)"]
        for name, seconds in best.items():
            same = (
                results[name].candidates == reference.candidates
                and results[name].missed_keys == reference.missed_keys
            )
            print(
                f"{name:<20} {seconds:6.2f} s cpu (best of {args.repeat})  same candidates: {same}"
            )
        print(
            f"{len(lines):,} lines x {len(items):,} items; item keys table {held.num_rows:,} rows"
        )


if __name__ == "__main__":
    main()
