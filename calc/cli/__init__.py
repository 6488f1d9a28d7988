"""The ``capcalc`` command line: parse, run one subcommand, print one clean line on a mistake.

User mistakes print one line on stderr and exit with status 2; nothing is
written unless everything it would write is valid and allowed. Errors the
model keys by its own words (``until``, ``at``, ``samples``) are shown under
the flag the user typed (``--until``, ``--at``, ``--samples``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

from calc.cli.args import FLAGS
from calc.cli.parser import EXIT_USER_ERROR, build_parser
from calc.core.errors import CapcalcError
from calc.presentation.text import output_width, text_width

__all__ = ["FLAGS", "main"]

def _handler(name: str) -> Callable[..., int]:
    module, _, function = name.partition(":")
    handler: Callable[..., int] = getattr(importlib.import_module(module), function)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``capcalc ARGV``; return the exit status (0, 2 for a user mistake, 130 on Ctrl-C)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version and usage mistakes end here
        return stop.code if isinstance(stop.code, int) else EXIT_USER_ERROR
    name: str | None = getattr(args, "handler", None)
    if name is None:
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        out = getattr(args, "out", None)
        if out is not None:  # a folder that cannot be written is named before any work
            # deferred: the output folders load YAML, which --help and --version never need
            from calc.data.output_folder import check_folder

            check_folder(out)
        with text_width(output_width(sys.stdout, wide=getattr(args, "wide", False))):
            return _handler(name)(args)
    except CapcalcError as exc:
        sys.stderr.write(f"capcalc: {exc.keyed(FLAGS)}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("capcalc: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
