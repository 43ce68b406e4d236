"""SWIFT MT940 (customer statement) and MT942 (interim transaction report).

:class:`Mt940Parser` (``bank.mt940``) and :class:`Mt942Parser`
(``bank.mt942``) read the tagged fields, the ``:61:`` lines with their
``:86:`` details (German GVC, Dutch SEPA tags, free text: see
:mod:`ecomrules.bank.mt940.details`), and check opening + lines = closing
(MT940) or the ``:90D:``/``:90C:`` sums (MT942). :func:`iter_lines` streams a
file of any size; :func:`write_mt940` writes statements back.
"""

from ecomrules.bank.mt940.parser import Mt940Parser, Mt942Parser, iter_lines
from ecomrules.bank.mt940.writer import write_mt940

__all__ = ["Mt940Parser", "Mt942Parser", "iter_lines", "write_mt940"]
