"""Build-out timelines: a site's phases, month by month, to fleet, compute, cost and energy.

A site is a list of phases. Each phase has a start month, the site's *total*
facility power from then on, and the accelerator installed in the capacity it
adds (the power above the previous phase's, in list order). A phase may slip
by ``delay_months``; its hardware retires after ``cost.hardware_lifetime_years``
and, with ``refresh``, is replaced by the then-current generation in the same
power. The then-current generation is the catalog's shipping chip with the
most FLOP/s per server watt released by that month; for months after the
catalog's newest release, it is that best chip with its FLOP/s grown by
``hardware.perf_per_watt_growth_per_year`` per year since its own release.

The core, :func:`simulate`, is pure and vectorised: every input may be a float
or an array of samples of shape ``(samples,)``; months broadcast, so series
come back as ``(months,)`` for floats and ``(samples, months)`` for samples.
Each install is a constant contribution between two months, so the fleet is
built with one scatter per install and one cumulative sum per series.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from calc.core.chain import (
    DAYS_PER_YEAR,
    SECONDS_PER_DAY,
    accelerators_for_power,
    annual_electricity_cost_usd,
    annual_energy_mwh,
    compute_multiple,
    effective_flop_per_s,
    facility_w_per_accelerator,
    h100_equivalents,
    peak_flop_per_s,
    training_flop_per_run,
)
from calc.core.errors import CapcalcError
from calc.core.vocabulary import CATALOG_FIELDS, INPUTS, OutputSpec, check_bounds
from calc.data.assumptions import Accelerator, suggest
from calc.data.units import UnitError, parse_quantity

if TYPE_CHECKING:
    from calc.analysis.solver import Solution
    from calc.data.scenarios import Library, Scenario
    from calc.presentation.tables import Table

__all__ = [
    "DEFAULT_UNTIL",
    "LATEST",
    "PHASE_FIELDS",
    "PHASE_SET_FIELDS",
    "SECONDS_PER_MONTH",
    "TIMELINE_OUTPUTS",
    "Install",
    "Phase",
    "Timeline",
    "TimelineArrays",
    "apply_phase_sets",
    "check_phases",
    "current_accelerator",
    "first_reached",
    "month_index",
    "month_label",
    "parse_phase_key",
    "phase_key",
    "run_timeline",
    "scenario_phases",
    "simulate",
    "solve_timeline",
    "timeline_table",
    "to_phases",
    "with_phase_value",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The horizon ``capcalc timeline`` runs to unless ``--until`` says otherwise.
DEFAULT_UNTIL = "2030-12"
#: A phase's ``accelerator`` that asks for the then-current generation.
LATEST = "latest"
#: Fields of a phase that ``--set``, ``solve`` and samples may address, with their unit.
PHASE_FIELDS: dict[str, str] = {
    "facility_power_mw": "MW",
    "start": "month",
    "delay_months": "month",
}
#: Fields ``--set`` may also change (not solvable: a name and a switch).
PHASE_SET_FIELDS: dict[str, str] = {**PHASE_FIELDS, "accelerator": "", "refresh": ""}
MONTHS_PER_YEAR = 12
#: One average month (a twelfth of 365 days): twelve of them make the model's year.
SECONDS_PER_MONTH = DAYS_PER_YEAR / MONTHS_PER_YEAR * SECONDS_PER_DAY
_REACH_TOLERANCE = 1e-9  # relative: rounding in a solved input still reaches its target
_MAX_MONTHS = 1200  # a century of months: beyond any build-out worth charting

_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_PHASE_KEY = re.compile(r"^timeline(?:\.phases)?\[(?P<which>[^\]]+)\]\.(?P<field>\w+)$")


# ---------------------------------------------------------------- months


def month_index(text: str, *, key: str | None = None) -> int:
    """Months since year 0 of a ``YYYY-MM`` date (``YYYY-MM-DD`` and ``YYYY`` read as their month).

    Examples
    --------
    >>> month_index("2024-10") - month_index("2024-01")
    9
    >>> month_label(month_index("2026-07"))
    '2026-07'
    """
    match = _MONTH.match(str(text).strip())
    month = int(match.group(2) or 1) if match else 0
    if not match or not 1 <= month <= 12:
        raise CapcalcError(f"{text!r} is not a month; write YYYY-MM (e.g. 2027-12)", key=key)
    return int(match.group(1)) * MONTHS_PER_YEAR + month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` of a month index (the inverse of :func:`month_index`).

    >>> month_label(2024 * 12 + 9)
    '2024-10'
    """
    year, month = divmod(int(index), MONTHS_PER_YEAR)
    return f"{year:04d}-{month + 1:02d}"


# ---------------------------------------------------------------- phases


@dataclass(frozen=True)
class Phase:
    """One phase of a build-out, in capcalc's units.

    Attributes
    ----------
    name : str
        Label of the phase (unique within its timeline).
    start : str
        ``YYYY-MM``: the month its capacity starts training, before any delay.
    facility_power_mw : float
        The site's total facility power from ``start`` on, MW. The capacity the
        phase adds is this minus the previous phase's (in list order).
    accelerator : str or None
        Catalog name of the chip installed in the added capacity, ``"latest"``
        for the then-current generation, or None for the scenario's
        ``hardware.accelerator``.
    delay_months : int
        Slip, months: the capacity starts at ``start`` + ``delay_months``.
    refresh : bool
        Replace retired hardware with the then-current generation.
    source, confidence, note : str or None
        Provenance, as for an assumption.
    """

    name: str
    start: str
    facility_power_mw: float
    accelerator: str | None = None
    delay_months: int = 0
    refresh: bool = False
    source: str | None = None
    confidence: str | None = None
    note: str | None = None

    @property
    def start_month(self) -> int:
        """Month index of ``start`` (before the delay)."""
        return month_index(self.start)

    @property
    def begins(self) -> str:
        """``YYYY-MM`` the capacity starts, the delay included."""
        return month_label(self.start_month + self.delay_months)

    def to_dict(self) -> dict[str, Any]:
        """The phase as written in a scenario file (defaults left out)."""
        out: dict[str, Any] = {"name": self.name, "start": self.start,
                               "facility_power_mw": self.facility_power_mw}
        if self.accelerator is not None:
            out["accelerator"] = self.accelerator
        if self.delay_months:
            out["delay_months"] = self.delay_months
        if self.refresh:
            out["refresh"] = True
        for extra in ("source", "confidence", "note"):
            if getattr(self, extra) is not None:
                out[extra] = getattr(self, extra)
        return out


