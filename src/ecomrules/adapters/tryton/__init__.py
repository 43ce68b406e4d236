"""ecomrules on a Tryton back office, over Tryton's JSON-RPC (no trytond import).

Connect with :meth:`TrytonAdapter.connect` and a URL
``http://USER:PASSWORD@HOST:PORT/DATABASE/`` (or the password in
``$ECOMRULES_TRYTON_PASSWORD``), then run the operations of
:mod:`ecomrules.adapters` on it: :func:`~ecomrules.adapters.plan_dunning`,
:func:`~ecomrules.adapters.commit_dunning`,
:func:`~ecomrules.adapters.check_credit` and
:func:`~ecomrules.adapters.reconcile_lines`. The adapter needs only the
standard library (the ``tryton`` extra adds nothing); trytond is GPL and
never imported, the tests start a real server.
"""

from ecomrules.adapters.tryton.adapter import MODULES, TrytonAdapter
from ecomrules.adapters.tryton.rpc import PASSWORD_ENV, TrytonRpc, TrytonUrl

__all__ = ["MODULES", "PASSWORD_ENV", "TrytonAdapter", "TrytonRpc", "TrytonUrl"]
