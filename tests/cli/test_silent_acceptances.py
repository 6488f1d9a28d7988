"""Values capcalc once accepted while they meant something else: now the right answer, or one
line and exit 2; and lines that name what the user touched, in the user's words.

Each case was found by trying capcalc as a careless or hostile user would: two
scenarios that are each other's baseline, ``--samples 0`` where a default was
silently taken, a probability finer than the samples can tell, a run measured in
cumulative FLOP, a cloud price that makes owning never pay, dates that are not
calendar months, a horizon past the limit blamed on ``--until``, look-alike
letters, a library warning on stderr. (Files with such values are in
``tests/bad_inputs/`` too; the corpus test runs them through the command line and
the dashboard.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from calc.core.vocabulary import CUMULATIVE_AT_ONE_MOMENT

from tests.paths import PEERS_FILE


def one_line(result, prefix: str, *says: str) -> str:
    """Exit 2, nothing on stdout and one line on stderr starting ``capcalc: PREFIX``."""
    assert (result.returncode, result.stdout) == (2, ""), (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"capcalc: {prefix}"), result.stderr
    for words in says:
        assert words in lines[0], lines[0]
    return lines[0]


# ------------------------------------------------------------------ the right answer


def test_two_scenarios_that_are_each_others_baseline_name_each_ones(capcalc_cli, tmp_path):
    (tmp_path / "mutual.yaml").write_text(
        "scenarios:\n  a: {base: cortex-full, target.baseline: b}\n"
        "  b: {base: cortex-phase1, target.baseline: a, site.facility_power_mw: 750}\n",
        encoding="utf-8")
    result = capcalc_cli("run", "mutual.yaml", "--wide")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split()
    assert header == ["a", "b", "10×", "b"], lines[0]  # no column called the baseline
    against = next(line for line in lines if line.startswith("Baseline scenario"))
    assert against.split()[2:] == ["b", "a"], against
    multiples = next(line for line in lines if line.startswith("Compute multiple"))
    assert multiples.split()[2:4] == ["0.667×", "1.50×"], multiples  # b against a: 750/500
    assert "Multiples each against its own baseline" in result.stdout
    assert 'baseline is in the row "Baseline scenario"; the last column is 10× b.' in \
        result.stdout


def test_one_baseline_keeps_the_plain_table(capcalc_cli):
    result = capcalc_cli("run", "cortex-full", "tenfold", "--wide")
    assert result.returncode == 0, result.stderr
    assert "(baseline)" in result.stdout.splitlines()[0]
    assert "Baseline scenario" not in result.stdout
    assert "Multiples against tesla-2025-q2, of effective FLOP/s." in result.stdout


def test_a_static_run_measured_in_cumulative_flop_says_it_is_flop_per_s(capcalc_cli):
    cumulative = capcalc_cli("run", "--set", "target.measure=cumulative_training_flop", "--wide")
    rate = capcalc_cli("run", "--wide")
    assert cumulative.returncode == rate.returncode == 0
    assert "of effective FLOP/s." in cumulative.stdout
    assert "of cumulative training FLOP" not in cumulative.stdout
    assert CUMULATIVE_AT_ONE_MOMENT in cumulative.stdout
    # the multiple itself is the FLOP/s multiple: a constant fleet's FLOP add up as its FLOP/s
    pick = [line for line in cumulative.stdout.splitlines() if line.startswith("Compute")]
    assert pick == [line for line in rate.stdout.splitlines() if line.startswith("Compute")]


def test_a_cloud_price_that_makes_owning_never_pay_says_never(capcalc_cli):
    result = capcalc_cli("run", "--set", "cost.cloud_usd_per_accelerator_hour=0.01")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("Break-even"))
    assert "never: owning is" in line and "× leasing" in line, line
    assert "% of the year" not in line


def test_a_phase_mfu_in_per_cent_reads_as_the_inputs_does(capcalc_cli):
    percent = capcalc_cli("timeline", "cortex-buildout", "--set", "timeline[0].mfu=40 %",
                          "--format", "json")
    share = capcalc_cli("timeline", "cortex-buildout", "--set", "timeline[0].mfu=0.4",
                        "--format", "json")
    assert percent.returncode == share.returncode == 0, percent.stderr
    assert percent.stdout == share.stdout


def test_a_probability_is_echoed_with_its_digits(capcalc_cli):
    result = capcalc_cli("solve", "site.facility_power_mw", "--target", "compute_multiple=10",
                         "--probability", "0.005", "--samples", "1000")
    assert result.returncode == 0, result.stderr
    assert ") = 0.5 %" in result.stdout.splitlines()[0], result.stdout


@pytest.mark.parametrize(("args", "says"), [
    (["run", "cortex-phase1", "--samples", "1000"], "P(multiple ≥ 10× target)"),
    (["timeline", "cortex-buildout", "--samples", "1000", "--until", "2025-12"], "2025-12"),
])
def test_a_share_no_sample_reaches_is_said_as_below_what_they_resolve(capcalc_cli, args, says):
    result = capcalc_cli(*args)
    assert result.returncode == 0, result.stderr
    line = [line for line in result.stdout.splitlines() if line.startswith(says)][-1]
    assert line.rstrip().endswith("< 0.1 %"), line


# ------------------------------------------------------------------ one line and exit 2


@pytest.mark.parametrize("args", [
    ["solve", "site.facility_power_mw", "--target", "compute_multiple=10", "--probability",
     "0.8", "--samples", "0"],
    ["sensitivity", "compute_multiple", "--samples", "0"],
    ["sensitivity", "p_target_reached", "--samples", "0"],
], ids=["solve-probability", "sensitivity", "p_target_reached"])
def test_zero_samples_is_refused_everywhere(capcalc_cli, args):
    one_line(capcalc_cli(*args), "--samples: ", "(got 0)")


@pytest.mark.parametrize("probability", ["1e-300", "0.9999999999999999", "0.0005"])
def test_a_probability_finer_than_the_samples_is_refused(capcalc_cli, probability):
    result = capcalc_cli("solve", "site.facility_power_mw", "--target", "compute_multiple=10",
                         "--probability", probability, "--samples", "1000")
    one_line(result, "--probability: ", f"{probability} is finer than 1,000 samples can tell",
             "from 0.001 to 0.999")


def test_a_report_asking_more_samples_than_a_timeline_takes_is_refused(capcalc_cli, tmp_path):
    one_line(capcalc_cli("report", "--samples", "250000", "--out", "out"), "--samples: ",
             "between 100 and 200,000 (got 250,000)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("until", ["2024- 9", "2025-+6", "2030", "2030-12-31", " 2030-12",
                                   "\uff12\uff10\uff13\uff10-12"])
def test_a_horizon_is_a_calendar_month_written_yyyy_mm(capcalc_cli, until):
    one_line(capcalc_cli("timeline", "cortex-buildout", "--until", until), "--until: ",
             "is not a month; write YYYY-MM")


@pytest.mark.parametrize("date", ["2025-+6", "2024- 9", "2099-99-99", "2024-02-30"])
def test_a_peers_date_that_is_not_a_calendar_date_is_one_line(capcalc_cli, tmp_path, date):
    """Before, ``2025-+6`` was read as June 2025 and the report dropped a section."""
    tree = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))
    tree["peers"][0]["date"] = date
    (tmp_path / "peers.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True),
                                         encoding="utf-8")
    for args in (["peers", "--peers", "peers.yaml"],
                 ["report", "--peers", "peers.yaml", "--out", "out"]):
        one_line(capcalc_cli(*args), "peers.yaml: ", f"'{date}' is not a date")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "prefix"), [
    (["levers", "cortex-buildout", "--at", "9999-12"], "--at: "),
    (["solve", "timeline[3].facility_power_mw", "--target", "compute_multiple=10", "--by",
      "9999-12", "cortex-buildout"], "--by: "),
])
def test_a_month_past_the_limit_is_blamed_on_the_flag_given(capcalc_cli, args, prefix):
    line = one_line(capcalc_cli(*args), prefix, "at most 1200 months")
    assert "--until" not in line


def test_a_lookalike_scenario_name_is_shown_escaped(capcalc_cli):
    line = one_line(capcalc_cli("run", "cortex\u2011full"), "SCENARIO: ",
                    "'cortex\\u2011full'; did you mean 'cortex-full'?")
    assert "\u2011" not in line


# ------------------------------------------------------------------ stderr is capcalc's own


def test_drawing_text_the_font_lacks_prints_no_library_warning(capcalc_cli, tmp_path):
    tree = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))
    tree["peers"][0]["label"] = "漢字 \U0001f680"
    (tmp_path / "peers.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True),
                                         encoding="utf-8")
    result = capcalc_cli("report", "cortex-full", "--peers", "peers.yaml", "--samples", "200",
                         "--formats", "png,svg,pdf", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    assert (Path(tmp_path) / "out" / "report.html").is_file()
