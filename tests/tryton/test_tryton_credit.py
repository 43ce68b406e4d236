"""Credit checks of Tryton sales through the CLI, exposure and dunning level read from Tryton."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from trytond_records import create_invoice, create_party, create_sale, dunnings, run_cli
from trytond_server import TrytonServer

from ecomrules.adapters.tryton import TrytonRpc, TrytonUrl


def check(url: str, sale: str) -> tuple[int, dict[str, Any]]:
    out = run_cli(
        "credit", "check", "--tryton", url, "--sale", sale, "--as-of", "2026-11-20", "--json"
    )
    assert out.returncode in (0, 1), out.stderr
    document: dict[str, Any] = json.loads(out.stdout)
    return out.returncode, document


def codes(decision: dict[str, Any]) -> set[str]:
    return {reason["code"] for reason in decision["reasons"]}


def test_a_customer_at_the_credit_limit_dunning_level_is_blocked_prepaid_allowed(
    tryton_server: TrytonServer,
) -> None:
    url = tryton_server.url("credit")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        party, code = create_party(rpc, "Garage Durand", credit_limit="10000")
        invoice, _ = create_invoice(rpc, party, "1200.00", date(2026, 9, 1))
        (line,) = rpc.call("model.account.invoice.read", [invoice], ["lines_to_pay"])[0][
            "lines_to_pay"
        ]
        (procedure,) = rpc.call(
            "model.account.dunning.procedure.search_read", [], 0, None, None, ["levels"]
        )
        # The invoice reached the procedure's last level, the one that blocks credit.
        rpc.call(
            "model.account.dunning.create",
            [
                {
                    "company": rpc.context["company"],
                    "line": line,
                    "procedure": procedure["id"],
                    "level": procedure["levels"][2],
                    "date": date(2026, 11, 15),
                    "state": "waiting",
                }
            ],
        )
        on_account = create_sale(rpc, party, "300.00")
        prepaid = create_sale(rpc, party, "300.00", prepaid=True)
        before = dunnings(rpc)

    status, blocked = check(url, on_account)
    assert (status, blocked["outcome"]) == (1, "block")
    assert blocked["customer_id"] == code
    assert "credit.dunning_level" in codes(blocked)
    assert (blocked["exposure_before"], blocked["exposure_after"]) == ("1200.00", "1500.00")

    status, allowed = check(url, prepaid)
    assert (status, allowed["outcome"]) == (0, "allow")
    assert "credit.payment_secured" in codes(allowed)
    assert allowed["exposure_after"] == "1200.00"

    # A second run decides the same and writes nothing.
    assert check(url, on_account) == (1, blocked)
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        assert dunnings(rpc) == before


def test_confirmed_sales_not_invoiced_count_in_exposure(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("credit")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        party, _ = create_party(rpc, "Café Leroy", credit_limit="1000")
        create_sale(rpc, party, "800.00", confirm=True)
        quotation = create_sale(rpc, party, "300.00")
    status, decision = check(url, quotation)
    assert decision["exposure_before"] == "800.00"
    assert decision["exposure_after"] == "1100.00"
    assert (decision["limit"], Decimal(decision["headroom"])) == ("1000.00", Decimal("-100.00"))
    assert "credit.limit_exceeded" in codes(decision)
    assert status == (1 if decision["outcome"] == "block" else 0)


def test_an_unknown_sale_is_an_error(tryton_server: TrytonServer) -> None:
    out = run_cli(
        "credit", "check", "--tryton", tryton_server.url("credit"), "--sale", "NO-SUCH-SALE"
    )
    assert out.returncode == 2
    assert "there is no sale numbered 'NO-SUCH-SALE'" in out.stderr
    assert "Traceback" not in out.stderr