def _power_mw(raw: Any, *, file: str | None, key: str) -> float:
    try:
        number = parse_quantity(raw, "MW") if isinstance(raw, str) else float(raw)
    except UnitError as exc:
        raise CapcalcError(f"{exc}; write it in MW (e.g. 250 or '0.25 GW')",
                           file=file, key=key) from None
    except (TypeError, ValueError):
        raise CapcalcError(f"must be a power in MW (got {raw!r})", file=file, key=key) from None
    problem = check_bounds(INPUTS["site.facility_power_mw"], number)
    if problem:
        raise CapcalcError(problem, file=file, key=key)
    return number


def _check_order(phases: Sequence[Phase], file: str | None) -> None:
    names: set[str] = set()
    for i, phase in enumerate(phases):
        if phase.name in names:
            raise CapcalcError(f"phase name {phase.name!r} is used twice; name each phase once",
                               file=file, key=f"timeline[{i}].name")
        names.add(phase.name)
        if i and phase.facility_power_mw < phases[i - 1].facility_power_mw:
            raise CapcalcError(
                f"{phase.facility_power_mw:g} MW is below the previous phase's "
                f"{phases[i - 1].facility_power_mw:g} MW; facility_power_mw is the site's total "
                "from the phase's start, so it cannot fall (retire hardware with its lifetime)",
                file=file, key=f"timeline[{i}].facility_power_mw",
            )


def to_phases(specs: Iterable[Any], *, file: str | None = None) -> tuple[Phase, ...]:
    """Convert validated phase specs (``calc.data.schema.PhaseSpec``) to :class:`Phase` objects.

    The power is converted to MW and range-checked; phase names must be unique
    and the total facility power must not fall from one phase to the next.
    """
    phases = []
    for i, spec in enumerate(specs):
        month_index(spec.start, key=f"timeline[{i}].start")
        phases.append(Phase(
            name=spec.name, start=spec.start,
            facility_power_mw=_power_mw(spec.facility_power_mw, file=file,
                                        key=f"timeline[{i}].facility_power_mw"),
            accelerator=spec.accelerator, delay_months=spec.delay_months,
            refresh=spec.refresh, source=spec.source, confidence=spec.confidence,
            note=spec.note,
        ))
    result = tuple(phases)
    _check_order(result, file)
    return result


def check_phases(phases: Sequence[Phase], catalog: Mapping[str, Accelerator], *,
                 file: str | None = None) -> None:
    """Check that every phase names a catalog accelerator (or ``latest``)."""
    if not phases:
        raise CapcalcError("a timeline needs at least one phase", file=file, key="timeline")
    for i, phase in enumerate(phases):
        if phase.accelerator not in (None, LATEST) and phase.accelerator not in catalog:
            raise CapcalcError(
                f"{phase.accelerator!r} is not in the catalog"
                f"{suggest(str(phase.accelerator), [*catalog, LATEST])}"
                f" (catalog: {', '.join(catalog)}; or {LATEST})",
                file=file, key=f"timeline[{i}].accelerator",
            )
    _check_order(phases, file)


def phase_key(index: int, field: str) -> str:
    """The dotted key of one phase's field, as ``solve``, ``--set`` and samples take it.

    >>> phase_key(2, "facility_power_mw")
    'timeline[2].facility_power_mw'
    """
    return f"timeline[{index}].{field}"


def parse_phase_key(key: str, phases: Sequence[Phase]) -> tuple[int, str] | None:
    """``(phase index, field)`` of a phase key: ``timeline[2].start``, ``timeline[cortex-2].start``.

    The phase is its 0-based position (negative counts from the end) or its
    name; ``timeline.phases[...]`` is accepted too. Returns None when ``key``
    does not address a phase.
    """
    match = _PHASE_KEY.match(key.strip())
    if not match:
        if key.strip().startswith("timeline"):
            raise CapcalcError(
                "is not a phase key; write timeline[N].FIELD or timeline[NAME].FIELD with FIELD "
                f"one of {', '.join(PHASE_SET_FIELDS)}", key=key)
        return None
    which, field = match.group("which").strip(), match.group("field")
    if field not in PHASE_SET_FIELDS:
        raise CapcalcError(f"unknown phase field {field!r}{suggest(field, PHASE_SET_FIELDS)}; "
                           f"choose from {', '.join(PHASE_SET_FIELDS)}", key=key)
    names = [p.name for p in phases]
    if re.fullmatch(r"-?\d+", which):
        index = int(which)
        if not -len(phases) <= index < len(phases):
            raise CapcalcError(f"there is no phase {index}; the timeline has {len(phases)} "
                               f"(0 to {len(phases) - 1}: {', '.join(names)})", key=key)
        return index % len(phases), field
    if which not in names:
        raise CapcalcError(f"no phase named {which!r}{suggest(which, names)} "
                           f"(phases: {', '.join(names)})", key=key)
    return names.index(which), field


def with_phase_value(phases: Sequence[Phase], index: int, field: str, value: Any, *,
                     file: str | None = None) -> tuple[Phase, ...]:
    """``phases`` with one field of one phase replaced (checked as a file would be)."""
    key = phase_key(index, field)
    phase = phases[index]
    if field == "facility_power_mw":
        new = replace(phase, facility_power_mw=_power_mw(value, file=file, key=key))
    elif field == "start":
        text = month_label(int(value)) if isinstance(value, int | float) else str(value)
        month_index(text, key=key)
        new = replace(phase, start=text)
    elif field == "accelerator":
        name = None if value is None or str(value).strip().lower() in ("", "null", "none") \
            else str(value).strip()
        new = replace(phase, accelerator=name)
    elif field == "refresh":
        flag = str(value).strip().lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise CapcalcError(f"must be true or false (got {value!r})", file=file, key=key)
        new = replace(phase, refresh=flag in ("true", "yes", "1"))
    else:
        try:
            months = float(value)
        except (TypeError, ValueError):
            raise CapcalcError(f"must be a whole number of months (got {value!r})",
                               file=file, key=key) from None
        if months != int(months) or not 0 <= months <= 600:
            raise CapcalcError(f"must be a whole number of months from 0 to 600 (got {value!r})",
                               file=file, key=key)
        new = replace(phase, delay_months=int(months))
    result = (*phases[:index], new, *phases[index + 1:])
    _check_order(result, file)
    return result


