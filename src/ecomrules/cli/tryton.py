"""The ``--tryton URL`` option shared by ``dunning``, ``credit`` and ``reconcile``.

With it a command reads its inputs from a Tryton database (and writes its
decisions there) through :mod:`ecomrules.adapters.tryton` instead of files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ecomrules.cli.failure import clickx

if TYPE_CHECKING:
    from ecomrules.adapters.tryton import TrytonAdapter

__all__ = ["PASSWORD_ENV", "TrytonOption", "connect", "needed"]

PASSWORD_ENV = "ECOMRULES_TRYTON_PASSWORD"
"""The adapter's password variable (:data:`ecomrules.adapters.tryton.rpc.PASSWORD_ENV`),
named here so that a command without ``--tryton`` does not load the adapter (a test holds
the two equal)."""

T = TypeVar("T")

TrytonOption = Annotated[
    str | None,
    typer.Option(
        "--tryton",
        help="Read from (and record in) a Tryton database: "
        f"http://USER:PASSWORD@HOST:PORT/DATABASE/ (password also from ${PASSWORD_ENV}).",
    ),
]


def connect(url: str, feature: str) -> TrytonAdapter:
    """Log in to the Tryton database at ``url`` and check the modules ``feature`` needs.

    Errors are :class:`~ecomrules.errors.ErpError` (exit 2), naming every
    missing module at once.
    """
    from ecomrules.adapters.tryton import TrytonAdapter

    adapter = TrytonAdapter.connect(url)
    try:
        adapter.require(feature)
    except BaseException:
        adapter.close()
        raise
    return adapter


def needed(value: T | None, option: str, *, unless: str = "--tryton") -> T:
    """Return ``value``, or fail as a usage error when the option is missing."""
    if value is None:
        raise clickx.MissingParameter(
            f"Give it or {unless}.", param_hint=option, param_type="option"
        )
    return value
