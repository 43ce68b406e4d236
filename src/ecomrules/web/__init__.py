"""``ecomrules serve``: a local web application over the workspace (extra ``ecomrules[web]``).

The review queue of reconciliation (the lines ``reconcile --commit`` would
not decide alone, each with its candidates side by side, to accept, pick
another or leave unmatched, undoably), today's dunning plan with its
letters, to commit from the page, the pre-order board with its alerts first
and the credit list of customers. Starlette and Jinja2, server-rendered;
the little JavaScript (keyboard shortcuts) ships in the package.

Local by default: bound to 127.0.0.1, every request needs the random token
printed at start, every form a CSRF field (:mod:`ecomrules.web.security`).
The pages only show and post: deciding, matching, dunning, pre-orders and
credit are the workspace's and the engines' (:mod:`ecomrules.workspace.review`,
:mod:`ecomrules.reconcile`, :mod:`ecomrules.dunning`, :mod:`ecomrules.preorder`,
:mod:`ecomrules.credit`).
"""

from ecomrules.web.app import PAGE_SIZE, ServeSettings, create_app

__all__ = ["PAGE_SIZE", "ServeSettings", "create_app"]
