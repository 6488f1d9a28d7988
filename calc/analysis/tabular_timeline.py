"""A sampled build-out (:class:`calc.analysis.buildout_montecarlo.TimelineSimulation`) as a
notebook and the data libraries see it: series over (sample, month), the reach month per
sample and P(target by each month), with units; cards with P(target) and the reach date."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from calc.analysis.provenance import provenance
from calc.analysis.tabular import Tabular
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.data.scenarios import Scenario

if TYPE_CHECKING:
    from calc.data.frames import Tidy

__all__ = ["SampledTimelineTabular"]


class SampledTimelineTabular(Tabular):
    """The :class:`Tabular` forms of a sampled build-out (mixed into ``TimelineSimulation``)."""

    scenario: Scenario
    baseline: Scenario
    samples: int
    seed: int
    months: tuple[str, ...]
    series: Mapping[str, npt.NDArray[np.float64]]
    reach: npt.NDArray[np.int64]
    until: str
    target: float

    def reach_distribution(self) -> dict[str, float]:  # pragma: no cover - the class's own
        raise NotImplementedError

    def reach_month(self, probability: float) -> str | None:  # pragma: no cover - as above
        raise NotImplementedError

    def tidy(self) -> Tidy:
        """Series over (sample, month); the reach month per sample; P(reached by month)."""
        from calc.data.frames import Tidy  # deferred: the frame forms only when asked for

        labels = np.array([*self.months, None], dtype=object)
        reached = labels[np.where(self.reach >= 0, self.reach, len(self.months))]
        variables: dict[str, tuple[tuple[str, ...], npt.NDArray[Any]]] = {
            k: (("sample", "month"), np.asarray(v, dtype=float)) for k, v in self.series.items()}
        variables["reach_month"] = (("sample",), reached)
        variables["p_target_by"] = (("month",), np.array(list(
            self.reach_distribution().values())))
        units = {**{k: TIMELINE_OUTPUTS[k].unit for k in self.series},
                 "reach_month": "month", "p_target_by": "1"}
        coords = {"sample": (("sample",), np.arange(self.samples)),
                  "month": (("month",), np.array(self.months, dtype=object))}
        return Tidy("timeline_simulation", variables, coords, units,
                    provenance(self.scenario, self.baseline, seed=self.seed,
                               samples=self.samples, until=self.until))

    def cards(self) -> tuple[str, list[tuple[str, str]]]:
        """P(target by the horizon) and the reach month's median and 90 % range."""
        p = float(np.mean(self.reach >= 0))
        cards = [(f"P({self.target:g}× {self.scenario.baseline_name} by {self.until})",
                  f"{p:.1%}")]
        median = self.reach_month(0.5)
        cards.append(("Reached by (median)", median or f"not by {self.until}"))
        early, late = self.reach_month(0.05), self.reach_month(0.95)
        cards.append(("90 % of futures between", f"{early or '—'} and {late or 'later'}"))
        return self.scenario.title, cards
