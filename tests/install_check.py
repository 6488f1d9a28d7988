"""Build the wheel, install it into a fresh virtual environment, and use it from elsewhere.

Run by ``make install-check`` (and CI): proves an installed capcalc finds its
shipped data and its dashboard without the checkout, and that the wheel (the
distribution ``capcalc-datacenter``) installs one top-level package, ``calc``,
the dashboard inside it. From an empty temporary
folder, with the checkout nowhere on the path, it runs ``capcalc --version``,
``run``, ``timeline`` and ``report``, then starts ``capcalc dashboard`` and
waits for Streamlit's health endpoint to answer ``ok``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The distribution's name on the package index, as a wheel's file name spells it.
WHEEL_NAME = "capcalc_datacenter"
#: The only top-level names the wheel may install (besides its own .dist-info folder).
TOP_LEVEL = {"calc"}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def top_level(wheel: Path) -> set[str]:
    """The top-level names a wheel installs: its files' first path parts, but its own
    ``.dist-info`` (and ``.data``) folders."""
    with zipfile.ZipFile(wheel) as archive:
        names = {name.split("/", 1)[0] for name in archive.namelist()}
    return {name.removesuffix(".py") for name in names
            if not name.endswith((".dist-info", ".data"))}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        print("install-check: building the wheel", flush=True)
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"),
              str(ROOT)], cwd=work, env=env)
        wheel = next((work / "dist").glob(f"{WHEEL_NAME}-*.whl"))
        top = top_level(wheel)
        if top != TOP_LEVEL:
            raise SystemExit(f"the wheel installs {sorted(top)} at top level; only "
                             f"{sorted(TOP_LEVEL)} may be installed")
        print(f"install-check: installing {wheel.name} into a fresh virtual environment",
              flush=True)
        _run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work, env=env)
        bin_dir = work / "venv" / "bin"
        _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=work,
             env=env)
        elsewhere = work / "elsewhere"
        elsewhere.mkdir()
        env = {**env, "MPLBACKEND": "Agg", "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}
        capcalc = str(bin_dir / "capcalc")
        where = _run([str(bin_dir / "python"), "-c", "import calc, calc.dashboard; "
                      "print(calc.__file__); print(calc.dashboard.APP)"], elsewhere, env)
        if str(ROOT) in where:
            raise SystemExit(f"the installed capcalc imports from the checkout:\n{where}")
        print(_run([capcalc, "--version"], elsewhere, env).strip(), flush=True)
        result = json.loads(_run([capcalc, "run", "cortex-phase1", "--format", "json"],
                                 elsewhere, env))
        assert result["scenarios"][0]["outputs"]["accelerators"] > 0
        timeline = json.loads(_run([capcalc, "timeline", "cortex-buildout", "--format",
                                    "json"], elsewhere, env))
        assert timeline["months"] and timeline["series"]["compute_multiple"]
        _run([capcalc, "report", "--out", "report", "--samples", "200"], elsewhere, env)
        assert (elsewhere / "report" / "report.html").stat().st_size > 10_000
        port = _free_port()
        server = subprocess.Popen([capcalc, "dashboard", "--port", str(port)], cwd=elsewhere,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            health = ""
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    url = f"http://127.0.0.1:{port}/_stcore/health"
                    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                            url, timeout=2) as answer:
                        health = answer.read().decode()
                        break
                except OSError:
                    time.sleep(0.5)
            if health.strip() != "ok":
                errors = server.stderr.read() if server.stderr else ""
                raise SystemExit(f"the dashboard did not answer its health check "
                                 f"(got {health!r}): {errors}")
        finally:
            server.terminate()
            server.wait(timeout=30)
        print("install-check: the installed capcalc runs, reports and serves its dashboard "
              "outside the checkout")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
