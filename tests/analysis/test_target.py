"""Distance to the target (analysis.target) and scenario files written from a state.

The target facts are checked against the model's own identities (the power
for the target scales with the multiple); the answer in words against the
facts and the build-out it is built from, and ``capcalc run`` must print the
same words; the scenario files are run through the real ``capcalc`` CLI and must
give the same numbers as ``calc.run`` on the state they were written from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import calc
from calc.analysis.target import target_facts
from calc.data.scenario_file import scenario_document, scenario_yaml
from calc.presentation.answer import describe
from calc.presentation.formatting import times


def facts_for(library: calc.Library, name: str, sets: list[tuple[str, Any]] | None = None
              ) -> Any:
    result = calc.run(library, name, sets or [])
    return target_facts(library, result, calc.run(library, result.baseline))


def test_the_power_for_the_target_scales_with_the_multiple(library: calc.Library) -> None:
    facts = facts_for(library, "cortex-full")
    baseline = calc.run(library, library.baseline_name())
    full = calc.run(library, "cortex-full")
    multiple = full.outputs["effective_flop_per_s"] / baseline.outputs["effective_flop_per_s"]
    assert facts.compute_multiple == pytest.approx(multiple, rel=1e-12)
    assert facts.gain_needed == pytest.approx(10 / multiple, rel=1e-12)
    assert facts.facility_power_mw_for_target == pytest.approx(500 * 10 / multiple, rel=1e-9)
    assert not facts.met
    text = describe(facts)
    assert text.startswith(f"500 MW of H100 gives {times(multiple)} {facts.baseline}.")


def test_each_chip_reaches_the_target_at_the_power_its_own_scenario_solves(
        library: calc.Library) -> None:
    facts = facts_for(library, "cortex-full")
    by_name = {c.accelerator: c for c in facts.chips}
    assert "H100" not in by_name and len(by_name) == len(library.baseline.catalog) - 1
    solved = calc.run(library, "tenfold-gb200").outputs["facility_power_mw"]
    assert by_name["GB200"].facility_power_mw_for_target == pytest.approx(solved, rel=1e-9)
    at_500 = calc.run(library, "cortex-full-gb200").outputs["compute_multiple"]
    assert by_name["GB200"].compute_multiple == pytest.approx(at_500, rel=1e-12)
    assert by_name["GB200"].gain == pytest.approx(at_500 / facts.compute_multiple, rel=1e-12)
    powers = [c.facility_power_mw_for_target for c in facts.chips]
    assert powers == sorted(powers)


def test_chips_are_compared_at_the_power_of_a_count_sized_site(library: calc.Library) -> None:
    facts = facts_for(library, "colossus-1-2024")
    assert facts.sized_by == "accelerators"
    power = calc.run(library, "colossus-1-2024").outputs["facility_power_mw"]
    assert facts.facility_power_mw == power
    gb200 = next(c for c in facts.chips if c.accelerator == "GB200")
    expected = calc.run(library, "colossus-1-2024",
                        [("hardware.accelerator", "GB200"), ("site.facility_power_mw", power)])
    assert gb200.compute_multiple == pytest.approx(expected.outputs["compute_multiple"],
                                                   rel=1e-12)
    assert describe(facts).startswith("100 k H100 (")


def test_met_target_is_said_so(library: calc.Library) -> None:
    facts = facts_for(library, "cortex-full", [("target.compute_multiplier", "4")])
    assert facts.met
    assert "the 4× target is met" in describe(facts)


def test_user_set_chip_inputs_stay_when_chips_are_swapped(library: calc.Library) -> None:
    facts = facts_for(library, "cortex-full", [("hardware.peak_flop_per_s", "2e15")])
    # the same peak FLOP/s on every chip: only power per chip differs, so the chip with the
    # lowest facility watts per accelerator gains most
    watts = {name: acc.tdp_w * acc.server_overhead for name, acc in
             library.baseline.catalog.items() if name != "H100"}
    best = max(facts.chips, key=lambda c: c.gain).accelerator
    assert best == min(watts, key=watts.__getitem__)


# ------------------------------------------------------------------ scenario files


STATES: list[tuple[str, list[tuple[str, Any]]]] = [
    ("cortex-phase1", []),
    ("cortex-full", [("hardware.accelerator", "GB300"), ("training.mfu", "0.35")]),
    ("tenfold", [("training.precision", "fp8"), ("site.pue", "1.3")]),
    ("tenfold-gb200", [("site.facility_power_mw", "250")]),
    ("colossus-1-2024", [("site.accelerators", "150000"), ("cost.electricity_usd_per_mwh", "45")]),
    ("cortex-phase1", [("site.facility_power_mw", "0.5 GW"), ("hardware.tdp_w", "900")]),
]


def test_scenario_files_reproduce_the_numbers_through_the_cli(
        library: calc.Library, tmp_path: Path, capcalc_cli: Callable[..., Any]) -> None:
    files, expected = [], []
    for i, (preset, sets) in enumerate(STATES):
        path = tmp_path / f"state-{i}.yaml"
        path.write_text(scenario_yaml(library, preset, sets, name=f"state-{i}",
                                      file_name=path.name), encoding="utf-8")
        files.append(str(path))
        expected.append(calc.run(library, preset, sets).outputs)
    run = capcalc_cli("run", *files, "--format", "json")
    assert run.returncode == 0, run.stderr
    got = [s["outputs"] for s in json.loads(run.stdout)["scenarios"]]
    assert got == expected


def test_uploaded_chain_is_written_out_on_its_shipped_base(
        library: calc.Library, tmp_path: Path, capcalc_cli: Callable[..., Any]) -> None:
    upload = ("scenarios:\n"
              "  mine:\n    base: cortex-full\n    site.pue: 1.35\n"
              "  mine-solved:\n    base: mine\n    hardware.accelerator: B200\n"
              "    meet_target: site.facility_power_mw\n")
    mine, _ = library.add_text(upload, origin="upload.yaml")
    sets = [("training.mfu", "0.45")]
    doc = scenario_document(mine, "mine-solved", sets)
    assert doc["base"] == "cortex-full"
    assert doc["meet_target"] == "site.facility_power_mw"
    assert doc["site.pue"] == 1.35 and doc["hardware.accelerator"] == "B200"
    path = tmp_path / "solved.yaml"
    path.write_text(scenario_yaml(mine, "mine-solved", sets), encoding="utf-8")
    run = capcalc_cli("run", str(path), "--format", "json")
    assert run.returncode == 0, run.stderr
    (got,) = [s["outputs"] for s in json.loads(run.stdout)["scenarios"]]
    assert got == calc.run(mine, "mine-solved", sets).outputs
    assert got["compute_multiple"] == pytest.approx(10, rel=1e-9)


def test_written_name_never_clashes_with_a_shipped_scenario(library: calc.Library) -> None:
    assert scenario_document(library, "cortex-full")["name"] == "cortex-full-custom"
    taken, _ = library.add_text("name: cortex-full-custom\nbase: cortex-full\n",
                                origin="upload.yaml")
    assert scenario_document(taken, "cortex-full")["name"] == "cortex-full-custom-2"


# ------------------------------------------------------------------ the answer in words


def test_the_answer_states_the_site_the_need_and_the_date(library: calc.Library) -> None:
    from calc.analysis.timeline import run_timeline
    from calc.presentation.answer import answer_for
    from calc.presentation.formatting import count_text, format_value, month_text

    result = calc.run(library, "cortex-full")
    facts = facts_for(library, "cortex-full")
    text = answer_for(library, result)
    assert f"{count_text(facts.accelerators)} H100 accelerators" in text
    assert format_value(result.outputs["effective_flop_per_s"], "FLOP/s") in text
    assert f"needs {format_value(facts.facility_power_mw_for_target, 'MW')} of H100" in text
    best = min(facts.chips, key=lambda c: c.facility_power_mw_for_target)
    assert f"{format_value(best.facility_power_mw_for_target, 'MW')} of {best.accelerator}" \
        in text
    buildout = run_timeline(library, result.scenario,
                            phases=library.scenario("cortex-buildout").timeline)
    if buildout.target_reached:
        assert f"in {month_text(buildout.target_reached)}" in text
    else:
        assert "does not reach" in text
    # the build-out is named in words first; its scenario name is what a command takes
    assert "the story's build-out, Cortex build-out (cortex-buildout)" in text


def test_the_answer_names_what_sets_the_date(library: calc.Library) -> None:
    from calc.analysis.timeline import run_timeline
    from calc.presentation.answer import answer_for

    # a phase of its own reaches the target: the answer names it
    result = calc.run(library, "cortex-buildout")
    timeline = run_timeline(library, result.scenario)
    text = answer_for(library, result)
    begun = [i for i in timeline.installs if i.begin == timeline.target_reached]
    assert timeline.target_reached and begun
    driver = max(begun, key=lambda i: i.h100_equivalents)
    if driver.refresh:
        assert "lifetime" in text
    else:
        assert driver.phase in text
    # far less compute per chip: only the hardware refreshes get there, after its lifetime
    slow = calc.run(library, "cortex-buildout", [("training.mfu", "0.05")])
    late = answer_for(library, slow, until="2045-12")
    assert "lifetime" in late or "does not reach" in late


def test_capcalc_run_prints_the_same_answer(library: calc.Library,
                                            capcalc_cli: Callable[..., Any]) -> None:
    from calc.presentation.answer import answer_for

    run = capcalc_cli("run", "cortex-full", "--set", "hardware.accelerator=GB200", "--wide")
    assert run.returncode == 0, run.stderr
    result = calc.run(library, "cortex-full", [("hardware.accelerator", "GB200")])
    assert run.stdout.rstrip().endswith(answer_for(library, result))
    # several scenarios: one row each, the build-out's date said once, not a paragraph each
    both = capcalc_cli("run", "cortex-full", "tenfold", "--wide").stdout
    rows = [line for line in both.splitlines() if line.startswith(("cortex-full ", "tenfold "))]
    assert len(rows) == 2 and all("2030-" in row for row in rows[-2:])
    assert "The site is" not in both
    assert both.count("it reaches 10×") == 1 and "Cortex build-out (cortex-buildout)" in both


def test_a_changed_scenario_is_titled_from_its_inputs(library: calc.Library) -> None:
    doc = scenario_document(library, "tenfold", [("hardware.accelerator", "GB200")])
    assert "GB200" in doc["title"] and "H100" not in doc["title"]
    assert "hardware.accelerator=GB200" in doc["description"]
    assert scenario_document(library, "tenfold")["title"] == library.scenario("tenfold").title


def test_edited_phases_and_monte_carlo_settings_go_into_the_file(
        library: calc.Library, tmp_path: Path, capcalc_cli: Callable[..., Any]) -> None:
    from dataclasses import replace

    from calc.analysis.timeline import run_timeline

    phases = library.scenario("cortex-buildout").timeline
    assert phases is not None
    edited = (*phases[:-1], replace(phases[-1], facility_power_mw=650.0))
    path = tmp_path / "edited.yaml"
    path.write_text(scenario_yaml(library, "cortex-buildout", [("training.mfu", "0.45")],
                                  phases=edited, samples=20_000, seed=7, until="2032-12",
                                  file_name=path.name), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "--samples 20000 --seed 7" in text and "--until 2032-12" in text
    run = capcalc_cli("timeline", str(path), "--until", "2032-12", "--format", "json",
                      "--slip", "none")
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    scenario = library.scenario("cortex-buildout", [("training.mfu", "0.45")])
    expected = run_timeline(library, scenario, until="2032-12", phases=edited)
    assert got["target_reached"] == expected.target_reached
    assert got["series"]["compute_multiple"] == pytest.approx(
        [float(x) for x in expected.series["compute_multiple"]], rel=1e-12)