def apply_phase_sets(phases: Sequence[Phase], sets: Iterable[tuple[str, Any]], *,
                     file: str = "--set", catalog: Mapping[str, Accelerator] | None = None
                     ) -> tuple[Phase, ...]:
    """Apply ``--set timeline[N].FIELD=VALUE`` pairs to ``phases`` (checked against ``catalog``)."""
    sets = list(sets)
    result = tuple(phases)
    for key, raw in sets:
        parsed = parse_phase_key(key, result)
        if parsed is None:
            raise CapcalcError("is not a phase key", file=file, key=key)
        try:
            result = with_phase_value(result, *parsed, raw, file=file)
        except CapcalcError as exc:
            raise exc.at(file=file, key=key) from None
    if catalog is not None and sets:
        check_phases(result, catalog, file=file)
    return result


# ---------------------------------------------------------------- generations


def _ratio(acc: Accelerator, precision: str) -> float:
    """Peak FLOP/s at ``precision`` per server watt: how a power-limited site ranks chips."""
    return acc.field(f"{precision}_flop_per_s") / (acc.tdp_w * acc.server_overhead)


@dataclass(frozen=True)
class _Generations:
    """The then-current chip for each month of a span, from the catalog and the trend."""

    first: int
    chips: tuple[str, ...]        # catalog names the span can pick
    chip_at: IntArray             # (months,) index into ``chips``
    trend_years: FloatArray       # (months,) years of trend growth; 0 for a catalog chip
    labels: tuple[str, ...]       # generation labels
    label_at: IntArray            # (months,) index into ``labels``

    def lookup(self, month: IntArray) -> IntArray:
        """Row of each month in the span (months outside are clipped to its ends)."""
        return np.clip(month - self.first, 0, len(self.chip_at) - 1)


def _generations(catalog: Mapping[str, Accelerator], precision: str, first: int,
                 last: int) -> _Generations:
    shipping = [a for a in catalog.values() if a.status == "shipping"]
    if not shipping:
        raise CapcalcError("the catalog has no shipping accelerator to choose as the latest",
                           key="catalog")
    newest = max(month_index(a.release) for a in catalog.values())
    best = max(shipping, key=lambda a: _ratio(a, precision))
    months = np.arange(first, last + 1)
    chips: list[str] = []
    labels: list[str] = []
    chip_at = np.zeros(len(months), dtype=np.int64)
    label_at = np.zeros(len(months), dtype=np.int64)
    trend_years = np.zeros(len(months))
    for row, month in enumerate(months):
        if month > newest:
            name = best.key
            trend_years[row] = (month - month_index(best.release)) / MONTHS_PER_YEAR
            label = f"trend {month // MONTHS_PER_YEAR}"
        else:
            released = [a for a in shipping if month_index(a.release) <= month]
            if not released:
                name = label = ""
            else:
                name = max(released, key=lambda a: _ratio(a, precision)).key
                label = name
        if name not in chips:
            chips.append(name)
        if label not in labels:
            labels.append(label)
        chip_at[row] = chips.index(name)
        label_at[row] = labels.index(label)
    return _Generations(first, tuple(chips), chip_at, trend_years, tuple(labels), label_at)


def current_accelerator(catalog: Mapping[str, Accelerator], month: str,
                        precision: str = "bf16") -> tuple[str, float]:
    """The then-current chip in ``month``: its catalog name and years of trend growth applied.

    Examples
    --------
    >>> from calc.data.assumptions import load_baseline
    >>> catalog = load_baseline().catalog
    >>> current_accelerator(catalog, "2023-06")
    ('H100', 0.0)
    """
    index = month_index(month)
    gens = _generations(catalog, precision, index, index)
    name = gens.chips[int(gens.chip_at[0])]
    if not name:
        raise CapcalcError(f"no shipping catalog accelerator is released by {month}",
                           key="accelerator")
    return name, float(gens.trend_years[0])


# ---------------------------------------------------------------- outputs

_SERIES: tuple[OutputSpec, ...] = (
    OutputSpec("facility_power_mw", "Facility power", "MW",
               "The site's built facility power: the total of the phases started."),
    OutputSpec("facility_power_in_use_mw", "Facility power in use", "MW",
               "Facility power of the hardware not yet retired."),
    OutputSpec("accelerators", "Accelerators", "accelerator",
               "Accelerators installed and not yet retired, all generations."),
    OutputSpec("h100_equivalents", "H100-equivalents", "H100e",
               "Dense 8-bit FLOP/s of the fleet ÷ 1.979e15."),
    OutputSpec("peak_flop_per_s", "Peak FLOP/s", "FLOP/s",
               "Dense peak of the fleet at the training precision."),
    OutputSpec("effective_flop_per_s", "Effective FLOP/s", "FLOP/s",
               "Peak FLOP/s × MFU × availability."),
    OutputSpec("compute_multiple", "Compute multiple", "1",
               "Effective FLOP/s ÷ the baseline scenario's."),
    OutputSpec("training_flop_per_run", "Training FLOP per run", "FLOP",
               "A run of training.run_days at the month's effective FLOP/s."),
    OutputSpec("training_flop_cumulative", "Cumulative training FLOP", "FLOP",
               "Effective FLOP/s summed over the months so far (a month = 365/12 days)."),
    OutputSpec("capex_cumulative_usd", "Cumulative capex", "USD_2025",
               "Accelerators (every install and refresh) and facility (once per phase) so far."),
    OutputSpec("energy_mwh", "Energy per month", "MWh",
               "Facility power in use × load factor over one month."),
    OutputSpec("energy_cumulative_mwh", "Cumulative energy", "MWh",
               "Energy summed over the months so far."),
    OutputSpec("electricity_cost_cumulative_usd", "Cumulative electricity cost", "USD_2025",
               "Energy so far × electricity price."),
    OutputSpec("accelerator_tdp_w", "Accelerator TDP in use", "W",
               "Board power of every accelerator in use (for the levers of the multiple)."),
)
#: Every monthly series :func:`simulate` can return, with unit and meaning.
TIMELINE_OUTPUTS: dict[str, OutputSpec] = {spec.name: spec for spec in _SERIES}

