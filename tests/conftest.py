"""Test configuration: hypothesis profiles, pinned time-zone data, the corpus, clerks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Zones come from the tzdata package, never the system's files, so results do
# not depend on the machine.
zoneinfo.reset_tzpath(to=[])

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Rate tables saved by `ecomrules rates update` on this machine must not change
# what the tests compute: every test (and the commands it runs) sees an empty
# user data folder.
os.environ["ECOMRULES_DATA_DIR"] = tempfile.mkdtemp(prefix="ecomrules-data-")

# The corpus is not in the repository (its files keep their own licences): it is
# a folder beside the clone, or wherever ECOMRULES_CORPUS points.
CORPUS = Path(
    os.environ.get("ECOMRULES_CORPUS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
)


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus; skips the test when the folder is absent."""
    if not CORPUS.is_dir():
        pytest.skip(
            "real-world corpus absent: the third-party bank and PSP statement files "
            "(public test fixtures under their own licences, listed in its MANIFEST.md) "
            f"that the corpus tests parse are not in the repository; expected at {CORPUS} "
            "(shared/corpus beside the clone) or at $ECOMRULES_CORPUS"
        )
    return CORPUS


# A clerk: a process running the ``ecomrules`` command line on request, one
# command per line of input, answering with its exit code and output. It
# imports ecomrules once, so a command costs hundredths of a second, and two
# clerks sent a command each run them at the same moment.
DRIVER = r"""
import contextlib, io, json, sys
from ecomrules.cli.app import main

print("ready", flush=True)
for line in sys.stdin:
    sys.argv = ["ecomrules", *json.loads(line)]
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code or 0
    answer = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}
    print(json.dumps(answer), flush=True)
"""


class Clerk:
    """A process running the command line on request, one command per line of input."""

    def __init__(self, prefix: tuple[str, ...] = ()) -> None:
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-c", DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def send(self, *args: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(args) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self._read())
        return answer

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one command and wait for it."""
        self.send(*args)
        answer = self.answer()
        return subprocess.CompletedProcess(args, answer["code"], answer["stdout"], answer["stderr"])

    def close(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


@pytest.fixture
def clerk() -> Iterator[Callable[..., Clerk]]:
    """Start clerks (``clerk(prefix)``: a command to run the process under); stopped at the end."""
    started: list[Clerk] = []

    def start(prefix: tuple[str, ...] = ()) -> Clerk:
        started.append(Clerk(prefix))
        return started[-1]

    yield start
    for one in started:
        one.close()


class Cli:
    """The ``ecomrules`` entry point run in this process (a subprocess costs a second or two)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        monkeypatch.delenv("ECOMRULES_WORKSPACE", raising=False)

    def __call__(
        self, *args: str, cwd: Path | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        from ecomrules.cli.app import main

        with self.monkeypatch.context() as patch:
            patch.setattr(sys, "argv", ["ecomrules", *args])
            patch.setenv("COLUMNS", "200")
            for name, value in env.items():
                patch.setenv(name, value)
            if cwd is not None:
                patch.chdir(cwd)
            self.capsys.readouterr()
            code = 0
            try:
                main()
            except SystemExit as exc:
                code = int(exc.code or 0)
            out, err = self.capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(monkeypatch, capsys)


# Chromium from the system packages (.ci/run installs it), for the tests that drive a real
# browser: outside CI they skip with a message when it is absent; in CI a missing browser fails.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright, one per test module."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs the 'chromium' system package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
