"""What every dashboard view receives: the session's state, its library, scenario and result.

A view reads its :class:`Context` and draws; it computes nothing itself (it calls
:mod:`calc.dashboard.compute`) and changes the state only through the widgets and
callbacks of :mod:`calc.dashboard.session`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from calc.analysis.run import Result
from calc.core.phases import Phase
from calc.dashboard.keys import PhasesKey, Pin, Sets, StateKey, Upload, phases_key
from calc.dashboard.settings import Settings
from calc.data.scenarios import Library, Scenario

__all__ = ["Context", "PhaseEdit", "Question"]

#: A question of the target box: input, output, target (None: the scenario's target
#: multiple) and the month it must hold in (None: the scenario at one moment).
Question = tuple[str, str, float | None, str | None]


@dataclass(frozen=True)
class PhaseEdit:
    """What a view returns when the user edited the phase table: the build-out to use from
    now on (None: the scenario's own). The page makes it the state and runs again."""

    phases: tuple[Phase, ...] | None


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
    question : Question or None
        The target box's question (None: the default question).
    question_error : str
        Why the question just asked cannot be asked ("" when it can, or none was asked).
    editor : int
        The phase table's version: a new one restarts the editor from ``phases``.
    pins : tuple of (str, tuple)
        The variants pinned beside the current scenario in Compare, each ``(preset, sets)``.
    """

    key: StateKey
    library: Library
    scenario: Scenario
    result: Result
    baseline: Result
    phases: tuple[Phase, ...] | None = None
    settings: Settings = field(default_factory=Settings)
    question: Question | None = None
    question_error: str = ""
    editor: int = 0
    pins: tuple[Pin, ...] = ()

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
