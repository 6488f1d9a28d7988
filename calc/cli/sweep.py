"""``capcalc sweep`` and ``capcalc discover``: a sweep file run in blocks, and what must be true."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from calc.analysis.discover import discover
from calc.analysis.sweep import sweep
from calc.analysis.sweep_result import SweepResult
from calc.cli.common import emit, emit_json, library_of, styled, write_out
from calc.cli.solve import parse_target
from calc.core.errors import CapcalcError
from calc.core.vocabulary import OUTPUTS
from calc.presentation.discover import discovery_json, discovery_text
from calc.presentation.sweep import sweep_files, sweep_json, sweep_table, sweep_text

__all__ = ["cmd_discover", "cmd_sweep", "dask_client"]


@contextlib.contextmanager
def dask_client(address: str | None) -> Iterator[Any]:
    """A Dask ``distributed.Client`` connected to ``address`` (None: no client)."""
    if address is None:
        yield None
        return
    try:
        # deferred: Dask is an optional extra, loaded only for --scheduler
        from distributed import Client
    except ImportError:
        raise CapcalcError("needs Dask: pip install 'capcalc-datacenter[dask]'",
                           key="scheduler") from None
    try:
        client = Client(address, timeout=10)
    except (OSError, TimeoutError, ValueError) as exc:
        raise CapcalcError(f"cannot reach the Dask scheduler at {address} ({exc})",
                           key="scheduler") from None
    try:
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[float], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    # deferred: rich, only for a terminal
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=1.0)

        def update(done: float) -> None:
            bar.update(task, completed=done)

        yield update


def _run(args: argparse.Namespace) -> SweepResult:
    library = library_of(args)
    with dask_client(args.scheduler) as client, progress_bar("sweep") as progress:
        return sweep(args.file, library, out=args.out, workers=args.workers, client=client,
                     block_size=args.block_size, restart=args.force, progress=progress)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``capcalc sweep FILE``."""
    result = _run(args)
    if args.out is not None:
        # a sweep resumed from this folder's journal rewrites its own earlier files
        write_out(args.out, sweep_files(result, args.formats),
                  force=args.force or result.resumed > 0)
    if args.format == "csv":
        sys.stdout.write(sweep_table(result).to_csv())
    elif args.format == "json":
        emit_json(sweep_json(result))
    else:
        emit(styled(sweep_text, result))
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """``capcalc discover SWEEP --target OUTPUT=VALUE [--by YYYY-MM] [--density D]``."""
    output, value = parse_target(args.target, OUTPUTS)
    result = _run(args)
    ladder = discover(result, output, value, by=args.by, density=args.density)
    if args.format == "json":
        emit_json(discovery_json(ladder))
    else:
        emit(styled(discovery_text, ladder))
    return 0

