"""Facility power → compute on every chip: the sweep behind the power chart.

Each accelerator keeps the scenario's other inputs (PUE, MFU, ...) and takes its
own catalog values for what the scenario did not set; the site is sized by power
alone. One vectorised run of the chain per chip gives its curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from calc.analysis.run import model_inputs
from calc.core.chain import evaluate
from calc.data.scenarios import Library, Scenario

__all__ = ["CURVE_OUTPUTS", "DEFAULT_POWERS_MW", "PowerCurves", "power_curves"]

#: The outputs each curve keeps.
CURVE_OUTPUTS = ("accelerators", "h100_equivalents", "effective_flop_per_s", "compute_multiple")
#: The powers swept when none are given: 61 log-spaced from 10 MW to 5 GW.
DEFAULT_POWERS_MW = (10.0, 5000.0, 61)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PowerCurves:
    """Every chip's outputs against facility power.

    Attributes
    ----------
    scenario, baseline : str
        The scenario swept and the one its multiples are measured from.
    powers_mw : ndarray
        The facility powers, MW.
    accelerators : tuple of str
        The chips, in the order of ``outputs``' first axis.
    outputs : dict of str to ndarray
        Each of :data:`CURVE_OUTPUTS`, shape (chips, powers), in the output's unit.
    """

    scenario: str
    baseline: str
    powers_mw: FloatArray
    accelerators: tuple[str, ...]
    outputs: dict[str, FloatArray]

    def curve(self, accelerator: str, output: str) -> FloatArray:
        """One chip's ``output`` against :attr:`powers_mw`."""
        return self.outputs[output][self.accelerators.index(accelerator)]


def power_curves(library: Library, scenario: Scenario, baseline_measure: float,
                 powers_mw: Sequence[float] | None = None,
                 accelerators: Sequence[str] | None = None) -> PowerCurves:
    """Sweep facility power on each of ``accelerators`` (default: the whole catalog).

    Parameters
    ----------
    library : Library
        Gives the catalog and each chip's values.
    scenario : Scenario
        Its other inputs are kept.
    baseline_measure : float
        The baseline's measured quantity (FLOP/s, or FLOP per run), the multiple's unit.
    powers_mw : sequence of float, optional
        Facility powers, MW (default 61 log-spaced from 10 MW to 5 GW).

    Examples
    --------
    >>> import calc
    >>> library = calc.load()
    >>> base = calc.run(library, "cortex-phase1")
    >>> curves = power_curves(library, library.scenario("cortex-phase1"),
    ...                       base["effective_flop_per_s"], [100.0, 200.0], ["H100"])
    >>> [round(float(m), 3) for m in curves.curve("H100", "compute_multiple")]
    [1.0, 2.0]
    """
    low, high, count = DEFAULT_POWERS_MW
    powers = np.asarray(powers_mw if powers_mw is not None
                        else np.geomspace(low, high, int(count)), dtype=float)
    names = tuple(accelerators or library.baseline.catalog)
    rows: dict[str, list[FloatArray]] = {key: [] for key in CURVE_OUTPUTS}
    for name in names:
        inputs = model_inputs(library.with_accelerator(scenario, name))
        inputs["site.facility_power_mw"] = powers
        inputs["site.accelerators"] = None
        out = evaluate(inputs, baseline_measure)
        for key in CURVE_OUTPUTS:
            rows[key].append(np.broadcast_to(np.asarray(out[key], dtype=float), powers.shape))
    outputs = {key: np.array(rows[key]).reshape(len(names), powers.size) for key in CURVE_OUTPUTS}
    return PowerCurves(scenario.name, scenario.baseline_name, powers, names, outputs)
