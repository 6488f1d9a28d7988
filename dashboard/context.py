"""What every dashboard tab receives: the library, the scenario, its result, the baseline."""

from __future__ import annotations

from dataclasses import dataclass

from calc.analysis.run import Result
from calc.data.scenarios import Library, Scenario

__all__ = ["Context", "Sets"]

#: Non-default inputs as ``(dotted key, value as text)`` pairs, sorted by key: hashable,
#: so it can key ``st.cache_data``, and the same text the URL and ``--set`` carry.
Sets = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Context:
    """The state a tab renders from; tabs compute nothing themselves and call ``calc``.

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
    """

    library: Library
    scenario: Scenario
    result: Result
    baseline: Result
    sets: Sets
    preset: str
    upload: tuple[str, str] = ("", "")

    @property
    def key(self) -> tuple[tuple[str, str], str, Sets]:
        """``(upload, preset, sets)``: a hashable identity of the inputs, for ``st.cache_data``.

        The functions of :mod:`dashboard.compute` take exactly these three arguments.
        """
        return (self.upload, self.preset, self.sets)
