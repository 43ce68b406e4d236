"""The workspace: what the CLI keeps between runs, in one SQLite file.

The engines stay pure; the workspace stores dunning history, accepted matches,
credit overrides and reservations. Each area declares a small storage protocol
next to its engine and the SQLite implementation lives here, so an ERP adapter
can put its own store in its place.
"""

from ecomrules.workspace.store import (
    DEFAULT_PATH,
    ENV_VAR,
    Workspace,
    open_existing,
    resolve_path,
)

__all__ = ["DEFAULT_PATH", "ENV_VAR", "Workspace", "open_existing", "resolve_path"]
