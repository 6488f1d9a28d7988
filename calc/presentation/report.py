"""A one-file report: the question, the answer, scenarios, tenfold, uncertainty, peers, assumptions
(and, when asked, a sweep and what must be true).

:func:`build_report` runs the scenarios and makes one self-contained HTML
document: every chart is embedded as a PNG data URI, the style sheet is
inline, and nothing is fetched from any server when the file is opened (the
source links are ordinary ``<a href>`` links a reader may follow). The same
charts are kept as PNG and SVG, with the CSV behind each (all described in
``datapackage.json``), and :func:`write_report` writes them beside the HTML
through :mod:`calc.data.output_folder`. The charts are drawn only when the
HTML or a file is first asked for, so a run that must refuse to write (files
already there, say) answers before drawing anything.

The report is made in two steps. :mod:`calc.presentation.report_sections` builds
every section as plain data, the frozen dataclasses of strings of
:mod:`calc.presentation.report_page` (tables of cells, links as pairs of URL and
text, embedded charts), with no HTML in them. The Jinja2 template
``templates/report.html.j2`` (with its macros in ``_macros.j2`` and its style
sheet in ``_style.css.j2`` beside it)
writes that data out as HTML with autoescaping on, so every piece of text —
scenario titles, notes and sources from a user's YAML included — is escaped
where it is written. Nothing is marked safe: the style sheet is literal text
of a template, and a PNG's base64 has no character that needs escaping. Only
http and https sources become links.

A part that cannot be computed for the scenarios given (a timeline without
phases, say) says why in its place instead of failing the whole report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calc.analysis.calibration import calibrate
from calc.analysis.run import reference_run, run
from calc.core.errors import clean_text
from calc.core.version import __version__
from calc.data.output_folder import FileData, write_files
from calc.data.peers import PeersFile, load_peers
from calc.data.scenarios import Library
from calc.presentation.calibration import calibration_table
from calc.presentation.datapackage import PACKAGE_FILE, csv_file, describing_folder, set_package
from calc.presentation.report_page import (
    Page,
    Rendered,
    ReportChart,
    ReportFigure,
    SweepReport,
    picture_formats,
    render_chart,
    report_figure,
)
from calc.presentation.report_sections import (
    ReportContext,
    assumptions_section,
    calibration_section,
    peers_section,
    provenance_section,
    question_section,
    results_section,
    scenario_names,
    tenfold_section,
    uncertainty_section,
)
from calc.presentation.tables.peers import peers_table

if TYPE_CHECKING:
    from jinja2 import Environment

    from calc.analysis.discover import Ladder
    from calc.analysis.sweep_result import SweepResult
    from calc.presentation.tables.base import Table

__all__ = ["REPORT_FILE", "Progress", "Report", "build_report", "report_files", "write_report"]

logger = logging.getLogger(__name__)

#: Told each step of a report as it starts: ``(what, steps done, steps in all)``.
Progress = Callable[[str, int, int], None]

REPORT_FILE = "report.html"
#: The template the report is rendered from (in ``calc/presentation/templates``).
TEMPLATE = "report.html.j2"
#: The sections in order, with their ids and their titles in the navigation.
_SECTIONS = (("question", "Question and answer"), ("scenarios", "Scenarios"),
             ("tenfold", "Tenfold"), ("uncertainty", "Uncertainty"),
             ("peers", "Peers"), ("calibration", "Calibration"),
             ("assumptions", "Assumptions"), ("provenance", "Provenance"))
#: The section a report asked for a sweep adds, after the uncertainty.
_SWEEP = ("sweep", "Sweep")


# ------------------------------------------------------------------ the report


@dataclass(frozen=True)
class _Draft:
    """A report with every number computed and no chart drawn yet."""

    page: Page  # every section but its figures
    groups: dict[str, list[ReportChart]]  # each section's charts, by section id
    tables: tuple[Table, ...]  # the CSV files written beside the charts'
    formats: tuple[str, ...]
    files_beside: bool
    progress: Progress | None = None  # told each step as it starts
    workers: int = 1  # processes the charts are drawn in


class Report:
    """A report: its file names at once, its HTML and files when first asked for.

    Drawing the charts is most of a report's cost, so it waits until
    :attr:`html` or :attr:`files` is read. :func:`report_files` hands the files to
    :func:`calc.data.output_folder.write_files` as callables: a run that must
    refuse (files already there, a folder that is a file) answers before any
    chart is drawn.
    """

    def __init__(self, draft: _Draft, scenarios: tuple[str, ...]) -> None:
        self._draft = draft
        self.scenarios = scenarios

    def names(self) -> list[str]:
        """Every file the report writes, the HTML first (known without drawing)."""
        kept = _saved_formats(self._draft.formats)
        charts = [f"{chart.table.name}.{fmt}" for charts in self._draft.groups.values()
                  for chart in charts for fmt in [*kept, "csv"]]
        return [REPORT_FILE, *charts, *(f"{table.name}.csv" for table in self._draft.tables),
                PACKAGE_FILE]

    @functools.cached_property
    def _built(self) -> tuple[str, dict[str, bytes]]:
        return _draw(self._draft)

    @property
    def html(self) -> str:
        """The self-contained HTML (the charts are drawn on first use)."""
        return self._built[0]

    @property
    def files(self) -> dict[str, bytes]:
        """The files beside the HTML by name: each chart's formats and CSV, the tables'
        CSVs and ``datapackage.json``."""
        return self._built[1]

    def file_bytes(self, name: str) -> bytes:
        """The content of the file ``name`` of :meth:`names`."""
        return self.html.encode("utf-8") if name == REPORT_FILE else self.files[name]


@functools.cache
def _environment() -> Environment:
    """The Jinja2 environment of the report's templates, autoescaping every one (built once)."""
    # Imported here, not at the top of the module: jinja2 (and markupsafe) add to the
    # start-up time of every command that imports this module's callers, and only
    # rendering a report needs them (``capcalc --help`` and ``capcalc run`` must not).
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("calc.presentation", "templates"),
        autoescape=jinja2.select_autoescape(("html", "j2"), default_for_string=True,
                                            default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_visible,
    )