#: Running totals each series is built from.
_NEEDS: dict[str, tuple[str, ...]] = {
    "facility_power_mw": ("built",),
    "facility_power_in_use_mw": ("in_use",),
    "accelerators": ("count",),
    "h100_equivalents": ("h100e",),
    "peak_flop_per_s": ("peak",),
    "effective_flop_per_s": ("peak",),
    "compute_multiple": ("peak",),
    "training_flop_per_run": ("peak",),
    "training_flop_cumulative": ("peak",),
    "capex_cumulative_usd": ("capex",),
    "energy_mwh": ("in_use",),
    "energy_cumulative_mwh": ("in_use",),
    "electricity_cost_cumulative_usd": ("in_use",),
    "accelerator_tdp_w": ("tdp",),
}

_CHIP_FIELDS = {  # hardware key → name inside the core
    "hardware.tdp_w": "tdp_w",
    "hardware.server_overhead": "server_overhead",
    "hardware.peak_flop_per_s": "peak",
    "hardware.peak_8bit_flop_per_s": "peak8",
    "cost.accelerator_capex_usd": "capex",
}


@dataclass(frozen=True)
class TimelineArrays:
    """Monthly series of one build-out (or of many samples of it).

    Attributes
    ----------
    first : int
        Month index of the first month.
    months : tuple of str
        ``YYYY-MM`` of each month.
    series : dict of str to ndarray
        Each requested output of :data:`TIMELINE_OUTPUTS`: ``(months,)`` for
        float inputs, ``(samples, months)`` for sampled ones.
    by_generation : dict of str to dict of str to ndarray
        ``accelerators`` and ``h100_equivalents`` split by generation label
        (catalog name, or ``trend YYYY`` for trend-grown chips).
    reach : ndarray of int
        Position in ``months`` where ``compute_multiple`` first reaches
        ``target.compute_multiplier``; -1 where it never does (``()`` or ``(samples,)``).
    installs : tuple of dict
        Every install (phase or refresh): ``phase``, ``generation`` (label
        index array), ``begin``/``end`` month indices, ``accelerators``,
        ``facility_power_mw``, ``h100_equivalents``, ``capex_usd``.
    labels : tuple of str
        Generation labels that ``installs`` index into.
    """

    first: int
    months: tuple[str, ...]
    series: dict[str, Any]
    by_generation: dict[str, dict[str, Any]]
    reach: Any
    installs: tuple[dict[str, Any], ...] = ()
    labels: tuple[str, ...] = ()

    def at(self, output: str, month: str) -> Any:
        """``output`` in ``month`` (a float, or an array over samples)."""
        position = month_index(month) - self.first
        if not 0 <= position < len(self.months):
            raise CapcalcError(f"{month} is outside the timeline ({self.months[0]} to "
                               f"{self.months[-1]})", key="--by")
        return self.series[output][..., position]


def first_reached(multiple: Any, target: Any) -> Any:
    """Position of the first month where ``multiple`` ≥ ``target``; -1 where it never is.

    A multiple within one part in 10⁹ below the target counts as reaching it,
    so a value found by :func:`solve_timeline` reaches the target it solved for.

    >>> int(first_reached(np.array([0.5, 1.0, 2.0, 1.5]), 1.5))
    2
    >>> int(first_reached(np.array([0.5, 1.0]), 3))
    -1
    """
    hit = np.asarray(multiple) >= np.asarray(target)[..., None] * (1 - _REACH_TOLERANCE)
    return np.where(hit.any(axis=-1), hit.argmax(axis=-1), -1)


def _sample_shape(values: Mapping[str, Any], baseline: Any) -> tuple[int, ...]:
    shapes = [np.shape(baseline)]
    for key, value in values.items():
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
            shapes.append(value.shape)
        elif key in INPUTS and INPUTS[key].kind == "choice" and isinstance(value, np.ndarray):
            raise CapcalcError("must be one name, not an array", key=key)
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise CapcalcError("sampled inputs have different lengths; give every array the shape "
                           "(samples,)", key="samples") from None
    if len(shape) > 1:
        raise CapcalcError(f"arrays must be 1-D (samples,), not {shape}", key="samples")
    return shape


