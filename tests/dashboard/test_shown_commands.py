"""Every ``capcalc`` command the page shows runs and gives the page's numbers.

The real app runs headless (AppTest) in several states: the opening preset,
inputs changed in the sidebar, the slip switched off, other samples and seed,
an uploaded file and a phase table edited in the page. Each command shown in a
caption is read off the page, run in this process (``tests/cli_runner.py``)
with ``--format json`` in a folder holding the scenario file the page offers
for download (written by the download button's own function from the page's
state), and its numbers are compared with the cards beside it.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from calc.dashboard import APP, commands
from calc.dashboard.compute import scenario as compute
from calc.dashboard.context import Context
from calc.presentation.formatting import format_value, percent

from tests.cli_runner import run_in_process
from tests.dashboard.pages import context_of, open_page

REPO = APP.parents[2]
COMMAND = re.compile(r"`(capcalc [^`]+)`")
EXACT = re.compile(r"Exact value: (\S+)")




def _shown_commands(at: AppTest) -> list[list[str]]:
    texts = [str(c.value) for c in at.caption]
    texts += [str(w.help or "") for w in at.number_input]
    found = [shlex.split(m.replace("\\", "")) for t in texts for m in COMMAND.findall(t)]
    return [c for c in found if "..." not in c]


def _cli(ctx: Context, command: list[str], folder: Path) -> dict[str, Any]:
    """Run a shown command with ``--format json`` beside the page's scenario file."""
    assert command[0] == "capcalc"
    (folder / commands.file_name(ctx)).write_text(commands.scenario_file(ctx))
    done = run_in_process(*command[1:], "--format", "json", cwd=folder)
    assert done.returncode == 0, (shlex.join(command), done.stderr)
    return dict(json.loads(done.stdout))


def _metric(at: AppTest, label: str) -> Any:
    found = [m for m in at.metric if m.label == label]
    assert found, (label, [m.label for m in at.metric])
    return found[0]


def _month(text: str) -> str | None:
    return None if text.startswith("not by") else text


def _month_of(label: str) -> str:
    """ "March 2027" or "2027-03" → "2027-03"."""
    from datetime import datetime

    for pattern in ("%Y-%m", "%B %Y", "%b %Y"):
        try:
            return datetime.strptime(label, pattern).strftime("%Y-%m")
        except ValueError:
            continue
    raise AssertionError(f"not a month: {label}")


def _check_timeline(at: AppTest, ctx: Context, command: list[str], folder: Path) -> None:
    out = _cli(ctx, command, folder)
    if "--samples" in command:  # the chance by month: its marks and the chance by the horizon
        by = dict(zip(out["months"], out["p_target_reached_by"], strict=True))
        for share in (50, 80):
            shown = _metric(at, f"{share} % sure by").value
            first = next((m for m, p in by.items() if p >= share / 100), None)
            if shown.startswith("not by"):
                assert first is None, (command, share, first)
            else:
                assert first == _month_of(shown), (command, share, shown)
        chance = _metric(at, f"Chance by {ctx.until}").value
        assert chance == percent(out['p_target_reached']), (command, chance)
    else:  # the build-out at central values
        target = ctx.scenario.inputs.target.compute_multiplier
        shown = _metric(at, f"{target:g}× at central values").value
        reached = out["target_reached"]
        if shown.startswith("not by"):
            assert reached is None, command
        else:
            assert reached is not None and _month_of(shown) == reached[:7], (command, shown)
        final = _metric(at, next(m.label for m in at.metric
                                 if m.label.startswith(f"Multiple in {ctx.until}"))).value
        assert final == f"{out['final_multiple']:.3g}×", (command, final)


def _check_solve(at: AppTest, ctx: Context, command: list[str], folder: Path) -> None:
    out = _cli(ctx, command, folder)
    if "--probability" in command:
        share = float(command[command.index("--probability") + 1])
        label = f"P{share * 100:g}"
        metric = next(m for m in at.metric if m.label.startswith(label))
    else:
        metric = _metric(at, "Central")
    exact = EXACT.search(metric.help)
    assert exact, metric.help
    value = out["value"]
    if isinstance(value, str):  # a month
        assert value in metric.value, (command, value, metric.value)
    else:
        assert float(exact.group(1)) == pytest.approx(value, rel=1e-9), command


def _check_sensitivity(at: AppTest, ctx: Context, command: list[str], folder: Path) -> None:
    out = _cli(ctx, command, folder)
    caption = next(str(c.value) for c in at.caption if "unpinned" in str(c.value))
    unpinned = re.search(r"unpinned (\d+ ?%)", caption)
    assert unpinned and unpinned.group(1) == percent(out['p_target_reached']), (command, caption)
    top = max(out["p_target_conditional"], key=lambda row: row["swing"])
    assert f"{percent(top['p_low'])} at its low, {percent(top['p_high'])} at its high" in caption, \
        (command, caption)


