"""The HTML report: well-formed, self-contained, every chart embedded, every assumption sourced."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

import calc
from calc.analysis import sensitivity as sensitivity_module
from calc.analysis.calibration import calibrate
from calc.analysis.reach import buildout_reach, reach
from calc.analysis.run import reference_run
from calc.analysis.statements import capex_checks, quarter_checks, stated_checks
from calc.analysis.target import target_facts
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS
from calc.data.records import records_of
from calc.presentation import report as report_module
from calc.presentation.answer import date_sentences
from calc.presentation.calibration import calibration_text
from calc.presentation.formatting import format_value, multiple
from calc.presentation.reach import reach_lines
from calc.presentation.report import REPORT_FILE, build_report, write_report
from calc.presentation.report_page import sources
from calc.presentation.statements import capex_sentence, statements_text

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SECTIONS = ("question", "scenarios", "tenfold", "uncertainty", "peers", "calibration",
            "assumptions", "provenance")


class Document(HTMLParser):
    """Parse HTML, checking that every element is closed in order; collect what matters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self.texts: list[str] = []
        self.ids: set[str] = set()
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if "id" in values:
            if values["id"] in self.ids:
                self.errors.append(f"duplicate id {values['id']}")
            self.ids.add(values["id"])
        if tag not in VOID:
            self.stack.append(tag)
        self._in = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.styles.append(data)
        else:
            self.texts.append(data)

    def text(self) -> str:
        """Every piece of text as a reader sees it (entities decoded, white space collapsed)."""
        return re.sub(r"\s+", " ", "".join(self.texts))


def parse(text: str) -> Document:
    document = Document()
    document.feed(text)
    document.close()
    return document


@pytest.fixture(scope="module")
def report(library):
    return build_report(library, samples=500, seed=7,
                        generated=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))


@pytest.fixture(scope="module")
def document(report) -> Document:
    return parse(report.html)


@pytest.mark.slow
def test_the_report_is_well_formed_html(report, document):
    assert report.html.startswith("<!DOCTYPE html>")
    assert document.errors == []
    assert document.stack == []
    assert [t for t, _ in document.elements[:1]] == ["html"]
    assert {"head", "body", "title", "main", "footer"} <= {t for t, _ in document.elements}


@pytest.mark.slow
def test_every_section_is_there(document):
    assert set(SECTIONS) <= document.ids


@pytest.mark.slow
def test_every_chart_is_embedded_as_the_png_written_beside_it(report, document):
    images = {a["id"]: a for t, a in document.elements if t == "img"}
    charts = sorted(name[:-4] for name in report.files if name.endswith(".png"))
    assert len(charts) >= 5
    assert sorted(images) == [f"chart-{name}" for name in charts]
    for name in charts:
        src = images[f"chart-{name}"]["src"]
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]) == report.files[f"{name}.png"]
        assert images[f"chart-{name}"]["alt"]
        for ext in ("svg", "csv"):
            assert f"{name}.{ext}" in report.files


def assert_nothing_is_fetched(document: Document) -> None:
    """No script, no stylesheet link, no external image, font or url() in any style; every
    link a web page, a section of the report or one of its files."""
    for tag, attrs in document.elements:
        assert tag not in ("script", "link", "iframe", "object", "embed", "base"), tag
        for name in ("src", "srcset", "data", "poster", "background"):
            if name in attrs:
                assert attrs[name].startswith("data:"), (tag, name, attrs[name][:80])
        if tag == "a":
            href = attrs.get("href", "")
            assert href.startswith(("https://", "http://", "#")) or \
                re.fullmatch(r"[a-z0-9-]+\.(png|svg|pdf|csv)", href), href
        assert "url(" not in attrs.get("style", "")
    css = "".join(document.styles)
    assert css and "url(" not in css and "@import" not in css and "@font-face" not in css


@pytest.mark.slow
def test_nothing_is_fetched_from_outside(document):
    assert_nothing_is_fetched(document)


