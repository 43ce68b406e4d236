"""Wrong URL or password, missing module, server gone: a clear error, exit 2, nothing written."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from datetime import date

import pytest
from trytond_records import create_invoice, create_party, dunnings, run_cli
from trytond_server import TrytonServer

from ecomrules.adapters.tryton import PASSWORD_ENV, TrytonRpc, TrytonUrl
from ecomrules.errors import ErpError


def plan(url: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("dunning", "plan", "--tryton", url, "--as-of", "2026-11-20", env=env)


def refused(out: subprocess.CompletedProcess[str], message: str) -> None:
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in " ".join(out.stderr.split())
    assert "Traceback" not in out.stderr


def test_wrong_password(tryton_server: TrytonServer) -> None:
    out = plan(tryton_server.url("errors", password="wrong"))
    refused(out, "Tryton refused the login of 'admin' (wrong user or password)")
    assert ":wrong@" not in out.stderr


def test_unknown_database(tryton_server: TrytonServer) -> None:
    refused(plan(tryton_server.url("nosuchdb")), "the server has no database 'nosuchdb'")


def test_nothing_listening() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused(
        plan(f"http://admin:admin@127.0.0.1:{port}/shop/"),
        f"cannot reach the Tryton server at 127.0.0.1:{port}",
    )


def test_bad_url() -> None:
    refused(plan("https://127.0.0.1:8000/shop/"), "the scheme must be http://")
    refused(plan("http://admin@127.0.0.1:8000/"), "the path must be the database name")


def test_password_from_the_environment(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("errors").replace("admin:admin@", "admin@")
    out = plan(url, env={**os.environ, PASSWORD_ENV: "admin"})
    assert out.returncode == 0, out.stderr
    refused(plan(url, env={k: v for k, v in os.environ.items() if k != PASSWORD_ENV}), PASSWORD_ENV)


def test_missing_module_is_named(tryton_server: TrytonServer) -> None:
    refused(
        plan(tryton_server.url("bare")),
        "the Tryton module(s) account_invoice, account_dunning must be activated "
        "in the database bare",
    )


class CuttingProxy:
    """Forwards to trytond, then goes away for good when the client starts request ``cut``."""

    def __init__(self, port: int, cut: int) -> None:
        self.target = port
        self.cut = cut
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            while self.requests < self.cut:
                client, _ = self.listener.accept()
                self._relay(client)
        except OSError:
            pass
        finally:
            self.listener.close()

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target), timeout=60)
        client.settimeout(60)
        stop = threading.Event()

        def back() -> None:
            try:
                while not stop.is_set() and (data := upstream.recv(65536)):
                    client.sendall(data)
            except OSError:
                pass

        threading.Thread(target=back, daemon=True).start()
        try:
            while data := client.recv(65536):
                self.requests += data.count(b"POST /")
                if self.requests >= self.cut:
                    break
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            stop.set()
            client.close()
            upstream.close()


def test_server_gone_mid_run_writes_nothing(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("errors")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        party, _ = create_party(rpc, "Atelier Gone")
        create_invoice(rpc, party, "700.00", date(2026, 9, 1))
        before = dunnings(rpc)
    proxy = CuttingProxy(tryton_server.port, cut=6)  # after the login and the first reads
    out = run_cli(
        "dunning",
        "commit",
        "--tryton",
        url.replace(f":{tryton_server.port}/", f":{proxy.port}/"),
        "--policy",
        "fr-b2b",
        "--as-of",
        "2026-11-20",
    )
    proxy.thread.join(timeout=30)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "went away" in out.stderr or "cannot reach" in out.stderr
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        assert dunnings(rpc) == before
        notes = rpc.call("model.ir.note.search", [], 0, None, None)
        assert notes == []


def test_url_never_shows_the_password() -> None:
    with pytest.raises(ErpError) as caught:
        TrytonUrl.parse("ftp://admin:s3cret@host/db/")
    assert "s3cret" not in str(caught.value)
    assert "s3cret" not in repr(TrytonUrl.parse("http://admin:s3cret@host/db/"))
