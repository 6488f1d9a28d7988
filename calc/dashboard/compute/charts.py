"""Any chart of a session's state, declared by a view and drawn once: one cache for them all.

A view shows a chart by handing :func:`chart` a *declaration*: a function of the
state's :class:`Source` (the library, the result, the baseline, the comparison, the
peers: each computed once and cached) and of any further hashable arguments (the
samples, a seed, an output), returning a
:class:`~calc.presentation.chart_spec.Chart` of :mod:`calc.presentation.charts`.
The chart and its Vega-Lite specs are cached on the declaration's name, the
:class:`~calc.dashboard.keys.StateKey` and those arguments, so a new view with a
chart needs no change here. A declaration must be a pure function of what it is
given (module level, so its name is its identity).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from calc.analysis.run import Result
from calc.dashboard.compute.cache import Drawn, drawn, memo
from calc.dashboard.compute.scenario import compare_results, library_for, peers, results
from calc.dashboard.compute.titles import as_shown
from calc.dashboard.keys import StateKey
from calc.data.peers import PeersFile
from calc.data.scenarios import Library, Scenario
from calc.presentation.chart_spec import Chart

__all__ = ["Declaration", "Source", "chart"]


@dataclass(frozen=True)
class Source:
    """What a chart of the state ``key`` is declared from; each part is computed (and
    cached) when first asked for."""

    key: StateKey

    @property
    def library(self) -> Library:
        """The shipped library with the session's upload."""
        return library_for(self.key.upload)

    @property
    def result(self) -> Result:
        """The current scenario's result (``calc.run``)."""
        return results(self.key)[0]

    @property
    def scenario(self) -> Scenario:
        """The current scenario, solved."""
        return self.result.scenario

    @property
    def baseline(self) -> Result:
        """The result of the scenario's baseline."""
        return results(self.key)[1]

    @property
    def compared(self) -> list[Result]:
        """The baseline, the current scenario and the reference scenarios
        (:func:`calc.dashboard.compute.scenario.compare_results`)."""
        return compare_results(self.key)

    @property
    def peers(self) -> PeersFile:
        """capcalc's ``peers.yaml``."""
        return peers()


#: A chart's declaration for a state: ``(source, *arguments) → Chart``.
Declaration = Callable[..., Chart]


def chart(declare: Declaration, key: StateKey, *arguments: Hashable) -> Drawn:
    """The chart ``declare`` makes of the state ``key`` (and ``arguments``), with its specs.

    Cached on the declaration's module and name, ``key`` and ``arguments``: a rerun with
    the same ones costs a lookup, and its files are cached on the same identity.
    """
    return _drawn(f"{declare.__module__}.{declare.__qualname__}", key, arguments, declare)


@memo(max_entries=256)
def _drawn(name: str, key: StateKey, arguments: tuple[Hashable, ...],
           _declare: Declaration) -> Drawn:
    return drawn(as_shown(_declare(Source(key), *arguments), key), (name, key, arguments))
