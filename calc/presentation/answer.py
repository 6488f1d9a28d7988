"""The answer in words: where a scenario stands against the target, one plain sentence.

The command line, the report and the dashboard say the same words, built here
from :func:`calc.analysis.target.target_facts`.
"""

from __future__ import annotations

from calc.analysis.target import ChipOption, TargetFacts
from calc.presentation.formatting import format_value, times

__all__ = ["describe"]


def _chip(option: ChipOption, target: str) -> str:
    mark = "" if option.status == "shipping" else f"{option.status}, "
    return (f"{option.accelerator} ({mark}{times(option.gain)}) reaches {target} at "
            f"~{format_value(option.facility_power_mw_for_target, 'MW')}")


def describe(facts: TargetFacts, max_chips: int = 3) -> str:
    """The distance to the target in words.

    Examples
    --------
    >>> facts = TargetFacts("cortex-full", "cortex-phase1", "H100", "power", 500.0, 2.87e5,
    ...     5.0, 10.0, 1000.0, 2.0, (ChipOption("GB200", "shipping", 9.19, 544.0, 1.84),))
    >>> print(describe(facts))  # doctest: +NORMALIZE_WHITESPACE
    500 MW of H100 gives 5.0× cortex-phase1. 10× needs 1.00 GW of H100, or a chip with
    ~2.0× its FLOP per facility watt: GB200 (1.8×) reaches 10× at ~544 MW.
    """
    power = format_value(facts.facility_power_mw, "MW")
    if facts.sized_by == "accelerators":
        site = (f"{format_value(facts.accelerators, 'accelerator')} {facts.accelerator} "
                f"({power})")
    else:
        site = f"{power} of {facts.accelerator}"
    head = f"{site} gives {times(facts.compute_multiple)} {facts.baseline}"
    target = f"{facts.target_multiple:g}×"
    needed = f"{format_value(facts.facility_power_mw_for_target, 'MW')} of {facts.accelerator}"
    if facts.met:
        return f"{head}: the {target} target is met ({needed} would reach it)."
    better = facts.better_chips
    if not better:
        return (f"{head}. {target} needs {needed}; no catalog accelerator gives more "
                f"FLOP per facility watt than {facts.accelerator}.")
    shown = ", ".join(_chip(c, target) if i == 0 else _chip(c, target).replace(
        f" reaches {target} at", " at") for i, c in enumerate(better[:max_chips]))
    return (f"{head}. {target} needs {needed}, or a chip with "
            f"~{facts.gain_needed:.1f}× its FLOP per facility watt: {shown}.")
