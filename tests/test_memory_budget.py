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

from calc.analysis.buildout_montecarlo import (
    available_memory,
    simulate_timeline,
    timeline_memory_budget,
)
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
