"""``capcalc dashboard``: serve the installed Streamlit app, with capcalc's server settings."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys

from calc.core.errors import CapcalcError

__all__ = ["STREAMLIT_SETTINGS", "cmd_dashboard", "streamlit_command"]

#: Streamlit's settings for capcalc's dashboard (``.streamlit/config.toml`` says the same for a
#: plain ``streamlit run`` in the checkout; a test keeps the two in step).
STREAMLIT_SETTINGS: dict[str, str] = {
    "server.maxUploadSize": "1",  # scenario files are a few kB; refuse anything over 1 MB
    "server.enableXsrfProtection": "true",
    "server.enableCORS": "true",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "type",  # an unexpected error shows its message, not a traceback
    "runner.fastReruns": "true",
}


def streamlit_command(port: int, address: str = "localhost", *, headless: bool = False
                      ) -> list[str]:
    """The command that serves the dashboard of the installed capcalc (``calc.dashboard``)."""
    spec = importlib.util.find_spec("calc.dashboard.app")
    if spec is None or spec.origin is None:
        raise CapcalcError("the dashboard package is not installed with this capcalc; "
                           "reinstall capcalc (pip install capcalc-datacenter)", key="dashboard")
    command = [sys.executable, "-m", "streamlit", "run", spec.origin,
               "--server.port", str(port), "--server.address", address]
    for name, value in STREAMLIT_SETTINGS.items():
        command += [f"--{name}", value]
    if headless:
        command += ["--server.headless", "true", "--server.fileWatcherType", "none",
                    "--server.runOnSave", "false"]
    return command


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``capcalc dashboard``: serve the app on ``--address`` (localhost) and ``--port``.

    On POSIX the server takes this process's place (``exec``), so a signal sent to
    ``capcalc`` (a ``kill``, a supervisor stopping it) stops the server too instead of
    leaving it serving on its own; elsewhere capcalc waits for it.
    """
    headless = not sys.stdout.isatty()
    command = streamlit_command(args.port, args.address, headless=headless)
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(command[0], command)
    return subprocess.call(command)
