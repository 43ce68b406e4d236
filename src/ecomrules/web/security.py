"""Access to the local web application: a token, a cookie, a CSRF field on every form.

The token is random (``secrets.token_urlsafe``), printed once at start in the
URL to open, as Jupyter does. A request carrying it as ``?token=`` gets it
back as an HttpOnly, SameSite=Strict cookie and is redirected to the same
page without it (so it stays out of the history and the Referer); any other
request without the cookie is refused (403). Every form carries a CSRF
field derived from the token (an HMAC), checked on every POST; a POST
whose ``Origin`` names another site is refused too. Nothing writes on GET.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["COOKIE", "AccessGuard", "Forbidden", "csrf_token", "new_token", "posted_form"]

COOKIE = "ecomrules_token"


def new_token() -> str:
    """A fresh random access token."""
    return secrets.token_urlsafe(24)


def csrf_token(token: str) -> str:
    """The CSRF field of every form: an HMAC of the access token."""
    return hmac.new(token.encode(), b"ecomrules-csrf", hashlib.sha256).hexdigest()


class Forbidden(Exception):
    """A request refused: no valid token, or a form without its CSRF field."""


class AccessGuard:
    """ASGI middleware: every HTTP request needs the token (query once, then the cookie)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.get("token")
        if given is not None and hmac.compare_digest(given, self.token):
            kept = urlencode([(k, v) for k, v in query.items() if k != "token"])
            target = scope["path"] + (f"?{kept}" if kept else "")
            response: Response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        cookie = SimpleCookie()
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                cookie.load(value.decode("latin-1"))
        held = cookie.get(COOKIE)
        if held is None or not hmac.compare_digest(held.value, self.token):
            response = HTMLResponse(
                "<!doctype html><title>ecomrules: token needed</title>"
                "<p>This page needs the access token: open the URL "
                "<code>ecomrules serve</code> printed when it started "
                "(<code>http://127.0.0.1:PORT/?token=...</code>).</p>",
                status_code=403,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def posted_form(request: Request, token: str) -> FormData:
    """The form of a POST, once its CSRF field and origin are checked; else :class:`Forbidden`."""
    origin = request.headers.get("origin")
    if origin is not None:
        host = request.headers.get("host", "")
        if origin == "null" or origin.split("://", 1)[-1] != host:
            raise Forbidden(f"a form posted from another site ({origin}) is refused")
    form = await request.form()
    field = form.get("csrf")
    if not isinstance(field, str) or not hmac.compare_digest(field, csrf_token(token)):
        await form.close()  # files uploaded with it are let go at once
        raise Forbidden("the form has no valid CSRF field: reload the page and try again")
    return form
