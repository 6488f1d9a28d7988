"""Which build-out a scenario's date is measured on, and how the scenario's inputs enter it.

A scenario with ``timeline:`` phases (its own, or its base's) is dated on them.
One without is dated on the phases of the story's build-out
(:attr:`calc.data.story.Story.buildout`) with its own other inputs, so every
scenario of the story gets a date; a library whose story names no build-out
leaves it undated.

The phases size the site (each phase's facility power) and may name their chip,
MFU, precision or procurement lead time; what they name replaces the scenario's
input of that key. :class:`BuildoutChoice` says whose phases they are, whether
they were edited, and which of the scenario's changes (the inputs in which it
differs from the scenario that owns the phases, or, for its own, from its
definition: ``--set`` and the dashboard's changes) enter the date and which the
phases replace. Presentation says it in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from calc.core.phases import Phase
from calc.core.vocabulary import INPUTS
from calc.data.scenarios import Library, Scenario

__all__ = ["BuildoutChoice", "Why", "choose_buildout", "phase_set_keys"]

#: Why these phases: the scenario's ``own``, the ``story``'s build-out lent to a scenario
#: without phases, or ``none`` to run.
Why = Literal["own", "story", "none"]

#: Input keys a phase replaces when it names its own value, by the phase's field.
_PHASE_FIELDS = (("hardware.accelerator", "accelerator"), ("training.mfu", "mfu"),
                 ("training.precision", "precision"),
                 ("hardware.procurement_lead_months", "lead_months"))


@dataclass(frozen=True)
class BuildoutChoice:
    """The phases a scenario's date is measured on (None: none to run), whose they are,
    and how the scenario's changes enter them.

    Attributes
    ----------
    phases : tuple of Phase or None
        The phases run.
    why : {"own", "story", "none"}
        The scenario's own phases, the story's build-out's, or none.
    lender, lender_title : str or None
        The scenario that owns the phases and its title, when it is not the scenario
        itself (``why == "story"``).
    edited : bool
        The phases were changed (the dashboard's phase table, ``--set timeline[…]``).
    changed : tuple of str
        Input keys in which the scenario differs from the scenario that owns the phases
        (for its own phases: from its definition), in the vocabulary's order.
    phase_keys : frozenset of str
        Input keys the phases set for every phase, so the scenario's value of them does not
        enter the date (:func:`phase_set_keys`).
    """

    phases: tuple[Phase, ...] | None
    why: Why
    lender: str | None = None
    lender_title: str | None = None
    edited: bool = False
    changed: tuple[str, ...] = ()
    phase_keys: frozenset[str] = frozenset()

    @property
    def borrowed(self) -> bool:
        """The phases are another scenario's (the story's build-out's)."""
        return self.why == "story"

    @property
    def applied(self) -> tuple[str, ...]:
        """The scenario's changes that enter the date."""
        return tuple(key for key in self.changed if key not in self.phase_keys)

    @property
    def replaced(self) -> tuple[str, ...]:
        """The scenario's changes the phases replace: they do not move the date."""
        return tuple(key for key in self.changed if key in self.phase_keys)

    def on(self, phases: Sequence[Phase], *, edited: bool) -> BuildoutChoice:
        """The same choice run on ``phases`` (``edited``: changed by the user)."""
        chosen = tuple(phases)
        return replace(self, phases=chosen, edited=edited, phase_keys=phase_set_keys(chosen))


def phase_set_keys(phases: Sequence[Phase]) -> frozenset[str]:
    """The input keys ``phases`` set for every phase: the site's size always, the chip, MFU,
    precision and lead time when every phase names its own.

    >>> sorted(phase_set_keys([Phase("a", "2025-01", 100.0, accelerator="H100")]))
    ['hardware.accelerator', 'site.accelerators', 'site.facility_power_mw']
    """
    keys = {"site.facility_power_mw", "site.accelerators"}
    for key, field in _PHASE_FIELDS:
        if phases and all(getattr(phase, field) is not None for phase in phases):
            keys.add(key)
    return frozenset(keys)


def _changed(library: Library, scenario: Scenario, reference: Scenario) -> tuple[str, ...]:
    """The inputs in which ``scenario`` differs from ``reference``: another accelerator
    counts once (its catalog values are compared on the same chip)."""
    chip = str(scenario["hardware.accelerator"])
    same_chip = reference if reference["hardware.accelerator"] == chip or \
        chip not in library.baseline.catalog else library.with_accelerator(reference, chip)
    mine, theirs = scenario.values, same_chip.values
    changed = {key for key in INPUTS if mine.get(key) != theirs.get(key)}
    if reference["hardware.accelerator"] != chip:
        changed.add("hardware.accelerator")
    return tuple(key for key in INPUTS if key in changed)


def choose_buildout(library: Library, scenario: Scenario) -> BuildoutChoice:
    """The build-out ``scenario``'s date is measured on: its own ``timeline:``, else the
    story's build-out's phases (with the scenario's other inputs), else none.

    >>> import calc
    >>> library = calc.load()
    >>> choice = choose_buildout(library, library.scenario("cortex-full"))
    >>> choice.why, choice.lender, len(choice.phases), choice.replaced
    ('story', 'cortex-buildout', 4, ('site.facility_power_mw',))
    >>> own = choose_buildout(library, library.scenario("cortex-buildout",
    ...                                                 [("training.mfu", "0.3")]))
    >>> own.why, own.applied
    ('own', ('training.mfu',))
    """
    if scenario.timeline is not None:
        phases = tuple(scenario.timeline)
        defined = library.scenario(scenario.name) if scenario.name in library.definitions \
            else scenario
        return BuildoutChoice(phases, "own", changed=_changed(library, scenario, defined),
                              phase_keys=phase_set_keys(phases))
    name = library.story.buildout
    if name is not None and name in library.definitions:
        lender = library.scenario(name)
        if lender.timeline:
            phases = tuple(lender.timeline)
            return BuildoutChoice(phases, "story", name, lender.title,
                                  changed=_changed(library, scenario, lender),
                                  phase_keys=phase_set_keys(phases))
    return BuildoutChoice(None, "none")
