"""Scenario discovery: which ranges of a sweep's inputs make a target likely, by each deadline.

:func:`discover` takes a finished sweep and a target (``compute_multiple ≥ 10``,
for a build-out by a month) and runs PRIM (:mod:`calc.analysis.prim`) on the
sweep's points: each point is a future (with Monte Carlo samples, it stands
for its samples, and the outcome is the share of them that reach the
target). For the deadline, and for a ladder of earlier deadlines (each
quarter's last month), it keeps the box of highest coverage whose density is
at least the one asked for: the joint conditions under which the target is
met in that share of futures. It also says where the sweep's base scenario
sits relative to the box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.prim import Box, Peeler, select_box
from calc.analysis.sweep_result import SweepResult
from calc.core.errors import CapcalcError
from calc.core.months import month_index
from calc.core.vocabulary import OUTPUTS

__all__ = ["DEFAULT_DENSITY", "Discovery", "Ladder", "discover", "quarter_ends"]

FloatArray = npt.NDArray[np.float64]

#: The density asked for unless told otherwise: the target met in 80 % of the box's futures.
DEFAULT_DENSITY = 0.8
#: Deadlines of a ladder, at most (the latest ones).
MAX_RUNGS = 12


@dataclass(frozen=True)
class Discovery:
    """PRIM's answer for one deadline (or none, for a target of the static chain).

    ``box`` is the box of highest coverage at the density asked for, or None
    when no box reaches it; ``densest`` is then the densest box found.
    ``share`` is the share of all futures that meet the target.
    ``outside`` lists the restricted inputs whose limits the base scenario's
    own value lies outside of, as ``(key, value, low, high)``.
    """

    deadline: str | None
    box: Box | None
    densest: Box | None
    share: float
    outside: tuple[tuple[str, Any, Any, Any], ...]


@dataclass(frozen=True)
class Ladder:
    """The discoveries for a target: the deadline asked for and the earlier ones.

    ``rungs`` are in date order; the last is the deadline asked for (or the
    horizon). ``inputs`` are the axes PRIM searched; ``ranges`` the lowest and
    highest value of each numeric one over the sweep; ``units`` their units;
    ``reference`` the base scenario's value of each.
    """

    output: str
    value: float
    density: float
    futures: int
    samples: int
    rungs: tuple[Discovery, ...]
    inputs: tuple[str, ...]
    ranges: Mapping[str, tuple[float, float]]
    units: Mapping[str, str]
    reference: Mapping[str, Any]
    attrs: Mapping[str, Any]

    @property
    def main(self) -> Discovery:
        """The discovery for the deadline asked for."""
        return self.rungs[-1]


def quarter_ends(months: tuple[str, ...], last: str) -> list[str]:
    """The months of ``months`` up to ``last`` that end a quarter, and ``last`` itself.

    >>> quarter_ends(("2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04"),
    ...              "2027-04")
    ['2026-12', '2027-03', '2027-04']
    """
    end = months.index(last)
    out = [m for m in months[:end + 1] if int(m[5:]) % 3 == 0]
    if not out or out[-1] != last:
        out.append(last)
    return out


def _inputs(result: SweepResult) -> tuple[dict[str, FloatArray], dict[str, Any]]:
    """The axes PRIM may restrict: those that take more than one value."""
    numeric: dict[str, FloatArray] = {}
    categorical: dict[str, Any] = {}
    for key in result.axes:
        values = np.asarray(result[key])
        if key.endswith(".start"):  # months, as labels in the result
            values = np.array([month_index(str(m)) for m in values], dtype=float)
        if len(np.unique(values)) < 2:
            continue
        if values.dtype.kind in "fiu":
            numeric[key] = values.astype(float)
        else:
            categorical[key] = values.astype(str)
    return numeric, categorical


def _outcome(result: SweepResult, output: str, value: float, deadline: str | None) -> FloatArray:
    """Per point, the share of its futures that meet ``output ≥ value`` (by ``deadline``)."""
    target = float(result.attrs.get("target_multiple", float("nan")))
    samples = int(result.attrs.get("samples") or 0)
    if deadline is not None:
        if output != "compute_multiple" or not np.isclose(value, target):
            raise CapcalcError(
                f"the sweep measured when compute_multiple reaches {target:g}; ask for "
                f"compute_multiple={target:g}, or sweep again with set: "
                f"{{target.compute_multiplier: {value:g}}}", key="target")
        if "reach_month" not in result.columns:
            raise CapcalcError("the sweep kept no reach month; add reach_month to its outputs "
                               "(a build-out) to ask --by", key="by")
        return result.reached_by(deadline)
    if samples and output == "compute_multiple" and np.isclose(value, target) \
            and "p_target_reached" in result.columns:
        return np.asarray(result["p_target_reached"], dtype=float)
    if output not in result.columns:
        kept = [c for c in result.kept if c in OUTPUTS]
        raise CapcalcError(f"the sweep did not keep {output!r} (it kept {', '.join(kept)})",
                           key="target")
    return (np.asarray(result[output], dtype=float) >= value).astype(float)


def _outside(box: Box | None, reference: Mapping[str, Any]) -> tuple[tuple[str, Any, Any, Any],
                                                                   ...]:
    if box is None:
        return ()
    out: list[tuple[str, Any, Any, Any]] = []
    for key in box.restricted:
        value: Any = reference.get(key)
        if key in box.limits:
            low, high = box.limits[key]
            number = float(month_index(str(value))) if key.endswith(".start") \
                and isinstance(value, str) else float(value)
            if not low <= number <= high:
                out.append((key, value, low, high))
        elif key in box.categories and str(value) not in box.categories[key]:
            out.append((key, value, None, None))
    return tuple(out)


def discover(result: SweepResult, output: str = "compute_multiple", value: float = 10.0, *,
             by: str | None = None, density: float = DEFAULT_DENSITY,
             ladder: bool = True) -> Ladder:
    """PRIM on a sweep: the conditions under which ``output ≥ value`` (by ``by``).

    Parameters
    ----------
    result : SweepResult
        A finished sweep (:func:`calc.sweep`).
    output, value : str, float
        The target: ``compute_multiple`` and 10 for "10×".
    by : str, optional
        A deadline ``YYYY-MM`` (a sweep of a build-out); default its horizon.
    density : float
        Share of the box's futures that must meet the target (0 to 1).
    ladder : bool
        Also find the box for each earlier quarter's end (at most 12 deadlines).

    Raises
    ------
    CapcalcError
        A density outside (0, 1], a deadline outside the sweep's months, a
        target the sweep did not keep, or no axis that varies.
    """
    if not 0 < density <= 1:
        raise CapcalcError(f"must be above 0 and at most 1 (got {density:g})", key="density")
    numeric, categorical = _inputs(result)
    if not numeric and not categorical:
        raise CapcalcError("no axis of the sweep takes two values; PRIM needs inputs that vary",
                           key="axes")
    buildout = bool(result.months) and "reach_month" in result.columns
    deadlines: list[str | None]
    if buildout:
        last = result.months[-1] if by is None else by
        if last not in result.months:
            raise CapcalcError(f"{last} is outside the sweep's months ({result.months[0]} to "
                               f"{result.months[-1]})", key="by")
        deadlines = list(quarter_ends(result.months, last)[-MAX_RUNGS:] if ladder else [last])
    else:
        if by is not None:
            raise CapcalcError("the sweep has no build-out; --by needs reach_month in its "
                               "outputs", key="by")
        deadlines = [None]
    rungs = []
    peeler = Peeler(numeric, categorical)  # every input sorted once for all deadlines
    for deadline in deadlines:
        y = _outcome(result, output, value, deadline)
        trajectory = peeler.trajectory(y)
        box = select_box(trajectory, density)
        densest = max(trajectory, key=lambda b: b.density) if trajectory else None
        rungs.append(Discovery(deadline=deadline, box=box, densest=densest,
                               share=float(y.mean()) if y.size else 0.0,
                               outside=_outside(box, result.reference)))
    return Ladder(output=output, value=float(value), density=density, futures=len(result),
                  samples=int(result.attrs.get("samples") or 0), rungs=tuple(rungs),
                  inputs=(*numeric, *categorical),
                  ranges={k: (float(v.min()), float(v.max())) for k, v in numeric.items()},
                  units={k: result.units.get(k, "") for k in result.axes},
                  reference=dict(result.reference), attrs=dict(result.attrs))
