"""The capacity chain for one site at one moment: power → accelerators → FLOP → energy → cost.

Every function is pure and vectorised: each argument may be a float or a
numpy array (Monte Carlo samples, a sweep), and arrays broadcast. Units are
in the names; the only numbers here are true constants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from calc.core.constants import (
    DAYS_PER_YEAR,
    H100_FP8_FLOP_PER_S,
    HOURS_PER_DAY,
    HOURS_PER_YEAR,
    SECONDS_PER_DAY,
    W_PER_MW,
)
from calc.core.money import (
    annual_electricity_cost_usd,
    annual_energy_mwh,
    annualized_cost_usd,
    capex_usd,
    cloud_cost_usd,
    cost_per_run_usd,
    energy_per_flop_j,
    lease_breakeven_utilisation,
    owned_cost_per_used_hour_usd,
)
from calc.core.vocabulary import MEASURES, OUTPUTS

__all__ = [
    "accelerators_for_power",
    "annual_training_flop",
    "availability_load",
    "compute_multiple",
    "effective_flop_per_s",
    "evaluate",
    "facility_power_for_accelerators",
    "facility_power_mw_for_target",
    "facility_w_per_accelerator",
    "h100_equivalents",
    "interruption_load",
    "it_power_mw",
    "measure_of",
    "measured",
    "multiple_ceiling",
    "peak_flop_per_s",
    "target_measure",
    "training_flop_per_run",
    "wall_time_availability",
]

Array: TypeAlias = float | npt.NDArray[np.float64]


def facility_w_per_accelerator(
    tdp_w: Array, server_overhead: Array, it_overhead: Array, pue: Array
) -> Array:
    """Facility power each accelerator accounts for, W.

    Parameters
    ----------
    tdp_w : accelerator board power, W
    server_overhead : server power ÷ TDP
    it_overhead : IT power ÷ server power
    pue : facility power ÷ IT power

    Examples
    --------
    >>> round(facility_w_per_accelerator(700, 1.82, 1.14, 1.2), 1)
    1742.8
    """
    return tdp_w * server_overhead * it_overhead * pue


def accelerators_for_power(facility_power_mw: Array, w_per_accelerator: Array) -> Array:
    """Accelerators a facility of ``facility_power_mw`` MW supplies.

    >>> accelerators_for_power(100, 2000)
    50000.0
    """
    return facility_power_mw * W_PER_MW / w_per_accelerator


def facility_power_for_accelerators(accelerators: Array, w_per_accelerator: Array) -> Array:
    """Facility power, MW, that ``accelerators`` draw at ``w_per_accelerator`` W each.

    >>> facility_power_for_accelerators(50000, 2000)
    100.0
    """
    return accelerators * w_per_accelerator / W_PER_MW


def it_power_mw(facility_power_mw: Array, pue: Array) -> Array:
    """IT power, MW: facility power ÷ PUE.

    >>> it_power_mw(120, 1.2)
    100.0
    """
    return facility_power_mw / pue


def peak_flop_per_s(accelerators: Array, flop_per_s_per_accelerator: Array) -> Array:
    """Dense peak of the whole site, FLOP/s.

    >>> peak_flop_per_s(1000, 9.89e14)
    9.89e+17
    """
    return accelerators * flop_per_s_per_accelerator


def h100_equivalents(accelerators: Array, peak_8bit_flop_per_s: Array) -> Array:
    """H100-equivalents: dense 8-bit FLOP/s ÷ one H100 SXM's 1.979e15 (Epoch AI).

    >>> h100_equivalents(1000, 1.979e15)
    1000.0
    """
    return accelerators * peak_8bit_flop_per_s / H100_FP8_FLOP_PER_S


def effective_flop_per_s(peak: Array, mfu: Array, availability: Array,
                         share: Array = 1.0) -> Array:
    """Training throughput actually achieved over wall time, FLOP/s.

    ``share`` is the part of the fleet that trains (the rest serves inference,
    simulation or labelling).

    >>> effective_flop_per_s(1e18, 0.4, 0.9)
    3.6e+17
    >>> effective_flop_per_s(1e18, 0.4, 0.9, 0.5)
    1.8e+17
    """
    return peak * mfu * availability * share


def interruption_load(accelerators: Array, interruptions_per_accelerator_day: Array,
                      hours_lost_per_interruption: Array) -> Array:
    """Hours a synchronous run loses per hour it trains: N × rate × hours lost ÷ 24.

    Any one accelerator's interruption stops the whole run, so the load grows
    with the cluster. Llama 3 on 16,384 H100 (466 interruptions in 54 days,
    about 0.309 h lost each) had a load of 0.111: 90 % effective training time.

    >>> round(interruption_load(16_384, 466 / (54 * 16_384), 0.309), 3)
    0.111
    """
    return (accelerators * interruptions_per_accelerator_day * hours_lost_per_interruption
            / HOURS_PER_DAY)


def wall_time_availability(inputs: Mapping[str, Any], accelerators: Array) -> Array:
    """Share of wall time the cluster trains: ``training.availability``, or with the
    ``interruptions`` model (``training.availability_model``) 1 ÷ (1 + interruption load).

    >>> wall_time_availability({"training.availability": 0.87}, 1e5)
    0.87
    >>> round(wall_time_availability({"training.availability_model": "interruptions",
    ...     "training.interruptions_per_accelerator_day": 466 / (54 * 16_384),
    ...     "training.hours_lost_per_interruption": 0.309}, 16_384), 3)
    0.9
    """
    load = availability_load(inputs, accelerators)
    return inputs["training.availability"] if load is None else 1.0 / (1.0 + load)


def availability_load(inputs: Mapping[str, Any], accelerators: Array) -> Array | None:
    """The interruption load, or None under the ``fixed`` availability model."""
    if inputs.get("training.availability_model", "fixed") != "interruptions":
        return None
    return interruption_load(accelerators, inputs["training.interruptions_per_accelerator_day"],
                             inputs["training.hours_lost_per_interruption"])


def multiple_ceiling(multiple: Array, load: Array) -> Array:
    """The largest multiple the same chips reach at any size under the interruptions model.

    Effective FLOP/s grow as N ÷ (1 + kN), which tends to 1 ÷ k: the ceiling is
    ``multiple`` × (1 + load) ÷ load (infinite with no interruptions).

    >>> multiple_ceiling(2.0, 1.0)
    4.0
    """
    m = np.asarray(multiple, dtype=float)
    k = np.asarray(load, dtype=float)
    with np.errstate(divide="ignore"):
        out = np.where(k > 0, m * (1 + k) / np.where(k > 0, k, 1.0), np.inf)
    return float(out) if out.ndim == 0 else out


def training_flop_per_run(effective: Array, run_days: Array) -> Array:
    """FLOP of one training run lasting ``run_days`` days.

    >>> training_flop_per_run(1e18, 1)
    8.64e+22
    """
    return effective * run_days * SECONDS_PER_DAY


def annual_training_flop(effective: Array) -> Array:
    """FLOP of a year (8,760 h) of training at ``effective`` FLOP/s."""
    return effective * DAYS_PER_YEAR * SECONDS_PER_DAY


def compute_multiple(effective: Array, baseline_effective: Array) -> Array:
    """Effective FLOP/s as a multiple of the baseline's.

    >>> compute_multiple(5e18, 1e18)
    5.0
    """
    return effective / baseline_effective


def facility_power_mw_for_target(
    facility_power_mw: Array, multiple: Array, target_multiplier: Array, load: Array = 0.0
) -> Array:
    """Facility power, MW, at which a scenario reaches ``target_multiplier``.

    Compute is proportional to power at fixed hardware and utilisation, so
    the power scales by target ÷ achieved multiple, q. Under the interruptions
    availability model (``load`` > 0, :func:`interruption_load`) compute grows
    as N ÷ (1 + kN) and the power scales by q ÷ (1 + load × (1 − q)); a target
    at or above :func:`multiple_ceiling` needs infinite power (``inf``).

    >>> facility_power_mw_for_target(500, 5.0, 10)
    1000.0
    >>> facility_power_mw_for_target(500, 5.0, 10, load=0.5)
    2000.0
    >>> facility_power_mw_for_target(500, 5.0, 20, load=0.5)
    inf
    """
    q = np.asarray(target_multiplier, dtype=float) / np.asarray(multiple, dtype=float)
    if np.ndim(load) == 0 and load == 0:
        # no interruptions: the scale below is exactly 1 wherever q is finite (and NaN,
        # giving inf, where it is not), so the same numbers come from fewer passes
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.multiply(facility_power_mw, target_multiplier) / np.asarray(
                multiple, dtype=float)
            finite = np.isfinite(q)
            if not finite.all():
                out = np.where(finite, out, np.inf)
        return float(out) if out.ndim == 0 else out
    scale = 1.0 + np.asarray(load, dtype=float) * (1.0 - q)
    with np.errstate(divide="ignore", invalid="ignore"):  # power × T ÷ (m × scale)
        out = np.where(scale > 0, facility_power_mw * target_multiplier
                       / (multiple * np.where(scale > 0, scale, 1.0)), np.inf)
    return float(out) if out.ndim == 0 else out


def measured(measure: str, effective: Array, per_run: Array) -> Array:
    """What a compute multiple measures (``target.measure``): FLOP/s, or FLOP per run.

    ``cumulative_training_flop`` is a rate at one moment (a constant fleet's
    cumulative FLOP grow as its FLOP/s); a timeline sums it over the months.

    >>> measured("training_flop_per_run", 2e18, 1.7e25)
    1.7e+25
    >>> measured("effective_flop_per_s", 2e18, 1.7e25)
    2e+18
    """
    return per_run if measure == "training_flop_per_run" else effective


def target_measure(inputs: Mapping[str, Any]) -> str:
    """What the inputs' compute multiple measures: ``target.measure``, by default FLOP/s.

    >>> target_measure({"target.measure": "training_flop_per_run"}), target_measure({})
    ('training_flop_per_run', 'effective_flop_per_s')
    """
    return str(inputs.get("target.measure") or MEASURES[0])


def measure_of(outputs: Mapping[str, Array], measure: str) -> Array:
    """The measured quantity of a run's ``outputs``: the unit a multiple is counted in.

    >>> measure_of({"effective_flop_per_s": 2e18, "training_flop_per_run": 1.7e25},
    ...            "training_flop_per_run")
    1.7e+25
    """
    return measured(measure, outputs["effective_flop_per_s"], outputs["training_flop_per_run"])


_T = TypeVar("_T")


class _once(Generic[_T]):  # a decorator, like functools.cached_property
    """A property computed on first use and kept in the instance (no lock, unlike
    :func:`functools.cached_property` before Python 3.12, whose lock costs more than a
    scalar formula)."""

    def __init__(self, formula: Callable[[Any], _T]) -> None:
        self.formula = formula
        self.name = formula.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, chain: Any, owner: type | None = None) -> _T:
        if chain is None:  # looked up on the class (documentation tools)
            return self  # type: ignore[return-value]
        value = chain.__dict__[self.name] = self.formula(chain)
        return value


class _Chain:
    """The chain's quantities for one set of inputs, each computed when first asked for.

    Every output and every intermediate is a cached property written once, so
    asking for one output computes it and what it depends on, nothing else.
    """

    def __init__(self, inputs: Mapping[str, Any], baseline_measure: Array) -> None:
        self.inputs = inputs
        self.baseline_measure = baseline_measure

    @_once
    def facility_w_per_accelerator(self) -> Array:
        i = self.inputs
        return facility_w_per_accelerator(i["hardware.tdp_w"], i["hardware.server_overhead"],
                                          i["site.it_overhead"], i["site.pue"])

    @_once
    def _sized(self) -> tuple[Array, Array]:
        """Facility power and accelerators: the site sized by count when given, else by power."""
        count = self.inputs.get("site.accelerators")
        if count is None:
            power = self.inputs["site.facility_power_mw"]
            return power, accelerators_for_power(power, self.facility_w_per_accelerator)
        return facility_power_for_accelerators(count, self.facility_w_per_accelerator), count

    @property
    def facility_power_mw(self) -> Array:
        return self._sized[0]

    @property
    def accelerators(self) -> Array:
        return self._sized[1]

    @_once
    def it_power_mw(self) -> Array:
        return it_power_mw(self.facility_power_mw, self.inputs["site.pue"])

    @_once
    def h100_equivalents(self) -> Array:
        return h100_equivalents(self.accelerators, self.inputs["hardware.peak_8bit_flop_per_s"])

    @_once
    def peak_flop_per_s(self) -> Array:
        return peak_flop_per_s(self.accelerators, self.inputs["hardware.peak_flop_per_s"])

    @_once
    def _load(self) -> Array | None:
        return availability_load(self.inputs, self.accelerators)

    @_once
    def effective_flop_per_s(self) -> Array:
        i, load = self.inputs, self._load
        availability = i["training.availability"] if load is None else 1.0 / (1.0 + load)
        return effective_flop_per_s(self.peak_flop_per_s, i["training.mfu"], availability,
                                    i.get("training.share", 1.0))

    @_once
    def training_flop_per_run(self) -> Array:
        return training_flop_per_run(self.effective_flop_per_s, self.inputs["training.run_days"])

    @_once
    def annual_training_flop(self) -> Array:
        return annual_training_flop(self.effective_flop_per_s)

    @_once
    def annual_energy_mwh(self) -> Array:
        return annual_energy_mwh(self.facility_power_mw, self.inputs["site.load_factor"])

    @_once
    def energy_per_flop_j(self) -> Array:
        return energy_per_flop_j(self.facility_power_mw, self.inputs["site.load_factor"],
                                 self.effective_flop_per_s)

    @_once
    def annual_electricity_cost_usd(self) -> Array:
        return annual_electricity_cost_usd(self.annual_energy_mwh,
                                           self.inputs["cost.electricity_usd_per_mwh"])

    @_once
    def accelerator_capex_total_usd(self) -> Array:
        return self.accelerators * self.inputs["cost.accelerator_capex_usd"]

    @_once
    def facility_capex_total_usd(self) -> Array:
        return self.facility_power_mw * self.inputs["cost.facility_capex_usd_per_mw"]

    @_once
    def capex_usd(self) -> Array:
        return capex_usd(self.accelerator_capex_total_usd, self.facility_capex_total_usd)

    @_once
    def annualized_cost_usd(self) -> Array:
        i = self.inputs
        return annualized_cost_usd(
            self.accelerator_capex_total_usd, i["cost.hardware_lifetime_years"],
            self.facility_capex_total_usd, i["cost.facility_lifetime_years"],
            self.annual_electricity_cost_usd, i["cost.wacc"])

    @_once
    def cost_per_run_usd(self) -> Array:
        return cost_per_run_usd(self.annualized_cost_usd, self.inputs["training.run_days"])

    @_once
    def cloud_cost_per_year_usd(self) -> Array:
        return cloud_cost_usd(self.accelerators, HOURS_PER_YEAR,
                              self.inputs["cost.cloud_usd_per_accelerator_hour"])

    @_once
    def cloud_cost_per_run_usd(self) -> Array:
        i = self.inputs
        return cloud_cost_usd(self.accelerators, i["training.run_days"] * HOURS_PER_DAY,
                              i["cost.cloud_usd_per_accelerator_hour"])

    @_once
    def lease_breakeven_utilisation(self) -> Array:
        return lease_breakeven_utilisation(self.annualized_cost_usd, self.cloud_cost_per_year_usd)

    @_once
    def leased_cost_at_utilisation_usd(self) -> Array:
        return self.cloud_cost_per_year_usd * self.inputs["cost.utilisation"]

    @_once
    def owned_cost_per_used_hour_usd(self) -> Array:
        return owned_cost_per_used_hour_usd(self.annualized_cost_usd, self.accelerators,
                                            self.inputs["cost.utilisation"])

    @_once
    def compute_multiple(self) -> Array:
        measure = target_measure(self.inputs)
        quantity = (self.training_flop_per_run if measure == "training_flop_per_run"
                    else self.effective_flop_per_s)
        return compute_multiple(quantity, self.baseline_measure)

    @_once
    def facility_power_mw_for_target(self) -> Array:
        load = self._load
        return facility_power_mw_for_target(
            self.facility_power_mw, self.compute_multiple,
            self.inputs["target.compute_multiplier"], 0.0 if load is None else load)


#: Every output :func:`evaluate` gives, in the vocabulary's order.
_OUTPUTS: tuple[str, ...] = tuple(OUTPUTS)


def evaluate(inputs: Mapping[str, Any], baseline_measure: Array,
             outputs: Iterable[str] | None = None) -> dict[str, Array]:
    """Run the chain on ``inputs`` (dotted keys, the vocabulary's units).

    The site is sized by ``site.accelerators`` when that is not None, else by
    ``site.facility_power_mw``. Values may be floats or arrays that broadcast.
    ``baseline_measure`` is the baseline's value of what ``target.measure``
    measures (:func:`measure_of` its outputs): effective FLOP/s by default.

    Parameters
    ----------
    inputs : mapping
        Input values by dotted key (only those the outputs asked for depend on
        are read).
    baseline_measure : float or ndarray
        The baseline's measure, for ``compute_multiple``.
    outputs : iterable of str, optional
        The outputs wanted; each is computed with what it depends on only (the
        same numbers as a full evaluation). Default: every output.

    Returns
    -------
    dict
        Each output asked for (default every output of
        :data:`calc.core.vocabulary.OUTPUTS`, in that order), in its unit.

    Examples
    --------
    >>> inputs = {"site.facility_power_mw": 100.0, "hardware.tdp_w": 700.0,
    ...           "hardware.server_overhead": 1.82, "site.it_overhead": 1.14,
    ...           "site.pue": 1.2, "hardware.peak_flop_per_s": 9.89e14,
    ...           "training.mfu": 0.4, "training.availability": 0.87}
    >>> out = evaluate(inputs, 2e19, outputs=["compute_multiple"])
    >>> list(out), round(float(out["compute_multiple"]), 3)
    (['compute_multiple'], 0.987)
    """
    chain = _Chain(inputs, baseline_measure)
    if outputs is None:
        return {o: getattr(chain, o) for o in _OUTPUTS}
    wanted = tuple(outputs)
    unknown = [o for o in wanted if o not in OUTPUTS]
    if unknown:
        raise KeyError(f"unknown output {unknown[0]!r}; the chain computes "
                       f"{', '.join(_OUTPUTS)}")
    return {o: getattr(chain, o) for o in wanted}
