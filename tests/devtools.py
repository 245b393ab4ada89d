"""A small Chrome DevTools Protocol client for the browser tests, on the websocket-client library.

``DevTools(url)`` connects to one target's ``webSocketDebuggerUrl``; ``call`` sends a command and
returns its result, keeping every event that arrives meanwhile in ``events``. ``find_chromium`` finds
the browser, and ``chromium(domains)`` starts it headless, with no network but 127.0.0.1, and connects.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket  # websocket-client


def find_chromium() -> str | None:
    """The first Chromium-based browser on PATH (the names scripts/ensure-system-tools.sh accepts)."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """A Chrome DevTools Protocol session over one WebSocket.

    ``events`` collects the protocol events (messages without an ``id``) in the order they came.
    ``timeout`` (s) bounds every wait: for a message, and for a command's reply.
    """

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        host = urllib.parse.urlsplit(url).hostname or ""
        self.ws = websocket.create_connection(
            url,
            timeout=timeout,
            suppress_origin=True,  # Chromium refuses a DevTools socket that sends an Origin it does not allow
            http_no_proxy=[host],  # straight to the local browser, whatever *_proxy says
        )
        self.timeout = timeout
        self.next_id = 0
        self.events: list[dict] = []
        self.browser: subprocess.Popen | None = None  # set by chromium(): the browser's process
        self.profile: Path | None = None  # and its temporary profile folder

    def _receive(self, deadline: float | None = None) -> dict:
        """The next message: a reply or an event. A closed connection is a ConnectionError; nothing
        within the socket's timeout, or by ``deadline`` (a ``time.monotonic()``), a TimeoutError."""
        if deadline is not None:
            self.ws.settimeout(max(0.05, min(self.timeout, deadline - time.monotonic())))
        try:
            text = self.ws.recv()
        except websocket.WebSocketConnectionClosedException as exc:
            raise ConnectionError("DevTools closed the connection") from exc
        except (websocket.WebSocketTimeoutException, TimeoutError) as exc:
            raise TimeoutError("DevTools sent nothing for too long") from exc
        finally:
            if deadline is not None:
                self.ws.settimeout(self.timeout)
        return json.loads(text)

    def call(self, method: str, **params: object) -> dict:
        """Run a DevTools command and return its result; a protocol error is a RuntimeError, no reply
        within the socket's timeout (even while events keep coming) a TimeoutError."""
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method}: no reply from DevTools within {self.timeout:g} s")
            msg = self._receive(deadline)
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expression: str, *, await_promise: bool = False) -> object:
        """The value of a JavaScript expression in the page (JSON-serialisable values only)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60.0) -> object:
        """Evaluate ``expression`` every 0.1 s until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {expression}")
            time.sleep(0.1)

    def open(self, url: str, timeout: float = 60.0) -> None:
        """Navigate to ``url`` and return once its load event has fired (needs ``Page.enable``)."""
        seen = len(self.events)
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events[seen:]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading")
            try:
                msg = self._receive(deadline)
            except TimeoutError:
                continue  # the deadline check above says what did not happen
            if "method" in msg:
                self.events.append(msg)

    def screenshot(self, path: Path, max_height: int = 3000) -> None:
        """A PNG of the page from its top, the full width and at most ``max_height`` CSS pixels tall."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height), "scale": 1}
        shot = self.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)
        Path(path).write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        self.ws.close()


def _exited(pid: int) -> bool:
    """Whether process ``pid`` (a child of ours) has exited, without reaping it: as long as it is not
    reaped, its process group id cannot be given to another process."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # already reaped
        return True


def stop_process_group(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop ``proc`` (started with ``start_new_session``) and every process of its group.

    SIGTERM to the group, up to ``timeout`` s for ``proc`` to exit; then SIGKILL to whatever is left of
    the group (helpers that outlive ``proc`` too) before ``proc`` is reaped, so that its group id cannot
    have been reused by then. Never waits longer than twice ``timeout``.
    """
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while not _exited(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=timeout)


_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no network but this machine
    "--no-proxy-server",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
)


def _page_target(port: int, deadline: float) -> dict:
    """The browser's page target (its tab), asked for until it exists or ``deadline`` passes."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore *_proxy variables
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"chromium on port {port} offered no page to connect to")
        try:
            with direct.open(f"http://127.0.0.1:{port}/json/list", timeout=min(10.0, left)) as resp:
                pages = [t for t in json.load(resp) if t.get("type") == "page"]
        except (OSError, ValueError):  # not listening yet, or an answer cut short
            pages = []
        if pages:
            return pages[0]
        time.sleep(0.1)


@contextlib.contextmanager
def chromium(domains: tuple[str, ...] = ("Page", "Runtime"), start_timeout: float = 60) -> Iterator[DevTools]:
    """Headless Chromium on a fresh profile, connected to its page with ``domains`` enabled.

    Skips the test when no browser is installed, unless ``CI`` is set (then it fails: CI must run the
    browser tests). Chromium's output goes to a file in the profile, never to a pipe that nobody reads.
    Starting and connecting take at most ``start_timeout`` s; every later command has the DevTools
    socket's timeout. On the way out the browser's whole process group is stopped and the profile
    deleted, whatever happened.
    """
    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is not installed; the browser test must run in CI")
        pytest.skip("chromium is not installed (sudo apt-get install chromium)")
    profile = Path(tempfile.mkdtemp(prefix="grad-chromium-"))
    args = [exe, *_CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"]
    tools = proc = None
    try:
        with (profile / "chromium.log").open("wb") as log:
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + start_timeout
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if proc.poll() is not None or time.monotonic() > deadline:
                output = (profile / "chromium.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"chromium did not start within {start_timeout:g} s: {output}")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        try:
            page = _page_target(port, deadline)
        except TimeoutError as exc:
            pytest.fail(str(exc))
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.browser, tools.profile = proc, profile  # for the tests of this clean-up
        for domain in domains:
            tools.call(f"{domain}.enable")
        yield tools
    finally:
        if tools is not None:
            with contextlib.suppress(Exception):
                tools.close()
        if proc is not None:
            stop_process_group(proc)
        shutil.rmtree(profile, ignore_errors=True)
