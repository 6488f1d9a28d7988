"""The hashable identity of what a dashboard session shows, which every cache is keyed on.

A session's numbers follow from an uploaded scenario file (if any), the preset
picked and the inputs changed from it: together a :class:`StateKey`, frozen and
hashable, so one object keys every cached computation of
:mod:`calc.dashboard.compute` (with whatever else a computation reads: the
edited phases as a :data:`PhasesKey`, the horizon, the samples and the seed).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from calc.core.phases import Phase

__all__ = ["NO_UPLOAD", "PhasesKey", "Sets", "StateKey", "Upload", "phases_key", "phases_of"]

#: An uploaded scenario file as ``(file name, YAML text)``; :data:`NO_UPLOAD` when none.
Upload = tuple[str, str]
NO_UPLOAD: Upload = ("", "")
#: Non-default inputs as ``(dotted key, value as text)`` pairs, sorted by key: the same
#: text the link and ``--set`` carry.
Sets = tuple[tuple[str, str], ...]
#: A variant pinned beside the current scenario in Compare: ``(preset, sets)``.
Pin = tuple[str, Sets]
#: Build-out phases as hashable plain data; ``()`` for "the scenario's own".
PhasesKey = tuple[tuple[tuple[str, Any], ...], ...]


@dataclass(frozen=True)
class StateKey:
    """What a session's scenario is computed from: the cache key of every computation.

    Attributes
    ----------
    upload : tuple of (str, str)
        The scenario file uploaded in the session, ``("", "")`` when none; part of the key
        because ``preset`` may name one of its scenarios.
    preset : str
        The scenario picked (a name of the library with the upload).
    sets : tuple of (str, str)
        The inputs changed from the preset, sorted by key, values as text.

    >>> StateKey(preset="cortex-full", sets=(("site.pue", "1.3"),)).sets_dict
    {'site.pue': '1.3'}
    """

    upload: Upload = NO_UPLOAD
    preset: str = ""
    sets: Sets = ()

    @property
    def sets_dict(self) -> dict[str, str]:
        """The changed inputs as a dict (key → text)."""
        return dict(self.sets)

    def changed(self, sets: Sets) -> StateKey:
        """The same upload and preset with other changed inputs.

        >>> StateKey(preset="tenfold").changed((("site.pue", "1.2"),)).sets
        (('site.pue', '1.2'),)
        """
        return StateKey(self.upload, self.preset, tuple(sorted(sets)))


def phases_key(phases: tuple[Phase, ...] | None) -> PhasesKey:
    """``phases`` as a hashable key (``()`` for None): every field of each phase."""
    return tuple(tuple((f.name, getattr(p, f.name)) for f in fields(Phase))
                 for p in phases or ())


def phases_of(key: PhasesKey) -> tuple[Phase, ...]:
    """The phases of a key :func:`phases_key` made.

    >>> p = Phase("a", "2026-01", 100.0)
    >>> phases_of(phases_key((p,))) == (p,)
    True
    """
    return tuple(Phase(**dict(items)) for items in key)
