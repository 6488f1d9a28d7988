"""The report as plain data, and its charts drawn once: what the Jinja2 template writes.

Every section of the report is a frozen dataclass of strings (:class:`Grid`
tables of :class:`Cell`, :class:`Link` pairs of URL and text,
:class:`ReportFigure` charts) with no HTML in it; the template escapes every
piece of text where it writes it. :class:`ReportChart` is a chart's declaration
(:class:`~calc.presentation.chart_spec.Chart`) with its alternative text, and
:func:`render_chart` draws it once into the PNG the report embeds and the files
saved beside it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

from calc.presentation.chart_spec import Chart
from calc.presentation.export import pictures
from calc.presentation.source_names import source_name
from calc.presentation.tables.base import Table

__all__ = [
    "Assumptions", "Block", "Calibration", "Cell", "Grid", "Item", "Link", "Page",
    "Peers", "Provenance", "Question", "Rendered", "ReportChart", "ReportFigure", "Scenarios",
    "Spread", "Statements", "SweepReport", "Tenfold", "Text", "Timelines", "Tornado",
    "Uncertainty", "cell", "grid",
    "numeric_text", "picture_formats", "render_chart", "report_figure", "rich_cell", "sources",
]

#: The schemes a source needs to become a link.
_WEB = ("http://", "https://")


# ------------------------------------------------------------------ the data the template writes


@dataclass(frozen=True)
class Link:
    """A link to a source: ``url`` (http or https, never anything else) shown as ``text``."""

    url: str
    text: str

    def __post_init__(self) -> None:
        if not self.url.startswith(_WEB):
            raise ValueError(f"only http and https URLs become links, not {self.url!r}")


#: Text with links: runs of plain text and links, written one after the other.
Text: TypeAlias = tuple[str | Link, ...]


@dataclass(frozen=True)
class Cell:
    """One table cell: lines of text with links (one under the other), maybe a status badge."""

    lines: tuple[Text, ...]
    #: Whether the cell holds a number (aligned right).
    numeric: bool = False
    #: The status a calibration badge shows (its CSS class), or None for plain text.
    badge: str | None = None


@dataclass(frozen=True)
class Grid:
    """A table: its header, its rows of cells and its CSS class ("" for none)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    css: str = ""


@dataclass(frozen=True)
class Item:
    """A list item: a name in bold, a colon, a sentence, and maybe a list of sentences under it."""

    head: str
    text: str
    sub: tuple[str, ...] = ()


_T = TypeVar("_T")


@dataclass(frozen=True)
class Block(Generic[_T]):
    """A titled part of a section: its data, or why it could not be computed."""

    title: str
    body: _T | None
    missing: str = ""


@dataclass(frozen=True)
class ReportFigure:
    """A drawn chart as the report shows it: the PNG embedded, links to its files beside it."""

    name: str
    title: str
    caption: str
    alt: str
    #: The PNG as base64 (the ``data:`` URI's payload).
    png_base64: str
    #: Its files beside the report (empty when the HTML travels alone).
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """The question and the answer: the baseline, the verdict, each scenario's distance."""

    intro: str
    verdict: str
    table: Grid  # one row per scenario
    dates: tuple[str, ...]  # each build-out's date, said once


@dataclass(frozen=True)
class Scenarios:
    """The scenarios side by side, and the note on money, H100e and ``--set``."""

    table: Grid
    note: str


@dataclass(frozen=True)
class Statements:
    """What the operator has said beside one build-out, as ``capcalc timeline`` prints it."""

    scenario: str
    text: str


@dataclass(frozen=True)
class Timelines:
    """The build-outs: when each reaches the target, and the operator's statements beside it."""

    table: Grid | None
    #: The shipped scenario shown when none compared has a timeline ("" when one has).
    shown_instead: str = ""
    statements: tuple[Statements, ...] = ()
    #: Each build-out's levers at its horizon, as ``capcalc levers SCENARIO --at MONTH`` says.
    levers: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Tenfold:
    """The tenfold analysis: each scenario against the target, its levers and its timeline."""

    target: str
    baseline: str
    table: Grid
    levers: Block[tuple[Item, ...]]
    timeline: Block[Timelines]


@dataclass(frozen=True)
class Spread:
    """The Monte Carlo block: percentiles of each output and the chance of reaching the target."""

    #: The sample count, thousands separated (``2,000``).
    samples: str
    seed: int
    table: Grid
    #: Each scenario's chance of reaching the target in percent, ``"; "``-joined.
    reach: str


@dataclass(frozen=True)
class Tornado:
    """The one-at-a-time sensitivity of the focus scenario's output."""

    focus: str
    output: str
    table: Grid


@dataclass(frozen=True)
class Uncertainty:
    """Uncertainty and sensitivity."""

    spread: Block[Spread]
    tornado: Block[Tornado]


@dataclass(frozen=True)
class Peers:
    """The peers table and the growth trend with its sources."""

    trend: Text
    table: Grid


@dataclass(frozen=True)
class Calibration:
    """The model against published figures, the sites that pin assumptions, what is missing."""

    defaults: str
    summary: str
    tolerances: Grid
    comparisons: Grid
    pinned: tuple[Item, ...]
    not_modelled: tuple[Item, ...]