def simulate(
    values: Mapping[str, Any],
    phases: Sequence[Phase],
    catalog: Mapping[str, Accelerator],
    baseline_effective_flop_per_s: Any,
    *,
    until: str = DEFAULT_UNTIL,
    first: str | None = None,
    outputs: Collection[str] | None = None,
    by_generation: bool | None = None,
) -> TimelineArrays:
    """Run a build-out month by month (the vectorised core).

    Parameters
    ----------
    values : mapping
        Input values by dotted key, in the vocabulary's units (a scenario's
        ``values``), each a float or an array of shape ``(samples,)``. Optional
        extra keys: ``catalog.<NAME>.<field>`` (e.g. ``catalog.GB200.tdp_w``)
        overrides a catalog number for phases on that chip, and
        ``timeline[N].facility_power_mw``, ``timeline[N].delay_months`` and
        ``timeline[N].start`` (a month index, see :func:`month_index`) override
        phase ``N``. The ``hardware.*`` and ``cost.accelerator_capex_usd``
        values apply to phases on ``hardware.accelerator``.
    phases : sequence of Phase
        The build-out, in order of growing total facility power.
    catalog : mapping of str to Accelerator
        The accelerator catalog (``library.baseline.catalog``).
    baseline_effective_flop_per_s : float or ndarray
        The baseline scenario's effective FLOP/s, the unit of ``compute_multiple``.
    until : str
        Last month, ``YYYY-MM``.
    first : str, optional
        First month; default the earliest month any phase begins.
    outputs : collection of str, optional
        Series to compute (default all of :data:`TIMELINE_OUTPUTS`); fewer is
        faster and lighter with many samples.
    by_generation : bool, optional
        Split accelerators and H100-equivalents by generation (default: only
        when no input is sampled).

    Returns
    -------
    TimelineArrays

    Examples
    --------
    >>> from calc.data.assumptions import load_baseline
    >>> base = load_baseline()
    >>> values = {k: a.value for k, a in base.assumptions.items()}
    >>> values.update({"hardware.tdp_w": 700.0, "hardware.server_overhead": 1.82,
    ...     "hardware.peak_flop_per_s": 9.89e14, "hardware.peak_8bit_flop_per_s": 1.979e15,
    ...     "cost.accelerator_capex_usd": 32000.0})
    >>> phases = [Phase("one", "2025-01", 100.0), Phase("two", "2026-01", 300.0, "H100")]
    >>> out = simulate(values, phases, base.catalog, 1.97e19, until="2026-12")
    >>> [round(float(m), 2) for m in out.series["compute_multiple"][[0, 12]]]
    [1.0, 3.0]
    """
    if not phases:
        raise CapcalcError("a timeline needs at least one phase", key="timeline")
    wanted = list(TIMELINE_OUTPUTS) if outputs is None else list(outputs)
    for name in wanted:
        if name not in TIMELINE_OUTPUTS:
            raise CapcalcError(f"unknown timeline output {name!r}"
                               f"{suggest(name, TIMELINE_OUTPUTS)}", key="outputs")
    shape = _sample_shape(values, baseline_effective_flop_per_s)
    n = shape[0] if shape else 1
    rows = np.arange(n)

    def vec(x: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(x, dtype=float), (n,))

    precision = str(values["training.precision"])
    own = str(values["hardware.accelerator"])
    lifetime = np.maximum(1, np.rint(vec(values["cost.hardware_lifetime_years"])
                                     * MONTHS_PER_YEAR)).astype(np.int64)

    # phase plan: begin month (samples,) and the power each phase adds
    begins: list[IntArray] = []
    totals: list[FloatArray] = []
    for i, phase in enumerate(phases):
        start = values.get(phase_key(i, "start"), phase.start_month)
        delay = values.get(phase_key(i, "delay_months"), phase.delay_months)
        begin = np.rint(vec(month_index(start) if isinstance(start, str) else start)
                        + vec(delay)).astype(np.int64)
        begins.append(begin)
        totals.append(vec(values.get(phase_key(i, "facility_power_mw"),
                                     phase.facility_power_mw)))
    added = [totals[0], *(totals[i] - totals[i - 1] for i in range(1, len(totals)))]
    for i, power in enumerate(added):
        if np.any(power < 0):
            raise CapcalcError("the site's total facility power falls below the previous "
                               "phase's; it must not decrease from phase to phase",
                               key=phase_key(i, "facility_power_mw"))
    earliest = min(min(int(b.min()) for b in begins), min(p.start_month for p in phases))
    start_month = month_index(first, key="first") if first is not None else earliest
    last = month_index(until, key="--until")
    months = last - start_month + 1
    if months < 1:
        raise CapcalcError(f"{until} is before the timeline starts ({month_label(start_month)})",
                           key="--until")
    if months > _MAX_MONTHS:
        raise CapcalcError(f"{months} months from {month_label(start_month)} to {until}; "
                           f"capcalc runs timelines of at most {_MAX_MONTHS} months",
                           key="--until")
    if by_generation is None:
        by_generation = not shape

    chip_cache: dict[str, dict[str, FloatArray]] = {}

    def chip(name: str) -> dict[str, FloatArray]:
        if name not in chip_cache:
            acc = catalog[name]
            params = {}
            for hw_key, inner in _CHIP_FIELDS.items():
                field = CATALOG_FIELDS[hw_key].format(precision=precision)
                value = values.get(f"catalog.{name}.{field}")
                if value is None and name == own:
                    value = values.get(hw_key)
                params[inner] = vec(acc.field(field) if value is None else value)
            chip_cache[name] = params
        return chip_cache[name]

    gens: _Generations | None = None

    def generations() -> _Generations:
        nonlocal gens
        if gens is None:
            gens = _generations(catalog, precision, start_month, last)
        return gens

    labels: list[str] = []

    def label_index(label: str) -> int:
        if label not in labels:
            labels.append(label)
        return labels.index(label)

    stacked: dict[str, Any] = {}

    def current(at: IntArray, phase_name: str) -> tuple[dict[str, FloatArray], IntArray]:
        """Parameters of the then-current chip at months ``at`` (samples,)."""
        g = generations()
        if not stacked:  # every chip the span can pick, stacked once: (chips, samples)
            named = [c or own for c in g.chips]
            stacked.update({inner: np.stack([chip(c)[inner] for c in named])
                            for inner in _CHIP_FIELDS.values()})
            stacked["labels"] = np.array([label_index(label) for label in g.labels])
            stacked["growth"] = 1 + vec(values["hardware.perf_per_watt_growth_per_year"])
        row = g.lookup(at)
        picks = g.chip_at[row]
        if "" in g.chips and np.any(picks == g.chips.index("")):
            raise CapcalcError(f"no shipping catalog accelerator is released by "
                               f"{month_label(int(at.min()))} for phase {phase_name!r}",
                               key="accelerator")
        params = {inner: stacked[inner][picks, rows] for inner in _CHIP_FIELDS.values()}
        growth = stacked["growth"] ** g.trend_years[row]
        params["peak"] = params["peak"] * growth
        params["peak8"] = params["peak8"] * growth
        return params, stacked["labels"][g.label_at[row]]

    # every install: a phase's own hardware, then its refreshes
    installs: list[dict[str, Any]] = []
    pue, it_overhead = vec(values["site.pue"]), vec(values["site.it_overhead"])
    for i, phase in enumerate(phases):
        begin = begins[i]
        name = own if phase.accelerator is None else phase.accelerator
        if name == LATEST:
            params, gen = current(begin, phase.name)
        else:
            if name not in catalog:
                raise CapcalcError(f"{name!r} is not in the catalog"
                                   f"{suggest(name, catalog)}", key=phase_key(i, "accelerator"))
            params, gen = chip(name), np.full(n, label_index(name))
        steps = [(begin, params, gen)]
        if phase.refresh:
            count = int(max(0, np.max((last - begin) // lifetime)))
            for k in range(1, count + 1):
                at = begin + k * lifetime
                steps.append((at, *current(at, phase.name)))
        for k, (at, p, g) in enumerate(steps):
            w_each = facility_w_per_accelerator(p["tdp_w"], p["server_overhead"], it_overhead,
                                                pue)
            count_each = accelerators_for_power(added[i], w_each)
            installs.append({
                "phase": i, "refresh": k, "begin": at, "end": at + lifetime,
                "generation": g, "facility_power_mw": added[i],
                "accelerators": count_each,
                "peak": peak_flop_per_s(count_each, p["peak"]),
                "h100_equivalents": h100_equivalents(count_each, p["peak8"]),
                "tdp_w": count_each * p["tdp_w"],
                "capex_usd": count_each * p["capex"],
            })

    # running totals: +value in the month an install begins, −value in the month it retires
    needed = {total for name in wanted for total in _NEEDS[name]}
    width = months + 1
    totals_d = {total: np.zeros((n, width)) for total in needed}
    n_labels = len(labels)
    split = ({k: np.zeros((n_labels, n, width)) for k in ("count", "h100e")}
             if by_generation else {})

    def place(at: IntArray) -> IntArray:
        return np.clip(at - start_month, 0, months)

    source = {"in_use": "facility_power_mw", "count": "accelerators", "peak": "peak",
              "h100e": "h100_equivalents", "tdp": "tdp_w"}
    for inst in installs:
        lo, hi = place(inst["begin"]), place(inst["end"])
        for total, key in source.items():
            if total in totals_d:
                totals_d[total][rows, lo] += inst[key]
                totals_d[total][rows, hi] -= inst[key]
        for total, key in (("count", "accelerators"), ("h100e", "h100_equivalents")):
            if total in split:
                split[total][inst["generation"], rows, lo] += inst[key]
                split[total][inst["generation"], rows, hi] -= inst[key]
        if "capex" in totals_d:
            totals_d["capex"][rows, lo] += inst["capex_usd"]
    facility_capex = vec(values["cost.facility_capex_usd_per_mw"])
    for i, power in enumerate(added):
        lo = place(begins[i])
        if "built" in totals_d:
            totals_d["built"][rows, lo] += power
        if "capex" in totals_d:
            totals_d["capex"][rows, lo] += power * facility_capex
    run = {total: np.cumsum(d, axis=-1)[:, :months] for total, d in totals_d.items()}

    col = (slice(None), None)
    series: dict[str, Any] = {}
    if "peak" in run:
        peak = series["peak_flop_per_s"] = run["peak"]
        effective = series["effective_flop_per_s"] = effective_flop_per_s(
            peak, vec(values["training.mfu"])[col], vec(values["training.availability"])[col])
        if "compute_multiple" in wanted:
            series["compute_multiple"] = compute_multiple(
                effective, vec(baseline_effective_flop_per_s)[col])
        if "training_flop_per_run" in wanted:
            series["training_flop_per_run"] = training_flop_per_run(
                effective, vec(values["training.run_days"])[col])
        if "training_flop_cumulative" in wanted:
            series["training_flop_cumulative"] = np.cumsum(effective * SECONDS_PER_MONTH,
                                                           axis=-1)
    if "in_use" in run:
        series["facility_power_in_use_mw"] = run["in_use"]
        energy = series["energy_mwh"] = annual_energy_mwh(
            run["in_use"], vec(values["site.load_factor"])[col]) / MONTHS_PER_YEAR
        if "energy_cumulative_mwh" in wanted:
            series["energy_cumulative_mwh"] = np.cumsum(energy, axis=-1)
        if "electricity_cost_cumulative_usd" in wanted:
            series["electricity_cost_cumulative_usd"] = np.cumsum(annual_electricity_cost_usd(
                energy, vec(values["cost.electricity_usd_per_mwh"])[col]), axis=-1)
    for name, total in (("facility_power_mw", "built"), ("accelerators", "count"),
                        ("h100_equivalents", "h100e"), ("capex_cumulative_usd", "capex"),
                        ("accelerator_tdp_w", "tdp")):
        if total in run:
            series[name] = run[total]
    target = vec(values["target.compute_multiplier"])
    reach = first_reached(series["compute_multiple"], target) if "compute_multiple" in series \
        else np.full(n, -1)
    generations_out: dict[str, dict[str, Any]] = {}
    for total, name in (("count", "accelerators"), ("h100e", "h100_equivalents")):
        if total in split:
            cum = np.cumsum(split[total], axis=-1)[..., :months]
            present = [g for g in range(n_labels) if np.any(cum[g] != 0)]
            # oldest generation first: the order a stacked chart draws them
            present.sort(key=lambda g: int(np.argmax(np.any(cum[g] != 0, axis=0))))
            generations_out[name] = {labels[g]: (cum[g] if shape else cum[g, 0])
                                     for g in present}
    if not shape:
        series = {k: v[0] for k, v in series.items()}
        reach = reach[0]
    kept = {k: series[k] for k in TIMELINE_OUTPUTS if k in wanted and k in series}
    return TimelineArrays(
        first=start_month,
        months=tuple(month_label(start_month + m) for m in range(months)),
        series=kept,
        by_generation=generations_out,
        reach=reach,
        installs=tuple(installs),
        labels=tuple(labels),
    )


# ---------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Install:
    """One install of hardware (a phase's own, or a refresh) in a timeline without samples."""

    phase: str
    generation: str
    begin: str
    end: str
    facility_power_mw: float
    accelerators: float
    h100_equivalents: float
    capex_usd: float
    refresh: int


@dataclass(frozen=True)
class Timeline:
    """A scenario's build-out run to a horizon, with its baseline and provenance."""

    scenario: Scenario
    baseline: str
    baseline_effective_flop_per_s: float
    phases: tuple[Phase, ...]
    arrays: TimelineArrays
    until: str

    @property
    def months(self) -> tuple[str, ...]:
        """``YYYY-MM`` of each month."""
        return self.arrays.months

    @property
    def series(self) -> dict[str, Any]:
        """Monthly series by output name (arrays of one value per month)."""
        return self.arrays.series

    @property
    def target(self) -> float:
        """The target multiple (``target.compute_multiplier``)."""
        return float(self.scenario["target.compute_multiplier"])  # type: ignore[arg-type]

    @property
    def target_reached(self) -> str | None:
        """``YYYY-MM`` the target multiple is first reached, or None."""
        reach = int(self.arrays.reach)
        return None if reach < 0 else self.months[reach]

    @property
    def final_multiple(self) -> float:
        """The compute multiple in the horizon's month."""
        return float(self.series["compute_multiple"][-1])

    @property
    def installs(self) -> tuple[Install, ...]:
        """Every install, in order of beginning."""
        out = []
        last = month_index(self.until)
        for inst in self.arrays.installs:
            begin, end = int(inst["begin"][0]), int(inst["end"][0])
            if begin > last:
                continue
            out.append(Install(
                phase=self.phases[inst["phase"]].name,
                generation=self.arrays.labels[int(inst["generation"][0])],
                begin=month_label(begin), end=month_label(end),
                facility_power_mw=float(inst["facility_power_mw"][0]),
                accelerators=float(inst["accelerators"][0]),
                h100_equivalents=float(inst["h100_equivalents"][0]),
                capex_usd=float(inst["capex_usd"][0]), refresh=int(inst["refresh"]),
            ))
        return tuple(sorted(out, key=lambda i: i.begin))

    def summary(self) -> str:
        """One line: when the target is reached, or what is reached by the horizon."""
        target = f"{self.target:g}× {self.baseline}"
        reached = self.target_reached
        if reached:
            return f"{target} is first reached in {reached}."
        multiple = self.series["compute_multiple"]
        peak = int(np.argmax(multiple))
        peak_text = (f"; the most is {float(multiple[peak]):#.3g}× in {self.months[peak]}"
                     if float(multiple[peak]) > self.final_multiple * (1 + 1e-9) else "")
        return (f"{target} is not reached by {self.until}: {self.final_multiple:#.3g}× "
                f"in {self.until}{peak_text}.")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: months, every series as a list, generations and the reach date."""
        from calc import __version__

        return {
            "capcalc_version": __version__,
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "baseline": self.baseline,
            "target_multiple": self.target,
            "until": self.until,
            "target_reached": self.target_reached,
            "final_multiple": self.final_multiple,
            "summary": self.summary(),
            "months": list(self.months),
            "series": {k: [float(x) for x in v] for k, v in self.series.items()},
            "by_generation": {out: {g: [float(x) for x in v] for g, v in gens.items()}
                              for out, gens in self.arrays.by_generation.items()},
            "units": {k: TIMELINE_OUTPUTS[k].unit for k in self.series},
            "phases": [p.to_dict() for p in self.phases],
            "installs": [asdict(i) for i in self.installs],
        }


def _baseline_effective(library: Library, scenario: Scenario) -> float:
    from calc.analysis.run import run

    return run(library, scenario.baseline_name).outputs["effective_flop_per_s"]


def scenario_phases(scenario: Scenario, phases: Sequence[Phase] | None = None
                    ) -> tuple[Phase, ...]:
    """The phases to run: ``phases`` if given, else the scenario's timeline."""
    if phases is not None:
        return tuple(phases)
    if scenario.timeline is None:
        raise CapcalcError(
            "has no timeline; give it `timeline:` phases (as the shipped cortex-buildout "
            "does) or run `capcalc timeline cortex-buildout`",
            file=f"{scenario.origin}: scenario {scenario.name!r}", key="timeline")
    return tuple(scenario.timeline)


def run_timeline(library: Library, scenario: Scenario, *, until: str = DEFAULT_UNTIL,
                 first: str | None = None, phases: Sequence[Phase] | None = None
                 ) -> Timeline:
    """Run ``scenario``'s build-out (or ``phases``) to ``until`` against its baseline.

    Parameters
    ----------
    library : Library
        Supplies the catalog and the baseline scenario.
    scenario : Scenario
        Supplies every input (PUE, MFU, lifetime, ...) and, unless ``phases``
        is given, the timeline.
    until, first : str
        Last and (optional) first month, ``YYYY-MM``.
    phases : sequence of Phase, optional
        A timeline to run instead of the scenario's (the dashboard's edits).
    """
    chosen = scenario_phases(scenario, phases)
    check_phases(chosen, library.baseline.catalog, file=scenario.origin)
    baseline = _baseline_effective(library, scenario)
    arrays = simulate(scenario.values, chosen, library.baseline.catalog, baseline,
                      until=until, first=first)
    return Timeline(scenario=scenario, baseline=scenario.baseline_name,
                    baseline_effective_flop_per_s=baseline, phases=chosen, arrays=arrays,
                    until=month_label(month_index(until)))


# ---------------------------------------------------------------- solving


def solve_timeline(library: Library, scenario: Scenario, key: str, output: str, target: float,
                   by: str, *, phases: Sequence[Phase] | None = None) -> Solution:
    """The value of ``key`` at which ``output`` in month ``by`` equals ``target``.

    ``key`` is a numeric input (e.g. ``training.mfu``) or a phase field
    (``timeline[3].facility_power_mw``, ``timeline[cortex-2].start``,
    ``timeline[1].delay_months``). A phase's power is searched between its
    neighbours' (the total cannot fall). Dates are whole months, so for
    ``start`` and ``delay_months`` the answer is the latest start (the longest
    delay) at which ``output`` in ``by`` is still at least ``target``.

    Raises
    ------
    NoSolution
        When no value in the searched range reaches the target; the message
        gives the best value achievable.
    """
    from calc.analysis.solver import NoSolution, Solution, solve_scalar

    chosen = scenario_phases(scenario, phases)
    check_phases(chosen, library.baseline.catalog, file=scenario.origin)
    if output not in TIMELINE_OUTPUTS:
        raise CapcalcError(f"unknown timeline output {output!r}"
                           f"{suggest(output, TIMELINE_OUTPUTS)} (choose from "
                           f"{', '.join(TIMELINE_OUTPUTS)})", key="--target")
    by_month = month_index(by, key="--by")
    by = month_label(by_month)
    baseline = _baseline_effective(library, scenario)
    catalog = library.baseline.catalog
    base_values = dict(scenario.values)
    first = month_label(min(p.start_month + p.delay_months for p in chosen))
    if by_month < month_index(first):
        raise CapcalcError(f"{by} is before the timeline starts ({first})", key="--by")

    def at_by(values: Mapping[str, Any]) -> FloatArray:
        arrays = simulate(values, chosen, catalog, baseline, until=by, first=first,
                          outputs=[output], by_generation=False)
        return np.asarray(arrays.series[output][..., -1], dtype=float)

    parsed = parse_phase_key(key, chosen)
    if parsed is None:
        if key not in INPUTS:
            raise CapcalcError(f"unknown key{suggest(key, INPUTS)}", key=key)

        def outcome(x: FloatArray) -> FloatArray:
            return at_by({**base_values, key: np.asarray(x, dtype=float)})

        solution = solve_scalar(key, output, target, outcome, outputs=TIMELINE_OUTPUTS)
        return solution
    index, field = parsed
    canonical = phase_key(index, field)
    phase = chosen[index]
    if field not in PHASE_FIELDS:
        raise CapcalcError(f"is not a number; solve varies {', '.join(PHASE_FIELDS)} of a "
                           "phase (set it with --set instead)", key=canonical)
    if field == "facility_power_mw":
        lower = chosen[index - 1].facility_power_mw if index else 0.0
        upper = (chosen[index + 1].facility_power_mw if index + 1 < len(chosen)
                 else float(INPUTS["site.facility_power_mw"].upper or 1e5))

        def power_outcome(x: FloatArray) -> FloatArray:
            return at_by({**base_values, canonical: np.asarray(x, dtype=float)})

        solution = solve_scalar(canonical, output, target, power_outcome,
                                outputs=TIMELINE_OUTPUTS, bounds=(lower, upper), unit="MW",
                                lower_open=index == 0)
        return solution
    # dates: every candidate month at once, as samples
    if field == "start":
        earliest = min(p.start_month for p in chosen)
        candidates = np.arange(min(earliest, by_month), by_month + 1)
        values = {**base_values, canonical: candidates.astype(float)}
        shown = [month_label(int(c)) for c in candidates]
        unit = "month"
    else:
        candidates = np.arange(0, max(0, by_month - phase.start_month) + 1)
        values = {**base_values, canonical: candidates.astype(float)}
        shown = [f"{int(c)} months" for c in candidates]
        unit = "month"
    reached = at_by(values)
    ok = np.flatnonzero(reached >= target)
    if ok.size == 0:
        best = int(np.argmax(reached))
        raise NoSolution(
            f"no {field.replace('_', ' ')} of phase {phase.name!r} makes {output} reach "
            f"{target:.4g} by {by}; the most is {reached[best]:.4g} with {shown[best]}",
            key=canonical, best_value=float(candidates[best]),
            best_achieved=float(reached[best]))
    pick = int(ok[-1])
    if field == "start":
        text = month_label(int(candidates[pick]))
        note = f"the latest start with {output} ≥ {target:g} in {by}"
    else:
        text = f"{int(candidates[pick])}"
        note = f"the longest delay with {output} ≥ {target:g} in {by}"
    if ok.size != pick + 1 or (ok.size and int(ok[0]) != 0 and field == "start"):
        note += ("; not every earlier value reaches it (the chip installed and the "
                 "retirements depend on the date)")
    return Solution(canonical, float(candidates[pick]), unit, output, target,
                    float(reached[pick]), text=text, note=note)


# ---------------------------------------------------------------- table


def timeline_table(timeline: Timeline) -> Table:
    """The monthly series with generation columns: the data behind the timeline chart (its CSV)."""
    from calc.presentation.tables import Table, provenance

    columns: dict[str, list[Any]] = {"month": list(timeline.months)}
    units: dict[str, str] = {}
    for name, values in timeline.series.items():
        columns[name] = [float(v) for v in values]
        units[name] = TIMELINE_OUTPUTS[name].unit
    generations = timeline.arrays.by_generation
    for name, unit in (("h100_equivalents", "H100e"), ("accelerators", "accelerator")):
        for label, values in generations.get(name, {}).items():
            column = f"{name}:{label}"
            columns[column] = [float(v) for v in values]
            units[column] = unit
    scenario = timeline.scenario
    growth = float(scenario["hardware.perf_per_watt_growth_per_year"])  # type: ignore[arg-type]
    lifetime = float(scenario["cost.hardware_lifetime_years"])  # type: ignore[arg-type]
    reached = timeline.target_reached
    return Table(
        name="timeline",
        title=f"Build-out of {scenario.name}: H100-equivalents by generation and facility power",
        columns=columns,
        units=units,
        caption=provenance(
            [scenario.name], timeline.baseline,
            f"target {timeline.target:g}× reached {reached or 'not by ' + timeline.until}; "
            f"hardware life {lifetime:g} yr; perf/W +{growth:.0%}/yr beyond the catalog; "
            f"MFU {float(scenario['training.mfu']):g}"),  # type: ignore[arg-type]
        meta={
            "target": timeline.target,
            "target_reached": reached,
            "baseline": timeline.baseline,
            "generations": list(generations.get("h100_equivalents", {})),
            "phases": [{"name": p.name, "begins": p.begins, "confidence": p.confidence,
                        "facility_power_mw": p.facility_power_mw} for p in timeline.phases],
            # H100e per unit of compute multiple, month by month (the target line in H100e)
            "h100e_for_target": [
                float(h) * timeline.target / float(m) if float(m) > 0 else None
                for h, m in zip(timeline.series["h100_equivalents"],
                                timeline.series["compute_multiple"], strict=True)],
            "until": timeline.until,
        },
    )
