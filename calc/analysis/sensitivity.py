"""Which assumption matters: tornado swings and variance-based Sobol indices of one output.

The *tornado* moves each input with a range from its ``low`` to its ``high``
while every other input stays at its central ``value``, and ranks inputs by
the swing of the chosen output. The *Sobol* indices (Saltelli sampling and
estimators, computed by SALib) split the output's variance: S1 is the share
an input explains alone, ST the share it takes part in, interactions
included; both come with bootstrap confidence intervals.

Both follow capcalc's Monte Carlo conventions: each input has the truncated
distribution of :mod:`calc.analysis.distributions`, and an input the scenario shares
with its baseline (same value and range) moves in both, so for the compute
multiple only what differs between them can matter. Inputs only the baseline
has (or has with another range) appear as ``baseline`` inputs for the outputs
measured against the baseline. A ``meet_target`` input is solved once at
central values and then held fixed. Sobol indices assume independent
inputs, so declared rank correlations are not applied here.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.distributions import Marginal, marginals
from calc.analysis.limits import DEFAULT_SAMPLES, DEFAULT_SOBOL_SAMPLES, MAX_SOBOL_SAMPLES
from calc.analysis.montecarlo import paired_draws, resolve
from calc.core.chain import evaluate, measure_of, target_measure
from calc.core.errors import CapcalcError, quoted, suggest
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.scenarios import Library, Scenario

__all__ = [
    "BASELINE_OUTPUTS",
    "DEFAULT_SOBOL_SAMPLES",
    "P_TARGET",
    "ConditionalP",
    "Parameter",
    "PinnedP",
    "Sensitivity",
    "SobolIndex",
    "TornadoBar",
    "evaluate_parameters",
    "p_target_conditional",
    "parameters",
    "sensitivity",
    "sobol",
    "tornado",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: The name ``capcalc sensitivity`` takes for the chance of reaching the target.
P_TARGET = "p_target_reached"
#: Outputs measured against the baseline scenario's samples.
BASELINE_OUTPUTS = frozenset({"compute_multiple", "facility_power_mw_for_target"})


@dataclass(frozen=True)
class Parameter:
    """One uncertain input as the analysis moves it.

    ``side`` is ``"both"`` (shared by the scenario and its baseline),
    ``"scenario"`` or ``"baseline"`` (that one only).
    """

    key: str
    side: str
    marginal: Marginal

    @property
    def label(self) -> str:
        """The key, marked when it is the baseline's own input."""
        return f"{self.key} (baseline)" if self.side == "baseline" else self.key


@dataclass(frozen=True)
class TornadoBar:
    """The output at an input's ``low`` and ``high``, the others central."""

    parameter: Parameter
    input_low: float
    input_high: float
    output_low: float
    output_high: float

    @property
    def swing(self) -> float:
        """``|output_high - output_low|``, in the output's unit (0 below rounding noise)."""
        swing = abs(self.output_high - self.output_low)
        scale = max(abs(self.output_high), abs(self.output_low))
        return 0.0 if swing <= 1e-12 * scale else swing

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "low", "high", "swing"}`` (outputs at the input's ends) and details."""
        return {"key": self.parameter.key, "low": self.output_low, "high": self.output_high,
                "swing": self.swing, "side": self.parameter.side,
                "input_low": self.input_low, "input_high": self.input_high,
                "input_unit": INPUTS[self.parameter.key].unit}


@dataclass(frozen=True)
class SobolIndex:
    """First-order (S1) and total (ST) Sobol indices of one input with 95 % half-widths."""

    parameter: Parameter
    S1: float
    S1_conf: float
    ST: float
    ST_conf: float

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "S1", "S1_conf", "ST", "ST_conf"}`` and the side."""
        return {"key": self.parameter.key, "S1": self.S1, "S1_conf": self.S1_conf,
                "ST": self.ST, "ST_conf": self.ST_conf, "side": self.parameter.side}


@dataclass(frozen=True)
class Sensitivity:
    """Tornado and (optionally) Sobol analysis of one output of one scenario."""

    scenario: Scenario
    baseline: Scenario
    output: str
    central: float
    tornado: tuple[TornadoBar, ...]
    sobol: tuple[SobolIndex, ...] = ()
    samples: int = 0
    evaluations: int = 0
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``capcalc sensitivity --format json``."""
        return {
            "output": self.output,
            "unit": OUTPUTS[self.output].unit,
            "scenario": self.scenario.name,
            "baseline": self.baseline.name,
            "central": self.central,
            "tornado": [bar.to_dict() for bar in self.tornado],
            "sobol": [index.to_dict() for index in self.sobol],
            "sobol_samples": self.samples,
            "sobol_evaluations": self.evaluations,
            "seed": self.seed,
        }


def check_output(output: str) -> str:
    """``output`` if it is a model output, else a CapcalcError suggesting the nearest."""
    if output not in OUTPUTS:
        raise CapcalcError(f"unknown output {quoted(output)}"
                           f"{suggest(output, [*OUTPUTS, P_TARGET])} "
                           f"(outputs: {', '.join(OUTPUTS)}; or {P_TARGET})", key="output")
    return output


