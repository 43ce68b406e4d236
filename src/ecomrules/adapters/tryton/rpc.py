"""Tryton's JSON-RPC over the standard library: log in once, then call models in batches.

A :class:`TrytonUrl` names the server, the user and the database
(``http://USER:PASSWORD@HOST:PORT/DATABASE/``; the password may come from
``$ECOMRULES_TRYTON_PASSWORD`` instead). :class:`TrytonRpc` posts to
``/DATABASE/rpc/`` on one kept-alive HTTP connection, sends the session
header Tryton expects and the user's context (without it per-company fields
read as null), and turns Tryton's ``{"__class__": ...}`` values into
``Decimal``, ``date`` and ``timedelta``. Every failure becomes an
:class:`~ecomrules.errors.ErpError` that says what went wrong and where:
the server cannot be reached, the database does not exist, the login is
refused, the server answered an error, or it went away during a call.

No trytond code is imported: trytond is GPL and a test dependency only.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import select
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

from ecomrules.errors import ErpError

__all__ = ["PASSWORD_ENV", "TrytonRpc", "TrytonUrl"]

_READS = (".read", ".search", ".search_read", ".search_count", ".fields_get", ".get_preferences")

PASSWORD_ENV = "ECOMRULES_TRYTON_PASSWORD"
"""The environment variable that holds the password when the URL has none."""


@dataclass(frozen=True)
class TrytonUrl:
    """Where a Tryton database is and who logs in; ``str()`` never shows the password."""

    host: str
    port: int
    database: str
    user: str
    password: str

    @classmethod
    def parse(cls, url: str, environ: dict[str, str] | None = None) -> TrytonUrl:
        """Read ``http://USER[:PASSWORD]@HOST[:PORT]/DATABASE/``.

        >>> TrytonUrl.parse("http://admin:secret@127.0.0.1:8000/shop/")
        TrytonUrl(tryton://admin@127.0.0.1:8000/shop/)
        """
        env = os.environ if environ is None else environ
        parts = urlsplit(url)
        problems = []
        if parts.scheme != "http":
            problems.append("the scheme must be http:// (put TLS in front of trytond)")
        if not parts.hostname:
            problems.append("no host")
        if not parts.username:
            problems.append("no user (http://USER:PASSWORD@HOST:PORT/DATABASE/)")
        database = parts.path.strip("/")
        if not database or "/" in database:
            problems.append("the path must be the database name, /DATABASE/")
        try:
            port = parts.port or 8000
        except ValueError:
            problems.append("the port is not a number")
            port = 0
        password = unquote(parts.password) if parts.password else env.get(PASSWORD_ENV)
        if password is None and not problems:
            problems.append(f"no password in the URL and ${PASSWORD_ENV} is not set")
        if problems:
            shown = url.replace(f":{parts.password}@", ":***@") if parts.password else url
            raise ErpError(f"Tryton URL {shown!r}: " + "; ".join(problems))
        return cls(
            host=parts.hostname or "",
            port=port,
            database=unquote(database),
            user=unquote(parts.username or ""),
            password=password or "",
        )

    def __str__(self) -> str:
        return f"tryton://{self.user}@{self.host}:{self.port}/{self.database}/"

    def __repr__(self) -> str:
        return f"TrytonUrl({self})"


def _resendable(method: str) -> bool:
    """Whether sending ``method`` twice is harmless: logins and reads, never a write."""
    return method.startswith("common.") or method.endswith(_READS)


def _decode(value: dict[str, Any]) -> Any:
    kind = value.get("__class__")
    if kind is None:
        return value
    if kind == "Decimal":
        return Decimal(value["decimal"])
    if kind == "date":
        return date(value["year"], value["month"], value["day"])
    if kind == "datetime":
        return datetime(
            value["year"],
            value["month"],
            value["day"],
            value.get("hour", 0),
            value.get("minute", 0),
            value.get("second", 0),
            value.get("microsecond", 0),
        )
    if kind == "timedelta":
        return timedelta(seconds=value["seconds"])
    if kind == "bytes":
        return base64.b64decode(value["base64"])
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime):
        raise TypeError("datetimes are not sent to Tryton by this adapter")
    if isinstance(value, date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, timedelta):
        return {"__class__": "timedelta", "seconds": value.total_seconds()}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


class TrytonRpc:
    """A logged-in JSON-RPC session with one Tryton database.

    ``call("model.party.party.read", ids, fields)`` sends the user's context
    as the last parameter of every ``model.*`` call. Use as a context manager
    (or call :meth:`close`) to end the session and the connection.
    """

    def __init__(self, url: TrytonUrl, *, timeout: float = 300.0) -> None:
        self.url = url
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self._auth = ""
        self._next_id = 0
        self.calls = 0
        """How many RPC calls were made (the adapter batches: no call per line)."""
        self.context: dict[str, Any] = {}
        self.uid = 0
        """The id of the logged-in user."""
        self._login()

    def __enter__(self) -> TrytonRpc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Log out (best effort) and close the connection."""
        if self._connection is None:
            return
        with contextlib.suppress(ErpError):
            self._post("common.db.logout", [])
        self._connection.close()
        self._connection = None

    def call(self, method: str, *params: Any) -> Any:
        """Call ``method`` (``model.NAME.FUNCTION``) with ``params`` and the user's context."""
        return self._post(method, [*params, self.context])

    def _login(self) -> None:
        try:
            result = self._post(
                "common.db.login", [self.url.user, {"password": self.url.password}, "en"]
            )
        except ErpError as exc:
            if "'res.user'" not in str(exc):
                raise
            raise ErpError(
                f"{self.url}: the server does not serve the database {self.url.database!r}: "
                f"start trytond with -d {self.url.database}"
            ) from None
        if not isinstance(result, list) or len(result) < 2:
            raise ErpError(f"{self.url}: the server answered the login with {result!r}")
        uid, session = result[0], result[1]
        self.uid = int(uid)
        token = f"{self.url.user}:{uid}:{session}".encode()
        self._auth = "Session " + base64.b64encode(token).decode("ascii")
        self.context = dict(self._post("model.res.user.get_preferences", [True, {}]))

    def _post(self, method: str, params: list[Any]) -> Any:
        self._next_id += 1
        self.calls += 1
        body = json.dumps(
            {"id": self._next_id, "method": method, "params": params},
            default=_encode,
            separators=(",", ":"),
        ).encode("utf-8")
        status, payload = self._exchange(method, body)
        if status == 401 and self._auth and not method.startswith("common."):
            # The session expired (or was ended) since the last call. Tryton checks
            # the session before doing anything, so nothing was done: log in again
            # and send the call once more.
            self._auth = ""
            self._login()
            status, payload = self._exchange(method, body)
        return self._result(method, status, payload)

    def _exchange(self, method: str, body: bytes) -> tuple[int, bytes]:
        """Send one request; the answer's HTTP status and body."""
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        if self._auth:
            headers["Authorization"] = self._auth
        self._drop_if_closed()
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    self.url.host, self.url.port, timeout=self._timeout
                )
            try:
                self._connection.request("POST", f"/{self.url.database}/rpc/", body, headers)
                response = self._connection.getresponse()
                payload = response.read()
                break
            except (ConnectionRefusedError, socket.gaierror) as exc:
                self._drop()
                where = f"{self.url.host}:{self.url.port}"
                raise ErpError(
                    f"cannot reach the Tryton server at {where} ({exc.strerror or exc}); "
                    "is trytond running there?"
                ) from None
            except (http.client.RemoteDisconnected, ConnectionResetError) as exc:
                # A kept-alive connection the server closed between calls: one retry on
                # a new connection for a read. A write is never sent twice: the server
                # may have done it and lost only the answer.
                self._drop()
                if attempt == 2 or self.calls == 1 or not _resendable(method):
                    raise self._gone(method, exc) from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                raise self._gone(method, exc) from None
        return response.status, payload

    def _drop_if_closed(self) -> None:
        """Drop a kept-alive connection the server has closed since the last call."""
        sock = None if self._connection is None else self._connection.sock
        if sock is None:
            return
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            readable = [sock]
        if readable:  # an idle connection has nothing to read unless the server closed it
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def _gone(self, method: str, exc: BaseException) -> ErpError:
        return ErpError(
            f"{self.url}: the Tryton server went away during {method} "
            f"({exc or type(exc).__name__}); the call was not confirmed, "
            "run the command again once the server is back"
        )

    def _result(self, method: str, status: int, payload: bytes) -> Any:
        if status == 401 or status == 403:
            raise ErpError(
                f"{self.url}: Tryton refused the login of {self.url.user!r} "
                "(wrong user or password)"
            )
        where = f"{self.url.host}:{self.url.port}"
        if status == 404:
            raise ErpError(
                f"{self.url}: the server has no database {self.url.database!r} "
                f"(is trytond started with -d {self.url.database}? is {where} a Tryton server?)"
            )
        if status != 200:
            raise ErpError(
                f"{self.url}: {method} answered HTTP {status}: is {where} a Tryton server "
                f"(JSON-RPC at /{self.url.database}/rpc/)?"
            )
        try:
            document = json.loads(payload, object_hook=_decode, parse_float=Decimal)
        except ValueError:
            raise ErpError(
                f"{self.url}: {method} answered something that is not JSON: "
                f"is {where} a Tryton server?"
            ) from None
        error = document.get("error") if isinstance(document, dict) else None
        if error is not None:
            raise ErpError(f"{self.url}: {method} failed: {_error_text(error)}")
        return document.get("result") if isinstance(document, dict) else None


def _error_text(error: Any) -> str:
    if isinstance(error, list) and error:
        head = error[0]
        detail = error[1] if len(error) > 1 else ""
        if isinstance(detail, list | tuple):  # [message, description, domain...]: the texts
            detail = " ".join(part for part in detail if isinstance(part, str) and part)
        return f"{head} {detail}".strip()
    return str(error)
