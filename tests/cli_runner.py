"""``capcalc ARGS...`` two ways: in this process (fast) and as a real subprocess.

:func:`run_in_process` calls :func:`calc.cli.main` with captured streams, the
working folder, environment and standard input the caller asks for, and
returns what :func:`subprocess.run` would: a ``CompletedProcess`` with the exit
status, stdout and stderr. An exception that escapes ``main`` ends as it
would in a process: its traceback on stderr and exit status 1. Tests of what
only a process shows (the exit status of the console script, signals,
concurrent runs) use :func:`run_subprocess`; ``tests/cli/test_cli_parity.py``
checks that the two agree.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["run_in_process", "run_subprocess"]

PathLike = str | os.PathLike[str]


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    if not env:
        yield
        return
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _Text(io.StringIO):
    """A text stream that, like a pipe, is not a terminal."""

    def isatty(self) -> bool:
        return False


def run_in_process(*args: PathLike, cwd: PathLike, env: Mapping[str, str] | None = None,
                   input: str | None = None) -> subprocess.CompletedProcess[str]:
    """``capcalc ARGS`` through :func:`calc.cli.main` in this process, as a process would run."""
    from calc.cli import main

    argv = [str(a) for a in args]
    stdout, stderr = _Text(), _Text()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with _environment(env), contextlib.redirect_stdout(stdout), \
                contextlib.redirect_stderr(stderr):
            saved_stdin = sys.stdin
            sys.stdin = io.StringIO(input or "")
            try:
                code = main(argv)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:  # a crash: what Python prints, and status 1
                stderr.write(traceback.format_exc())
                code = 1
            finally:
                sys.stdin = saved_stdin
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["capcalc", *argv], code, stdout.getvalue(),
                                       stderr.getvalue())


def run_subprocess(*args: PathLike, cwd: PathLike, env: Mapping[str, str] | None = None,
                   input: str | None = None, timeout: float = 120
                   ) -> subprocess.CompletedProcess[str]:
    """``python -m calc ARGS`` as a real subprocess (text, captured, status returned)."""
    full_env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "calc", *map(str, args)], cwd=cwd,
                          env=full_env, input=input, text=True, capture_output=True,
                          timeout=timeout, check=False)