def parameters(scenario: Scenario, baseline: Scenario, output: str) -> list[Parameter]:
    """The uncertain inputs that can move ``output``, in vocabulary order."""
    mine = marginals(scenario.assumptions)
    theirs = marginals(baseline.assumptions) if output in BASELINE_OUTPUTS else {}
    found = []
    for key in INPUTS:
        m, b = mine.get(key), theirs.get(key)
        if m is not None and m == b:
            found.append(Parameter(key, "both", m))
            continue
        if m is not None:
            found.append(Parameter(key, "scenario", m))
        if b is not None:
            found.append(Parameter(key, "baseline", b))
    return found


def evaluate_parameters(scenario: Scenario, baseline: Scenario, output: str,
                        params: Sequence[Parameter], values: FloatArray) -> FloatArray:
    """``output`` for each row of ``values`` (one column per parameter), others central."""
    values = np.asarray(values, dtype=float)
    rows = values.shape[0]
    mine: dict[str, Any] = dict(scenario.values)
    theirs: dict[str, Any] = dict(baseline.values)
    for j, p in enumerate(params):
        if p.side in ("scenario", "both"):
            mine[p.key] = values[:, j]
        if p.side in ("baseline", "both"):
            theirs[p.key] = values[:, j]
    out = evaluate(mine, measure_of(evaluate(theirs, 1.0), target_measure(scenario.values)))[output]
    return np.broadcast_to(np.asarray(out, dtype=float), (rows,)).copy()


def tornado(library: Library, scenario: str | Scenario, output: str,
            sets: Iterable[tuple[str, Any]] = ()) -> Sensitivity:
    """Each input from its low to its high, the others central; bars sorted by swing.

    Examples
    --------
    >>> import calc
    >>> t = tornado(calc.load(), "cortex-full", "compute_multiple")
    >>> swings = [bar.swing for bar in t.tornado]
    >>> swings == sorted(swings, reverse=True), t.tornado[0].parameter.label
    (True, 'site.pue')
    """
    check_output(output)
    result, baseline = resolve(library, scenario, sets)
    params = parameters(result.scenario, baseline, output)
    central = np.array([p.marginal.value for p in params], dtype=float)
    grid = np.tile(central, (2 * len(params), 1))
    for j, p in enumerate(params):
        grid[2 * j, j] = p.marginal.low
        grid[2 * j + 1, j] = p.marginal.high
    out = evaluate_parameters(result.scenario, baseline, output, params, grid)
    bars = [TornadoBar(p, p.marginal.low, p.marginal.high, float(out[2 * j]),
                       float(out[2 * j + 1])) for j, p in enumerate(params)]
    bars.sort(key=lambda bar: bar.swing, reverse=True)
    return Sensitivity(scenario=result.scenario, baseline=baseline, output=output,
                       central=float(result.outputs[output]), tornado=tuple(bars))


def _power_of_two(samples: int) -> int:
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 16:
        raise CapcalcError(f"must be a whole number of at least 16 (got {samples!r})",
                           key="samples")
    if samples > MAX_SOBOL_SAMPLES:
        raise CapcalcError(f"must be at most {MAX_SOBOL_SAMPLES:,} base samples for Sobol "
                           f"indices (got {samples:,})", key="samples")
    return 1 << math.ceil(math.log2(int(samples)))


def sobol(library: Library, scenario: str | Scenario, output: str,
          sets: Iterable[tuple[str, Any]] = (), *, samples: int = DEFAULT_SOBOL_SAMPLES,
          seed: int = 0) -> Sensitivity:
    """Sobol first-order and total indices of ``output`` (SALib), sorted by ST.

    ``samples`` is Saltelli's base sample count N, rounded up to a power of
    two; the model runs N × (inputs + 2) times, in one vectorised call.
    """
    from SALib.analyze import sobol as sobol_analyze  # deferred: SALib only for Sobol indices
    from SALib.sample import sobol as sobol_sample

    check_output(output)
    base = _power_of_two(samples)
    if seed < 0:
        raise CapcalcError(f"the seed must be a whole number ≥ 0 (got {seed})", key="seed")
    found = tornado(library, scenario, output, sets)
    params = [bar.parameter for bar in found.tornado]
    if not params:
        return found
    problem = {"num_vars": len(params), "names": [p.label for p in params],
               "bounds": [[0.0, 1.0]] * len(params)}
    unit = sobol_sample.sample(problem, base, calc_second_order=False, seed=seed)
    values = np.column_stack([p.marginal.quantile(unit[:, j]) for j, p in enumerate(params)])
    y = evaluate_parameters(found.scenario, found.baseline, output, params, values)
    if not np.all(np.isfinite(y)):  # out of reach in some runs: variance is not defined
        logger.info("%s is not finite in every run of %s; no Sobol indices", output,
                    found.scenario.name)
        return found
    if float(np.ptp(y)) == 0.0:
        indices = [SobolIndex(p, 0.0, 0.0, 0.0, 0.0) for p in params]
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # bootstrap of near-zero indices
            si = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=0.95,
                                       num_resamples=100,
                                       seed=seed + 1)  # SALib reads seed 0 as "unseeded"
        indices = [SobolIndex(p, float(si["S1"][j]), float(si["S1_conf"][j]),
                              float(si["ST"][j]), float(si["ST_conf"][j]))
                   for j, p in enumerate(params)]
    indices.sort(key=lambda index: index.ST, reverse=True)
    return Sensitivity(scenario=found.scenario, baseline=found.baseline, output=output,
                       central=found.central, tornado=found.tornado, sobol=tuple(indices),
                       samples=base, evaluations=int(y.size), seed=seed)


