"""What every dashboard view receives: the library, the scenario, its result, the baseline."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from calc.analysis.run import Result
from calc.core.phases import Phase
from calc.data.scenarios import Library, Scenario

__all__ = ["Context", "PhasesKey", "Sets", "phases_key"]

#: Non-default inputs as ``(dotted key, value as text)`` pairs, sorted by key: hashable,
#: so it can key ``st.cache_data``, and the same text the URL and ``--set`` carry.
Sets = tuple[tuple[str, str], ...]
#: Build-out phases as hashable plain data (a cache key); ``()`` for "the scenario's own".
PhasesKey = tuple[tuple[tuple[str, Any], ...], ...]


def phases_key(phases: tuple[Phase, ...] | None) -> PhasesKey:
    """``phases`` as a hashable key (``()`` for None): every field of each phase."""
    return tuple(tuple((f.name, getattr(p, f.name)) for f in fields(Phase))
                 for p in phases or ())


@dataclass(frozen=True)
class Context:
    """The state a view renders from; views compute nothing themselves and call ``calc``.

    Attributes
    ----------
    library : calc.Library
        The baseline, the shipped scenarios and any uploaded ones.
    scenario : calc.Scenario
        The current scenario: ``preset`` with ``sets`` applied, ``meet_target`` solved
        (the same object as ``result.scenario``).
    result : calc.Result
        ``calc.run(library, preset, sets)``: what the metric cards show.
    baseline : calc.Result
        The result of the scenario's baseline (``target.baseline``), for deltas and multiples.
    sets : Sets
        The inputs the user changed from the preset, as text (hashable cache key).
    preset : str
        The scenario the user picked (a name in ``library.names``).
    upload : tuple of (str, str)
        The scenario file uploaded this session as ``(file name, YAML text)``, ``("", "")``
        when none; part of every cache key, because ``preset`` may name an uploaded scenario.
    phases : tuple of Phase or None
        The build-out phases as the user edited them; None when not edited.
    settings : dict
        The views' settings (view, horizon, samples, seed, ...), see
        :data:`dashboard.state.SETTINGS`.
    """

    library: Library
    scenario: Scenario
    result: Result
    baseline: Result
    sets: Sets
    preset: str
    upload: tuple[str, str] = ("", "")
    phases: tuple[Phase, ...] | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[tuple[str, str], str, Sets]:
        """``(upload, preset, sets)``: a hashable identity of the inputs, for ``st.cache_data``.

        The functions of :mod:`dashboard.compute` take exactly these three arguments.
        """
        return (self.upload, self.preset, self.sets)

    @property
    def phases_key(self) -> PhasesKey:
        """The edited phases as a cache key (``()`` when not edited)."""
        return phases_key(self.phases)

    @property
    def until(self) -> str:
        """The horizon month, ``YYYY-12`` of the horizon setting."""
        return f"{int(self.settings.get('until', 2030))}-12"
