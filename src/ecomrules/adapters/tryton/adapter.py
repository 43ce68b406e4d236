"""The Tryton adapter: Tryton's receivables, parties, sales and dunnings in, decisions out.

:class:`TrytonAdapter` implements every Protocol of
:mod:`ecomrules.adapters.protocols` over one logged-in JSON-RPC session
(:class:`~ecomrules.adapters.tryton.rpc.TrytonRpc`). It reads in batches (a
search, then reads of at most :data:`CHUNK` records a call: reading 10,000
open items takes a handful of calls, never one per line) and writes each
decision in as few calls as Tryton allows.

What is read, and how it maps:

- open items: unreconciled receivable lines of posted moves with a party
  whose origin is a customer invoice; the item id is the invoice number
  (``NUMBER/2``... when a payment term splits it), the residual the
  invoice's ``amount_to_pay`` (a split invoice's lines count whole). Other
  open receivable lines (the fees Tryton's dunning wizard books) are
  charges, not items.
- customers: the parties of those items, id = the party code, credit limit
  = ``credit_limit_amount`` (none = no limit), in the company's currency.
- orders: a sale by number; ``shipment_method`` "On Invoice Paid" means the
  goods leave once paid, so the sale is prepaid; confirmed or processing
  sales with no invoice (or only invoices not posted: invoice state
  "pending") are open orders.
- dunning history: ``account.dunning`` records not in draft; Tryton level
  *n* of the party's procedure (in the procedure's order) is rank *n* of the
  ecomrules policy. Preventive reminders (rank 0) have no Tryton level: they
  are notes (``ir.note``) on the invoice, read back as history.
- statements: every statement line's ``number`` is a line already imported;
  draft statements' lines linked to an invoice are pending proposals.
- sales for reporting (:meth:`TrytonAdapter.sales`): sales in state
  confirmed, processing or done, by ``sale_date``, with their product lines
  (``amount`` before tax), read :data:`CHUNK` sales at a time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from attrs import frozen

from ecomrules.adapters.protocols import ErpSale, ErpSaleLine
from ecomrules.credit import OpenOrder, OpenOrderStatus, Order, PaymentMethod
from ecomrules.dunning import (
    ChargeKind,
    DunningCharge,
    DunningEvent,
    DunningHistory,
    DunningPlan,
    DunningPolicy,
    ItemBlock,
)
from ecomrules.errors import ConfigError, ConfigProblem, ErpError
from ecomrules.ledger import Customer, OpenItem
from ecomrules.money import Currency, Money
from ecomrules.reconcile import MatchResult, MatchStatus
from ecomrules.reconcile.records import LineRecord
from ecomrules.reconcile.store import Commitment

from .rpc import TrytonRpc, TrytonUrl

__all__ = ["CHUNK", "MODULES", "TrytonAdapter"]

CHUNK = 2000
"""Records read per call."""

MODULES = {
    "account.invoice": "account_invoice",
    "account.dunning": "account_dunning",
    "sale.sale": "sale",
    "account.statement": "account_statement",
}
"""The Tryton model each feature reads, and the module that brings it."""

NEEDS = {
    "items": ("account.invoice",),
    "dunning": ("account.invoice", "account.dunning"),
    "credit": ("account.invoice", "account.dunning", "sale.sale"),
    "reconcile": ("account.invoice", "account.statement"),
    "sales": ("sale.sale",),
}
"""The models each command needs."""

_NOTE = re.compile(r"^ecomrules: (?P<level>\S+) reminder sent on (?P<day>\d{4}-\d{2}-\d{2})")


@frozen
class _Line:
    """Where an item came from in Tryton."""

    line: int
    invoice: int
    party: int
    account: int


def _ref(value: str | None, model: str) -> int | None:
    if not value or not value.startswith(model + ","):
        return None
    try:
        return int(value.split(",", 1)[1])
    except ValueError:
        return None


class TrytonAdapter:
    """Tryton as a source of open items, customers, orders and history, and a sink.

    Implements :class:`~ecomrules.adapters.protocols.CreditSource`,
    :class:`~ecomrules.adapters.protocols.DunningSink`,
    :class:`~ecomrules.adapters.protocols.StatementSink` and
    :class:`~ecomrules.adapters.protocols.SalesSource`. Read the open items
    first: customers, history and proposals are about the items last read.
    """

    def __init__(self, rpc: TrytonRpc) -> None:
        self.rpc = rpc
        self._lines: dict[str, _Line] = {}
        self._items: dict[str, OpenItem] = {}
        self._parties: dict[int, str] = {}
        self._charges: list[DunningCharge] = []
        self._checked: set[str] = set()
        self._has_limit: bool | None = None
        self._company: tuple[int, int, Currency] | None = None

    def _company_of_user(self) -> tuple[int, int, Currency]:
        if self._company is None:
            company = self.rpc.context.get("company")
            if not company:
                raise ErpError(
                    f"{self.rpc.url}: the user {self.rpc.url.user!r} has no current company"
                )
            (row,) = self.rpc.call("model.company.company.read", [company], ["currency"])
            code = self._codes([row["currency"]])[row["currency"]]
            self._company = (int(company), int(row["currency"]), Currency.of(code))
        return self._company

    @property
    def company(self) -> int:
        """The id of the user's current company."""
        return self._company_of_user()[0]

    @property
    def currency(self) -> Currency:
        """The company's currency: amounts of receivable lines and credit limits are in it."""
        return self._company_of_user()[2]

    @classmethod
    def connect(cls, url: str | TrytonUrl) -> TrytonAdapter:
        """Log in to ``url`` (``http://USER:PASSWORD@HOST:PORT/DATABASE/``)."""
        return cls(TrytonRpc(url if isinstance(url, TrytonUrl) else TrytonUrl.parse(url)))

    def __enter__(self) -> TrytonAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the session."""
        self.rpc.close()

    def require(self, feature: str) -> None:
        """Raise ErpError naming the Tryton module to activate when ``feature`` lacks one."""
        models = [m for m in NEEDS[feature] if m not in self._checked]
        if not models:
            return
        found = {
            row["name"]
            for row in self.rpc.call(
                "model.ir.model.search_read", [["name", "in", models]], 0, None, None, ["name"]
            )
        }
        missing = [MODULES[m] for m in models if m not in found]
        if missing:
            raise ErpError(
                f"{self.rpc.url}: the Tryton module(s) {', '.join(missing)} must be activated "
                f"in the database {self.rpc.url.database} (ecomrules reads {', '.join(models)})"
            )
        if feature == "credit" and not self._credit_fields():
            raise ErpError(
                f"{self.rpc.url}: credit needs the Tryton module account_credit_limit "
                f"(or sale_credit_limit): activate it in {self.rpc.url.database}"
            )
        self._checked.update(models)

    # -- reading ------------------------------------------------------------------------

    def _read(self, model: str, ids: Sequence[int], fields: list[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ids), CHUNK):
            rows.extend(
                self.rpc.call(f"model.{model}.read", list(ids[start : start + CHUNK]), fields)
            )
        return rows

    def _search(self, model: str, domain: list[Any]) -> list[int]:
        ids: list[int] = self.rpc.call(f"model.{model}.search", domain, 0, None, [["id", "ASC"]])
        return ids

    def _codes(self, currency_ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(currency_ids))
        rows = self.rpc.call("model.currency.currency.read", wanted, ["code"])
        return {row["id"]: row["code"] for row in rows}

    def open_items(self) -> list[OpenItem]:
        """Open receivables of posted customer invoices (see the module's docstring)."""
        self.require("items")
        ids = self._search(
            "account.move.line",
            [
                ["account.type.receivable", "=", True],
                ["reconciliation", "=", None],
                ["move_state", "=", "posted"],
                ["party", "!=", None],
            ],
        )
        lines = self._read(
            "account.move.line",
            ids,
            ["debit", "credit", "maturity_date", "date", "party", "move_origin", "account"],
        )
        by_invoice: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self._charges = []
        for line in lines:
            origin = _ref(line["move_origin"], "account.invoice")
            if origin is not None:
                by_invoice[origin].append(line)
            elif line["debit"] > 0:
                self._charges.append(self._charge(line))
        invoices = self._read(
            "account.invoice",
            sorted(by_invoice),
            [
                "number",
                "reference",
                "customer_payment_reference",
                "invoice_date",
                "total_amount",
                "amount_to_pay",
                "currency",
                "type",
            ],
        )
        codes = self._codes(row["currency"] for row in invoices) if invoices else {}
        party_ids = {line["party"] for line in lines}
        names = self._party_names(party_ids)
        items: list[OpenItem] = []
        self._lines, self._items = {}, {}
        for invoice in invoices:
            if invoice["type"] != "out":
                continue
            currency = Currency.of(codes[invoice["currency"]])
            own = sorted(
                by_invoice[invoice["id"]], key=lambda r: (r["maturity_date"] or date.min, r["id"])
            )
            for index, line in enumerate(own, start=1):
                item = self._item(invoice, line, currency, names, index, len(own))
                items.append(item)
                self._items[item.id] = item
                self._lines[item.id] = _Line(
                    line["id"], invoice["id"], line["party"], line["account"]
                )
        return items

    def _item(
        self,
        invoice: dict[str, Any],
        line: dict[str, Any],
        currency: Currency,
        names: dict[int, str],
        index: int,
        count: int,
    ) -> OpenItem:
        number = invoice["number"] or f"invoice-{invoice['id']}"
        signed = line["debit"] - line["credit"]
        if count == 1 and currency == self.currency:
            amount, residual = invoice["total_amount"], invoice["amount_to_pay"]
            if signed < 0:  # a credit note: Tryton gives its total negative, its due positive
                residual = -abs(residual)
        else:
            amount = residual = signed
        issued = invoice["invoice_date"] or line["date"]
        due = line["maturity_date"] or issued
        reference = invoice["customer_payment_reference"] or invoice["reference"] or None
        return OpenItem(
            id=number if count == 1 else f"{number}/{index}",
            number=number,
            partner_id=self._parties[line["party"]],
            partner_name=names[line["party"]],
            amount=Money(Decimal(amount), currency),
            residual=Money(Decimal(residual), currency),
            issue_date=issued,
            due_date=max(due, issued),
            reference=reference,
        )

    def _charge(self, line: dict[str, Any]) -> DunningCharge:
        return DunningCharge(
            key=f"tryton:account.move.line:{line['id']}",
            customer_id=str(line["party"]),  # replaced by the party code in _party_names
            item_id=None,
            kind=ChargeKind.FEE,
            level="tryton",
            amount=Money(Decimal(line["debit"]), self.currency),
            charged_on=line["date"],
        )

    def _party_names(self, ids: Iterable[int]) -> dict[int, str]:
        rows = self._read("party.party", sorted(set(ids)), ["code", "name"])
        for row in rows:
            self._parties[row["id"]] = row["code"] or str(row["id"])
        self._charges = [
            DunningCharge(
                key=c.key,
                customer_id=self._parties.get(int(c.customer_id), c.customer_id),
                item_id=None,
                kind=c.kind,
                level=c.level,
                amount=c.amount,
                charged_on=c.charged_on,
            )
            for c in self._charges
        ]
        return {row["id"]: row["name"] for row in rows}

    def customers(self) -> list[Customer]:
        """The parties read so far (items' and the order's) as customers, by code."""
        wanted = sorted(self._parties)
        fields = ["code", "name", "email", "lang"]
        if self._credit_fields():
            fields.append("credit_limit_amount")
        rows = self._read("party.party", wanted, fields)
        langs = self._langs(row["lang"] for row in rows if row["lang"])
        out = []
        for row in rows:
            limit = row.get("credit_limit_amount")
            out.append(
                Customer(
                    id=self._parties[row["id"]],
                    name=row["name"],
                    currency=self.currency,
                    credit_limit=None
                    if limit is None
                    else Money(Decimal(limit).quantize(self.currency.quantum), self.currency),
                    email=row["email"] or None,
                    language=langs.get(row["lang"], "en"),
                )
            )
        return sorted(out, key=lambda c: c.id)

    def _credit_fields(self) -> bool:
        if self._has_limit is None:
            fields = self.rpc.call("model.party.party.fields_get", ["credit_limit_amount"])
            self._has_limit = "credit_limit_amount" in fields
        return self._has_limit

    def _langs(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self.rpc.call("model.ir.lang.read", wanted, ["code"])
        return {row["id"]: row["code"].split("_")[0] for row in rows}

    def order(self, number: str) -> Order:
        """The sale called ``number`` (any state; a quotation when checked before confirming)."""
        self.require("credit")
        rows = self.rpc.call(
            "model.sale.sale.search_read",
            [["number", "=", number]],
            0,
            None,
            None,
            ["number", "party", "total_amount", "currency", "shipment_method"],
        )
        if not rows:
            raise ErpError(f"{self.rpc.url}: there is no sale numbered {number!r}")
        (row,) = rows
        self._party_names([row["party"]])
        currency = Currency.of(self._codes([row["currency"]])[row["currency"]])
        secured = row["shipment_method"] == "invoice"
        return Order(
            id=row["number"],
            customer_id=self._parties[row["party"]],
            amount=Money(Decimal(row["total_amount"]), currency),
            payment_method=PaymentMethod.PREPAID if secured else PaymentMethod.INVOICE,
        )

    def open_orders(self) -> list[OpenOrder]:
        """Confirmed or processing sales with nothing invoiced yet."""
        self.require("credit")
        rows = self.rpc.call(
            "model.sale.sale.search_read",
            [
                ["state", "in", ["confirmed", "processing"]],
                ["invoice_state", "in", ["none", "pending"]],
            ],
            0,
            None,
            [["id", "ASC"]],
            ["number", "party", "total_amount", "currency", "shipment_method", "invoice_state"],
        )
        if not rows:
            return []
        self._party_names(row["party"] for row in rows if row["party"] not in self._parties)
        codes = self._codes(row["currency"] for row in rows)
        return [
            OpenOrder(
                id=row["number"] or f"sale-{row['id']}",
                customer_id=self._parties[row["party"]],
                amount=Money(Decimal(row["total_amount"]), Currency.of(codes[row["currency"]])),
                status=OpenOrderStatus.CONFIRMED
                if row["invoice_state"] == "none"
                else OpenOrderStatus.DRAFT_INVOICE,
                payment_method=PaymentMethod.PREPAID
                if row["shipment_method"] == "invoice"
                else PaymentMethod.INVOICE,
            )
            for row in rows
        ]

    def sales(self, since: date | None = None, until: date | None = None) -> Iterator[ErpSale]:
        """Confirmed, processing and done sales ordered from ``since`` to ``until`` (inclusive).

        One search, then per :data:`CHUNK` sales: a read of the sales, of
        their lines, and of the parties, products and currencies not seen
        yet. Sales come in id order; lines of type comment, title or
        subtotal are left out.
        """
        self.require("sales")
        domain: list[Any] = [["state", "in", ["confirmed", "processing", "done"]]]
        if since is not None:
            domain.append(["sale_date", ">=", since])
        if until is not None:
            domain.append(["sale_date", "<=", until])
        ids = self._search("sale.sale", domain)
        codes: dict[int, str] = {}
        products: dict[int, tuple[str | None, str]] = {}
        names: dict[int, str] = {}
        fields = ["number", "sale_date", "party", "currency", "state", "invoice_state", "lines"]
        for start in range(0, len(ids), CHUNK):
            rows = self.rpc.call("model.sale.sale.read", ids[start : start + CHUNK], fields)
            lines = self._read(
                "sale.line",
                [line for row in rows for line in row["lines"]],
                ["type", "product", "description", "quantity", "amount"],
            )
            new = {line["product"] for line in lines if line["product"]} - products.keys()
            for product in self._read("product.product", sorted(new), ["code", "name"]):
                products[product["id"]] = (product["code"] or None, product["name"] or "")
            parties = {row["party"] for row in rows} - names.keys()
            if parties:
                names.update(self._party_names(parties))
            currencies = {row["currency"] for row in rows} - codes.keys()
            if currencies:
                codes.update(self._codes(currencies))
            by_id = {line["id"]: line for line in lines}
            for row in rows:
                currency = Currency.of(codes[row["currency"]])
                own = [by_id[i] for i in row["lines"] if by_id[i]["type"] == "line"]
                yield ErpSale(
                    order_id=row["number"] or f"sale-{row['id']}",
                    ordered_on=row["sale_date"],
                    customer_id=self._parties[row["party"]],
                    customer_name=names[row["party"]],
                    currency=currency.code,
                    state=row["state"],
                    invoiced=row["invoice_state"] in ("awaiting payment", "partially paid", "paid"),
                    lines=tuple(self._sale_line(line, currency, products) for line in own),
                )

    @staticmethod
    def _sale_line(
        line: dict[str, Any], currency: Currency, products: dict[int, tuple[str | None, str]]
    ) -> ErpSaleLine:
        code, name = products.get(line["product"], (None, ""))
        return ErpSaleLine(
            product_code=code,
            product_name=name or line["description"] or "",
            quantity=Decimal(line["quantity"] or 0),
            amount=Money(Decimal(line["amount"] or 0), currency),
        )

    # -- dunning --------------------------------------------------------------------------

    def _levels(self) -> dict[int, tuple[int, int, bool]]:
        """Each Tryton level id: (procedure, rank 1..n in the procedure's order, credit_limit)."""
        procedures = self.rpc.call(
            "model.account.dunning.procedure.search_read", [], 0, None, None, ["levels"]
        )
        level_ids = [level for p in procedures for level in p["levels"]]
        flags = {
            row["id"]: bool(row["credit_limit"])
            for row in self._read("account.dunning.level", level_ids, ["credit_limit"])
        }
        return {
            level: (p["id"], rank, flags.get(level, False))
            for p in procedures
            for rank, level in enumerate(p["levels"], start=1)
        }

    def _dunnings(self) -> list[dict[str, Any]]:
        line_ids = sorted(entry.line for entry in self._lines.values())
        if not line_ids:
            return []
        return list(
            self.rpc.call(
                "model.account.dunning.search_read",
                [["line", "in", line_ids]],
                0,
                None,
                [["id", "ASC"]],
                ["line", "level", "date", "state", "blocked", "procedure"],
            )
        )

    def dunning_history(self, policy: DunningPolicy | None = None) -> DunningHistory:
        """Tryton's dunnings (and the preventive notes) of the items last read."""
        self.require("dunning")
        by_line = {entry.line: item_id for item_id, entry in self._lines.items()}
        levels = self._levels()
        events: list[DunningEvent] = []
        blocks: list[ItemBlock] = []
        for row in self._dunnings():
            item_id = by_line[row["line"]]
            customer = self._items[item_id].partner_id
            if row["blocked"]:
                blocks.append(ItemBlock(item_id, None, "blocked in Tryton"))
            if row["state"] == "draft" or row["date"] is None:
                continue
            _, rank, blocks_credit = levels[row["level"]]
            key = self._level_key(policy, rank)
            events.append(
                DunningEvent(
                    item_id=item_id,
                    customer_id=customer,
                    level=key,
                    rank=rank,
                    sent_on=row["date"],
                    key=f"dunning:{item_id}:{key}",
                    block_credit=blocks_credit,
                    handover=None,
                )
            )
        events.extend(self._preventive_notes())
        return DunningHistory(events=events, charges=self._charges, blocks=blocks)

    def _level_key(self, policy: DunningPolicy | None, rank: int) -> str:
        if policy is None:
            return f"tryton_level_{rank}"
        if rank > len(policy.levels):
            raise ConfigError(
                f"policy {policy.name}",
                [
                    ConfigProblem(
                        "levels",
                        f"Tryton's dunning procedure has a level {rank}, the policy only "
                        f"{len(policy.levels)}: give the procedure as many levels as the policy",
                    )
                ],
            )
        return policy.levels[rank - 1].key

    def _invoice_resources(self) -> dict[str, str]:
        return {f"account.invoice,{entry.invoice}": item for item, entry in self._lines.items()}

    def _preventive_notes(self) -> list[DunningEvent]:
        resources = self._invoice_resources()
        if not resources:
            return []
        rows = self.rpc.call(
            "model.ir.note.search_read",
            [["resource", "in", sorted(resources)], ["message", "like", "ecomrules: %"]],
            0,
            None,
            [["id", "ASC"]],
            ["resource", "message"],
        )
        events = []
        for row in rows:
            found = _NOTE.match(row["message"] or "")
            item_id = resources.get(row["resource"])
            if found is None or item_id is None:
                continue
            level = found["level"]
            events.append(
                DunningEvent(
                    item_id=item_id,
                    customer_id=self._items[item_id].partner_id,
                    level=level,
                    rank=0,
                    sent_on=date.fromisoformat(found["day"]),
                    key=f"dunning:{item_id}:{level}",
                )
            )
        return events

    def record_dunning(self, plan: DunningPlan, sent_on: date) -> int:
        """Record the plan's notices in Tryton as sent on ``sent_on``.

        Ladder levels become ``account.dunning`` records in state waiting at the
        procedure level of the same rank (created, or moved up when the line
        already has one): one create call and one write call. Preventive
        reminders become one note on each invoice: one more call. A rerun
        after a failure between the calls records only what is missing (the
        plan reads what was recorded), never twice.
        """
        self.require("dunning")
        procedures = self._procedures()
        by_rank: dict[int, dict[int, int]] = defaultdict(dict)
        for level_id, (procedure_id, rank, _) in self._levels().items():
            by_rank[procedure_id][rank] = level_id
        existing = {row["line"]: row for row in self._dunnings()}
        creates: list[dict[str, Any]] = []
        writes: list[Any] = []
        notes: list[dict[str, Any]] = []
        for event in plan.events(sent_on):
            entry = self._lines[event.item_id]
            if event.rank == 0:
                notes.append(
                    {
                        "resource": f"account.invoice,{entry.invoice}",
                        "message": f"ecomrules: {event.level} reminder sent on "
                        f"{sent_on.isoformat()} ({event.key})",
                    }
                )
                continue
            procedure = procedures.get(entry.party)
            if procedure is None:
                raise ErpError(
                    f"{self.rpc.url}: the party of {event.item_id} has no dunning procedure "
                    "and the accounting configuration sets no default one"
                )
            level = by_rank[procedure].get(event.rank)
            if level is None:
                raise ErpError(
                    f"{self.rpc.url}: the dunning procedure {procedure} has "
                    f"{len(by_rank[procedure])} level(s); {event.level} is level {event.rank} "
                    "of the policy: add the missing levels to the procedure"
                )
            values = {"level": level, "date": sent_on, "state": "waiting"}
            current = existing.get(entry.line)
            if current is None:
                creates.append(
                    {"line": entry.line, "procedure": procedure, "company": self.company, **values}
                )
            elif current["level"] != level or current["state"] == "draft":
                writes.extend([[current["id"]], {**values, "procedure": procedure}])
        if creates:
            self.rpc.call("model.account.dunning.create", creates)
        if writes:
            self.rpc.call("model.account.dunning.write", *writes)
        if notes:
            self.rpc.call("model.ir.note.create", notes)
        return len(creates) + len(writes) // 2 + len(notes)

    def _procedures(self) -> dict[int, int]:
        parties = sorted({entry.party for entry in self._lines.values()})
        rows = self._read("party.party", parties, ["dunning_procedure"])
        default = None
        if any(row["dunning_procedure"] is None for row in rows):
            (config,) = self.rpc.call(
                "model.account.configuration.read", [1], ["default_dunning_procedure"]
            )
            default = config["default_dunning_procedure"]
        out: dict[int, int] = {}
        for row in rows:
            procedure = row["dunning_procedure"] or default
            if procedure is not None:
                out[row["id"]] = int(procedure)
        return out

    # -- statements -----------------------------------------------------------------------

    def _statement_lines(self) -> list[dict[str, Any]]:
        return list(
            self.rpc.call(
                "model.account.statement.line.search_read",
                [["number", "!=", None]],
                0,
                None,
                [["id", "ASC"]],
                ["number", "related_to", "amount", "statement_state"],
            )
        )

    def committed_lines(self) -> frozenset[str]:
        """Numbers of every statement line in Tryton, whatever its statement's state."""
        self.require("reconcile")
        return frozenset(row["number"] for row in self._statement_lines())

    def commitments(self) -> list[Commitment]:
        """Lines of draft statements linked to an open item: they will settle it."""
        self.require("reconcile")
        by_invoice: dict[int, list[str]] = defaultdict(list)
        for item_id, entry in self._lines.items():
            by_invoice[entry.invoice].append(item_id)
        out = []
        for row in self._statement_lines():
            linked = _ref(row["related_to"], "account.invoice")
            if row["statement_state"] != "draft" or linked not in by_invoice:
                continue
            item = self._items[by_invoice[linked][0]]
            amount = Money(Decimal(row["amount"]), item.currency)
            out.append(Commitment(row["number"], item.id, amount, item.residual))
        return out

    def propose(
        self, name: str, result: MatchResult, lines: Sequence[LineRecord]
    ) -> tuple[str, int]:
        """Create one draft statement with a line per ``auto`` allocation, linked to its invoice.

        One create call: Tryton writes the statement and its lines together or
        not at all. Each line's ``number`` is the statement line's id, so a
        later run leaves it out.
        """
        self.require("reconcile")
        by_id = {line.id: line for line in lines}
        rows: list[dict[str, Any]] = []
        total = Decimal(0)
        last = date.min
        for match in result.matches:
            if match.status is not MatchStatus.AUTO:
                continue
            line = by_id[match.line_id]
            day = date.fromordinal(line.day)
            last = max(last, day)
            for allocation in match.allocations:
                entry = self._lines[allocation.item_id]
                amount = allocation.amount.amount
                total += amount
                rows.append(
                    {
                        "number": line.id,
                        "date": day,
                        "amount": amount,
                        "party": entry.party,
                        "account": entry.account,
                        "related_to": f"account.invoice,{entry.invoice}",
                        "description": (line.label or line.name or line.id)[:200],
                    }
                )
        if not rows:
            return "", 0
        journal = self._statement_journal()
        values: dict[str, Any] = {
            "name": name,
            "journal": journal["id"],
            "company": self.company,
            "date": last,
            "lines": [["create", rows]],
        }
        if journal["validation"] == "amount":
            values["total_amount"] = total
        elif journal["validation"] == "number_of_lines":
            values["number_of_lines"] = len(rows)
        else:
            start = self._last_balance(journal["id"])
            values.update(start_balance=start, end_balance=start + total)
        (statement,) = self.rpc.call("model.account.statement.create", [values])
        return f"account.statement,{statement}", len(rows)

    def _statement_journal(self) -> dict[str, Any]:
        rows = self.rpc.call(
            "model.account.statement.journal.search_read",
            [["currency", "=", self._currency_id()]],
            0,
            None,
            [["id", "ASC"]],
            ["name", "validation"],
        )
        if len(rows) != 1:
            names = ", ".join(row["name"] for row in rows) or "none"
            raise ErpError(
                f"{self.rpc.url}: a draft statement needs exactly one statement journal in "
                f"{self.currency.code}; Tryton has {names}"
            )
        journal: dict[str, Any] = rows[0]
        return journal

    def _currency_id(self) -> int:
        return self._company_of_user()[1]

    def _last_balance(self, journal: int) -> Decimal:
        rows = self.rpc.call(
            "model.account.statement.search_read",
            [["journal", "=", journal]],
            0,
            1,
            [["date", "DESC"], ["id", "DESC"]],
            ["end_balance"],
        )
        return Decimal(rows[0]["end_balance"] or 0) if rows else Decimal(0)