def sensitivity(library: Library, scenario: str | Scenario, output: str,
                sets: Iterable[tuple[str, Any]] = (), *, samples: int = DEFAULT_SOBOL_SAMPLES,
                seed: int = 0) -> Sensitivity:
    """Tornado and Sobol indices of ``output`` (what ``capcalc sensitivity`` prints)."""
    return sobol(library, scenario, output, sets, samples=samples, seed=seed)


# ---------------------------------------------------------------- what if we knew


@dataclass(frozen=True)
class PinnedP:
    """P(target) with one input pinned at its ``low`` and at its ``high``, the others sampled."""

    parameter: Parameter
    p_low: float
    p_high: float

    @property
    def swing(self) -> float:
        """``|p_high - p_low|``: how much knowing this input could move the chance."""
        return abs(self.p_high - self.p_low)

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "p_low", "p_high"}`` with the side, the swing and the input's ends."""
        m = self.parameter.marginal
        return {"key": self.parameter.key, "side": self.parameter.side, "p_low": self.p_low,
                "p_high": self.p_high, "swing": self.swing, "input_low": m.low,
                "input_high": m.high, "input_unit": INPUTS[self.parameter.key].unit}


@dataclass(frozen=True)
class ConditionalP:
    """What pinning each uncertain input would do to P(compute multiple ≥ target)."""

    scenario: Scenario
    baseline: Scenario
    p_target: float
    pinned: tuple[PinnedP, ...]
    samples: int
    seed: int

    def se(self, p: float) -> float:
        """Monte Carlo standard error of a probability over these samples (binomial)."""
        return math.sqrt(p * (1 - p) / self.samples)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``p_target_reached`` and ``p_target_conditional`` sorted by swing."""
        return {"output": P_TARGET, "scenario": self.scenario.name,
                "baseline": self.baseline.name, "p_target_reached": self.p_target,
                "p_target_reached_se": self.se(self.p_target),
                "p_target_conditional": [p.to_dict() for p in self.pinned],
                "samples": self.samples, "seed": self.seed}


def p_target_conditional(library: Library, scenario: str | Scenario,
                         sets: Iterable[tuple[str, Any]] = (), *,
                         samples: int = DEFAULT_SAMPLES, seed: int = 0) -> ConditionalP:
    """P(target) with each uncertain input pinned at its low, then its high; sorted by swing.

    One set of joint samples (:func:`calc.analysis.montecarlo.paired_draws`, the
    draws :func:`calc.simulate` makes for the seed) serves every question: an
    input is pinned by replacing its samples with one value — in the scenario,
    the baseline or both, as it is shared — while every other input keeps its
    draws. The answer is what ``--set KEY=LOW`` (or HIGH) with the same
    ``--samples`` gives, to Monte Carlo error.
    """
    draws = paired_draws(library, scenario, sets, samples=samples, seed=seed)
    target_key = "target.compute_multiplier"
    target_samples = draws.drawn.get(target_key, draws.scenario.inputs.target.compute_multiplier)

    def chance(pinned: dict[str, float], baseline_pinned: dict[str, float]) -> float:
        multiple = draws.outputs(pinned, baseline_pinned)["compute_multiple"]
        target = pinned.get(target_key, target_samples)
        return float(np.mean(multiple >= target))

    rows = []
    for p in parameters(draws.scenario, draws.baseline, "compute_multiple"):
        ends = []
        for value in (p.marginal.low, p.marginal.high):
            mine = {p.key: value} if p.side in ("scenario", "both") else {}
            theirs = {p.key: value} if p.side in ("baseline", "both") else {}
            ends.append(chance(mine, theirs))
        rows.append(PinnedP(p, ends[0], ends[1]))
    rows.sort(key=lambda row: row.swing, reverse=True)
    logger.debug("p_target_conditional of %s: %d inputs, %d samples", draws.scenario.name,
                 len(rows), draws.samples)
    return ConditionalP(scenario=draws.scenario, baseline=draws.baseline,
                        p_target=chance({}, {}), pinned=tuple(rows), samples=draws.samples,
                        seed=seed)
