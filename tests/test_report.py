"""The HTML report: well-formed, self-contained, every chart embedded, every assumption sourced."""

from __future__ import annotations

import base64
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

import calc
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS
from calc.presentation.report import REPORT_FILE, build_report, write_report

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


def test_the_report_is_well_formed_html(report, document):
    assert report.html.startswith("<!DOCTYPE html>")
    assert document.errors == []
    assert document.stack == []
    assert [t for t, _ in document.elements[:1]] == ["html"]
    assert {"head", "body", "title", "main", "footer"} <= {t for t, _ in document.elements}


def test_every_section_is_there(document):
    assert set(SECTIONS) <= document.ids


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


def test_nothing_is_fetched_from_outside(report, document):
    """No script, no stylesheet link, no external image, font or url() in any style."""
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


def test_the_answer_names_each_scenario_and_the_target(report, document):
    text = re.sub(r"<[^>]+>", " ", report.html)
    for name in report.scenarios:
        assert name in text
    assert "10× target" in text
    assert "500 MW of H100 gives 5.0× cortex-phase1" in text


def test_every_assumption_appears_with_its_as_of_date(report, library):
    scenario = library.scenario(library.baseline_name())
    for key in INPUTS:
        assert f"<td>{key}</td>" in report.html, key
        assert scenario.assumptions[key].as_of in report.html


def test_sources_are_ordinary_links(report, document):
    links = [a["href"] for t, a in document.elements if t == "a"
             and a.get("href", "").startswith("https://")]
    assert "https://epoch.ai/data-insights/largest-data-center-compute" in links
    assert any("ai-chip-counts" in link for link in links)


def test_the_footer_carries_version_seed_date_and_the_scenario_yaml(report, library):
    footer = report.html[report.html.index('<footer id="provenance">'):]
    assert f"<td>{calc.__version__}</td>" in footer
    assert "<td>7</td>" in footer  # the seed
    assert "2026-01-02 03:04 UTC" in footer
    yaml_text = re.search(r'<pre id="scenario-yaml">(.*?)</pre>', footer, re.S).group(1)
    import html

    scenarios = yaml.safe_load(html.unescape(yaml_text))["scenarios"]
    assert scenarios["cortex-full"]["site.facility_power_mw"] == 500
    assert scenarios["cortex-full"]["base"] == "cortex-phase1"
    assert scenarios["tenfold"]["meet_target"] == "site.facility_power_mw"


def test_user_text_is_escaped(library, tmp_path):
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text('name: hostile\ntitle: "<script>alert(1)</script> & <img src=x>"\n'
                       "base: cortex-phase1\nsite.pue: 1.3\n", encoding="utf-8")
    library, names = library.add_file(hostile)
    report = build_report(library, names, samples=100)
    document = parse(report.html)
    assert document.errors == []
    assert not [t for t, a in document.elements if t == "script"]
    assert not [a for t, a in document.elements if t == "img" and a.get("src") == "x"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x&gt;" in report.html


def test_write_report_never_clobbers_without_force(report, tmp_path):
    out = tmp_path / "out"
    written = write_report(report, out)
    assert written[0] == out / REPORT_FILE
    assert sorted(p.name for p in written) == sorted(report.names())
    assert (out / REPORT_FILE).read_text(encoding="utf-8") == report.html
    (out / "peers.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(CapcalcError, match="already exist"):
        write_report(report, out)
    assert (out / "peers.csv").read_text(encoding="utf-8") == "mine"
    write_report(report, out, force=True)
    assert (out / "peers.csv").read_bytes() == report.files["peers.csv"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_calibration_and_peers_tables_are_in_the_report(report):
    text = report.html
    assert "Calibration" in text and "within" in text and "outside" in text
    assert "Published figures the model cannot reproduce" in text
    assert "xAI Colossus 1" in text and "Meta Prometheus" in text
    files: dict[str, Any] = report.files
    assert files["calibration.csv"].decode().startswith("# Calibration")
    assert Path(REPORT_FILE).suffix == ".html"
