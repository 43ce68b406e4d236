"""BAI2 (BAI Cash Management Balance Reporting Specifications, version 2).

:class:`Bai2Parser` (``bank.bai2``) reads file, group and account envelopes,
detail records with their continuations and funds types, takes the opening
and closing ledger balances from status codes 010 and 015, and checks the
49/98/99 control totals and record counts. :func:`iter_lines` streams.
"""

from ecomrules.bank.bai2.parser import Bai2Parser, iter_lines
from ecomrules.bank.bai2.reader import direction

__all__ = ["Bai2Parser", "direction", "iter_lines"]