@dataclass(frozen=True)
class Assumptions:
    """Every input of the baseline, what each scenario changes, and the accelerator catalog."""

    baseline: str
    inputs: Grid
    overrides: Grid | None
    catalog: Grid


@dataclass(frozen=True)
class Provenance:
    """The footer: what made the report, the notes of parts not computed, the scenario YAML."""

    items: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    scenario_yaml: str


@dataclass(frozen=True)
class SweepReport:
    """The sweep and its discovery, as the report writes them."""

    #: What was swept, in one paragraph, with its provenance line.
    intro: str
    #: The discovery's sentence: the box's conditions, its density and coverage.
    sentence: str
    #: Where the sweep's named scenario sits relative to the box.
    reference: str
    #: Each input PRIM searched: the sweep's range, the box's bounds, the scenario's value.
    bounds: Grid | None
    #: The box for each deadline, latest first (a build-out's ladder), or None.
    ladder: Grid | None
    #: Why no heatmap is drawn ("" when one is).
    no_chart: str = ""


@dataclass(frozen=True)
class Page:
    """Everything the template writes, section by section."""

    title: str
    subtitle: str
    version: str
    nav: tuple[tuple[str, str], ...]
    question: Question
    scenarios: Scenarios
    tenfold: Tenfold
    uncertainty: Uncertainty
    peers: Peers
    calibration: Calibration
    assumptions: Assumptions
    provenance: Provenance
    #: Each section's charts by section id.
    figures: dict[str, tuple[ReportFigure, ...]]
    #: A sweep and what must be true, when the report was asked for one.
    sweep: SweepReport | None = None


def numeric_text(text: str) -> bool:
    """Whether a cell's text reads as a number (aligned right).

    >>> numeric_text("1.2 GW"), numeric_text("≥ 100 MW"), numeric_text("H100"), numeric_text("")
    (True, True, False, False)
    """
    return 0 < len(text) <= 24 and (text[0].isdigit() or text[:1] in "$+-−≥≤~")


def cell(value: object) -> Cell:
    """A cell of plain text (``None`` is empty); a :class:`Cell` passes through."""
    if isinstance(value, Cell):
        return value
    text = "" if value is None else str(value)
    return Cell(((text,),), numeric=numeric_text(text))


def rich_cell(*lines: Text) -> Cell:
    """A cell of text with links, one line under the other (never aligned as a number)."""
    return Cell(tuple(lines))


def grid(header: Sequence[str], rows: Sequence[Sequence[object]], css: str = "") -> Grid:
    """A table from a header and rows of plain values or cells."""
    return Grid(tuple(header), tuple(tuple(cell(c) for c in row) for row in rows), css)


def sources(text: str) -> Text:
    """A ``" ; "``-separated source text, each source named by its publisher and title
    (:func:`calc.presentation.source_names.source_name`) and linked when it has an http(s)
    address.

    >>> sources("https://epoch.ai/data/ai-supercomputers ; a paper ; javascript:alert(1)")
    (Link(url='https://epoch.ai/data/ai-supercomputers', text='Epoch AI: Ai supercomputers'),
     '; ', 'a paper', '; ', 'javascript:alert(1)')
    """
    out: list[str | Link] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if out:
            out.append("; ")
        name, url = source_name(part)
        if url is not None:
            out.append(Link(url, name if len(name) <= 90 else name[:87] + "…"))
        else:
            out.append(part)
    return tuple(out)


# ------------------------------------------------------------------ charts


@dataclass(frozen=True)
class ReportChart:
    """A chart of the report: its declaration and the text that stands for it."""

    chart: Chart
    alt: str

    @property
    def table(self) -> Table:
        """The data behind the chart (its CSV, file name and provenance)."""
        return self.chart.table


def picture_formats(formats: Sequence[str]) -> list[str]:
    """The formats a report's chart is drawn in: PNG first (it is embedded), then ``formats``.

    >>> picture_formats(["svg", "png"])
    ['png', 'svg']
    """
    return list(dict.fromkeys(["png", *formats]))


@dataclass(frozen=True)
class Rendered:
    """A chart drawn once: its picture bytes by format (PNG always: it is embedded)."""

    chart: ReportChart
    files: dict[str, bytes]


def render_chart(chart: ReportChart, formats: Sequence[str]) -> Rendered:
    """Draw ``chart`` once and keep its PNG (always) and the other ``formats``."""
    return Rendered(chart, pictures(chart.chart, picture_formats(formats)))


def report_figure(rendered: Rendered, formats: Sequence[str] | None) -> ReportFigure:
    """The embedded chart; with ``formats``, the names of its files beside the report."""
    table = rendered.chart.table
    files = () if formats is None else tuple(f"{table.name}.{fmt}" for fmt in [*formats, "csv"])
    return ReportFigure(name=table.name, title=rendered.chart.chart.heading,
                        caption=rendered.chart.chart.caption,
                        alt=rendered.chart.alt,
                        png_base64=base64.b64encode(rendered.files["png"]).decode("ascii"),
                        files=files)