@pytest.mark.slow
def test_the_answer_names_each_scenario_and_the_target(report, library, peers):
    text = re.sub(r"<[^>]+>", " ", report.html)
    for name in report.scenarios:
        assert name in text
    assert "10× target" in text
    # one compact row per scenario and the build-out's date said once, not a paragraph each
    question = html.unescape(report.html[report.html.index('<section id="question">'):
                                         report.html.index('<section id="scenarios">')])
    full = calc.run(library, "cortex-full")
    facts = target_facts(library, full, reference_run(library, full.baseline))
    row = re.search(r"<tr><td[^>]*>cortex-full</td>(.*?)</tr>", question, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[:4] == [facts.accelerator, format_value(facts.facility_power_mw, "MW"),
                         multiple(facts.compute_multiple),
                         format_value(facts.facility_power_mw_for_target, "MW")]
    reach = buildout_reach(library, full.scenario, records=records_of(peers))
    assert reach is not None
    sentence = date_sentences(reach, named=False)
    assert question.count(sentence) == 1  # said once for every scenario it is the date of


@pytest.mark.slow
def test_every_assumption_appears_with_its_as_of_date(report, library):
    scenario = library.scenario(library.baseline_name())
    for key in INPUTS:
        assert re.search(rf'<td[^>]*>{re.escape(key)}</td>', report.html), key
        assert scenario.assumptions[key].as_of in report.html


@pytest.mark.slow
def test_sources_are_ordinary_links(report, document):
    links = [a["href"] for t, a in document.elements if t == "a"
             and a.get("href", "").startswith("https://")]
    assert "https://epoch.ai/data-insights/largest-data-center-compute" in links
    assert any("ai-chip-counts" in link for link in links)


@pytest.mark.slow
def test_the_footer_carries_version_seed_date_and_the_scenario_yaml(report, library):
    footer = report.html[report.html.index('<footer id="provenance">'):]
    assert re.search(rf"<td[^>]*>{re.escape(calc.__version__)}</td>", footer)
    assert re.search(r"<td[^>]*>7</td>", footer)  # the seed
    assert "2026-01-02 03:04 UTC" in footer
    yaml_text = re.search(r'<pre id="scenario-yaml">(.*?)</pre>', footer, re.S).group(1)
    import html

    scenarios = yaml.safe_load(html.unescape(yaml_text))["scenarios"]
    assert scenarios["cortex-full"]["site.facility_power_mw"] == 500
    assert scenarios["cortex-full"]["base"] == "cortex-phase1"
    assert scenarios["tenfold"]["meet_target"] == "site.facility_power_mw"


#: A scenario file whose every piece of text is markup: the title of each scenario, and a
#: note and sources (a javascript: URL among them) on an input of the baseline it names.
HOSTILE = """\
scenarios:
  hostile-base:
    title: '<script>alert(1)</script> & "quotes" <img src=x>'
    base: cortex-phase1
    site.pue:
      value: 1.3
      source: 'javascript:alert(2) ; https://example.com/a?b=1&c="x" ; <b>a paper</b>'
      note: '<script>alert(3)</script> a note & "quoted"'
  hostile:
    title: '<script>alert(4)</script> & "quotes"'
    base: hostile-base
    target.baseline: hostile-base
"""


@pytest.fixture(scope="module")
def hostile(library, tmp_path_factory) -> tuple[str, Document]:
    """The report of the hostile scenario against the hostile baseline, its sensitivity failing:
    its HTML, and the HTML parsed."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    library, names = library.add_file(path)
    assert names == ["hostile-base", "hostile"]

    def fails(*args: object, **kwargs: object) -> None:
        raise CapcalcError("<i>cannot</i> & won't")

    with pytest.MonkeyPatch.context() as patch:  # a part that fails, with markup in its words
        patch.setattr(sensitivity_module, "tornado", fails)
        text = build_report(library, ["hostile"], samples=100).html
    return text, parse(text)


@pytest.mark.slow
def test_user_text_is_escaped(hostile):
    """Autoescape: titles, a note and sources from a user's YAML are text, never markup."""
    text, document = hostile
    assert document.errors == []
    assert not [t for t, a in document.elements if t in ("script", "b")]
    assert not [a for t, a in document.elements if t == "img" and a.get("src") == "x"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in text
    assert "&lt;img src=x&gt;" in text
    assert "&lt;script&gt;alert(3)&lt;/script&gt; a note &amp; " in text
    assert "&lt;b&gt;a paper&lt;/b&gt;" in text
    assert '"quotes"' not in text and '"quoted"' not in text  # quotes are escaped too
    shown = document.text()
    for words in ('<script>alert(1)</script> & "quotes" <img src=x>',
                  '<script>alert(4)</script> & "quotes"',
                  '<script>alert(3)</script> a note & "quoted"', "<b>a paper</b>"):
        assert words in shown, words


@pytest.mark.slow
def test_a_part_that_fails_says_why_in_its_place_and_in_the_footer(hostile):
    text, document = hostile
    assert not [t for t, a in document.elements if t == "i"]
    missing = re.findall(r'<p class="missing">(.*?)</p>', text)
    assert [html.unescape(m) for m in missing] == ["Not computed: <i>cannot</i> & won't"]
    footer = parse(text[text.index('<footer id="provenance">'):]).text()
    assert "Sensitivity: <i>cannot</i> & won't" in footer


@pytest.mark.slow
def test_only_web_sources_become_links(hostile):
    """A javascript: source stays text; an https one is a link that names no opener."""
    _text, document = hostile
    assert_nothing_is_fetched(document)
    links = [a for t, a in document.elements if t == "a"]
    assert not [a for a in links if "javascript" in a.get("href", "").lower()]
    assert "javascript:alert(2)" in document.text()
    example = [a for a in links if a.get("href") == 'https://example.com/a?b=1&c="x"']
    assert example and all(a["rel"] == "noopener noreferrer" for a in example)


def test_sources_shortens_long_urls_and_links_only_the_web():
    long = "https://example.com/" + "x" * 120
    shown = sources(f"{long} ; javascript:alert(1) ; ftp://example.com/f ;  ; a paper")
    link = shown[0]
    assert not isinstance(link, str)
    assert link.url == long and len(link.text) == 88 and link.text.endswith("…")
    assert link.text.startswith("example.com: Xxx")  # named by its site and title
    assert shown[1:] == ("; ", "javascript:alert(1)", "; ", "ftp://example.com/f", "; ",
                         "a paper")


def test_the_templates_autoescape_and_mark_nothing_safe():
    module = report_module
    environment = module._environment()
    names = environment.list_templates()
    assert module.TEMPLATE in names
    assert all(name.endswith(".j2") for name in names)
    for name in names:
        assert environment.autoescape(name) is True, name
        source = Path(module.__file__).with_name("templates").joinpath(name).read_text(
            encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|Markup|autoescape\s+false", source), name
    # no Python code marks text safe: ruff's banned-api (TID251) refuses markupsafe.Markup


def test_importing_the_report_module_leaves_jinja_unloaded():
    """jinja2 is imported when a report is rendered, not when its module is."""
    code = "import sys, calc.presentation.report; print('jinja2' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"}, timeout=120, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.slow
def test_the_timeline_carries_what_capcalc_timeline_says(report, library, peers, capcalc_cli):
    """The date as a range, the pace, stated compute and capex by year and quarter, as
    ``capcalc timeline cortex-buildout --samples 500 --seed 7`` prints them."""
    answer = reach(library, library.scenario("cortex-buildout"), peers, samples=500, seed=7)
    built = answer.timeline
    subject = library.story.operator
    assert subject
    stated = stated_checks(built, peers.stated(subject))
    capex = capex_checks(built, peers.capex_of(subject))
    quarters = quarter_checks(built, peers.quarterly_capex_of(subject))
    checks = statements_text(stated, capex, subject, quarters)
    assert capex_sentence(capex, subject) in checks
    expected = "\n".join([*reach_lines(answer), "", checks])
    tenfold = report.html[report.html.index("<h3>Timeline and reach date</h3>"):
                          report.html.index('<section id="uncertainty">')]
    shown = re.findall(r'<pre class="statements">(.*?)</pre>', tenfold, re.S)
    assert [html.unescape(text) for text in shown] == [expected]
    said = capcalc_cli("timeline", "cortex-buildout", "--samples", "500", "--seed", "7", "--wide",
                       env={"NO_COLOR": "1"})
    assert said.returncode == 0, said.stderr
    assert checks in said.stdout
    assert all(line in said.stdout for line in reach_lines(answer))


@pytest.mark.slow
def test_calibration_lists_the_assumptions_published_sites_pin(report, library, peers):
    result = calibrate(library, peers)
    assert result.pinned
    words = calibration_text(result)
    section = parse(report.html[report.html.index('<section id="calibration">'):
                                report.html.index('<section id="assumptions">')]).text()
    assert "Assumptions derived from published sites" in section
    for key, ids in result.pinned.items():
        assert f"- {key}: {', '.join(ids)}" in words
        assert f"{key}: {', '.join(ids)}" in section


@pytest.mark.slow
def test_numbers_align_right_and_words_left(report):
    def cells(row: str) -> list[str]:
        found = re.search(rf"<tr><td[^>]*>{row}</td>(.*?)</tr>", report.html)
        assert found, row
        # each cell names its column for the one-card-per-row layout of narrow screens
        return [re.sub(r' data-label="[^"]*"', "", a)
                for a in re.findall(r"<td([^>]*)>", found.group(1))]

    assert cells("PUE") == [' class="num"'] * len(report.scenarios)
    assert cells("Accelerator") == [""] * len(report.scenarios)


@pytest.mark.slow
def test_write_report_never_clobbers_without_force(report, tmp_path):
    out = tmp_path / "out"
    written = write_report(report, out)
    assert written[0] == out / REPORT_FILE
    # the names known before any chart is drawn are the files drawing gives, in order
    assert report.names() == [REPORT_FILE, *report.files]
    assert [p.name for p in written] == report.names()
    assert (out / REPORT_FILE).read_text(encoding="utf-8") == report.html
    (out / "peers.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(CapcalcError, match="already exist"):
        write_report(report, out)
    assert (out / "peers.csv").read_text(encoding="utf-8") == "mine"
    write_report(report, out, force=True)
    assert (out / "peers.csv").read_bytes() == report.files["peers.csv"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_calibration_and_peers_tables_are_in_the_report(report):
    text = report.html
    assert "Calibration" in text and "within" in text and "outside" in text
    assert "Published figures the model cannot reproduce" in text
    assert "xAI Colossus 1" in text and "Meta Prometheus" in text
    files: dict[str, Any] = report.files
    assert files["calibration.csv"].decode().startswith("peer,"), "the header comes first"
    package = json.loads(files["datapackage.json"])
    assert {r["path"] for r in package["resources"]} == {
        name for name in files if name.endswith(".csv")}
    assert Path(REPORT_FILE).suffix == ".html"


def test_this_module_runs_in_one_xdist_worker(request: pytest.FixtureRequest) -> None:
    """Under ``make test`` (xdist, ``--dist loadgroup``) every test here shares one worker,
    so the module's reports are built once, not once per worker (tests/conftest.py)."""
    if getattr(request.config, "workerinput", None) is None \
            or not request.config.getvalue("loadgroup"):
        pytest.skip("only under pytest-xdist with --dist loadgroup")
    assert request.node.nodeid.endswith("@test_report.py"), request.node.nodeid


def test_sources_are_named_by_publisher_and_title():
    """A written-out source keeps its words; a bare link is named by who publishes it and
    the title its address spells, never shown as a bare address."""
    shown = sources("https://epoch.ai/data/machine-learning-hardware ; Damodaran, Cost of "
                    "Capital, January 2026, https://pages.stern.nyu.edu/x.html")
    links = [part for part in shown if not isinstance(part, str)]
    assert [link.text for link in links] == ["Epoch AI: Machine learning hardware",
                                             "Damodaran, Cost of Capital, January 2026"]
    assert links[1].url == "https://pages.stern.nyu.edu/x.html"


class _Terminal(io.StringIO):
    """Standard error as a terminal shows it."""

    def isatty(self) -> bool:
        return True


@pytest.mark.slow
def test_report_shows_its_progress_on_a_terminal_only(tmp_path, monkeypatch):
    """On a terminal, standard error names each section as it is computed and counts the
    charts drawn; on a pipe it stays silent."""
    from calc.cli import main

    args = ["report", "cortex-full", "--samples", "100", "--formats", "png"]
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert piped.getvalue() == ""
    shown = _Terminal()
    monkeypatch.setattr(sys, "stderr", shown)
    monkeypatch.delenv("TERM", raising=False)
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    said = shown.getvalue()
    for step in ("Question and answer", "Scenarios", "Uncertainty", "Assumptions",
                 "Charts (0 of"):
        assert step in said, step
    assert (tmp_path / "b" / "report.html").is_file()
