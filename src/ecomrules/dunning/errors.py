"""The dunning errors: a run refused as a whole."""

from __future__ import annotations

from ecomrules.errors import EcomrulesError
from ecomrules.outcome import Reason

__all__ = ["BankDataStaleError"]


class BankDataStaleError(EcomrulesError):
    """The newest bank data is too old to trust: the run is refused (``dunning.bank_data_stale``).

    Reminding customers on stale bank data would remind those who already paid.
    ``reason`` carries the code, the message and the dates.
    """

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"{reason.message} [{reason.code}]")
        self.reason = reason
        self.code = reason.code
