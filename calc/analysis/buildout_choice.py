"""Which build-out a scenario's date is measured on, and why.

A scenario with ``timeline:`` phases (its own, or its base's) is dated on them.
One without is dated on the phases of the story's build-out
(:attr:`calc.data.story.Story.buildout`) with its own other inputs, so every
scenario of the story gets a date; a library whose story names no build-out
leaves it undated. The callers say which, in their own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from calc.core.phases import Phase
from calc.data.scenarios import Library, Scenario

__all__ = ["BuildoutChoice", "Why", "choose_buildout"]

#: Why these phases: the scenario's ``own``, the ``story``'s build-out lent to a scenario
#: without phases, phases the caller ``edited``, or ``none`` to run.
Why = Literal["own", "story", "edited", "none"]


@dataclass(frozen=True)
class BuildoutChoice:
    """The phases a scenario's date is measured on (None: none to run) and why.

    ``lender`` and ``lender_title`` name the story's build-out when it lends its phases
    (``why == "story"``).
    """

    phases: tuple[Phase, ...] | None
    why: Why
    lender: str | None = None
    lender_title: str | None = None

    @property
    def borrowed(self) -> bool:
        """The phases are not the scenario's own (lent by the story, or edited)."""
        return self.why in ("story", "edited")


def choose_buildout(library: Library, scenario: Scenario) -> BuildoutChoice:
    """The build-out ``scenario``'s date is measured on: its own ``timeline:``, else the
    story's build-out's phases (with the scenario's other inputs), else none.

    >>> import calc
    >>> library = calc.load()
    >>> choice = choose_buildout(library, library.scenario("cortex-full"))
    >>> choice.why, choice.lender, len(choice.phases)
    ('story', 'cortex-buildout', 4)
    >>> choose_buildout(library, library.scenario("cortex-buildout")).why
    'own'
    """
    if scenario.timeline is not None:
        return BuildoutChoice(tuple(scenario.timeline), "own")
    name = library.story.buildout
    if name is not None and name in library.definitions:
        lender = library.scenario(name)
        if lender.timeline:
            return BuildoutChoice(tuple(lender.timeline), "story", name, lender.title)
    return BuildoutChoice(None, "none")
