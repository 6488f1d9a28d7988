"""A build-out's target date in words: the sampled median with its range, the month at
central values, the operator's pace beside it, the slip applied and the pace warning.

The command line, the report and the dashboard say these sentences, built from one
:class:`calc.analysis.reach.Reach`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calc.analysis.pace import PaceWarning
from calc.analysis.slip import NO_SLIP, SlipDistribution
from calc.presentation.formatting import format_value, month_text, percent

if TYPE_CHECKING:
    from calc.analysis.reach import Reach

__all__ = ["chance_by_line", "date_clause", "pace_brief", "pace_sentence", "reach_lines",
           "slip_sentence", "warning_sentence"]


def _month(month: str | None, until: str) -> str:
    return month_text(month) if month else f"after {month_text(until)}"


def date_clause(reach: Reach, subject: str) -> str:
    """``subject`` reaches the target in the sampled median month, with its 10–90 % range
    and the chance by the horizon: "Its build-out reaches 10× in February 2030 (median of
    2,000 sampled build-outs; 10–90 %: ...; P(10× by December 2030) = 93 %)".

    The months are those by which 10, 50 and 90 % of the samples have reached the target;
    when fewer than half reach it by the horizon, the clause says so with the chance.
    """
    low, median, high = reach.months
    until = reach.until
    target = f"{reach.target:g}×"
    chance = f"P({target} by {month_text(until)}) = {percent(reach.p_by_horizon)}"
    samples = f"{reach.sampled.samples:,} sampled build-outs"
    if median is None:
        early = f"; 10 % reach it by {month_text(low)}" if low else ""
        return f"{subject} does not reach {target} by {month_text(until)} in most of " \
            f"{samples} ({chance}{early})"
    spread = f"10–90 %: {_month(low, until)} to {_month(high, until)}"
    return f"{subject} reaches {target} in {month_text(median)} (median of {samples}; " \
        f"{spread}; {chance})"


def chance_by_line(reach: Reach, by: str) -> str:
    """The chance of the target by month ``by`` beside the sampled P50 and P80 months, with
    the samples, the seed and whether announced phases slip: "P(10× by 2027-06) = 12 % (2,000
    samples, seed 0); P50 February 2030, P80 August 2030; announced phases slip by ...".

    The chance is :meth:`calc.analysis.buildout_montecarlo.TimelineSimulation.p_reached_by`
    of the same samples the range is read from.
    """
    sampled = reach.sampled
    p50, p80 = (reach.sampled_month(p) for p in (0.5, 0.8))
    slip = (f"announced phases slip by {reach.slip.described} (--slip none turns it off)"
            if reach.slip is not None else "no slip of announced phases (--slip none)")
    return (f"P({reach.target:g}× by {by}) = {percent(sampled.p_reached_by(by))} "
            f"({sampled.samples:,} samples, seed {sampled.seed}); "
            f"P50 {_month(p50, reach.until)}, P80 {_month(p80, reach.until)}; {slip}.")


def _pace_when(reach: Reach) -> str:
    """The month the operator's own pace reaches the target, with the pace's range of months
    ("never" when it does not)."""
    central, fastest, slowest = reach.pace_months
    when = _month(central, "9999-12") if central else "never"
    spread = (f" ({_month(fastest, '9999-12')} to {_month(slowest, '9999-12')})"
              if fastest and slowest else "")
    return when + spread


def pace_sentence(reach: Reach) -> str:
    """The month the operator's own pace reaches the target, with the pace's range ("" when
    no pace is known)."""
    pace = reach.pace
    if pace is None:
        return ""
    target = f"{reach.target:g}× ({format_value(reach.target_h100e, 'H100e')} H100e)"
    return (f"At {pace.operator}'s own pace ({pace.growth:.2f}× a year fitted through its "
            f"stated compute, {pace.slowest:.2f}–{pace.fastest:.2f}× between statements) "
            f"{target} comes in {_pace_when(reach)}.")


def pace_brief(reach: Reach) -> str:
    """The month the operator's own pace reaches the target, with its range, briefly ("" when
    no pace is known): :func:`pace_sentence` without the fit."""
    if reach.pace is None:
        return ""
    return f"At {reach.pace.operator}'s own pace: {_pace_when(reach)}."


def warning_sentence(warning: PaceWarning | None) -> str:
    """The warning that the build-out runs above the operator's pace ("" without one)."""
    if warning is None:
        return ""
    span = (f"in {month_text(warning.first)}" if warning.first == warning.last else
            f"from {month_text(warning.first)} to {month_text(warning.last)}")
    return (f"Warning: the modelled build-out runs above {warning.operator}'s own pace {span}: "
            f"{format_value(warning.modelled_h100e, 'H100e')} H100e in "
            f"{month_text(warning.worst)} is {warning.ratio:.1f}× the most {warning.operator}'s "
            f"stated compute implies then ({format_value(warning.pace_h100e, 'H100e')} H100e at "
            "its fastest growth), beyond the "
            f"{warning.factor:g}× allowed (pace.warn_factor in peers.yaml).")


def slip_sentence(slip: SlipDistribution | None) -> str:
    """Which slip announced phases take, in one sentence."""
    if slip is None:
        return "Announced phases keep their dates (--slip none)."
    delays = slip.delays()
    months = "month" if delays.value == 1 else "months"
    return (f"Announced phases slip by {slip.described}: median {delays.value} {months}, "
            f"90 % within {delays.low}–{delays.high} (the month at central values takes the "
            f"median; early deliveries count as on time; --slip {NO_SLIP} turns it off).")


def reach_lines(reach: Reach) -> list[str]:
    """The date said as a range, the month at central values, the pace, the warning and the
    slip: the lines ``capcalc timeline`` prints under its table."""
    central = reach.central
    at_central = (f"at central values in {month_text(central)}" if central
                  else f"at central values not by {month_text(reach.until)}")
    subject = f"Against {reach.timeline.baseline}, the build-out"
    lines = [f"{date_clause(reach, subject)}; {at_central}."]
    for extra in (pace_sentence(reach), warning_sentence(reach.warning),
                  slip_sentence(reach.slip)):
        if extra:
            lines.append(extra)
    return lines
