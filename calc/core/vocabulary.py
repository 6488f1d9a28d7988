"""The public vocabulary: every input key and every output, with unit, bounds and meaning.

This table is the single description of what capcalc reads and writes. The
schema, the generated docs, the CLI tables and the dashboard widgets are all
built from it, so a key is described in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from calc.core.constants import CURRENCY

__all__ = [
    "CATALOG_FIELDS",
    "GROUPS",
    "INPUTS",
    "OUTPUTS",
    "SIZING_KEYS",
    "InputSpec",
    "OutputSpec",
    "check_bounds",
    "other_sizing",
]

Kind = Literal["number", "count", "choice"]


@dataclass(frozen=True)
class InputSpec:
    """One input key of the vocabulary.

    ``lower``/``upper`` are the physically valid range (``*_open`` when the
    bound itself is excluded); ``widget`` is the range a slider offers, a
    narrower, practical span inside the valid range; ``decimals`` is how many
    decimals a value is shown with (None: three significant digits in
    scientific notation, for keys spanning decades).
    """

    key: str
    title: str
    unit: str
    description: str
    kind: Kind = "number"
    lower: float | None = None
    lower_open: bool = False
    upper: float | None = None
    upper_open: bool = False
    widget: tuple[float, float] | None = None
    log_scale: bool = False
    decimals: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False

    @property
    def group(self) -> str:
        """The section the key lives in (``site``, ``hardware``, ...)."""
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The key without its section."""
        return self.key.split(".", 1)[1]


@dataclass(frozen=True)
class OutputSpec:
    """One output of the model."""

    name: str
    title: str
    unit: str
    description: str


GROUPS: tuple[str, ...] = ("site", "hardware", "training", "cost", "target")

_MAX_POWER_MW = 1e5  # 100 GW: beyond any announced campus by two orders of magnitude

