"""A month with no hardware in use: the command line (with and without --out), the report
and the dashboard say the same sentence, from the one timeline-levers pipeline."""

from __future__ import annotations

import html
import json

import pytest
import yaml

from calc.analysis.levers import levers_of_timeline
from calc.analysis.timeline import run_timeline
from calc.presentation.report import REPORT_FILE, build_report

#: One-year hardware that is never replaced: by 2034-12 every phase has retired.
RETIRED = ["--set", "cost.hardware_lifetime_years=1",
           *[arg for i in range(4) for arg in ("--set", f"timeline[{i}].refresh=false")]]
SETS = [("cost.hardware_lifetime_years", "1")]
PHASE_SETS = [(f"timeline[{i}].refresh", "false") for i in range(4)]


@pytest.fixture(scope="module")
def sentence(library):
    from calc.data.phases import apply_phase_sets

    scenario = library.scenario("cortex-buildout", SETS)
    assert scenario.timeline is not None
    phases = apply_phase_sets(scenario.timeline, PHASE_SETS)
    timeline = run_timeline(library, scenario, until="2034-12", phases=phases)
    levers = levers_of_timeline(library, timeline)
    assert levers.decomposition is None
    return levers.empty


def test_the_timeline_with_out_writes_the_empty_levers_instead_of_failing(capcalc_cli, tmp_path,
                                                                         sentence):
    result = capcalc_cli("timeline", "cortex-buildout", "--until", "2034-12", *RETIRED,
                         "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    (levers,) = [r for r in package["resources"] if r["path"] == "levers.csv"]
    assert sentence in levers["description"]  # the CSV's description says why it has no rows
    without = capcalc_cli("timeline", "cortex-buildout", "--until", "2034-12", *RETIRED)
    assert without.returncode == 0, without.stderr


def test_levers_at_that_month_say_why_there_are_none(capcalc_cli, sentence):
    text = capcalc_cli("levers", "cortex-buildout", "--at", "2034-12", *RETIRED, "--wide")
    assert text.returncode == 0, text.stderr
    assert sentence in text.stdout
    document = json.loads(capcalc_cli("levers", "cortex-buildout", "--at", "2034-12", *RETIRED,
                                      "--format", "json").stdout)
    assert document["empty"] == sentence and document["levers"] == []


def test_the_report_says_the_same_sentence(library, sentence, tmp_path):
    # the same build-out as a scenario file; the report runs it to the default horizon,
    # where every phase has retired too
    scenario = library.scenario("cortex-buildout")
    assert scenario.timeline is not None
    phases = [{**p.to_dict(), "refresh": False} for p in scenario.timeline]
    path = tmp_path / "retired.yaml"
    path.write_text(yaml.safe_dump({"name": "retired", "base": "cortex-buildout",
                                    "cost.hardware_lifetime_years": 1, "timeline": phases}),
                    encoding="utf-8")
    mine, names = library.add_file(path)
    report = build_report(mine, names, samples=200, seed=1, formats=("png",))
    text = html.unescape(report.html)
    assert report.names() == [REPORT_FILE, *report.files]  # PNG only: no SVG named or drawn
    horizon_sentence = sentence.replace("2034-12", "2030-12")
    assert horizon_sentence[:1].upper() + horizon_sentence[1:] in text


def test_the_dashboard_says_the_same_sentence(sentence):
    from streamlit.testing.v1 import AppTest

    from calc.dashboard import APP

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update({"scenario": "cortex-buildout", "view": "timeline",
                            "until": "2034", **dict(SETS), **dict(PHASE_SETS)})
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    assert not at.error, at.error[0].value
    shown = [html.unescape(str(e.value)) for kind in (at.info, at.caption, at.markdown)
             for e in kind]
    assert any(sentence[1:] in text for text in shown), "the view says why there are no levers"
