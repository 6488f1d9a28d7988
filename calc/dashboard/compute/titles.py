"""A chart as the page shows the state: the page's title where the declaration names the
preset, and the changed inputs in its provenance line.

A declaration names the scenario it draws by its name (``cortex-phase1``). When
the user changed inputs, that name is the preset's and no longer what is drawn:
the page's title (:func:`calc.presentation.answer.heading`, "300 MW of GB200,
changed from cortex-phase1") takes its place in the chart's title, and the
changes ("Accelerator: H100 → GB200; ...") end its provenance line, so the chart
on the screen and its downloaded files (drawn from the same declaration) say
what they show.
"""

from __future__ import annotations

import re
from dataclasses import replace

from calc.dashboard.compute.scenario import library_for, results
from calc.dashboard.keys import StateKey
from calc.presentation.answer import changes, heading
from calc.presentation.chart_spec import Chart

__all__ = ["as_shown", "changes_line", "page_title"]


def page_title(key: StateKey) -> str:
    """The page's title of the state (its heading)."""
    result, _ = results(key)
    definition = library_for(key.upload).definitions.get(key.preset)
    return heading(result.scenario, result.outputs, preset=key.preset,
                   preset_title=definition.title if definition else None,
                   changed=bool(key.sets))[0]


def changes_line(key: StateKey) -> str:
    """The changed inputs in words, "changed from PRESET: Title: old → new; ..." ("" when
    none)."""
    if not key.sets:
        return ""
    before = results(key.changed(()))[0].scenario
    lines = changes(before, results(key)[0].scenario, [k for k, _ in key.sets])
    return f"changed from {key.preset}: " + "; ".join(lines)


def _name(preset: str) -> re.Pattern[str]:
    """The preset's name as a word of a title (not part of a longer name)."""
    return re.compile(rf"(?<![\w.-]){re.escape(preset)}(?: \(changed\))?(?![\w-])")


def as_shown(chart: Chart, key: StateKey) -> Chart:
    """``chart`` of the state ``key`` as the page shows it (unchanged when no input is)."""
    if not key.sets:
        return chart
    table = chart.table
    caption = " · ".join(part for part in (table.caption, changes_line(key)) if part)
    _, baseline = results(key)
    if chart.scenario == key.preset and baseline.name != key.preset:
        # a chart that names its scenario after its title: name it as the page does
        return replace(chart, scenario=page_title(key), table=replace(table, caption=caption))
    title, table_title = chart.heading, table.title
    if baseline.name != key.preset:  # else the name is the baseline's too: leave it
        name, shown = _name(key.preset), page_title(key)
        title, table_title = (name.sub(lambda _: shown, t) for t in (title, table_title))
    return replace(chart, title=title, table=replace(table, title=table_title, caption=caption))
