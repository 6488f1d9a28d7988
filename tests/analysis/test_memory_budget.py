"""A sampled timeline is budgeted before it starts, and runs in chunks within its budget.

``simulate_timeline`` estimates what a run keeps (every series of every sample)
and what one chunk of the fleet core needs, against a budget of half the memory
free (or the ``memory_budget`` it is given). A run that would not fit is refused
at once, naming the largest sample count that does; one that fits runs in
chunks, with the very numbers of a run in one piece. Under a real address-space
limit (``RLIMIT_AS``, in a ``capcalc`` subprocess) the refusal comes in one line
and the largest count it names does run to the end.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc.analysis.buildout_montecarlo import (
    _check_time,
    _sizes,
    available_memory,
    simulate_timeline,
    timeline_memory_budget,
)
from calc.analysis.limits import MAX_TIMELINE_SECONDS
from calc.core.errors import CapcalcError

TIMEOUT_S = 600


def test_a_run_over_its_budget_is_refused_naming_the_largest_count_that_fits(library):
    with pytest.raises(CapcalcError) as refused:
        simulate_timeline(library, "cortex-buildout", samples=20_000, seed=1,
                          memory_budget=20_000_000)
    error = refused.value
    assert error.key == "samples" and "\n" not in str(error)
    largest = int(re.search(r"at most ([\d,]+) samples fit", str(error))[1].replace(",", ""))
    assert 100 <= largest < 20_000
    fits = simulate_timeline(library, "cortex-buildout", samples=largest, seed=1,
                             memory_budget=20_000_000)
    assert fits.series["compute_multiple"].shape == (largest, len(fits.months))
    with pytest.raises(CapcalcError, match="at most"):
        simulate_timeline(library, "cortex-buildout", samples=largest + 1, seed=1,
                          memory_budget=20_000_000)


def test_a_budget_too_small_for_any_run_says_so(library):
    with pytest.raises(CapcalcError, match="not even 100 samples fit"):
        simulate_timeline(library, "cortex-buildout", samples=1000, memory_budget=100_000)


def test_chunks_give_the_numbers_of_one_piece(library):
    """A budget that forces many chunks changes nothing: same samples, same series, same reach."""
    whole = simulate_timeline(library, "cortex-buildout", samples=3000, seed=7,
                              memory_budget=10**12)
    chunked = simulate_timeline(library, "cortex-buildout", samples=3000, seed=7,
                                memory_budget=12_000_000)
    assert chunked.months == whole.months
    for name, series in whole.series.items():
        np.testing.assert_array_equal(chunked.series[name], series)
    np.testing.assert_array_equal(chunked.reach, whole.reach)


def test_the_default_budget_is_half_of_what_is_free():
    free = available_memory()
    assert free is not None and free > 0
    budget = timeline_memory_budget()
    assert budget is not None and 0 < budget <= free // 2 + 1


def _address_space(limit: int):
    def apply() -> None:  # in the child, before Python starts
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def _capcalc(args: list[str], cwd: Path, limit: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "calc", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=TIMEOUT_S, check=False,
                          preexec_fn=_address_space(limit))


@pytest.mark.slow
def test_the_documented_caps_are_refused_up_front_under_a_memory_limit(tmp_path):
    """200,000 samples over 1,200 months with 3 GB of address space: one line, not MemoryError.

    The count the line names then runs to the end under the same limit: the
    estimate is honest, not merely cautious.
    """
    limit = 3_000_000_000
    args = ["timeline", "cortex-buildout", "--until", "2124-09"]
    refused = _capcalc([*args, "--samples", "200000"], tmp_path, limit)
    assert refused.returncode == 2 and refused.stdout == "", refused.stderr
    lines = refused.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("capcalc: --samples: 200,000 samples over "
                                                   "1,200 months need about"), refused.stderr
    largest = re.search(r"at most ([\d,]+) samples fit", lines[0])
    assert largest, lines[0]
    count = largest[1].replace(",", "")
    ran = _capcalc([*args, "--samples", count], tmp_path, limit)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert f"Monte Carlo: {int(count):,} samples" in ran.stdout


# ------------------------------------------------------------------ the time a run may take


def test_a_run_over_its_time_budget_is_refused_after_its_first_samples(library):
    """The budget is checked once the first samples are timed: a budget no run meets refuses
    every run larger than that first chunk, in one line keyed by the sample count."""
    with pytest.raises(CapcalcError) as refused:
        simulate_timeline(library, "cortex-buildout", samples=5_000, seed=1, time_budget=1e-9)
    error = refused.value
    assert error.key == "samples" and "\n" not in str(error)
    assert "5,000 samples over" in str(error) and "s of computing, more than the 1e-09 s" in \
        str(error) and "not even 100 samples fit" in str(error), str(error)


def test_a_run_within_its_time_budget_gives_the_numbers_of_any_budget(library):
    within = simulate_timeline(library, "cortex-buildout", samples=1_000, seed=4,
                               time_budget=MAX_TIMELINE_SECONDS)
    unbounded = simulate_timeline(library, "cortex-buildout", samples=1_000, seed=4,
                                  time_budget=float("inf"))
    np.testing.assert_array_equal(within.reach, unbounded.reach)
    for name, series in unbounded.series.items():
        np.testing.assert_array_equal(within.series[name], series)


@pytest.mark.parametrize(("seconds", "timed", "samples", "largest"), [
    (1.0, 200, 10_000, "at most 6,000 samples fit"),  # 50 s predicted; 30 s is 6,000
    (0.5, 200, 200_000, "at most 12,000 samples fit"),
    (10.0, 200, 1_000, "at most 600 samples fit"),
    (200.0, 200, 1_000, "not even 100 samples fit"),
])
def test_the_largest_count_named_fits_the_time_budget(seconds, timed, samples, largest):
    with pytest.raises(CapcalcError, match=largest) as refused:
        _check_time(seconds, timed, samples, 912, MAX_TIMELINE_SECONDS)
    count = re.search(r"at most ([\d,]+) samples", str(refused.value))
    if count:  # that many would take no more than the budget at the rate timed
        assert int(count[1].replace(",", "")) * seconds / timed <= MAX_TIMELINE_SECONDS


@given(st.integers(min_value=1_000_000, max_value=10**13),
       st.floats(min_value=0.0, max_value=0.999))
def test_the_memory_line_tells_need_and_budget_apart(need, fraction):
    """Never "needs about 8.1e+02 MB, more than the 8.1e+02 MB": plain numbers, and two."""
    budget = min(need - 1, max(1, int(need * fraction)))
    needed, allowed = _sizes(need, budget)
    assert needed != allowed and "e+" not in needed + allowed


@pytest.mark.slow
def test_a_hundred_phases_to_2100_at_the_sample_cap_is_refused_in_a_line(capcalc_cli, tmp_path):
    """What took 64 s and 9 GB: refused once its first samples are timed, naming a count."""
    phases = "".join(f"  - {{name: p{i}, start: '{2025 + i // 12}-{i % 12 + 1:02d}', "
                     f"facility_power_mw: {100 + 10 * i}, accelerator: latest, refresh: true}}\n"
                     for i in range(100))
    (tmp_path / "hundred.yaml").write_text(
        f"name: hundred\nbase: cortex-buildout\ntimeline:\n{phases}", encoding="utf-8")
    result = capcalc_cli("timeline", "hundred.yaml", "--until", "2100-12", "--samples", "200000")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "capcalc: --samples: 200,000 samples over 912 months would take about"), lines
    assert re.search(r"at most [\d,]+ samples fit", lines[0]), lines[0]