_INPUT_LIST: tuple[InputSpec, ...] = (
    InputSpec(
        "site.facility_power_mw", "Facility power", "MW",
        "Power the site draws from the grid at full build, cooling and losses included.",
        lower=0, lower_open=True, upper=_MAX_POWER_MW, decimals=0, widget=(10, 5000), nullable=True,
    ),
    InputSpec(
        "site.accelerators", "Accelerators", "accelerator",
        "Size the site by accelerator count instead of power; set this or "
        "site.facility_power_mw, not both.",
        kind="count", lower=0, lower_open=True, upper=1e8, decimals=0, widget=(1000, 3_000_000),
        nullable=True,
    ),
    InputSpec(
        "site.pue", "PUE", "1",
        "Power usage effectiveness: facility power ÷ IT power.",
        lower=1, upper=3, decimals=2, widget=(1.0, 2.0),
    ),
    InputSpec(
        "site.it_overhead", "IT overhead", "1",
        "IT power ÷ server power: cluster network, storage and management.",
        lower=1, upper=3, decimals=2, widget=(1.0, 1.6),
    ),
    InputSpec(
        "site.load_factor", "Load factor", "1",
        "Average facility draw ÷ rated facility power, for energy and electricity cost.",
        lower=0, lower_open=True, upper=1, decimals=2, widget=(0.3, 1.0),
    ),
    InputSpec(
        "hardware.accelerator", "Accelerator", "",
        "A catalog accelerator; TDP, server overhead, peak FLOP/s and price follow it "
        "unless set explicitly.",
        kind="choice",
    ),
    InputSpec(
        "hardware.tdp_w", "Accelerator TDP", "W",
        "Board power of one accelerator (vendor maximum).",
        lower=0, lower_open=True, upper=1e4, decimals=0, widget=(100, 3000), nullable=True,
    ),
    InputSpec(
        "hardware.server_overhead", "Server overhead", "1",
        "Server power ÷ accelerator TDP: CPUs, memory, fans, NICs and power "
        "conversion (DGX H100: 10.2 kW / 8 / 700 W ≈ 1.82).",
        lower=1, upper=5, decimals=2, widget=(1.0, 3.0), nullable=True,
    ),
    InputSpec(
        "hardware.peak_flop_per_s", "Peak FLOP/s per accelerator", "FLOP/s",
        "Dense peak throughput of one accelerator at the training precision.",
        lower=0, lower_open=True, upper=1e18, widget=(1e14, 1e17), log_scale=True,
        nullable=True,
    ),
    InputSpec(
        "hardware.peak_8bit_flop_per_s", "Peak 8-bit FLOP/s per accelerator", "FLOP/s",
        "Dense 8-bit peak of one accelerator; defines its H100-equivalents "
        "(÷ 1.979e15, Epoch AI's convention).",
        lower=0, lower_open=True, upper=1e18, widget=(1e14, 1e17), log_scale=True,
        nullable=True,
    ),
    InputSpec(
        "hardware.perf_per_watt_growth_per_year", "Performance-per-watt growth", "1/year",
        "Yearly growth of the best chip's FLOP/s per watt, used by build-out timelines for "
        "dates beyond the catalog's newest chip (0.4 = +40 % a year).",
        lower=0, upper=2, decimals=2, widget=(0.0, 1.0),
    ),
    InputSpec(
        "hardware.price_performance_growth_per_year", "Price-performance growth", "1/year",
        "Yearly growth of FLOP/s per dollar, used by build-out timelines for chips beyond "
        "the catalog's newest (0.3 = +30 % a year).",
        lower=0, upper=2, decimals=2, widget=(0.0, 1.0),
    ),
    InputSpec(
        "training.precision", "Training precision", "",
        "Number format of the training run; selects the catalog's dense peak.",
        kind="choice", choices=("bf16", "fp8"),
    ),
    InputSpec(
        "training.mfu", "MFU", "1",
        "Model FLOP utilization: achieved training FLOP/s ÷ peak FLOP/s while training.",
        lower=0, lower_open=True, upper=1, decimals=2, widget=(0.05, 0.8),
    ),
    InputSpec(
        "training.availability", "Availability", "1",
        "Share of wall time the cluster trains productively (failures, restarts, "
        "maintenance).",
        lower=0, lower_open=True, upper=1, decimals=2, widget=(0.5, 1.0),
    ),
    InputSpec(
        "training.run_days", "Run length", "day",
        "Wall-clock length of one training run.",
        lower=0, lower_open=True, upper=3650, decimals=0, widget=(7, 365),
    ),
    InputSpec(
        "cost.accelerator_capex_usd", "Accelerator capex", CURRENCY,
        "One accelerator with its share of server and network.",
        lower=0, lower_open=True, upper=1e7, decimals=0, widget=(5_000, 150_000), nullable=True,
    ),
    InputSpec(
        "cost.facility_capex_usd_per_mw", "Facility capex", f"{CURRENCY}/MW",
        "Building, power and cooling per MW of facility power.",
        lower=0, lower_open=True, upper=1e9, decimals=0, widget=(2e6, 30e6),
    ),
    InputSpec(
        "cost.electricity_usd_per_mwh", "Electricity price", f"{CURRENCY}/MWh",
        "All-in industrial electricity price.",
        lower=0, lower_open=True, upper=1e4, decimals=0, widget=(10, 200),
    ),
    InputSpec(
        "cost.hardware_lifetime_years", "Hardware lifetime", "year",
        "Years over which accelerators, servers and network are paid off and used before "
        "they retire (a timeline refreshes them then).",
        lower=0, lower_open=True, upper=50, decimals=1, widget=(1, 10),
    ),
    InputSpec(
        "cost.facility_lifetime_years", "Facility lifetime", "year",
        "Years over which the building, power and cooling are paid off.",
        lower=0, lower_open=True, upper=100, decimals=0, widget=(5, 40),
    ),
    InputSpec(
        "cost.wacc", "Cost of capital", "1",
        "Weighted average cost of capital: the yearly return the money tied up in capex "
        "must earn. Capex is annualised with the capital recovery factor r / (1 − (1 + r)^−n); "
        "0 gives straight-line amortisation.",
        lower=0, upper=1, decimals=3, widget=(0.0, 0.25),
    ),
    InputSpec(
        "target.compute_multiplier", "Target multiple", "1",
        "The compute needed, as a multiple of the baseline's effective FLOP/s "
        "(the article's experts: ten times).",
        lower=0, lower_open=True, upper=1e6, decimals=1, widget=(1, 100),
    ),
    InputSpec(
        "target.baseline", "Baseline scenario", "",
        "The scenario the multiple is measured from (the article's phase 1).",
        kind="choice",
    ),
)

INPUTS: dict[str, InputSpec] = {spec.key: spec for spec in _INPUT_LIST}

#: The two ways to size a site: by facility power or by accelerator count (one is set).
SIZING_KEYS: tuple[str, str] = ("site.facility_power_mw", "site.accelerators")


def other_sizing(key: str) -> str:
    """The sizing key that is not ``key``: the one that follows when ``key`` is set.

    >>> other_sizing("site.accelerators")
    'site.facility_power_mw'
    """
    return SIZING_KEYS[1 - SIZING_KEYS.index(key)]