def _check_run(at: AppTest, ctx: Context, command: list[str], folder: Path) -> None:
    out = _cli(ctx, command, folder)
    target = ctx.scenario.inputs.target.compute_multiplier
    shown = _metric(at, f"P(≥ {target:g}×)").value
    p = out["scenarios"][0]["p_target_reached"]
    assert shown in (f"{p:.0%}", f"{p:.1%}", percent(p)), (command, shown, p)


def _check_assumptions(at: AppTest, ctx: Context, command: list[str], folder: Path) -> None:
    done = run_in_process(*command[1:], "--format", "json", cwd=folder)
    assert done.returncode == 0, (shlex.join(command), done.stderr)
    table = "\n".join(str(m.value) for m in at.markdown)
    rows = {line.split("`")[1]: line for line in table.splitlines() if line.startswith("| `")}
    printed = json.loads(done.stdout)
    assert len(printed) == len(rows)
    solved = compute.scenario_of(ctx.key).meet_target  # printed before it is solved
    for row in printed:
        if row["key"] == solved:
            assert f"with {solved} as written before it is solved" in " ".join(
                str(c.value) for c in at.caption)
            continue
        value = row["value"]
        shown = format_value(value, row["unit"]) if not isinstance(value, float) or \
            row["unit"] != "1" else f"{value:.4g}"
        assert f"| {shown} |" in rows[row["key"]], (row, rows[row["key"]])


CHECKS = {"timeline": _check_timeline, "solve": _check_solve,
          "sensitivity": _check_sensitivity, "run": _check_run,
          "assumptions": _check_assumptions}

GB200 = {"hardware.accelerator": "GB200", "site.facility_power_mw": "300"}
STATES = {
    "preset": {},
    "sidebar changes": GB200,
    "slip off": {**GB200, "slip": "0"},
    "samples and seed": {**GB200, "samples": "5000", "seed": "7"},
    "own build-out with changes": {"scenario": "cortex-buildout", "training.mfu": "0.45",
                                   "samples": "2000"},
    "phase edit": {"scenario": "cortex-buildout", "timeline[3].facility_power_mw": "900",
                   "slip": "0"},
    "solved power": {"scenario": "tenfold", "site.pue": "1.2", "seed": "3"},
}


def _check_all(at: AppTest, tmp_path: Path, wanted: set[str]) -> None:
    ctx = context_of(at)
    shown = _shown_commands(at)
    assert {c[1] for c in shown} >= wanted, shown
    for command in shown:
        CHECKS[command[1]](at, ctx, command, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("state", list(STATES))
def test_every_shown_command_gives_the_pages_numbers(state: str, tmp_path: Path) -> None:
    query = {**STATES[state], "samples": STATES[state].get("samples", "2000")}
    at = open_page({**query, "view": "timeline"})
    _check_all(at, tmp_path, {"timeline", "solve"})
    if state == "phase edit":  # the command line cannot name edited phases: the file does
        name = commands.file_name(context_of(at))
        assert all(name in c for c in _shown_commands(at) if c[1] == "timeline")
    at = open_page({**query, "view": "uncertainty"})
    # "what if we knew" (and its command) is drawn when P(target) is neither 0 nor 1
    _check_all(at, tmp_path, {"run"} | ({"sensitivity"} if state == "solved power" else set()))
    _check_all(open_page({**query, "view": "assumptions"}), tmp_path, {"assumptions"})


@pytest.mark.slow
def test_an_upload_is_named_by_its_downloaded_file(tmp_path: Path) -> None:
    text = (REPO / "examples" / "cortex-2027.yaml").read_bytes()
    at = open_page({"view": "timeline", "samples": "2000"}, upload=("cortex-2027.yaml", text))
    ctx = context_of(at)
    assert ctx.preset not in ctx.library.shipped
    shown = _shown_commands(at)
    assert shown and all(commands.file_name(ctx) in c for c in shown), shown
    _check_all(at, tmp_path, {"timeline", "solve"})


def test_a_borrowed_build_out_is_never_offered_under_the_scenarios_name(
        tmp_path: Path) -> None:
    at = open_page({"view": "timeline", "samples": "2000"})
    ctx = context_of(at)
    assert ctx.scenario.timeline is None  # cortex-phase1 is measured on Cortex's build-out
    timelines = [c for c in _shown_commands(at) if c[1] == "timeline"]
    assert timelines and all(ctx.preset not in c for c in timelines), timelines
    done = run_in_process("timeline", ctx.preset, cwd=tmp_path)
    assert done.returncode == 2  # what the page used to offer
