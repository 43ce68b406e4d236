"""ecomrules: the back-office rules of an online shop, exact to the cent.

The top level holds the foundation: :class:`Money`, :class:`Currency`,
:func:`sum_money` and the error base. The engines live in their subpackages
(``ecomrules.reconcile``, ``ecomrules.dunning``, ``ecomrules.credit``,
``ecomrules.preorder``) and the parsers in ``ecomrules.bank`` and
``ecomrules.psp``. Importing this package stays cheap: it loads neither
pydantic, rapidfuzz nor the command-line stack.
"""

from importlib.metadata import PackageNotFoundError, version

from ecomrules.errors import EcomrulesError
from ecomrules.money import Currency, Money, sum_money
from ecomrules.outcome import Issue, Reason, Severity, SourceLocation

try:
    __version__ = version("ecomrules")
except PackageNotFoundError:  # running from a source tree that was never installed
    from ecomrules._version import __version__

__all__ = [
    "Currency",
    "EcomrulesError",
    "Issue",
    "Money",
    "Reason",
    "Severity",
    "SourceLocation",
    "__version__",
    "sum_money",
]
