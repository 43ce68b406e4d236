"""CFONB 120, the French account statement in 120-character records.

:class:`Cfonb120Parser` (``bank.cfonb120``) reads records 01 (old balance),
04 (movement), 05 (complement) and 07 (new balance), checks old balance +
movements = new balance for each statement, and refuses CFONB 160/240 files.
:func:`iter_lines` streams the lines of a file of any size;
:func:`write_cfonb120` writes statements back.
"""

from ecomrules.bank.cfonb120.parser import Cfonb120Parser, iter_lines
from ecomrules.bank.cfonb120.writer import write_cfonb120

__all__ = ["Cfonb120Parser", "iter_lines", "write_cfonb120"]
