"""What every dashboard view receives: the session's state, its library, scenario and result.

A view reads its :class:`Context` and draws; it computes nothing itself (it calls
:mod:`calc.dashboard.compute`) and changes the state only through the widgets and
callbacks of :mod:`calc.dashboard.session`.
"""

from __future__ import annotations

from dataclasses import dataclass

from calc.analysis.run import Result
from calc.core.phases import Phase
from calc.dashboard.keys import PhasesKey, Sets, StateKey, Upload, phases_key
from calc.dashboard.settings import Settings
from calc.data.scenarios import Library, Scenario

__all__ = ["Context"]


@dataclass(frozen=True)
class Context:
    """The state a view renders from.

    Attributes
    ----------
    key : StateKey
        The upload, the preset and the changed inputs: the key of every cached computation.
    library : calc.Library
        The baseline, the shipped scenarios and any uploaded ones.
    scenario : calc.Scenario
        The current scenario: ``preset`` with ``sets`` applied, ``meet_target`` solved
        (the same object as ``result.scenario``).
    result : calc.Result
        ``calc.run(library, preset, sets)``: what the metric cards show.
    baseline : calc.Result
        The result of the scenario's baseline (``target.baseline``), for deltas and multiples.
    phases : tuple of Phase or None
        The build-out phases as the user edited them; None when not edited.
    settings : Settings
        The views' settings (view, horizon, samples, seed, ...).
    """

    key: StateKey
    library: Library
    scenario: Scenario
    result: Result
    baseline: Result
    phases: tuple[Phase, ...] | None = None
    settings: Settings = Settings()

    @property
    def preset(self) -> str:
        """The scenario the user picked (a name in ``library.names``)."""
        return self.key.preset

    @property
    def sets(self) -> Sets:
        """The inputs the user changed from the preset, as text."""
        return self.key.sets

    @property
    def upload(self) -> Upload:
        """The scenario file uploaded this session (``("", "")`` when none)."""
        return self.key.upload

    @property
    def phases_key(self) -> PhasesKey:
        """The edited phases as a cache key (``()`` when not edited)."""
        return phases_key(self.phases)

    @property
    def until(self) -> str:
        """The horizon month, ``YYYY-12`` of the horizon setting."""
        return self.settings.horizon
