"""The public vocabulary: every input key and every output, with unit, bounds and meaning.

This table is the single description of what capcalc reads and writes. The
schema, the generated docs, the CLI tables and the dashboard widgets are all
built from it, so a key is described in one place only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from calc.core.constants import CURRENCY

__all__ = [
    "CATALOG_FIELDS",
    "CUMULATIVE_AT_ONE_MOMENT",
    "GROUPS",
    "INPUTS",
    "MEASURES",
    "MEASURE_TITLES",
    "OUTPUTS",
    "PHASE_DOMAINS",
    "SIZING_KEYS",
    "InputSpec",
    "OutputSpec",
    "check_bounds",
    "check_value",
    "measure_title",
    "number_text",
    "other_sizing",
    "valid_range",
]

Kind = Literal["number", "count", "choice"]


@dataclass(frozen=True)
class InputSpec:
    """One input key of the vocabulary.

    ``lower``/``upper`` are the plausible physical range (``*_open`` when the
    bound itself is excluded) and ``reason`` says why those are its ends; the
    range keeps every output finite and well away from underflow, so a value
    such as ``1e-320`` is refused rather than computed with. A ``count`` is a
    whole number. ``widget`` is the range a slider offers, a narrower, practical
    span inside the valid range; ``decimals`` is how many decimals a value is
    shown with (None: three significant digits in scientific notation, for keys
    spanning decades).
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
    reason: str = ""

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

#: What a compute multiple may measure (``target.measure``), the first the default, in words.
MEASURE_TITLES: dict[str, str] = {
    "effective_flop_per_s": "effective FLOP/s",
    "training_flop_per_run": "training FLOP per run",
    "cumulative_training_flop": "cumulative training FLOP",
}
MEASURES: tuple[str, ...] = tuple(MEASURE_TITLES)

_MAX_POWER_MW = 1e5  # 100 GW: beyond any announced campus by two orders of magnitude