#: Inputs that follow the catalog entry of ``hardware.accelerator`` unless set,
#: with the catalog field each one takes (``peak_flop_per_s`` depends on precision).
CATALOG_FIELDS: dict[str, str] = {
    "hardware.tdp_w": "tdp_w",
    "hardware.server_overhead": "server_overhead",
    "hardware.peak_flop_per_s": "{precision}_flop_per_s",
    "hardware.peak_8bit_flop_per_s": "fp8_flop_per_s",
    "cost.accelerator_capex_usd": "capex_usd",
}

_OUTPUT_LIST: tuple[OutputSpec, ...] = (
    OutputSpec("facility_power_mw", "Facility power", "MW",
               "Power drawn from the grid at full build."),
    OutputSpec("it_power_mw", "IT power", "MW", "Facility power ÷ PUE."),
    OutputSpec("facility_w_per_accelerator", "Facility power per accelerator", "W",
               "TDP × server overhead × IT overhead × PUE."),
    OutputSpec("accelerators", "Accelerators", "accelerator",
               "Accelerators the facility power supplies (or the count given)."),
    OutputSpec("h100_equivalents", "H100-equivalents", "H100e",
               "Dense 8-bit FLOP/s ÷ 1.979e15 (one H100 SXM), Epoch AI's convention."),
    OutputSpec("peak_flop_per_s", "Peak FLOP/s", "FLOP/s",
               "Dense peak of all accelerators at the training precision."),
    OutputSpec("effective_flop_per_s", "Effective FLOP/s", "FLOP/s",
               "Peak FLOP/s × MFU × availability: what training actually achieves."),
    OutputSpec("training_flop_per_run", "Training FLOP per run", "FLOP",
               "Effective FLOP/s over one run of training.run_days."),
    OutputSpec("annual_training_flop", "Training FLOP per year", "FLOP",
               "Effective FLOP/s over a year of 8,760 hours."),
    OutputSpec("annual_energy_mwh", "Annual energy", "MWh",
               "Facility power × load factor × 8,760 h."),
    OutputSpec("energy_per_flop_j", "Energy per effective FLOP", "J/FLOP",
               "Average facility draw ÷ effective FLOP/s."),
    OutputSpec("annual_electricity_cost_usd", "Annual electricity cost", CURRENCY,
               "Annual energy × electricity price."),
    OutputSpec("capex_usd", "Capex", CURRENCY,
               "Accelerators × accelerator capex + facility power × facility capex per MW."),
    OutputSpec("accelerator_capex_total_usd", "Accelerator capex", CURRENCY,
               "Accelerators × accelerator capex (servers and network included)."),
    OutputSpec("facility_capex_total_usd", "Facility capex", CURRENCY,
               "Facility power × facility capex per MW."),
    OutputSpec("annualized_cost_usd", "Annualized cost", CURRENCY,
               "Both capex parts annualised at cost.wacc over their lifetimes (capital recovery "
               "factor) plus a year of electricity."),
    OutputSpec("cost_per_run_usd", "Cost per run", CURRENCY,
               "Annualized cost × run_days ÷ 365."),
    OutputSpec("compute_multiple", "Compute multiple", "1",
               "Effective FLOP/s ÷ the baseline scenario's effective FLOP/s."),
    OutputSpec("facility_power_mw_for_target", "Facility power for the target", "MW",
               "Facility power at which this scenario reaches target.compute_multiplier "
               "× the baseline."),
)

OUTPUTS: dict[str, OutputSpec] = {spec.name: spec for spec in _OUTPUT_LIST}


def check_bounds(spec: InputSpec, value: float) -> str | None:
    """Return why ``value`` is outside the valid range of ``spec``, or ``None``.

    Examples
    --------
    >>> check_bounds(INPUTS["site.pue"], 0.9)
    'must be at least 1 (got 0.9)'
    >>> check_bounds(INPUTS["training.mfu"], 0.4) is None
    True
    """
    if value != value or value in (float("inf"), float("-inf")):
        return f"must be a finite number (got {value})"
    if spec.lower is not None:
        if spec.lower_open and value <= spec.lower:
            return f"must be greater than {spec.lower:g} (got {value:g})"
        if not spec.lower_open and value < spec.lower:
            return f"must be at least {spec.lower:g} (got {value:g})"
    if spec.upper is not None:
        if spec.upper_open and value >= spec.upper:
            return f"must be less than {spec.upper:g} (got {value:g})"
        if not spec.upper_open and value > spec.upper:
            return f"must be at most {spec.upper:g} (got {value:g})"
    return None
