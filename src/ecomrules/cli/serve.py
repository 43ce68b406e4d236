"""``ecomrules serve``: the local web application over the workspace (``ecomrules[web]``)."""

from __future__ import annotations

import asyncio
import getpass
import socket
from pathlib import Path
from typing import Annotated

import typer

from ecomrules.cli.output import JsonOption, console, date_option, err_console, print_json
from ecomrules.cli.workspace import WorkspaceOption
from ecomrules.errors import ConfigError, ConfigProblem
from ecomrules.workspace import Workspace, resolve_path

__all__ = ["DATA_FILES", "serve", "serve_url"]

DATA_FILES = {
    "open_items": "open-items.csv",
    "customers": "customers.csv",
    "sender": "sender.toml",
    "products": "products.csv",
    "preorders": "preorders.csv",
    "supply": "supply.csv",
    "carriers": "carriers.csv",
    "orders": "orders.csv",
    "credit_policy": "credit-policy.toml",
}
"""What ``--data DIR`` takes from the folder, by setting: the names ``demo --export`` writes."""


def serve_url(host: str, port: int, token: str) -> str:
    """The URL to open, token included."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(
    workspace: WorkspaceOption = None,
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on (0: any free one).")
    ] = 8765,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to bind; anything but 127.0.0.1 exposes the workspace."
        ),
    ] = "127.0.0.1",
    user: Annotated[
        str | None,
        typer.Option("--user", help="Name decisions are recorded under (default: login name)."),
    ] = None,
    open_items: Annotated[
        Path | None, typer.Option("--open-items", help="open-items.csv, for the dunning page.")
    ] = None,
    customers: Annotated[
        Path | None, typer.Option("--customers", help="customers.csv, for the dunning page.")
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="Dunning policy: fr-b2b, fr-b2c, default, or a file."),
    ] = None,
    statement: Annotated[
        list[Path] | None,
        typer.Option("--statement", help="Bank or PSP file: payments in transit for dunning."),
    ] = None,
    sender: Annotated[
        Path | None, typer.Option("--sender", help="Sender profile of the dunning letters.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Dunning run date (YYYY-MM-DD); default today.")
    ] = None,
    reconcile_config: Annotated[
        Path | None,
        typer.Option(
            "--reconcile-config", help="Matcher configuration for statements uploaded on the page."
        ),
    ] = None,
    products: Annotated[
        Path | None, typer.Option("--products", help="products.csv, for the pre-order board.")
    ] = None,
    preorders: Annotated[
        Path | None,
        typer.Option("--preorders", help="Pre-order lines (preorders.csv), for the board."),
    ] = None,
    supply: Annotated[
        Path | None, typer.Option("--supply", help="supply.csv, for the pre-order board.")
    ] = None,
    carriers: Annotated[
        Path | None, typer.Option("--carriers", help="carriers.csv, for the pre-order board.")
    ] = None,
    orders: Annotated[
        Path | None, typer.Option("--orders", help="Open orders (orders.csv), for credit.")
    ] = None,
    credit_policy: Annotated[
        Path | None, typer.Option("--credit-policy", help="Credit policy file, for credit.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="A folder laid out as 'ecomrules demo --export' writes it: each input not "
            "given is taken from there when the file exists.",
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Serve the review queue, dunning, pre-orders and credit in a local web page.

    Prints the URL to open, token included.

    Needs the web extra: pip install "ecomrules[web]".
    """
    try:
        import uvicorn

        from ecomrules.web import ServeSettings, create_app
        from ecomrules.web.security import new_token
        from ecomrules.workspace.review import SqliteReviewStore
    except ImportError as exc:
        problem = f'needs the web extra: pip install "ecomrules[web]" ({exc.name} is missing)'
        raise ConfigError("ecomrules serve", [ConfigProblem("$", problem)]) from None
    run_date = None if as_of is None else date_option(as_of, "--as-of")
    path = resolve_path(workspace)
    with Workspace(path) as space:  # created when missing; a damaged file refused now
        SqliteReviewStore(space)
    token = new_token()
    given = {
        "open_items": open_items,
        "customers": customers,
        "sender": sender,
        "products": products,
        "preorders": preorders,
        "supply": supply,
        "carriers": carriers,
        "orders": orders,
        "credit_policy": credit_policy,
    }
    if data is not None:
        if not data.is_dir():
            raise typer.BadParameter(f"{data} is not a folder", param_hint="--data")
        for name, value in given.items():
            found = data / DATA_FILES[name]
            if value is None and found.is_file():
                given[name] = found
    settings = ServeSettings(
        workspace=path,
        token=token,
        user=user or getpass.getuser(),
        host=host,
        policy=policy,
        statements=tuple(statement or ()),
        as_of=run_date,
        reconcile_config=reconcile_config,
        open_items=given["open_items"],
        customers=given["customers"],
        sender=given["sender"],
        products=given["products"],
        preorders=given["preorders"],
        supply=given["supply"],
        carriers=given["carriers"],
        orders=given["orders"],
        credit_policy=given["credit_policy"],
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"warning: --host {host} exposes the workspace {path} to the network; anyone with "
            "the token can decide and commit",
            markup=False,
            style="yellow",
        )
    listening = _bind(host, port)
    url = serve_url(host, listening.getsockname()[1], token)
    if json:
        print_json({"url": url, "workspace": str(path), "user": settings.user})
    else:
        console.print(f"ecomrules serve: open {url}", markup=False, highlight=False, soft_wrap=True)
        console.print("press Ctrl+C to stop", markup=False, highlight=False)
    config = uvicorn.Config(create_app(settings), log_level="warning")
    asyncio.run(uvicorn.Server(config).serve(sockets=[listening]))


def _bind(host: str, port: int) -> socket.socket:
    """Listen on ``host:port`` now, so the URL printed is one that answers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        problem = ConfigProblem("--port", f"cannot listen on {host}:{port}: {exc.strerror}")
        raise ConfigError("ecomrules serve", [problem]) from None
    listening.listen(128)
    return listening
