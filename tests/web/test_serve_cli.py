"""``ecomrules serve`` as a user starts it: a real server process on 127.0.0.1.

It prints the URL to open, token included; the URL answers; without the
token nothing does; ``--host`` warns; a port in use is exit 2 with a message.
"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ecomrules import demo

from .conftest import serving

if TYPE_CHECKING:
    from conftest import Cli


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def test_serve_prints_the_url_with_its_token_and_the_url_answers(demo_workspace: Path) -> None:
    with serving("--workspace", str(demo_workspace)) as (first, _):
        found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{32})", first)
        assert found is not None, first
        url = found.group(0)
        with opener().open(url, timeout=20) as answer:
            page = answer.read().decode()
        assert "8 line(s) to decide" in page
        bare = f"http://127.0.0.1:{found.group(1)}/review"
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener().open(bare, timeout=20)
        refused.value.close()
        assert refused.value.code == 403


def test_serve_takes_the_inputs_from_a_data_folder(demo_workspace: Path) -> None:
    """``--data`` with the demo's folder: every page has its inputs."""
    folder = demo.path("customers.csv").parent
    with serving(
        "--workspace", str(demo_workspace), "--data", str(folder), "--policy", "fr-b2b"
    ) as (
        first,
        _,
    ):
        found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", first)
        assert found is not None, first
        browser = opener()
        browser.open(found.group(0), timeout=20).close()
        origin = found.group(0).split("/?")[0]
        for path, shown in (
            ("/preorders", 'id="board"'),
            ("/credit", 'id="customers"'),
            ("/dunning", 'class="card notice"'),
        ):
            with browser.open(origin + path, timeout=20) as answer:
                assert shown in answer.read().decode(), path


def test_serve_with_another_host_warns(demo_workspace: Path) -> None:
    with serving("--workspace", str(demo_workspace), "--host", "127.0.0.2") as (first, err):
        assert "http://127.0.0.2:" in first
    assert "warning: --host 127.0.0.2 exposes the workspace" in err[0]


def test_a_port_in_use_is_a_clear_error(cli: Cli, demo_workspace: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = cli("serve", "--workspace", str(demo_workspace), "--port", str(port))
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
