"""Draws of the catalog's uncertain figures for a sampled build-out: one per chip and figure.

A build-out installs chips the scenario does not name (``latest``, refreshes,
phases on another chip). Each catalog chip's ranged figures — TDP, server
overhead, dense FLOP/s, capex — and its release month are drawn here once per
sample, keyed ``catalog.<NAME>.<field>`` (and ``catalog.<NAME>.release``, a
month index), so every phase and refresh on that chip in a sample uses the same
draw (:class:`calc.core.fleet_chips.FleetChips` reads them), and ``latest``
ranks the chips within each sample.

The scenario's own ``hardware.accelerator`` is left out: its figures are the
scenario's ``hardware.*`` inputs, drawn with the joint sampler and shared with
the baseline (common random numbers). A figure the user set as a
``catalog.<NAME>.<field>`` value stays fixed. A chip's BF16 and FP8 peaks share
one normal score (the one derives from the other), every other figure has its
own seeded stream, so adding a range to one chip moves no other draw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.distributions import Marginal, fit, marginal
from calc.analysis.joint_sampling import stream
from calc.core.errors import CapcalcError
from calc.core.fleet_chips import release_key
from calc.core.months import month_index
from calc.data.assumptions import Accelerator

__all__ = ["DRAWN_FIELDS", "catalog_draws", "release_marginal"]

FloatArray = npt.NDArray[np.float64]

#: Stream tag of the catalog's draws (apart from every input's and every slip's stream).
_CATALOG_STREAM = 0xCA7A
#: The catalog figures a build-out draws where they have a range.
DRAWN_FIELDS = ("tdp_w", "server_overhead", "bf16_flop_per_s", "fp8_flop_per_s", "capex_usd")
#: Figures drawn with one normal score per chip: its dense peaks at the two precisions.
_TOGETHER = ("bf16_flop_per_s", "fp8_flop_per_s")


def release_marginal(acc: Accelerator) -> Marginal | None:
    """The release month of a chip with a range, as a month index: a two-piece normal
    through (low, value, high); None without a range.

    >>> from calc.data.assumptions import load_baseline
    >>> m = release_marginal(load_baseline().catalog["Rubin"])
    >>> [int(q) for q in np.rint(m.quantile(np.array([0.05, 0.5, 0.95])))] == [
    ...     month_index("2026-09"), month_index("2026-12"), month_index("2027-03")]
    True
    """
    if acc.release_low is None or acc.release_high is None:
        return None
    value, low, high = (float(month_index(m)) for m in (acc.release, acc.release_low,
                                                        acc.release_high))
    if low == high:
        return None
    return Marginal(key=release_key(acc.key), family="normal", params=fit("normal", value, low,
                                                                          high),
                    lower=-math.inf, upper=math.inf, value=value, low=low, high=high)


def catalog_draws(catalog: Mapping[str, Accelerator], values: Mapping[str, Any],
                  samples: int, seed: int) -> dict[str, FloatArray]:
    """One draw per sample of every ranged catalog figure and release month.

    Parameters
    ----------
    catalog : mapping
        The accelerator catalog.
    values : mapping
        The scenario's values: its ``hardware.accelerator`` is left out, and any
        ``catalog.<NAME>.<field>`` already set stays fixed.
    samples, seed : int
        How many draws, and the seed of their streams.

    Returns
    -------
    dict of str to ndarray
        ``catalog.<NAME>.<field>`` in the catalog's units and ``catalog.<NAME>.release``
        as whole month indices, each ``(samples,)``.
    """
    own = str(values.get("hardware.accelerator"))
    out: dict[str, FloatArray] = {}
    for name, acc in catalog.items():
        shared_z: FloatArray | None = None
        for field in DRAWN_FIELDS if name != own else ():
            key = f"catalog.{name}.{field}"
            entry = acc.entries.get(field)
            if key in values or entry is None:
                continue
            try:
                spread = marginal(entry)
            except CapcalcError as exc:
                raise exc.at(file="assumptions.yaml", key=key) from None
            if spread is None:
                continue
            if field in _TOGETHER:
                if shared_z is None:
                    shared_z = stream(seed, f"catalog.{name}.flop_per_s",
                                      _CATALOG_STREAM).standard_normal(samples)
                z = shared_z
            else:
                z = stream(seed, key, _CATALOG_STREAM).standard_normal(samples)
            out[key] = np.asarray(spread.from_normal(z), dtype=float)
        when = release_marginal(acc)
        if when is not None and release_key(name) not in values:
            z = stream(seed, release_key(name), _CATALOG_STREAM).standard_normal(samples)
            out[release_key(name)] = np.rint(when.from_normal(z))
    return out
