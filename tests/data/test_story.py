"""The story is data: another article's scenarios file tells another story with no code change,
and a bad ``story:`` block is one line naming the file and the key (exit status 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import calc
from calc.analysis.buildout_choice import choose_buildout
from calc.core.errors import CapcalcError
from calc.data.peers import load_peers
from calc.data.scenarios import load_library
from calc.presentation.answer import answer_for, basis_sentence
from calc.presentation.charts.scenarios import power_chart
from calc.presentation.report_sections import scenario_names
from calc.presentation.tables.peers import among_peers_table

from tests.paths import REPO_ROOT as REPO

SECOND = REPO / "tests" / "stories" / "colossus.yaml"


@pytest.fixture(scope="module")
def second() -> calc.Library:
    return load_library(scenarios=SECOND)


def test_the_shipped_story_is_the_one_its_file_tells(library: calc.Library) -> None:
    raw = yaml.safe_load((REPO / "scenarios.yaml").read_text(encoding="utf-8"))["story"]
    story = library.story
    assert story.opening == raw["opening"] and story.buildout == raw["buildout"]
    assert list(story.report) == raw["report"] and list(story.references) == raw["references"]
    assert [(m.facility_power_mw, m.label) for m in story.marks] == \
        [(m["facility_power_mw"], m["label"]) for m in raw["marked_powers"]]
    assert story.operator == raw["operator"] and story.by == raw["by"]


def test_a_second_story_is_read_from_its_own_file(second: calc.Library) -> None:
    story = second.story
    assert (story.opening, story.buildout, story.operator, story.site) == \
        ("colossus-grid", "colossus-buildout", "xAI", "Colossus")
    # the baseline is the story's: the assumptions file's tesla-2025-q2 is not in this file
    assert second.baseline_name() == "colossus-grid"
    assert scenario_names(second, ()) == ["colossus-grid", "colossus-phase2"]
    choice = choose_buildout(second, second.scenario("colossus-phase2"))
    assert (choice.why, choice.lender) == ("story", "colossus-buildout")


def test_the_charts_mark_and_name_what_the_second_story_says(second: calc.Library) -> None:
    base = calc.run(second, second.baseline_name())
    chart = power_chart(second, second.scenario("colossus-grid"),
                        float(base["effective_flop_per_s"]), powers_mw=[50.0, 500.0])
    labels = {mark.label for panel in chart.panels for mark in panel.marks
              if getattr(mark, "axis", None) == "x"}
    assert {"150 MW (grid)", "300 MW (phase 2)"} <= labels
    assert not any("100 MW" in str(label) for label in labels)
    table = among_peers_table(load_peers(), second, [base], base)
    assert (table.name, table.title.split(":")[0]) == ("colossus-among-peers",
                                                      "Colossus among peers")


def test_the_cli_follows_the_second_story(capcalc_cli) -> None:
    done = capcalc_cli("--scenarios", SECOND, "run", "colossus-phase2", "--format", "table",
                       "--wide")
    assert done.returncode == 0, done.stderr
    # the date comes from the story's build-out, named; the baseline is the story's
    assert "the story's build-out, Colossus build-out (colossus-buildout)" in done.stdout
    assert "Colossus on its grid supply" in done.stdout
    assert "cortex" not in done.stdout.lower()
    timeline = capcalc_cli("--scenarios", SECOND, "timeline", "--format", "json")
    assert timeline.returncode == 0, timeline.stderr
    assert '"scenario": "colossus-buildout"' in timeline.stdout
    assert "xAI" in timeline.stdout and "Tesla" not in timeline.stdout


def _story_file(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load(SECOND.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data["story"].pop(key)
        else:
            data["story"][key] = value
    path = tmp_path / "story.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("changes", "key", "says"), [
    ({"opening": "colossus-3"}, "story.opening", "does not define"),
    ({"report": ["colossus-grid", "colossus-gird"]}, "story.report", "colossus-grid"),
    ({"buildout": "colossus-phase2"}, "story.buildout", "has no timeline"),
    ({"by": "2026-13"}, "story.by", "YYYY"),
    ({"operatr": "xAI"}, "story.operatr", "unknown"),
    ({"marked_powers": [{"facility_power_mw": -5, "label": "x"}]}, "story.marked_powers",
     "greater than 0"),
    ({"opening": None}, "story.opening", "missing"),
])
def test_a_bad_story_is_one_line_naming_the_file_and_the_key(tmp_path, capcalc_cli, changes,
                                                             key, says) -> None:
    path = _story_file(tmp_path, **changes)
    with pytest.raises(CapcalcError) as caught:
        load_library(scenarios=path)
    assert str(caught.value.key).startswith(key), caught.value
    assert says.lower() in str(caught.value).lower()
    done = capcalc_cli("--scenarios", path, "run")
    assert done.returncode == 2 and done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and str(path.name) in line and key in line, line


def test_a_story_in_an_added_file_is_refused_naming_it(tmp_path, capcalc_cli) -> None:
    """A story is read only from the scenarios file capcalc starts from, not one added."""
    path = _story_file(tmp_path)
    done = capcalc_cli("run", path)
    assert done.returncode == 2
    assert "story" in done.stderr and path.name in done.stderr


# ---------------------------------------------------------------- whose build-out dates it


def test_a_scenario_without_phases_is_dated_on_the_storys_build_out_and_says_so(
        library: calc.Library) -> None:
    """The phases set the site's power and chips: cortex-full-gb200's 500 MW of GB200 do not
    move its date, which is the story's build-out's, and the answer says so by name."""
    scenario = library.scenario("cortex-full-gb200")
    choice = choose_buildout(library, scenario)
    assert (choice.why, choice.lender) == ("story", library.story.buildout)
    assert set(choice.replaced) == {"site.facility_power_mw", "hardware.accelerator"}
    assert choice.applied == ()
    text = answer_for(library, calc.run(library, scenario), samples=200)
    assert f"cortex-full-gb200 has no build-out of its own: on the phases of the story's " \
           f"build-out, Cortex build-out ({library.story.buildout})" in text
    assert "so cortex-full-gb200's 500 MW and GB200 do not enter this date" in text


def test_a_change_the_phases_replace_does_not_move_the_date(library: calc.Library) -> None:
    """Changing the chip of a build-out whose phases all name theirs leaves the date where it
    was, and the choice lists it as replaced; a change of MFU enters it and moves it."""
    from calc.analysis.reach import buildout_reach

    plain = library.scenario("cortex-buildout")
    chip = library.scenario("cortex-buildout", [("hardware.accelerator", "B200")])
    mfu = library.scenario("cortex-buildout", [("training.mfu", "0.2")])
    dates = {}
    for name, scenario in (("plain", plain), ("chip", chip), ("mfu", mfu)):
        answer = buildout_reach(library, scenario, samples=200, seed=1)
        assert answer is not None and answer.choice is not None
        dates[name] = (answer.choice, answer.central)
    assert dates["plain"][0].changed == ()
    assert dates["chip"][0].replaced == ("hardware.accelerator",)
    assert dates["chip"][1] == dates["plain"][1]
    assert dates["mfu"][0].applied == ("training.mfu",)
    assert dates["mfu"][1] != dates["plain"][1]
    words = basis_sentence(dates["chip"][0], chip)
    assert words.startswith("On cortex-buildout's own phases.") and "your B200" in words


def test_the_dashboards_slipped_phases_are_not_an_edit(library: calc.Library) -> None:
    """The phases with the default slip applied are the build-out's own; other phases are an
    edit, named as such."""
    from calc.analysis.reach import buildout_reach
    from calc.analysis.slip import default_slip, with_slip

    scenario = library.scenario("cortex-phase1")
    own = choose_buildout(library, scenario).phases
    assert own is not None
    slipped = with_slip(own, default_slip(load_peers(), operator=library.story.operator))
    kept = buildout_reach(library, scenario, phases=slipped, samples=100)
    edited = buildout_reach(library, scenario, phases=own[:2], samples=100)
    assert kept is not None and kept.choice is not None and not kept.choice.edited
    assert edited is not None and edited.choice is not None and edited.choice.edited
    assert "as edited" in basis_sentence(edited.choice, scenario)


def test_the_timeline_says_how_the_users_changes_enter_its_phases(capcalc_cli) -> None:
    done = capcalc_cli("timeline", "cortex-buildout", "--set", "training.mfu=0.3",
                       "--set", "hardware.accelerator=B200", "--wide")
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("On cortex-buildout"))
    assert "your B200 does not enter this date" in line and "your MFU 0.30" in line
    plain = capcalc_cli("timeline", "cortex-buildout", "--wide")
    assert not any(x.startswith("On cortex-buildout") for x in plain.stdout.splitlines())
