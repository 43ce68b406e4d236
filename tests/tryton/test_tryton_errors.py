"""Wrong URL or password, missing module, server gone: a clear error, exit 2, nothing written."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from trytond_records import create_invoice, create_party, dunnings, run_cli
from trytond_server import TrytonServer

from ecomrules.adapters.tryton import PASSWORD_ENV, TrytonAdapter, TrytonRpc, TrytonUrl
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


def test_an_expired_session_logs_in_again(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("errors")
    with TrytonAdapter.connect(url) as erp:
        before = len(erp.open_items())
        erp.rpc._post("common.db.logout", [])  # the server ends the session, as on a timeout
        assert len(erp.open_items()) == before


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


class WebPage(BaseHTTPRequestHandler):
    """A web server that is not Tryton: an HTML page for GET and POST, or 405."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        page = b"<html><body>Shop</body></html>"
        status = 405 if "/other/" in self.path else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_page() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_web_server_that_is_not_tryton(web_page: int) -> None:
    where = f"127.0.0.1:{web_page}"
    refused(
        plan(f"http://admin:admin@{where}/shop/"),
        f"common.db.login answered something that is not JSON: is {where} a Tryton server?",
    )
    refused(
        plan(f"http://admin:admin@{where}/other/"),
        f"common.db.login answered HTTP 405: is {where} a Tryton server (JSON-RPC at /other/rpc/)?",
    )


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


def _read_message(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
    """One HTTP message (headers and a Content-Length body) from ``sock``; and what follows."""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        rest += data
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


class LosingProxy:
    """Relays to trytond, but loses the answer to the first call of ``method``.

    The call reaches Tryton and is done there; the client's connection is then
    closed without an answer, as when a server or the network fails at the
    worst moment. Later connections are relayed as usual (the server is back).
    """

    def __init__(self, port: int, method: str) -> None:
        self.target = port
        self.method = method.encode()
        self.lost = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            while True:
                client, _ = self.listener.accept()
                threading.Thread(target=self._relay, args=(client,), daemon=True).start()
        except OSError:
            pass

    def _relay(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target)) as upstream:
            pending = b""
            answers = b""
            try:
                while True:
                    request, pending = _read_message(client, pending)
                    upstream.sendall(request)
                    answer, answers = _read_message(upstream, answers)
                    if self.lost == 0 and self.method in request:
                        self.lost += 1
                        return
                    client.sendall(answer)
            except (ConnectionError, OSError):
                return

    def close(self) -> None:
        self.listener.close()


def test_a_lost_answer_to_a_write_is_not_sent_again(tryton_server: TrytonServer) -> None:
    url = tryton_server.url("errors")
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        party, _ = create_party(rpc, "Atelier Perdu", email="compta@perdu.example")
        invoice, number = create_invoice(rpc, party, "300.00", date(2026, 9, 1))  # due 10-01
    proxy = LosingProxy(tryton_server.port, "model.ir.note.create")
    through_proxy = url.replace(f":{tryton_server.port}/", f":{proxy.port}/")

    def commit(where: str) -> subprocess.CompletedProcess[str]:
        return run_cli(
            "dunning", "commit", "--tryton", where, "--policy", "fr-b2b", "--as-of", "2026-09-26"
        )

    def notes(rpc: TrytonRpc) -> list[str]:
        rows = rpc.call(
            "model.ir.note.search_read",
            [["resource", "=", f"account.invoice,{invoice}"]],
            0,
            None,
            None,
            ["message"],
        )
        return [row["message"] for row in rows]

    try:
        out = commit(through_proxy)
    finally:
        proxy.close()
    assert proxy.lost == 1, out.stdout + out.stderr
    assert out.returncode == 2, out.stdout + out.stderr
    assert "went away during model.ir.note.create" in " ".join(out.stderr.split())
    assert "Traceback" not in out.stderr
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        done = notes(rpc)
        assert done == [
            f"ecomrules: preventive reminder sent on 2026-09-26 (dunning:{number}:preventive)"
        ]
    # The rerun sees the note Tryton kept and records nothing more.
    again = commit(url)
    assert again.returncode == 0, again.stderr
    assert "recorded 0 item level(s)" in " ".join(again.stdout.split())
    with TrytonRpc(TrytonUrl.parse(url)) as rpc:
        assert notes(rpc) == done
