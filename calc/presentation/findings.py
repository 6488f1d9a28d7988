"""Each view's finding in one sentence, and the compute multiple's card, written from results.

The dashboard opens every view with its finding (the power for the target on each chip,
owning against leasing at the user's utilisation, the chance of the target and the power
for 80 % confidence, the target's date as a range and its chance by a chosen month, the
site's rank among its peers, how many of a sweep's combinations reach the target); the
words are written here from analysis results, with the one formatter of
:mod:`calc.presentation.formatting`, and the views only place them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from calc.analysis.lease import LeaseAt
from calc.analysis.target import TargetFacts
from calc.presentation.charts.scenarios import breakeven_text
from calc.presentation.formatting import format_value, month_text, percent, times

__all__ = ["buildout_title", "buildout_words", "compare_finding", "cost_finding", "multiple_card",
           "ordinal", "peers_finding", "power_finding", "sweep_finding", "timeline_finding",
           "uncertainty_finding"]


def multiple_card(multiple: float, target: float, power_for_target_mw: float
                  ) -> tuple[str, str]:
    """The compute multiple's card: its share of the target, and the power the target takes.

    >>> multiple_card(4.178, 10.0, 718.3)
    ('4.2× of 10×', '718 MW for 10×')
    >>> multiple_card(0.856, 10.0, float("inf"))
    ('0.86× of 10×', '10× out of reach')
    """
    wanted = f"{target:g}×"
    power = (f"{format_value(power_for_target_mw, 'MW')} for {wanted}"
             if _reachable(power_for_target_mw) else f"{wanted} out of reach")
    return f"{times(multiple)} of {wanted}", power


def compare_finding(multiples: Sequence[tuple[str, float]], baseline: str, target: float
                    ) -> str:
    """Each scenario compared as its multiple of the baseline, against the target.

    >>> print(compare_finding([("cortex-phase1", 0.856), ("cortex-full", 4.28),
    ...                        ("tenfold", 10.0)], "tesla-2025-q2", 10))
    Against tesla-2025-q2: cortex-phase1 0.86×, cortex-full 4.3×, tenfold 10× (the target: 10×).
    """
    shown = ", ".join(f"{name} {times(multiple)}" for name, multiple in multiples)
    return f"Against {baseline}: {shown} (the target: {target:g}×)."


def _reachable(mw: float) -> bool:
    """Whether a power (MW) is a number a site could have (not infinite, nor so large its
    watts overflow)."""
    return math.isfinite(mw * 1e6)


def _power(mw: float) -> str:
    return format_value(mw, "MW") if _reachable(mw) else "out of reach"


def _grouped(powers: Iterable[tuple[str, float]]) -> list[tuple[str, str]]:
    """``(chips, power)`` with chips whose power reads the same joined ("B200 / GB200"),
    lowest power first."""
    groups: dict[str, list[str]] = {}
    for chip, mw in sorted(powers, key=lambda item: item[1]):
        groups.setdefault(_power(mw), []).append(chip)
    return [(" / ".join(chips), text) for text, chips in groups.items()]


def power_finding(facts: TargetFacts) -> str:
    """The facility power the target takes on the scenario's chip and on every other one.

    >>> from calc.analysis.target import ChipOption
    >>> facts = TargetFacts("cortex-full", "cortex-phase1", "H100", "power", 500.0, 2.87e5,
    ...     5.0, 10.0, 1000.0, 2.0, (ChipOption("GB200", "shipping", 9.19, 544.0, 1.84),
    ...     ChipOption("B200", "shipping", 9.19, 544.2, 1.84),
    ...     ChipOption("H200", "shipping", 5.0, 1000.0, 1.0)))
    >>> print(power_finding(facts))  # doctest: +NORMALIZE_WHITESPACE
    10× cortex-phase1 takes 1.00 GW of H100 (this scenario's chip), 544 MW of GB200 / B200,
    1.00 GW of H200.
    """
    wanted = f"{facts.target_multiple:g}× {facts.baseline}"
    own = f"{_power(facts.facility_power_mw_for_target)} of {facts.accelerator}"
    others = ", ".join(f"{power} of {chips}" for chips, power in
                       _grouped((c.accelerator, c.facility_power_mw_for_target)
                                for c in facts.chips))
    return (f"{wanted} takes {own} (this scenario's chip)"
            + (f", {others}" if others else "") + ".")


def cost_finding(name: str, at: LeaseAt) -> str:
    """Owning against leasing the same fleet at the user's utilisation, with the break-even
    (:func:`calc.presentation.charts.scenarios.breakeven_text`).

    >>> at = LeaseAt(0.8, 4.1e9, 9.8e9 * 0.8, 4.1 / 9.8)
    >>> print(cost_finding("cortex-full", at))  # doctest: +NORMALIZE_WHITESPACE
    cortex-full at 80 % utilisation: owning the fleet costs $4.10 B a year, leasing the hours
    used $7.84 B (1.9× as much); owning is cheaper above 42 % utilisation.
    """
    owned = format_value(at.owned_usd_per_year, "USD_2025")
    leased = format_value(at.leased_usd_per_year, "USD_2025")
    if at.cheaper == "either":
        verdict = "the same"
    elif at.cheaper == "own":
        verdict = f"{times(1 / at.owned_over_leased)} as much"
    else:
        verdict = f"owning costs {times(at.owned_over_leased)} as much"
    return (f"{name} at {percent(at.utilisation)} utilisation: owning the fleet costs {owned} "
            f"a year, leasing the hours used {leased} ({verdict}); "
            f"{breakeven_text(at.breakeven)}.")


def uncertainty_finding(target: float, baseline: str, p_target: float, samples: int, seed: int,
                        power_mw: float | None = None, chip: str = "",
                        probability: float = 0.8) -> str:
    """The chance of the target over the samples, and the facility power that makes it
    ``probability`` likely (None: not solved).

    >>> print(uncertainty_finding(10, "cortex-phase1", 0.34, 10_000, 0, 1284.0, "H100"))
    ... # doctest: +NORMALIZE_WHITESPACE
    P(10× cortex-phase1) = 34 % over 10,000 samples (seed 0); 80 % confidence of 10× takes
    1.28 GW of H100.
    """
    head = (f"P({target:g}× {baseline}) = {percent(p_target)} over {samples:,} samples "
            f"(seed {seed})")
    if power_mw is None:
        return head + "."
    if not _reachable(power_mw):
        return (f"{head}; {percent(probability)} confidence of {target:g}× is out of reach"
                + (f" on {chip}" if chip else "") + ".")
    return (f"{head}; {percent(probability)} confidence of {target:g}× takes "
            f"{_power(power_mw)}" + (f" of {chip}" if chip else "") + ".")


def buildout_words(scenario: str, lender: str | None, *, edited: bool = False,
                   changed: Sequence[str] = (), own: bool = True) -> str:
    """Whose phases a build-out's date uses, and whether the user's changes enter them.

    ``lender`` names the build-out whose phases a scenario without its own borrows;
    ``edited``: the user edited the phase table; ``changed``: the inputs the user changed;
    ``own`` False: neither the scenario nor a lender has phases (one phase of the site).

    >>> buildout_words("cortex-phase1", "cortex-buildout")
    "cortex-buildout's phases (cortex-phase1 has none of its own) with cortex-phase1's inputs"
    >>> buildout_words("cortex-buildout", None, edited=True, changed=["site.pue"])
    "cortex-buildout's phases as you edited them, with your changes"
    >>> buildout_words("x", None, changed=["site.facility_power_mw"], own=False)
    "one phase of x's site from 2025-01 (x has no build-out of its own), with your changes"
    >>> print(buildout_words("cortex-buildout", None, changed=["site.facility_power_mw"]))
    cortex-buildout's phases, with your changes (each phase keeps its own facility power)
    """
    if not own:
        text = f"one phase of {scenario}'s site from 2025-01 ({scenario} has no build-out of " \
               "its own)"
    elif lender:
        text = f"{lender}'s phases" + (" as you edited them" if edited else "") + \
            f" ({scenario} has none of its own) with {scenario}'s inputs"
    else:
        text = f"{scenario}'s phases" + (" as you edited them" if edited else "")
    if changed:
        powered = own and any(key in ("site.facility_power_mw", "site.accelerators")
                              for key in changed)
        text += ", with your changes" + (
            " (each phase keeps its own facility power)" if powered else "")
    return text


def buildout_title(scenario: str, lender: str | None, *, edited: bool = False,
                   own: bool = True) -> str:
    """The build-out chart's title: whose phases, never the borrower's name alone.

    >>> buildout_title("cortex-phase1", "cortex-buildout")
    "Build-out of cortex-buildout's phases with cortex-phase1's inputs"
    >>> buildout_title("cortex-buildout", None, edited=True)
    "Build-out of cortex-buildout's phases as you edited them"
    """
    if not own:
        return f"Build-out of {scenario}: its site as one phase"
    whose = f"{lender or scenario}'s phases" + (" as you edited them" if edited else "")
    return f"Build-out of {whose}" + (f" with {scenario}'s inputs" if lender else "")


def timeline_finding(target: float, baseline: str, months: Sequence[str | None], until: str,
                     phases: str, by: str | None = None, p_by: float | None = None) -> str:
    """The target's date as the sampled median with its 10–90 % range (``months``: the
    10, 50 and 90 % months, None after ``until``), whose phases it is on (``phases``, as
    :func:`buildout_words` says it), and its chance by the month ``by``.

    >>> print(timeline_finding(10, "cortex-phase1", ("2026-03", "2026-07", "2027-05"),
    ...                        "2030-12", "cortex-buildout's phases", "2027-06", 0.85))
    ... # doctest: +NORMALIZE_WHITESPACE
    10× cortex-phase1 in July 2026 (10–90 %: March 2026 to May 2027) on cortex-buildout's
    phases; P(10× by 2027-06) = 85 %.
    >>> print(timeline_finding(10, "cortex-phase1", (None, None, None), "2030-12", "mine"))
    10× cortex-phase1 not by December 2030 in most samples, on mine.
    """
    low, median, high = months
    head = f"{target:g}× {baseline}"
    if median is None:
        text = f"{head} not by {month_text(until)} in most samples, on {phases}"
    else:
        later = f"after {month_text(until)}" if high is None else month_text(high)
        text = (f"{head} in {month_text(median)} (10–90 %: "
                f"{month_text(low) if low else 'before'} to {later}) on {phases}")
    if by is not None and p_by is not None:
        text += f"; P({target:g}× by {by}) = {percent(p_by)}"
    return text + "."


def ordinal(n: int) -> str:
    """``n`` as an ordinal: 1st, 2nd, 3rd, 4th, 11th, 22nd.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def peers_finding(name: str, h100e: float, peers: Mapping[str, float]) -> str:
    """Where a site of ``h100e`` H100-equivalents ranks among the published ``peers``
    (label → H100e), and the largest of them.

    >>> print(peers_finding("cortex-full", 2.9e5, {"Colossus": 2.0e5, "Stargate": 4.0e5,
    ...                                            "Cortex": 5.0e4}))
    ... # doctest: +NORMALIZE_WHITESPACE
    At 290 k H100e, cortex-full would be the 2nd largest of 4 sites: the 3 published in
    peers.yaml and it (largest: Stargate, 400 k H100e).
    """
    larger = sum(1 for value in peers.values() if value > h100e)
    count = len(peers)
    rank = "the largest" if larger == 0 else f"the {ordinal(larger + 1)} largest"
    text = (f"At {format_value(h100e, 'H100e')} H100e, {name} would be {rank} of "
            f"{count + 1} sites: the {count} published in peers.yaml and it")
    if not peers:
        return text + "."
    top = max(peers, key=lambda label: peers[label])
    return text + f" (largest: {top}, {format_value(peers[top], 'H100e')} H100e)."


def sweep_finding(values: ArrayLike, target: float | None, title: str, unit: str) -> str:
    """How many points of a sweep's grid reach the ``target`` (None: the output has none)
    and the span of ``values`` (non-finite points left out), in ``unit``.

    >>> print(sweep_finding([0.5, 4.0, 12.0, 20.0], 10, "Compute multiple", "1"))
    2 of the 4 combinations reach 10× (beyond the target's contour); from 0.5× to 20×.
    >>> print(sweep_finding([300.0, float("nan"), 900.0], None, "Facility power", "MW"))
    Facility power: from 300 MW to 900 MW over the grid.
    """
    grid = np.asarray(values, dtype=float).ravel()
    finite = grid[np.isfinite(grid)]
    if not finite.size:
        return f"{title}: no point of the grid has a finite value."
    if target is not None:
        met = int(np.sum(finite >= target))
        return (f"{met} of the {grid.size} combinations reach {target:g}× (beyond the "
                f"target's contour); from {times(finite.min())} to {times(finite.max())}.")
    return (f"{title}: from {format_value(finite.min(), unit)} to "
            f"{format_value(finite.max(), unit)} over the grid.")
