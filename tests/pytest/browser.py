"""Headless Debian Chromium for the docs-site test: installed with apt-get when missing,
driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`), standard library
only. The lineage graph of dbt docs is drawn on a canvas, so its nodes and edges are read
from the page's cytoscape instance rather than from the DOM."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1600,1000",
]


def chromium_path() -> str:
    """Debian's chromium, installed by `apt-get install -y chromium` when it is missing.

    Skips only when apt-get itself is unavailable (not a Debian-like system); any other
    failure to install fails the test.
    """
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if shutil.which("apt-get") is None:
        pytest.skip("chromium is not installed and apt-get is not available to install it")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # the other xdist worker may be installing it too: wait for dpkg's lock, not fail on it
    apt = [*prefix, "apt-get", "-o", "DPkg::Lock::Timeout=600"]
    install = [*apt, "install", "-y", "--no-install-recommends", "chromium"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:  # stale package lists: refresh once and retry
        subprocess.run([*apt, "update"], env=env, capture_output=True, timeout=900)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    found = shutil.which("chromium")
    assert found, f"`{' '.join(install)}` failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    return found


class Browser:
    """One headless Chromium with one page, controlled over the DevTools pipe."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def attach_pipes() -> None:  # the protocol reads fd 3 and writes fd 4
            read_end, write_end = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self._process = subprocess.Popen(
            [
                chromium_path(),
                *FLAGS,
                f"--user-data-dir={self._profile.name}",
                "--remote-debugging-pipe",
                url,
            ],
            close_fds=False,
            preexec_fn=attach_pipes,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        pages = [
            target
            for target in self.send("Target.getTargets")["targetInfos"]
            if target["type"] == "page"
        ]
        assert pages, "chromium opened no page"
        self._session = self.send(
            "Target.attachToTarget", {"targetId": pages[0]["targetId"], "flatten": True}
        )["sessionId"]

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one DevTools command and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" not in self._buffer:
                remaining = deadline - time.monotonic()
                ready, _, _ = select.select([self._from_browser], [], [], max(remaining, 0))
                assert ready, f"chromium did not answer {method} within {self.timeout} s"
                chunk = os.read(self._from_browser, 1 << 20)
                assert chunk, "chromium closed the DevTools pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next_id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply["result"]

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page; return its JSON-able value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            self._session,
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        """Evaluate `expression` until it returns something truthy; return that."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.2)

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, self._session)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"}, self._session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(AssertionError):  # already gone
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# The lineage graph currently drawn: node id -> label, and (source id, target id) edges.
LINEAGE_GRAPH_JS = """
(() => {
    const container = document.getElementById('cy');
    const cy = container && container._cyreg && container._cyreg.cy;
    if (!cy || cy.nodes().length === 0) return null;
    return {
        nodes: Object.fromEntries(cy.nodes().map(n => [n.id(), n.data('label')])),
        edges: cy.edges().map(e => [e.source().id(), e.target().id()]),
    };
})()
"""


def dump_dom(url: str, budget_ms: int = 10000) -> str:
    """The page's DOM after scripts ran (`chromium --dump-dom`)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        result = subprocess.run(
            [
                chromium_path(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
