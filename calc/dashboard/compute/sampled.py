"""Cached calls into :mod:`calc` for the Uncertainty view: the Monte Carlo of a session's
scenario, its bands, the tornado, the Sobol indices and P(target) with each input pinned.

Keyed on the :class:`~calc.dashboard.keys.StateKey` and the samples and seed (and the
output examined): a rerun with the same ones costs a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calc.analysis.montecarlo import Simulation, simulate
from calc.analysis.sensitivity import (
    ConditionalP,
    Sensitivity,
    p_target_conditional,
    sobol,
    tornado,
)
from calc.core.vocabulary import OUTPUTS
from calc.dashboard.compute.cache import memo
from calc.dashboard.compute.scenario import library_for, scenario_of
from calc.dashboard.keys import StateKey
from calc.presentation.montecarlo import precision_warnings

__all__ = ["SOBOL_SAMPLES", "Bands", "bands", "conditional", "power_for", "simulation",
           "sobol_indices", "spreads", "tornado_bars"]

#: Saltelli base sample count of the dashboard's Sobol indices.
SOBOL_SAMPLES = 512


@memo(max_entries=8)
def simulation(key: StateKey, samples: int, seed: int) -> Simulation:
    """The Monte Carlo of the state (:func:`calc.simulate`); its arrays are kept once, never
    copied per rerun."""
    return simulate(library_for(key.upload), scenario_of(key), samples=samples, seed=seed)


@memo(max_entries=64)
def spreads(key: StateKey, samples: int, seed: int) -> dict[str, bool]:
    """Whether each output varies across the samples (P5 below P95)."""
    sim = simulation(key, samples, seed)
    return {name: sim.varies(name) for name in OUTPUTS}


@dataclass(frozen=True)
class Bands:
    """The 90 % band of each output asked for (P5, P50, P95), P(target) with its standard
    error, and the lines that say where the samples are too few."""

    bands: dict[str, tuple[float, float, float]]
    p_target: float
    p_target_se: float
    warnings: tuple[str, ...]


@memo(max_entries=64)
def bands(key: StateKey, samples: int, seed: int, outputs: tuple[str, ...],
          examined: str) -> Bands:
    """The bands of ``outputs``, P(target) and the precision warnings of ``outputs`` and the
    output ``examined``."""
    sim = simulation(key, samples, seed)
    found = {}
    for name in outputs:
        s = sim.summary(name)
        found[name] = (s.p5, s.p50, s.p95)
    return Bands(found, sim.p_target_reached(), sim.p_target_se(),
                 tuple(precision_warnings([sim], [*outputs, examined])))


@memo(max_entries=64)
def tornado_bars(key: StateKey, output: str) -> Sensitivity:
    """Each input with a range swung from its low to its high
    (:func:`calc.analysis.sensitivity.tornado`)."""
    return tornado(library_for(key.upload), scenario_of(key), output)


@memo(max_entries=32)
def sobol_indices(key: StateKey, output: str, seed: int) -> Sensitivity:
    """The Sobol indices of ``output`` over :data:`SOBOL_SAMPLES` Saltelli samples."""
    return sobol(library_for(key.upload), scenario_of(key), output, samples=SOBOL_SAMPLES,
                 seed=seed)


@memo(max_entries=32)
def conditional(key: StateKey, samples: int, seed: int) -> ConditionalP:
    """P(target) with each input pinned at its low and its high, widest swing first
    (:func:`calc.analysis.sensitivity.p_target_conditional`)."""
    return p_target_conditional(library_for(key.upload), scenario_of(key), samples=samples,
                                seed=seed)


@memo(max_entries=64)
def power_for(key: StateKey, samples: int, seed: int, probability: float) -> float:
    """The facility power (MW) at which ``probability`` of the samples reach the target: the
    ``probability`` quantile of each sample's ``facility_power_mw_for_target`` (the power
    :func:`calc.analysis.confidence.solve_probability` finds for the facility power, without
    its search); infinite when that share of the samples reaches the target at no power
    (an order statistic, so samples out of reach never enter a difference)."""
    values = simulation(key, samples, seed)["facility_power_mw_for_target"]
    return float(np.quantile(np.nan_to_num(values, nan=np.inf), probability,
                             method="inverted_cdf"))
