"""Each view's finding in one sentence, and the compute multiple's card, written from results.

The dashboard opens every view with its finding (the power for the target on each chip,
owning against leasing, the chance of the target and the power for 80 % confidence, the
target's date as a range and its chance by a chosen month, the site's rank among its
peers); the words are written here from analysis results, with the one formatter of
:mod:`calc.presentation.formatting`, and the views only place them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from calc.analysis.target import TargetFacts
from calc.presentation.formatting import format_value, month_text, percent, times

__all__ = ["cost_finding", "lead_sentences", "multiple_card", "ordinal", "peers_finding",
           "power_finding", "timeline_finding", "uncertainty_finding"]

#: Where one sentence ends and the next begins: a full stop, then a space and a capital or
#: a figure ("1.17 GW" has no space after its point).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def lead_sentences(text: str, count: int = 2) -> tuple[str, str]:
    """``text`` split after its first ``count`` sentences: ``(lead, rest)``.

    >>> lead_sentences("The site is 100 MW (1.17 GW for 10×). 10× needs more. It is late.")
    ('The site is 100 MW (1.17 GW for 10×). 10× needs more.', 'It is late.')
    >>> lead_sentences("One sentence.")
    ('One sentence.', '')
    """
    parts = _SENTENCE_END.split(text.strip())
    return " ".join(parts[:count]), " ".join(parts[count:])


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
             if math.isfinite(power_for_target_mw) else f"{wanted} out of reach")
    return f"{times(multiple)} of {wanted}", power


def _power(mw: float) -> str:
    return format_value(mw, "MW") if math.isfinite(mw) else "out of reach"


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


def cost_finding(name: str, owned_per_year: float, leased_per_year: float,
                 breakeven: str) -> str:
    """Owning against leasing the same fleet, with the break-even in words
    (:func:`calc.presentation.charts.scenarios.breakeven_text`).

    >>> print(cost_finding("cortex-full", 4.1e9, 9.8e9,
    ...                    "owning is cheaper above 41 % utilisation"))
    ... # doctest: +NORMALIZE_WHITESPACE
    cortex-full: owning the fleet costs $4.10 B a year, leasing it all year $9.80 B; owning is
    cheaper above 41 % utilisation.
    """
    return (f"{name}: owning the fleet costs {format_value(owned_per_year, 'USD_2025')} a "
            f"year, leasing it all year {format_value(leased_per_year, 'USD_2025')}; "
            f"{breakeven}.")


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
    return (f"{head}; {percent(probability)} confidence of {target:g}× takes "
            f"{_power(power_mw)}" + (f" of {chip}" if chip else "") + ".")


def timeline_finding(target: float, baseline: str, months: Sequence[str | None], until: str,
                     build_out: str, by: str | None = None, p_by: float | None = None) -> str:
    """The target's date as the sampled median with its 10–90 % range (``months``: the
    10, 50 and 90 % months, None after ``until``), whose phases it is on, and its chance by
    the month ``by``.

    >>> print(timeline_finding(10, "cortex-phase1", ("2026-03", "2026-07", "2027-05"),
    ...                        "2030-12", "cortex-buildout", "2027-06", 0.85))
    ... # doctest: +NORMALIZE_WHITESPACE
    10× cortex-phase1 on cortex-buildout's phases: July 2026 (10–90 %: March 2026 to May
    2027); P(10× by 2027-06) = 85 %.
    >>> print(timeline_finding(10, "cortex-phase1", (None, None, None), "2030-12", "mine"))
    10× cortex-phase1 on mine's phases: not by December 2030 in most samples.
    """
    low, median, high = months
    head = f"{target:g}× {baseline} on {build_out}'s phases: "
    if median is None:
        text = head + f"not by {month_text(until)} in most samples"
    else:
        later = f"after {month_text(until)}" if high is None else month_text(high)
        text = (head + f"{month_text(median)} (10–90 %: "
                f"{month_text(low) if low else 'before'} to {later})")
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
    At 290 k H100e, cortex-full would rank 2nd of 4 sites among the 3 published ones
    (largest: Stargate, 400 k H100e).
    """
    larger = sum(1 for value in peers.values() if value > h100e)
    count = len(peers)
    text = (f"At {format_value(h100e, 'H100e')} H100e, {name} would rank "
            f"{ordinal(larger + 1)} of {count + 1} sites among the {count} published ones")
    if not peers:
        return text + "."
    top = max(peers, key=lambda label: peers[label])
    return text + f" (largest: {top}, {format_value(peers[top], 'H100e')} H100e)."
