"""Scenario discovery: PRIM finds a planted region, counts coverage and density right, peels
as the ``prim`` package does, and ``capcalc discover`` says it in one sentence."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calc
from calc.analysis.discover import Ladder
from calc.analysis.prim import box_quantile, peeling_trajectory, select_box
from calc.presentation.formatting import percent

from tests.analysis.test_sweep import BUILDOUT
from tests.cli_runner import run_in_process


def planted(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Futures where the target is met exactly when power > 1,000 MW and MFU > 0.4."""
    rng = np.random.default_rng(seed)
    x = {"site.facility_power_mw": rng.uniform(100, 3000, n),
         "training.mfu": rng.uniform(0.2, 0.6, n),
         "site.pue": rng.uniform(1.05, 1.5, n)}
    y = ((x["site.facility_power_mw"] > 1000) & (x["training.mfu"] > 0.4)).astype(float)
    return x, y


def test_prim_recovers_a_planted_region_and_its_counts_are_a_recount() -> None:
    x, y = planted(20_000, seed=4)
    trajectory = peeling_trajectory(x, None, y)
    box = select_box(trajectory, density=0.95)
    assert box is not None
    assert set(box.restricted) == {"site.facility_power_mw", "training.mfu"}
    power_low = box.limits["site.facility_power_mw"][0]
    mfu_low = box.limits["training.mfu"][0]
    assert abs(power_low - 1000) <= 0.05 * 1000
    assert abs(mfu_low - 0.4) <= 0.05 * 0.4
    for b in trajectory:  # coverage and density of every box, counted afresh
        inside = b.contains(x, {})
        assert b.density == pytest.approx(y[inside].mean(), rel=1e-12)
        assert b.coverage == pytest.approx(y[inside].sum() / y.sum(), rel=1e-12)
        assert b.mass == pytest.approx(inside.mean(), rel=1e-12)


def test_the_peeling_trajectory_is_the_prim_packages() -> None:
    reference = pytest.importorskip("prim")
    pandas = pytest.importorskip("pandas")
    x, y = planted(3000, seed=7)
    with warnings.catch_warnings():  # the reference package's own deprecations
        warnings.simplefilter("ignore")
        box = reference.Prim(pandas.DataFrame(x), y.astype(bool)).find_box()
        theirs = box.peeling_trajectory
    ours = peeling_trajectory(x, None, y)
    peeled = len(ours)
    assert len(theirs) >= peeled  # theirs may end with pasting steps
    assert np.allclose(theirs["coverage"][:peeled], [b.coverage for b in ours])
    assert np.allclose(theirs["density"][:peeled], [b.density for b in ours])
    assert np.allclose(theirs["mass"][:peeled], [b.mass for b in ours])
    assert list(theirs["res dim"][:peeled]) == [len(b.restricted) for b in ours]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=40),
       st.sampled_from([0.05, 0.1, 0.9, 0.95]))
def test_a_peel_never_cuts_through_equal_values(values: list[int], q: float) -> None:
    data = np.array(values, dtype=float)
    bound = box_quantile(data, q)
    assert data.min() <= bound <= data.max()
    assert not np.any(data == bound) or len(set(values)) == 1 or \
        bound in (data.min(), data.max())


def test_categorical_inputs_are_peeled_one_name_at_a_time() -> None:
    rng = np.random.default_rng(1)
    chips = rng.choice(["H100", "GB200", "GB300"], 3000)
    power = rng.uniform(100, 2000, 3000)
    y = ((chips != "H100") & (power > 600)).astype(float)
    box = select_box(peeling_trajectory({"power": power}, {"chip": chips}, y), 0.95)
    assert box is not None and box.categories["chip"] == frozenset({"GB200", "GB300"})
    assert box.limits["power"][0] == pytest.approx(600, rel=0.05)


@pytest.fixture(scope="module")
def ladder(library: calc.Library) -> Ladder:
    result = calc.sweep(BUILDOUT, library)
    return calc.discover(result, "compute_multiple", 20, by="2028-12", density=0.8)


def test_discover_ladders_back_from_the_deadline_by_quarter(ladder: Ladder) -> None:
    from calc.presentation.discover import discovery_sentence

    rungs = ladder.rungs
    assert [r.deadline for r in rungs][-1] == "2028-12"
    assert all(r.deadline[5:] in ("03", "06", "09", "12") for r in rungs)
    shares = [r.share for r in rungs]
    assert shares == sorted(shares)  # a later deadline is met in at least as many futures
    main = ladder.main
    assert main.box is not None and main.box.density >= 0.8
    sentence = discovery_sentence(ladder)
    assert sentence.startswith("If ") and f"{percent(main.box.density)}" in sentence
    assert f"{percent(main.box.coverage)}" in sentence and "by 2028-12" in sentence


def test_capcalc_discover_says_what_must_be_true(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(BUILDOUT), encoding="utf-8")
    result = run_in_process("discover", "sweep.yaml", "--target", "compute_multiple=20", "--wide",
                            "--by", "2027-12", "--density", "0.8", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("If ") and "compute_multiple ≥ 20 by 2027-12" in first
    assert "cortex-buildout itself lies" in result.stdout
    wrong = run_in_process("discover", "sweep.yaml", "--target", "compute_multiple=10",
                           "--by", "2027-12", cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("capcalc: --target: the sweep measured when")


def _brute_force_peels(box, x: dict[str, np.ndarray], y: np.ndarray, alpha: float = 0.05):
    """Every peel of ``box`` counted afresh: (objective, limits after it, futures left)."""
    inside = box.contains(x, {})
    y_in, n_box = y[inside], int(inside.sum())
    out = []
    for key, values in x.items():
        v = values[inside]
        for q, top in ((1 - alpha, True), (alpha, False)):
            bound = box_quantile(v, q)
            keep = v <= bound if top else v >= bound
            n_new = int(keep.sum())
            objective = 0.0 if n_new == n_box else \
                ((y_in[keep].mean() if n_new else 0.0) - y_in.mean()) / (n_box - n_new)
            low, high = box.limits[key]
            out.append((objective, {**box.limits, key: (low, bound) if top else (bound, high)},
                        n_new))
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(200, 1500), st.sampled_from([1, 2, 3]))
def test_each_step_is_the_best_peel_counted_afresh(seed: int, n: int, digits: int) -> None:
    rng = np.random.default_rng(seed)
    x = {"a": rng.uniform(0, 1, n).round(digits), "b": rng.uniform(0, 1, n).round(digits),
         "c": rng.normal(0, 1, n)}
    y = ((x["a"] > 0.3) & (x["b"] < 0.7)).astype(float)
    y = np.where(rng.uniform(size=n) < 0.15, 1 - y, y)
    trajectory = peeling_trajectory(x, None, y)
    for before, after in itertools.pairwise(trajectory):
        peels = _brute_force_peels(before, x, y)
        best = max(objective for objective, _, _ in peels)
        chosen = [p for p in peels if p[1] == dict(after.limits)]
        assert chosen and chosen[0][0] == best > 0
        assert chosen[0][2] == round(after.mass * n)
