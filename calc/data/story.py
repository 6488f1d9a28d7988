"""The story a scenarios file answers, as plain data: what opens, compares, marks and dates.

capcalc starts from a news story (the shipped ``scenarios.yaml`` tells Tesla's
Cortex: ~100 MW, then 500 MW, and ten times Tesla's training compute). Which
of the scenarios the dashboard opens on, which the report and the README
compare, which build-out dates a scenario that has none, the powers the
power chart marks, the operator in focus and the month asked about first are
the file's ``story:`` block, read here into a :class:`Story` that every layer
above reads. No code names a scenario of the story: another article's file
(``capcalc --scenarios FILE``, or ``CAPCALC_SCENARIOS`` for the dashboard)
tells another story with the same code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calc.core.errors import CapcalcError, suggest

if TYPE_CHECKING:
    from calc.core.phases import Phase

__all__ = ["STORY_ENV", "Mark", "Story", "check_story", "parse_story", "story_file"]

#: The environment variable naming the scenarios file the dashboard starts from (its story).
STORY_ENV = "CAPCALC_SCENARIOS"


@dataclass(frozen=True)
class Mark:
    """A facility power the story names (MW), and the label the power chart gives it."""

    facility_power_mw: float
    label: str


@dataclass(frozen=True)
class Story:
    """The ``story:`` block of a scenarios file; empty for a file without one.

    ``opening`` is the scenario the dashboard opens on; ``references`` those its
    Compare and Cost views put beside the current one; ``report`` and ``readme``
    those ``capcalc report`` and the README compare; ``buildout`` the scenario
    whose phases date a scenario without its own; ``marks`` the powers the power
    chart marks; ``operator`` the operator in focus (its sites named, its
    statements, record and pace beside every build-out); ``by`` the month the
    dashboard asks about first; ``site`` the site's name in chart titles.
    """

    title: str = ""
    source: str = ""
    site: str = ""
    operator: str | None = None
    opening: str | None = None
    references: tuple[str, ...] = ()
    report: tuple[str, ...] = ()
    readme: tuple[str, ...] = ()
    buildout: str | None = None
    marks: tuple[Mark, ...] = ()
    by: str | None = None

    @property
    def scenarios(self) -> dict[str, str]:
        """Every scenario the story names, by the field that names it (first field kept).

        >>> Story(opening="a", references=("b", "a"), buildout="c").scenarios
        {'a': 'opening', 'b': 'references', 'c': 'buildout'}
        """
        named: dict[str, str] = {}
        for field_name in ("opening", "references", "report", "readme", "buildout"):
            value = getattr(self, field_name)
            for name in (value,) if isinstance(value, str) else value or ():
                named.setdefault(name, field_name)
        return named


def story_file(environ: Mapping[str, str] | None = None) -> Path | None:
    """The scenarios file ``CAPCALC_SCENARIOS`` names (None when unset or empty): the one the
    dashboard starts from, story and all, in place of capcalc's ``scenarios.yaml``.

    >>> story_file({"CAPCALC_SCENARIOS": "colossus.yaml"}), story_file({})
    (PosixPath('colossus.yaml'), None)
    """
    value = (os.environ if environ is None else environ).get(STORY_ENV, "").strip()
    return Path(value) if value else None


def parse_story(raw: Any, *, origin: str) -> Story:
    """The ``story:`` block ``raw`` (parsed YAML) checked against its schema, as a Story.

    Raises
    ------
    CapcalcError
        One line naming ``origin`` and the key: what is wrong, what would be right.
    """
    # deferred: pydantic only when a file is read (the cached shipped library needs none)
    from pydantic import ValidationError

    from calc.data.schema import StorySpec
    from calc.data.validation import validation_message

    try:
        spec = StorySpec.model_validate(raw)
    except ValidationError as exc:
        key, message = validation_message(
            exc, known=[f"story.{name}" for name in StorySpec.model_fields])
        raise CapcalcError(message, file=origin, key=f"story.{key}" if key else "story") \
            from None
    return Story(title=spec.title, source=spec.source, site=spec.site, operator=spec.operator,
                 opening=spec.opening, references=tuple(spec.references),
                 report=tuple(spec.report), readme=tuple(spec.readme), buildout=spec.buildout,
                 marks=tuple(Mark(m.facility_power_mw, m.label) for m in spec.marked_powers),
                 by=spec.by)


def check_story(story: Story, timelines: Mapping[str, tuple[Phase, ...] | None], *,
                origin: str) -> None:
    """Check that every scenario ``story`` names is one of ``timelines`` (scenario name →
    its resolved build-out phases, or None) and that its build-out has phases.

    Raises
    ------
    CapcalcError
        Naming ``origin``, the story's key and the scenarios it could name.
    """
    for name, field_name in story.scenarios.items():
        if name not in timelines:
            raise CapcalcError(
                f"names the scenario {name!r}, which this file does not define"
                f"{suggest(name, timelines)} (scenarios: {', '.join(timelines)})",
                file=origin, key=f"story.{field_name}")
    if story.buildout is not None and not timelines[story.buildout]:
        having = [name for name, phases in timelines.items() if phases]
        raise CapcalcError(
            f"{story.buildout!r} has no timeline: phases; name a build-out"
            + (f" ({', '.join(having)})" if having else ", or give that scenario timeline: "
               "phases"), file=origin, key="story.buildout")
