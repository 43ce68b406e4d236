"""Dunning from Tryton's invoices through the CLI, recorded as Tryton dunnings."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from trytond_records import create_invoice, create_party, dunnings, run_cli
from trytond_server import TrytonServer

from ecomrules.adapters.tryton import TrytonRpc, TrytonUrl


def dunning(command: str, url: str, as_of: str) -> dict[str, Any]:
    out = run_cli(
        "dunning", command, "--tryton", url, "--policy", "fr-b2b", "--as-of", as_of, "--json"
    )
    assert out.returncode == 0, out.stderr
    document: dict[str, Any] = json.loads(out.stdout)
    return document


def levels(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["item_id"], i["level"]) for n in document["notices"] for i in n["items"]]


def test_french_b2b_ladder_is_recorded_as_tryton_dunnings(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("dunning")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        party, code = create_party(rpc, "Atelier Martin", email="compta@martin.example")
        invoice, number = create_invoice(rpc, party, "1200.00", date(2026, 9, 1))  # due 10-01
        (level_ids,) = [
            p["levels"]
            for p in rpc.call(
                "model.account.dunning.procedure.search_read", [], 0, None, None, ["levels"]
            )
        ]

        # Planning records nothing.
        planned = dunning("plan", url, "2026-09-26")
        assert levels(planned) == [(number, "preventive")]
        assert planned["notices"][0]["customer_id"] == code
        assert dunnings(rpc) == []

        # Preventive reminder (due - 5): a note on the invoice, no Tryton level.
        first = dunning("commit", url, "2026-09-26")
        assert (levels(first), first["recorded"]) == ([(number, "preventive")], 1)
        notes = rpc.call(
            "model.ir.note.search_read",
            [["resource", "=", f"account.invoice,{invoice}"]],
            0,
            None,
            None,
            ["message"],
        )
        assert [n["message"] for n in notes] == [
            f"ecomrules: preventive reminder sent on 2026-09-26 (dunning:{number}:preventive)"
        ]
        assert dunnings(rpc) == []
        again = dunning("commit", url, "2026-09-26")
        assert (levels(again), again["recorded"]) == ([], 0)

        # First reminder (+7): a Tryton dunning at the procedure's first level.
        reminder = dunning("commit", url, "2026-10-08")
        assert (levels(reminder), reminder["recorded"]) == ([(number, "reminder_1")], 1)
        (row,) = dunnings(rpc)
        assert (row["level"], row["date"], row["state"]) == (
            level_ids[0],
            date(2026, 10, 8),
            "waiting",
        )

        assert levels(dunning("commit", url, "2026-10-22")) == [(number, "reminder_2")]
        assert dunnings(rpc)[0]["level"] == level_ids[1]

        # Formal notice (+45) with the 40 EUR flat indemnity, at the credit-blocking level.
        notice = dunning("commit", url, "2026-11-15")
        assert levels(notice) == [(number, "formal_notice")]
        fees = {(c["kind"], c["amount"]) for c in notice["notices"][0]["fees"]}
        assert fees == {("indemnity", "40.00")}
        (row,) = dunnings(rpc)
        assert (row["level"], row["date"]) == (level_ids[2], date(2026, 11, 15))

        # A second commit the same day changes nothing in Tryton.
        before = dunnings(rpc)
        second = dunning("commit", url, "2026-11-15")
        assert (levels(second), second["recorded"]) == ([], 0)
        assert dunnings(rpc) == before