def _visible(value: object) -> object:
    r"""Text as the report shows it: control characters written as escapes, lines kept.

    Every value a template prints passes through here before it is escaped for
    HTML, so a title, note or source read from a file cannot carry a terminal
    escape or a BEL into the report (a ``<pre>`` block keeps its line breaks).

    >>> print(_visible("Cortex\x1b[2J\nphase 1"))
    Cortex\x1b[2J
    phase 1
    """
    if not isinstance(value, str) or hasattr(value, "__html__"):  # markup the template built
        return value
    return "\n".join(clean_text(line) for line in value.split("\n"))


def _render_page(page: Page) -> str:
    """The report's HTML: ``page`` written out by the template, all its text escaped."""
    return _environment().get_template(TEMPLATE).render(page=page)


def build_report(library: Library, names: Sequence[str] = (),
                 sets: Sequence[tuple[str, Any]] = (), *, seed: int = 0,
                 samples: int = 2_000, peers: PeersFile | None = None,
                 peers_source: str | None = None,
                 formats: Sequence[str] = ("png", "svg"),
                 generated: dt.datetime | None = None, files_beside: bool = True,
                 sweep: tuple[SweepResult, Ladder] | None = None,
                 progress: Progress | None = None, workers: int = 1) -> Report:
    """Run ``names`` (default: the article's scenarios) and build the report.

    Every number is computed here; the charts are drawn when the report's
    HTML or files are first read (see :class:`Report`).

    Parameters
    ----------
    library : Library
        Baseline and scenarios (user files already added).
    names : sequence of str
        Scenarios to compare; ``sets`` applies to each.
    seed, samples : int
        Seed and sample count of the Monte Carlo sections.
    peers : PeersFile, optional
        The peers (default: capcalc's ``peers.yaml``).
    peers_source : str, optional
        Where ``peers`` was read from, for the footer (default ``peers.yaml``).
    formats : sequence of str
        Chart files kept beside the HTML (PNG is always embedded).
    generated : datetime, optional
        The date written in the footer (default: now, UTC).
    files_beside : bool
        Whether the chart files will be written beside the HTML (links to them are
        left out when the HTML travels alone, as the dashboard's download does).
    sweep : (SweepResult, Ladder), optional
        A finished sweep and its discovery (:func:`calc.sweep`, :func:`calc.discover`):
        adds a section with its heatmap, the discovery's sentence, the box's bounds
        and where the sweep's scenario sits relative to it.
    progress : callable, optional
        Told each section as it is computed and each chart as it is drawn:
        ``progress(what, done, total)`` (the command line shows it on a terminal).
    workers : int
        Processes the charts are drawn in (drawing is most of a report's time; the
        command line draws in two). Each chart is drawn alike in any of them.
    """
    sets = list(sets)
    names = scenario_names(library, names)
    results = [run(library, library.scenario(name, sets)) for name in names]
    baseline_name = results[0].baseline
    baseline = next((r for r in results if r.name == baseline_name and not sets), None) \
        or reference_run(library, baseline_name)
    peers = peers or load_peers(catalog=library.baseline.catalog)
    ctx = ReportContext(library=library, results=results, baseline=baseline, sets=sets, seed=seed,
                   samples=samples, peers=peers, calibration=calibrate(library, peers),
                   peers_source=peers_source or "peers.yaml")
    stamp = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = _SECTIONS if sweep is None else (*_SECTIONS[:4], _SWEEP, *_SECTIONS[4:])
    groups: dict[str, list[ReportChart]] = {key: [] for key, _ in sections}
    steps = iter(enumerate(title for _, title in _SECTIONS[:7]))

    def step() -> None:
        if progress is not None:
            done, title = next(steps)
            progress(title, done, len(_SECTIONS) - 1)

    step()
    question = question_section(ctx)
    step()
    scenarios = results_section(ctx, groups["scenarios"])
    step()
    tenfold = tenfold_section(ctx, groups["tenfold"])
    step()
    uncertainty = uncertainty_section(ctx, groups["uncertainty"])
    step()
    peers_data = peers_section(ctx, groups["peers"])
    step()
    calibration = calibration_section(ctx, groups["calibration"])
    step()
    assumptions = assumptions_section(ctx)
    swept: SweepReport | None = None
    if sweep is not None:
        # deferred: the sweep's charts and words, only for a report asked for a sweep
        from calc.presentation.report_sweep import sweep_section

        swept = sweep_section(*sweep, groups["sweep"])
    page = Page(
        title=f"capcalc report: {baseline.scenario.title} and {len(results)} scenarios",
        subtitle=(f"{baseline.scenario.title}: what {len(results)} scenarios give, and what "
                  f"the target takes. Generated {stamp} by capcalc {__version__}."),
        version=__version__, nav=sections, question=question, scenarios=scenarios,
        tenfold=tenfold, uncertainty=uncertainty, peers=peers_data, calibration=calibration,
        assumptions=assumptions, provenance=provenance_section(ctx, stamp), figures={},
        sweep=swept)
    tables = (calibration_table(ctx.calibration), peers_table(peers, library))
    draft = _Draft(page=page, groups=groups, tables=tables, formats=tuple(formats),
                   files_beside=files_beside, progress=progress, workers=workers)
    return Report(draft, scenarios=tuple(r.name for r in results))


