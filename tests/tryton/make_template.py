"""Create the template Tryton database of the live-server tests (run as a script).

Usage: ``python make_template.py CONFIG DATABASE``. The database must already
hold the activated modules (``trytond-admin``); this script adds what every
scenario needs, in process with proteus: the company (EUR), the minimal chart
of accounts, the fiscal year 2026 with its periods and invoice sequences, a
30-day payment term, the dunning procedure of three levels (+7, +21, +45 days,
the last one blocking credit), a statement journal on the bank account and a
service product. trytond and proteus are GPL test dependencies: only the
tests run this file, never the library.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal


def main(config_file: str, database: str) -> None:
    from proteus import Model
    from proteus import config as pconfig
    from trytond.modules.account.tests.tools import create_chart, get_accounts
    from trytond.modules.account_invoice.tests.tools import set_fiscalyear_invoice_sequences
    from trytond.modules.company.tests.tools import create_company, get_company

    config = pconfig.set_trytond(database, config_file=config_file)
    create_company(currency="EUR")
    company = get_company()
    company.party.name = "Boutique SAS"
    company.party.save()
    User = Model.get("res.user")
    config._context = User.get_preferences(True, {})
    create_chart(company)
    accounts = get_accounts(company)

    FiscalYear = Model.get("account.fiscalyear")
    Sequence = Model.get("ir.sequence.strict")
    SequenceType = Model.get("ir.sequence.type")
    (move_type,) = SequenceType.find([("name", "=", "Account Move")], limit=1)
    move_sequence = Sequence(name="2026", sequence_type=move_type, company=company)
    move_sequence.save()
    fiscalyear = FiscalYear(
        name="2026",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        company=company,
        move_sequence=move_sequence,
    )
    set_fiscalyear_invoice_sequences(fiscalyear)
    invoice_sequence = fiscalyear.invoice_sequences[0].out_invoice_sequence
    invoice_sequence.prefix = "FA2026-"
    invoice_sequence.padding = 4
    invoice_sequence.save()
    fiscalyear.click("create_period")

    PaymentTerm = Model.get("account.invoice.payment_term")
    term = PaymentTerm(name="30 days")
    line = term.lines.new(type="remainder")
    line.relativedeltas.new(days=30)
    term.save()

    Procedure = Model.get("account.dunning.procedure")
    procedure = Procedure(name="Relances B2B")
    for days, blocks in ((7, False), (21, False), (45, True)):
        level = procedure.levels.new()
        level.overdue = dt.timedelta(days)
        level.credit_limit = blocks
    procedure.save()
    Configuration = Model.get("account.configuration")
    configuration = Configuration(1)
    configuration.default_dunning_procedure = procedure
    configuration.save()

    Journal = Model.get("account.journal")
    (statement_move_journal,) = Journal.find([("code", "=", "STA")])
    StatementJournal = Model.get("account.statement.journal")
    StatementJournal(
        name="Banque",
        journal=statement_move_journal,
        account=accounts["cash"],
        validation="amount",
        currency=company.currency,
    ).save()

    Category = Model.get("product.category")
    category = Category(name="Services", accounting=True)
    category.account_revenue = accounts["revenue"]
    category.save()
    Uom = Model.get("product.uom")
    (unit,) = Uom.find([("name", "=", "Unit")])
    Template = Model.get("product.template")
    template = Template(
        name="Conseil",
        default_uom=unit,
        type="service",
        salable=True,
        list_price=Decimal("100"),
        account_category=category,
    )
    template.save()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
