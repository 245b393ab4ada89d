"""``make lab`` lands on notebook 01: the server is started exactly as the Makefile starts it."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST = "notebooks/01_derivatives.ipynb"


def _lab_command() -> list[str]:
    """The `jupyter lab ...` line that `make lab` runs (make -n prints it without running it)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    lines = [line for line in result.stdout.splitlines() if "jupyter lab" in line]
    assert len(lines) == 1, result.stdout
    return shlex.split(lines[0])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_opens_notebook_01(tmp_path: Path) -> None:
    command = _lab_command()
    if not (ROOT / command[0]).exists():
        pytest.skip("needs the Makefile's venv (make test creates it)")
    port, token = _free_port(), "grad-test-token"
    command += [f"--port={port}", "--ip=127.0.0.1", "--no-browser", f"--IdentityProvider.token={token}"]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path))
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "lab.log").open("w"),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp_path / "lab.log").read_text()
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as resp:
                    json.load(resp)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "JupyterLab did not start within 90 s"
                time.sleep(0.5)
        # Request / as a browser would, following the redirects.
        with urllib.request.urlopen(f"{base}/?token={token}", timeout=30) as resp:
            landed = urllib.parse.urlsplit(resp.url).path
            page = resp.read().decode()
        assert landed == f"/lab/tree/{FIRST}"
        assert f'"treePath": "{FIRST}"' in page  # JupyterLab opens this file once the page loads
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