_INPUT_LIST: tuple[InputSpec, ...] = (
    InputSpec(
        "site.facility_power_mw", "Facility power", "MW",
        "Power the site draws from the grid at full build, cooling and losses included.",
        lower=0.001, upper=_MAX_POWER_MW, decimals=0, widget=(10, 5000), nullable=True,
        reason=("from 1 kW (one accelerator server) to 100 GW (two orders of magnitude beyond any"
                " announced campus)"),
    ),
    InputSpec(
        "site.accelerators", "Accelerators", "accelerator",
        "Size the site by accelerator count instead of power; set this or "
        "site.facility_power_mw, not both.",
        kind="count", lower=1, upper=1e8, decimals=0, widget=(1000, 3_000_000),
        nullable=True,
        reason=("a whole number from one accelerator to 100 million (a hundred times the largest "
                "fleet announced)"),
    ),
    InputSpec(
        "site.pue", "PUE", "1",
        "Power usage effectiveness: facility power ÷ IT power.",
        lower=1, upper=3, decimals=2, widget=(1.0, 2.0),
        reason=("facility power includes IT power (PUE 1 is a site with no cooling or losses); "
                "above 3 no data centre built for training runs"),
    ),
    InputSpec(
        "site.it_overhead", "IT overhead", "1",
        "IT power ÷ server power: cluster network, storage and management.",
        lower=1, upper=3, decimals=2, widget=(1.0, 1.6),
        reason=("IT power includes the servers; above 3 network and storage would draw twice what"
                " the servers do"),
    ),
    InputSpec(
        "site.load_factor", "Load factor", "1",
        "Average facility draw ÷ rated facility power, for energy and electricity cost.",
        lower=0.01, upper=1, decimals=2, widget=(0.3, 1.0),
        reason="a site cannot draw more than its rating on average; below 1 % it is not running",
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
        lower=1, upper=1e4, decimals=0, widget=(100, 3000), nullable=True,
        reason="from 1 W (below any accelerator board) to 10 kW (beyond any package announced)",
    ),
    InputSpec(
        "hardware.server_overhead", "Server overhead", "1",
        "Server power ÷ accelerator TDP: CPUs, memory, fans, NICs and power "
        "conversion (DGX H100: 10.2 kW / 8 / 700 W ≈ 1.82).",
        lower=1, upper=5, decimals=2, widget=(1.0, 3.0), nullable=True,
        reason=("a server draws at least its accelerators' power; at 5× it would be mostly CPUs "
                "and fans"),
    ),
    InputSpec(
        "hardware.peak_flop_per_s", "Peak FLOP/s per accelerator", "FLOP/s",
        "Dense peak throughput of one accelerator at the training precision.",
        lower=1e12, upper=1e18, widget=(1e14, 1e17), log_scale=True,
        nullable=True,
        reason=("from 1 TFLOP/s (below any training accelerator of the last decade) to 1 EFLOP/s "
                "per chip"),
    ),
    InputSpec(
        "hardware.peak_8bit_flop_per_s", "Peak 8-bit FLOP/s per accelerator", "FLOP/s",
        "Dense 8-bit peak of one accelerator; defines its H100-equivalents "
        "(÷ 1.979e15, Epoch AI's convention).",
        lower=1e12, upper=1e18, widget=(1e14, 1e17), log_scale=True,
        nullable=True,
        reason=("from 1 TFLOP/s (below any training accelerator of the last decade) to 1 EFLOP/s "
                "per chip"),
    ),
    InputSpec(
        "hardware.perf_per_watt_growth_per_year", "Performance-per-watt growth", "1/year",
        "Yearly growth of the best chip's FLOP/s per watt, used by build-out timelines for "
        "dates beyond the catalog's newest chip (0.4 = +40 % a year).",
        lower=0, upper=2, decimals=2, widget=(0.0, 1.0),
        reason="from no growth to tripling every year, beyond any decade on record",
    ),
    InputSpec(
        "hardware.price_performance_growth_per_year", "Price-performance growth", "1/year",
        "Yearly growth of FLOP/s per dollar, used by build-out timelines for chips beyond "
        "the catalog's newest (0.3 = +30 % a year).",
        lower=0, upper=2, decimals=2, widget=(0.0, 1.0),
        reason="from no growth to tripling every year, beyond any decade on record",
    ),
    InputSpec(
        "hardware.procurement_lead_months", "Procurement lead time", "month",
        "Months from ordering a build-out's chips to the month they start training: a "
        "phase taking the 'latest' chip (and a refresh) gets the best chip in volume "
        "availability this long before its planned start. A phase may set its own "
        "(lead_months).",
        lower=0, upper=60, decimals=0, widget=(0, 24),
        reason="from chips already on site to five years, beyond any order book on record",
    ),
    InputSpec(
        "training.precision", "Training precision", "",
        "Number format of the training run; selects the catalog's dense peak.",
        kind="choice", choices=("bf16", "fp8"),
    ),
    InputSpec(
        "training.mfu", "MFU", "1",
        "Model FLOP utilization: achieved training FLOP/s ÷ peak FLOP/s while training.",
        lower=0.001, upper=1, decimals=2, widget=(0.05, 0.8),
        reason="achieved FLOP/s cannot exceed the peak; below 0.1 % no training run is reported",
    ),
    InputSpec(
        "training.availability", "Availability", "1",
        "Share of wall time the cluster trains productively (failures, restarts, "
        "maintenance).",
        lower=0.01, upper=1, decimals=2, widget=(0.5, 1.0),
        reason="a share of wall time; below 1 % the cluster does not train",
    ),
    InputSpec(
        "training.availability_model", "Availability model", "",
        "fixed: availability is training.availability at any size; interruptions: it "
        "falls with the cluster's size, 1 ÷ (1 + accelerators × interruption rate × time "
        "lost per interruption), from Llama 3's published interruptions (off by default).",
        kind="choice", choices=("fixed", "interruptions"),
    ),
    InputSpec(
        "training.interruptions_per_accelerator_day", "Interruption rate",
        "1/day",
        "Job interruptions per accelerator per day of training, for the interruptions "
        "availability model (a synchronous run stops for any one of them).",
        lower=1e-8, upper=1, widget=(1e-5, 1e-2), log_scale=True,
        reason=("from one interruption per accelerator in 270,000 years to one a day, beyond "
                "any cluster on record"),
    ),
    InputSpec(
        "training.hours_lost_per_interruption", "Time lost per interruption", "h",
        "Wall-clock hours one interruption costs the whole run (detection, restart, work "
        "since the last checkpoint), for the interruptions availability model.",
        lower=0.001, upper=720, decimals=2, widget=(0.05, 4.0),
        reason="from four seconds to a month",
    ),
    InputSpec(
        "training.share", "Training share", "1",
        "Share of the fleet's effective FLOP/s that trains; the rest serves inference, "
        "simulation, auto-labelling and evaluation.",
        lower=0.01, upper=1, decimals=2, widget=(0.3, 1.0),
        reason="a share of the fleet; below 1 % it is not a training fleet",
    ),
    InputSpec(
        "training.run_days", "Run length", "day",
        "Wall-clock length of one training run.",
        lower=1, upper=3650, decimals=0, widget=(7, 365),
        reason="from a day (shorter runs are tests) to ten years",
    ),
    InputSpec(
        "cost.accelerator_capex_usd", "Accelerator capex", CURRENCY,
        "One accelerator with its share of server and network.",
        lower=100, upper=1e7, decimals=0, widget=(5_000, 150_000), nullable=True,
        reason="from USD 100 (below any accelerator with its server share) to USD 10 million",
    ),
    InputSpec(
        "cost.facility_capex_usd_per_mw", "Facility capex", f"{CURRENCY}/MW",
        "Building, power and cooling per MW of facility power.",
        lower=1e4, upper=1e9, decimals=0, widget=(2e6, 30e6),
        reason=("from USD 10,000 a MW (far below any building, power and cooling) to USD 1 "
                "billion a MW"),
    ),
    InputSpec(
        "cost.electricity_usd_per_mwh", "Electricity price", f"{CURRENCY}/MWh",
        "All-in industrial electricity price.",
        lower=1, upper=1e4, decimals=0, widget=(10, 200),
        reason=("from USD 1 (below any all-in industrial price) to USD 10,000 a MWh (a price "
                "spike held all year)"),
    ),
    InputSpec(
        "cost.hardware_lifetime_years", "Hardware lifetime", "year",
        "Years over which accelerators, servers and network are paid off and used before "
        "they retire (a timeline refreshes them then).",
        lower=0.5, upper=50, decimals=1, widget=(1, 10),
        reason="from half a year (no hardware is retired sooner) to 50 years",
    ),
    InputSpec(
        "cost.facility_lifetime_years", "Facility lifetime", "year",
        "Years over which the building, power and cooling are paid off.",
        lower=1, upper=100, decimals=0, widget=(5, 40),
        reason="from a year to a century",
    ),
    InputSpec(
        "cost.cloud_usd_per_accelerator_hour", "Cloud rental price", f"{CURRENCY}/h",
        "What leasing one accelerator from a cloud costs per hour (on-demand market "
        "price), for the lease-versus-own comparison.",
        lower=0.01, upper=1000, decimals=2, widget=(0.5, 20.0), nullable=True,
        reason="from a cent an hour to USD 1,000 an hour, far beyond any rental price on record",
    ),
    InputSpec(
        "cost.utilisation", "Utilisation", "1",
        "Share of the year the fleet is busy with work that would otherwise be leased: "
        "owning costs the same at any utilisation, leasing only for the hours used.",
        lower=0.01, upper=1, decimals=2, widget=(0.05, 1.0),
        reason="a share of the year: at least 1 % (an idle fleet has no cost per hour "
               "used), at most 1 (busy all year)",
    ),
    InputSpec(
        "cost.wacc", "Cost of capital", "1",
        "Weighted average cost of capital: the yearly return the money tied up in capex "
        "must earn. Capex is annualised with the capital recovery factor r / (1 − (1 + r)^−n); "
        "0 gives straight-line amortisation.",
        lower=0, upper=1, decimals=3, widget=(0.0, 0.25),
        reason="from free money (straight-line amortisation) to 100 % a year",
    ),
    InputSpec(
        "target.compute_multiplier", "Target multiple", "1",
        "The compute needed, as a multiple of the baseline's effective FLOP/s "
        "(the article's experts: ten times).",
        lower=0.01, upper=1e6, decimals=1, widget=(1, 100),
        reason="from a hundredth of the baseline to a million times it",
    ),
    InputSpec(
        "target.baseline", "Baseline scenario", "",
        "The scenario the multiple is measured from (Tesla's training compute at the "
        "story's date, or the article's phase 1).",
        kind="choice",
    ),
    InputSpec(
        "target.measure", "What the multiple measures", "",
        "What '10×' multiplies: effective_flop_per_s (the fleet's training compute), "
        "training_flop_per_run (one run's FLOP: run length counts) or "
        "cumulative_training_flop (training FLOP delivered since a build-out's first month, "
        "against the baseline over the same months; timelines only — a site at one moment "
        "is measured by its FLOP/s).",
        kind="choice", choices=MEASURES,
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

#: A build-out phase's fields that are not inputs: (lowest, highest, reason). ``start`` is
#: a month ``YYYY-MM``; ``delay_months`` a whole number of months; a phase's
#: ``facility_power_mw`` has the range of ``site.facility_power_mw``.
PHASE_DOMAINS: dict[str, tuple[str | int, str | int, str]] = {
    "start": ("2000-01", "2100-12",
              "AI training sites are built this century; a timeline spans at most 100 years"),
    "delay_months": (0, 600, "a whole number of months, from none to 50 years"),
    "lead_months": (0, 60, "a whole number of months, from chips on site to five years ahead"),
}

#: Inputs that follow the catalog entry of ``hardware.accelerator`` unless set,
#: with the catalog field each one takes (``peak_flop_per_s`` depends on precision).
CATALOG_FIELDS: dict[str, str] = {
    "hardware.tdp_w": "tdp_w",
    "hardware.server_overhead": "server_overhead",
    "hardware.peak_flop_per_s": "{precision}_flop_per_s",
    "hardware.peak_8bit_flop_per_s": "fp8_flop_per_s",
    "cost.accelerator_capex_usd": "capex_usd",
    "cost.cloud_usd_per_accelerator_hour": "cloud_usd_per_hour",
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
               "Peak FLOP/s × MFU × availability × training share: what training actually "
               "achieves."),
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
    OutputSpec("cloud_cost_per_year_usd", "Leased cost per year", CURRENCY,
               "Accelerators × 8,760 h × cloud rental price: the same fleet leased all year."),
    OutputSpec("cloud_cost_per_run_usd", "Leased cost per run", CURRENCY,
               "Accelerators × 24 h × run days × cloud rental price: one run on leased "
               "accelerators."),
    OutputSpec("lease_breakeven_utilisation", "Break-even utilisation", "1",
               "Annualized cost of owning ÷ leased cost per year: owning is cheaper when the "
               "fleet is busy more than this share of the year."),
    OutputSpec("leased_cost_at_utilisation_usd", "Leased cost per year at utilisation",
               CURRENCY, "Leased cost per year × cost.utilisation: the same work leased for "
               "only the hours it is busy. Owning costs the annualized cost at any utilisation."),
    OutputSpec("owned_cost_per_used_hour_usd", "Owned cost per busy accelerator-hour",
               f"{CURRENCY}/h", "Annualized cost ÷ (accelerators × 8,760 h × cost.utilisation): "
               "owning, per hour of work, to set against the cloud rental price."),
    OutputSpec("compute_multiple", "Compute multiple", "1",
               "What target.measure measures (by default effective FLOP/s) ÷ the same for the "
               "baseline scenario."),
    OutputSpec("facility_power_mw_for_target", "Facility power for the target", "MW",
               "Facility power at which this scenario reaches target.compute_multiplier "
               "× the baseline."),
)

OUTPUTS: dict[str, OutputSpec] = {spec.name: spec for spec in _OUTPUT_LIST}


#: Smallest positive normal double: closer to 0, a number has lost precision (a subnormal).
_TINIEST = 2.2250738585072014e-308


def number_text(value: float) -> str:
    """``value`` as a message quotes it: short (``:g``), yet exactly the number given.

    >>> number_text(40.0), number_text(1e308), number_text(1e-320), number_text(0.9)
    ('40', '1e+308', '1e-320', '0.9')
    """
    short, exact = f"{value:g}", repr(float(value))
    return short if float(short) == value and len(short) <= len(exact) else exact


def valid_range(spec: InputSpec) -> str:
    """The valid range of ``spec`` in words, with its unit and its reason.

    >>> valid_range(INPUTS["site.pue"])[:29]
    'valid range 1 to 3: facility '
    """
    if spec.lower is None or spec.upper is None:
        return ""
    unit = "" if spec.unit in ("", "1") else f" {spec.unit}{'s' if spec.kind == 'count' else ''}"
    low = f"above {spec.lower:g}" if spec.lower_open else f"{spec.lower:g}"
    high = f"below {spec.upper:g}" if spec.upper_open else f"{spec.upper:g}"
    reason = f": {spec.reason}" if spec.reason else ""
    return f"valid range {low} to {high}{unit}{reason}"


def check_bounds(spec: InputSpec, value: float) -> str | None:
    """Return why ``value`` is outside the valid range of ``spec``, or ``None``.

    The answer names the valid range and why it ends where it does.

    Examples
    --------
    >>> check_bounds(INPUTS["site.pue"], 0.9).split(";")[0]
    'must be at least 1 (got 0.9)'
    >>> check_bounds(INPUTS["training.mfu"], 0.4) is None
    True
    >>> check_bounds(INPUTS["hardware.peak_flop_per_s"], 1e-320).split(";")[0]
    'must be at least 1e+12 (got 1e-320)'
    """
    if value != value or value in (float("inf"), float("-inf")):
        return f"must be a finite number (got {value})"
    problem = None
    if spec.lower is not None:
        if spec.lower_open and value <= spec.lower:
            problem = f"must be greater than {spec.lower:g} (got {number_text(value)})"
        elif not spec.lower_open and value < spec.lower:
            problem = f"must be at least {spec.lower:g} (got {number_text(value)})"
    if problem is None and spec.upper is not None:
        if spec.upper_open and value >= spec.upper:
            problem = f"must be less than {spec.upper:g} (got {number_text(value)})"
        elif not spec.upper_open and value > spec.upper:
            problem = f"must be at most {spec.upper:g} (got {number_text(value)})"
    if problem is None and 0 < abs(value) < _TINIEST:
        problem = (f"is too close to 0 to compute with (got {number_text(value)}); write 0 or "
                   "a larger number")
    if problem is None:
        return None
    span = valid_range(spec)
    return f"{problem}; {span}" if span else problem


def check_value(spec: InputSpec, value: float) -> str | None:
    """:func:`check_bounds`, and for a count, that ``value`` is a whole number.

    >>> check_value(INPUTS["site.accelerators"], 1000.5)
    'must be a whole number of accelerators (got 1000.5)'
    >>> check_value(INPUTS["site.accelerators"], 1000.0) is None
    True
    """
    problem = check_bounds(spec, value)
    if problem is None and spec.kind == "count" and value != int(value):
        problem = f"must be a whole number of {spec.unit}s (got {value:.15g})"
    return problem


def measure_title(values: Mapping[str, object], *, at_one_moment: bool = False) -> str:
    """What the multiples of a scenario with these input ``values`` measure, in words.

    ``at_one_moment``: the multiples of a site at one moment (a run, not a build-out's
    timeline), where cumulative training FLOP is measured by effective FLOP/s (a
    constant fleet's FLOP add up as its FLOP/s), and is called that.

    >>> measure_title({"target.measure": "training_flop_per_run"})
    'training FLOP per run'
    >>> measure_title({"target.measure": "cumulative_training_flop"}, at_one_moment=True)
    'effective FLOP/s'
    """
    measure = str(values.get("target.measure") or MEASURES[0])
    if at_one_moment and measure == "cumulative_training_flop":
        measure = "effective_flop_per_s"
    return MEASURE_TITLES.get(measure, measure)


#: What a run (a site at one moment) says when a scenario measures cumulative training FLOP.
CUMULATIVE_AT_ONE_MOMENT = (
    "Cumulative training FLOP are counted over a build-out's months (capcalc timeline); a "
    "site at one moment is measured by its effective FLOP/s, whose multiple is the same.")
