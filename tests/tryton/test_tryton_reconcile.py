"""A CAMT.053 statement reconciled against Tryton's invoices and committed as a draft statement."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from trytond_records import create_invoice, create_party, run_cli
from trytond_server import TrytonServer

from ecomrules.adapters.tryton import TrytonAdapter, TrytonRpc, TrytonUrl


def camt053(entries: list[tuple[str, str, str, str]], day: str) -> str:
    """A camt.053.001.08 statement of incoming transfers: (ref, amount, debtor, remittance)."""
    total = sum(Decimal(amount) for _, amount, _, _ in entries)
    rows = "".join(
        f"""
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <Amt Ccy="EUR">{amount}</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>{debtor}</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""
        for ref, amount, debtor, remittance in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-{day}</MsgId><CreDtTm>{day}T18:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-{day}</Id>
      <CreDtTm>{day}T18:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>FR7630004000031234567890143</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt>
      </Bal>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">{total}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt>
      </Bal>{rows}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def reconcile(url: str, statement: Path, *more: str) -> dict[str, Any]:
    out = run_cli("reconcile", "--tryton", url, "--statement", str(statement), "--json", *more)
    assert out.returncode == 0, out.stderr
    document: dict[str, Any] = json.loads(out.stdout)
    return document


def statements(rpc: TrytonRpc) -> list[dict[str, Any]]:
    rows = rpc.call(
        "model.account.statement.search_read",
        [],
        0,
        None,
        [["id", "ASC"]],
        ["name", "state", "total_amount", "lines", "date"],
    )
    return list(rows)


def test_camt_statement_is_committed_as_a_draft_tryton_statement(
    tryton_server: TrytonServer, tmp_path: Path
) -> None:
    url = tryton_server.url("reconcile")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        martin, _ = create_party(rpc, "Librairie Martin")
        durand, _ = create_party(rpc, "Garage Durand")
        first, first_number = create_invoice(rpc, martin, "1250.00", date(2026, 10, 20))
        second, second_number = create_invoice(rpc, durand, "480.00", date(2026, 10, 25))
        create_invoice(rpc, durand, "99.00", date(2026, 10, 26))  # stays open
        (row,) = rpc.call(
            "model.account.invoice.read", [first], ["customer_payment_reference", "account"]
        )
        reference = row["customer_payment_reference"].replace(" ", "")
    camt = tmp_path / "camt053.xml"
    camt.write_text(
        camt053(
            [
                ("BANK-0001", "1250.00", "Librairie Martin SARL", reference),
                ("BANK-0002", "480.00", "Garage Durand", f"Facture {second_number}"),
                ("BANK-0003", "75.00", "Inconnu", "Don"),
            ],
            "2026-11-19",
        ),
        encoding="utf-8",
    )

    proposed = reconcile(url, camt)
    auto = {
        m["line_id"]: [a["item_id"] for a in m["allocations"]]
        for m in proposed["matches"]
        if m["status"] == "auto"
    }
    assert sorted(auto.values()) == sorted([[first_number], [second_number]])
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        assert statements(rpc) == []  # without --commit nothing is written

    committed = reconcile(url, camt, "--commit")
    assert committed["tryton_statement"].startswith("account.statement,")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        (statement,) = statements(rpc)
        assert (statement["state"], statement["total_amount"]) == ("draft", Decimal("1730.00"))
        assert statement["date"] == date(2026, 11, 19)
        lines = rpc.call(
            "model.account.statement.line.read",
            statement["lines"],
            ["number", "amount", "related_to", "party", "account"],
        )
        links = {(line["related_to"], line["amount"], line["party"]) for line in lines}
        assert links == {
            (f"account.invoice,{first}", Decimal("1250.00"), martin),
            (f"account.invoice,{second}", Decimal("480.00"), durand),
        }
        assert {line["account"] for line in lines} == {row["account"]}
        assert {line["number"] for line in lines} == set(auto)

    # The lines Tryton holds are not proposed again; nothing more is written.
    again = reconcile(url, camt, "--commit")
    assert sorted(again["previously_committed_lines"]) == sorted(auto)
    assert again["tryton_statement"] is None
    assert [m["status"] for m in again["matches"]] in ([], ["unmatched"]) or all(
        m["line_id"] not in auto for m in again["matches"]
    )
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        assert len(statements(rpc)) == 1


def test_open_items_are_read_in_a_fixed_number_of_calls(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("reconcile")
    counts = []
    for invoices in (1, 6):
        with TrytonRpc(TrytonUrl.parse(url)) as rpc:
            party, _ = create_party(rpc, f"Client {invoices}")
            for n in range(invoices):
                create_invoice(rpc, party, f"{100 + n}.00", date(2026, 11, 2))
        with TrytonAdapter.connect(url) as erp:
            before = erp.rpc.calls
            items = erp.open_items()
            erp.customers()
            counts.append((erp.rpc.calls - before, len(items)))
    # Login aside: module check, company, search, lines, invoices, currencies, parties; then
    # the customers' credit field, parties and languages: the same calls for 1 or 6 invoices.
    assert counts[0][0] == counts[1][0] == 10
    assert counts[1][1] == counts[0][1] + 6
