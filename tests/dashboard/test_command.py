"""``capcalc dashboard`` as a user runs it: a real process that serves the app, and stops
when it is told to, leaving no server behind."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals as POSIX sends them")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health(port: int) -> str | None:
    """What the server's health check answers, or None when nothing answers."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
            return str(answer.read().decode())
    except (urllib.error.URLError, OSError):
        return None


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_capcalc_dashboard_stops_its_server(tmp_path: Path, sent: int) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "calc", "dashboard", "--port", str(port),
               "--address", "127.0.0.1"]
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env={**os.environ, "MPLBACKEND": "Agg"},
                          start_new_session=True) as server:
        try:
            deadline = time.monotonic() + 60
            while _health(port) != "ok":
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the dashboard never answered"
                time.sleep(0.2)
            server.send_signal(sent)  # to capcalc alone, as `kill PID` does
            server.wait(timeout=30)
            assert _health(port) is None, "the server outlived capcalc dashboard"
        finally:  # whatever is left of its process group, a stray server included
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()
