"""A real trytond for the tests and the benchmark: template database, copies, server.

The template (company, chart, fiscal year 2026, dunning procedure, payment
term, statement journal) is built once with ``trytond-admin`` and
``make_template.py`` and cached next to the virtualenv, keyed by the trytond
version and the script, so a second run copies it in a second. Databases are
SQLite files in a scratch folder (in memory under /dev/shm when there is
one); the server listens on 127.0.0.1 on a free port and is told every
database name with ``-d`` (Tryton refuses logins to databases it was not
started with).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = (
    "account_invoice",
    "sale_credit_limit",
    "account_dunning_fee",
    "account_statement",
)
PASSWORD = "admin"


def bin_dir() -> Path:
    return Path(sys.executable).parent


def installed() -> bool:
    return (bin_dir() / "trytond").exists() and (bin_dir() / "trytond-admin").exists()


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database whole (its write-ahead log included) through SQLite's backup."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    partial.replace(target)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _version() -> str:
    out = subprocess.run(
        [str(bin_dir() / "trytond"), "--version"], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


class TrytonServer:
    """Template databases, their copies and a running trytond."""

    def __init__(self, databases: Iterable[str], *, bare: Iterable[str] = ()) -> None:
        scratch = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.root = Path(tempfile.mkdtemp(prefix="ecomrules-trytond-", dir=scratch))
        self.port = _free_port()
        self.config = self.root / "trytond.conf"
        self.config.write_text(
            f"[database]\nuri = sqlite://\npath = {self.root}\n"
            f"[web]\nlisten = 127.0.0.1:{self.port}\n",
            encoding="utf-8",
        )
        (self.root / "password").write_text(PASSWORD + "\n", encoding="utf-8")
        self.databases = list(databases)
        self.bare = list(bare)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.root / "trytond.log"
        self.build_seconds = 0.0

    def url(self, database: str, password: str = PASSWORD) -> str:
        return f"http://admin:{password}@127.0.0.1:{self.port}/{database}/"

    def _admin(self, database: str, *args: str) -> None:
        (self.root / f"{database}.sqlite").touch()
        env = {**os.environ, "TRYTONPASSFILE": str(self.root / "password")}
        subprocess.run(
            [
                str(bin_dir() / "trytond-admin"),
                "-c",
                str(self.config),
                "-d",
                database,
                "--all",
                "--email",
                "admin@example.com",
                *args,
            ],
            env=env,
            check=True,
            capture_output=True,
        )

    def _template(self) -> Path:
        key = hashlib.sha256(
            (_version() + (HERE / "make_template.py").read_text(encoding="utf-8")).encode()
            + " ".join(MODULES).encode()
        ).hexdigest()[:16]
        cache = Path(sys.prefix) / "ecomrules-tryton-cache" / f"template-{key}.sqlite"
        if cache.exists():
            return cache
        self._admin("template", "-u", *MODULES, "--activate-dependencies")
        subprocess.run(
            [sys.executable, str(HERE / "make_template.py"), str(self.config), "template"],
            check=True,
            capture_output=True,
        )
        cache.parent.mkdir(parents=True, exist_ok=True)
        copy_database(self.root / "template.sqlite", cache)
        return cache

    def start(self) -> TrytonServer:
        """Copy the template to each database, create the bare ones, and serve them all."""
        started = time.perf_counter()
        template = self._template()
        for name in self.databases:
            shutil.copyfile(template, self.root / f"{name}.sqlite")
        for name in self.bare:
            self._admin(name)
        self.serve()
        self.build_seconds = time.perf_counter() - started
        return self

    def serve(self) -> TrytonServer:
        """Start trytond on the database files already in :attr:`root`."""
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(bin_dir() / "trytond"),
                    "-c",
                    str(self.config),
                    "-d",
                    *self.databases,
                    *self.bare,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait()
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"trytond exited: {self.log.read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("trytond did not listen within 180 s")

    def stop(self) -> None:
        """Stop the server and delete the databases."""
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server; the database files stay (complete: SQLite closed them)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