def _saved_formats(formats: Sequence[str]) -> list[str]:
    """The picture formats of a chart written beside the report, in the order drawn."""
    return [fmt for fmt in picture_formats(formats) if fmt in formats]


def _draw(draft: _Draft) -> tuple[str, dict[str, bytes]]:
    """Draw every chart of ``draft``; its HTML and the files beside it, by name."""
    files: dict[str, bytes | Callable[[], bytes]] = {}
    figures: dict[str, tuple[ReportFigure, ...]] = {}
    drawn = _render_all([c for charts in draft.groups.values() for c in charts], draft)
    for key, charts in draft.groups.items():
        rendered = [drawn.pop(0) for _ in charts]
        for item in rendered:
            table = item.chart.table
            files.update({f"{table.name}.{fmt}": item.files[fmt]
                          for fmt in _saved_formats(draft.formats)})
            files[f"{table.name}.csv"] = csv_file(table)
        figures[key] = tuple(report_figure(item, draft.formats if draft.files_beside else None)
                             for item in rendered)
    for table in draft.tables:
        files[f"{table.name}.csv"] = csv_file(table)
    html = _render_page(dataclasses.replace(draft.page, figures=figures))
    logger.debug("report: %d files drawn", len(files))
    package = set_package(files)
    if package is not None:
        files[PACKAGE_FILE] = package
    return html, {name: data() if callable(data) else data
                  for name, data in files.items()}


def _render_all(charts: list[ReportChart], draft: _Draft) -> list[Rendered]:
    """Every chart drawn, in order: in ``draft.workers`` processes (forked, so each starts
    with matplotlib loaded), one after the other when 1; ``draft.progress`` told each."""
    total = len(charts)

    def told(done: int) -> None:
        if draft.progress is not None:
            draft.progress(f"Charts ({done} of {total} drawn)", done, total)

    told(0)
    if draft.workers < 2 or total < 2 or "fork" not in mp.get_all_start_methods():
        out = []
        for i, chart in enumerate(charts):
            out.append(render_chart(chart, draft.formats))
            told(i + 1)
        return out
    # deferred: loads matplotlib, once, before the fork, so no worker imports it again
    import calc.presentation.figure  # noqa: F401

    with ProcessPoolExecutor(min(draft.workers, total),
                             mp_context=mp.get_context("fork")) as pool:
        futures = [pool.submit(render_chart, chart, draft.formats) for chart in charts]
        for done, _ in enumerate(as_completed(futures), 1):
            told(done)
        return [future.result() for future in futures]


def report_files(report: Report) -> dict[str, FileData]:
    """Every file of the report by name (report.html, then each chart's files and CSVs),
    each a callable: the charts are drawn when the first file is written, not before."""
    files: dict[str, FileData] = {name: functools.partial(report.file_bytes, name)
                                  for name in report.names()}
    # the package describes the folder's other CSV files too, merged when it is written
    files[PACKAGE_FILE] = describing_folder(functools.partial(report.file_bytes, PACKAGE_FILE))
    return files


def write_report(report: Report, folder: Path, *, force: bool = False) -> list[Path]:
    """Write the HTML and the files beside it into ``folder``, all or nothing.

    Raises
    ------
    CapcalcError
        When a file exists and ``force`` is off (nothing is written then).
    """
    return write_files(folder, report_files(report), force=force)
