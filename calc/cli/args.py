"""Arguments the subcommands share: scenarios and ``--set``, output folders, Monte Carlo.

Only :mod:`argparse` here, so building the whole parser (``capcalc --help``)
loads nothing heavy. Values are checked where argparse can (a number of
samples, a seed, a folder name) and otherwise by the command itself.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from calc.core.errors import shown

__all__ = [
    "FLAGS",
    "add_monte_carlo_args",
    "add_output_args",
    "add_scenario_args",
    "add_sweep_args",
    "add_wide_arg",
    "allow_intermixed",
    "chart_formats",
    "out_folder",
    "positive",
    "probability",
    "samples",
    "seed",
]

#: The flag (or argument) each of the model's own error keys stands for on the command line.
FLAGS: dict[str, str] = {
    "until": "--until",
    "at": "--at",
    "by": "--by",
    "target": "--target",
    "samples": "--samples",
    "probability": "--probability",
    "slip": "--slip",
    "seed": "--seed",
    "formats": "--formats",
    "out": "--out",
    "output": "OUTPUT",
    "scenario": "SCENARIO",
    "workers": "--workers",
    "scheduler": "--scheduler",
    "density": "--density",
}


def add_scenario_args(parser: argparse.ArgumentParser, *, many: bool = True) -> None:
    """``SCENARIO|FILE`` (one or several) and ``--set KEY=VALUE`` (repeatable)."""
    parser.add_argument(
        "scenarios", nargs="*" if many else "?", metavar="SCENARIO|FILE",
        help="shipped scenario names or scenario YAML files (default: the baseline)",
    )
    parser.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
        help="override an input in every scenario, e.g. site.facility_power_mw='0.5 GW'",
    )


def out_folder(text: str) -> Path:
    """``--out DIR``: a folder name, never empty (an empty name would mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; name the folder to write into (e.g. out)")
    return Path(text)


def chart_formats(text: str) -> list[str]:
    """``--formats png,svg``: the list, in order (checked against the chart formats later).

    >>> chart_formats("PNG, svg")
    ['png', 'svg']
    """
    return [f.strip().lower() for f in text.split(",") if f.strip()]


def add_output_args(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """``--format``, ``--out DIR``, ``--formats LIST`` and ``--force``."""
    parser.add_argument("--format", choices=formats, default=formats[0],
                        help=f"output format (default {formats[0]})")
    parser.add_argument("--out", type=out_folder, metavar="DIR",
                        help="write charts (PNG, SVG) and the CSV behind each into DIR")
    parser.add_argument("--formats", type=chart_formats, default=["png", "svg"], metavar="LIST",
                        help="chart formats for --out: any of png,svg,pdf (default png,svg)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files that already exist in --out")


def add_wide_arg(parser: argparse.ArgumentParser) -> None:
    """``--wide``: tables and text one line per row, however wide (default: the screen's
    width, ``COLUMNS`` or 80)."""
    parser.add_argument("--wide", action="store_true",
                        help="one line per table row and per sentence, however wide "
                        "(default: fit COLUMNS, the terminal, or 80 columns)")


def positive(text: str) -> int:
    """A whole number of at least 1 (``--workers``, ``--block-size``)."""
    cleaned = text.replace(",", "").replace("_", "").strip()
    if not cleaned.isdigit() or len(cleaned) > 9 or int(cleaned) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more (got {shown(text)})")
    return int(cleaned)


def add_sweep_args(parser: argparse.ArgumentParser) -> None:
    """The sweep file and where its blocks run: ``--out``, ``--workers``, ``--scheduler``."""
    parser.add_argument("file", type=Path, metavar="SWEEP",
                        help="a sweep file (YAML; see sweep.schema.json)")
    parser.add_argument("--out", type=out_folder, metavar="DIR",
                        help="write each finished block into DIR/sweep-blocks (a killed sweep "
                        "run again with the same --out resumes) and the results as "
                        "sweep.parquet (and sweep.zarr.zip) with datapackage.json")
    parser.add_argument("--force", action="store_true",
                        help="start over when --out holds another sweep's blocks, and "
                        "overwrite its files")
    parser.add_argument("--workers", type=positive, metavar="N",
                        help="run the blocks on a local pool of N processes")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run the blocks on a Dask cluster (needs capcalc-datacenter[dask])")
    parser.add_argument("--block-size", dest="block_size", type=positive, metavar="N",
                        help="points per block (default: what fits; results do not change)")


def samples(text: str) -> int:
    """``--samples N``: a whole number (``10,000`` and ``10_000`` read as 10000)."""
    cleaned = text.replace(",", "").replace("_", "").strip()
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a whole number of samples (e.g. 10000)")
    return int(cleaned)


def seed(text: str) -> int:
    """``--seed S``: a whole number from 0 to 2**63 - 1."""
    cleaned = text.strip()
    if not cleaned.isdigit() or len(cleaned) > 19 or int(cleaned) >= 2 ** 63:
        raise argparse.ArgumentTypeError(
            f"must be a whole number, 0 or more, below 2**63 (got {shown(text)})")
    return int(cleaned)


def probability(text: str) -> float:
    """``--probability P``: a chance strictly between 0 and 1 (``0.8`` or ``80%``)."""
    cleaned = text.strip()
    scale = 100.0 if cleaned.endswith("%") else 1.0
    try:
        value = float(cleaned.rstrip("%").strip()) / scale
    except ValueError:
        value = math.nan
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(
            f"must be a probability strictly between 0 and 1, such as 0.8 or 80% "
            f"(got {shown(text)})")
    return value


def add_monte_carlo_args(parser: argparse.ArgumentParser, *, default: int | None = None,
                         samples_help: str | None = None) -> None:
    """``--samples N`` and ``--seed S``."""
    what = "Monte Carlo samples over every input's 90 %% range"
    parser.add_argument("--samples", type=samples, default=default, metavar="N",
                        help=samples_help.replace("%", "%%") if samples_help else
                        f"{what}" + (f" (default {default:,})" if default else
                                     " (default: none, the central run only)"))
    parser.add_argument("--seed", type=seed, default=0, metavar="S",
                        help="seed of the random streams; the same seed gives the same numbers "
                             "(default 0)")


def allow_intermixed(parser: argparse.ArgumentParser) -> None:
    """Let ``parser`` take positionals after options (``solve KEY --target T SCENARIO``)."""
    base = type(parser)

    class Intermixed(base):  # type: ignore[valid-type,misc]
        _busy = False

        def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
            if self._busy:  # the intermixed parse calls back in: parse plainly then
                return super().parse_known_args(args, namespace)
            self._busy = True
            try:
                return self.parse_known_intermixed_args(args, namespace)
            finally:
                self._busy = False

    parser.__class__ = Intermixed
