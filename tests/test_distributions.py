"""Input distributions: 90 % intervals, bounds never left, rank correlation obtained, YAML."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from scipy.stats import spearmanr

import calc
from calc.analysis.distributions import (
    JointSampler,
    fit,
    fit_marginal,
    marginal,
    marginals,
    normal_correlation,
    stream,
)
from calc.analysis.montecarlo import summarize
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS
from calc.data.assumptions import Assumption, Correlation

from tests.strategies import intervals, pinned, rank_correlations


def _assumption(key: str, value: float, low: float | None, high: float | None,
                dist: str | None = None) -> Assumption:
    return Assumption(key=key, value=value, unit=INPUTS[key].unit, source="test",
                      as_of="2025", low=low, high=high, dist=dist)


def _inside(key: str, x: np.ndarray) -> bool:
    spec = INPUTS[key]
    ok = np.isfinite(x)
    if spec.lower is not None:
        ok &= (x > spec.lower) if spec.lower_open else (x >= spec.lower)
    if spec.upper is not None:
        ok &= (x < spec.upper) if spec.upper_open else (x <= spec.upper)
    return bool(ok.all())


# ---------------------------------------------------------------- bounds


@settings(max_examples=150, deadline=None)
@given(case=intervals())
@pinned
def test_samples_never_leave_the_valid_range(case):
    key, family, value, low, high = case
    try:
        m = marginal(_assumption(key, value, low, high, family))
    except CapcalcError:
        return  # a family that cannot have this interval says so (tested below)
    assert m is not None
    rng = stream(3, key)
    assert _inside(key, m.sample(rng, 2_000))
    extreme = np.array([-40.0, -9.0, -3.0, 0.0, 3.0, 9.0, 40.0, np.inf, -np.inf])
    assert _inside(key, m.from_normal(extreme))
    assert _inside(key, m.from_normal(rng.standard_normal(2_000)))
    assert _inside(key, m.quantile(np.array([0.0, 1e-300, 0.5, 1 - 1e-16, 1.0])))


@settings(max_examples=60, deadline=None)
@given(case=intervals(families=("lognormal", "normal", "uniform"), max_ratio=1e3))
@pinned
def test_the_fitted_distribution_has_the_declared_interval(case):
    """Quantiles at 5 % and 95 % are low and high, exactly (truncation refitted), where the
    family can have them inside the valid range."""
    key, family, value, low, high = case
    if family == "lognormal" and low <= 0:
        return
    try:
        m = fit_marginal(key, family, value, low, high)
    except ValueError:
        return
    u_lo, u_hi = m.u_range
    q5, q95 = m.quantile(np.array([0.05, 0.95]))
    if u_lo < 1e-12 and u_hi > 1 - 1e-12:  # nothing truncated: the plain fit
        assert q5 == pytest.approx(low, rel=1e-9, abs=1e-12)
        assert q95 == pytest.approx(high, rel=1e-9, abs=1e-12)
    elif abs(q5 - low) > 1e-6 * (high - low) or abs(q95 - high) > 1e-6 * (high - low):
        # no member of the family has this interval inside the range: the fit was kept
        plain = fit(family, value, low, high)
        assert m.params == pytest.approx(plain)


def test_lognormal_fit_is_the_geometric_mean_of_the_interval():
    mu, sigma = fit("lognormal", 100.0, 90.0, 130.0)
    assert math.exp(mu) == pytest.approx(math.sqrt(90.0 * 130.0))
    assert math.exp(mu + 1.6448536269514722 * sigma) == pytest.approx(130.0)


@pytest.mark.parametrize(("key", "value", "low", "high"), [
    ("cost.electricity_usd_per_mwh", 60.0, 30.0, 90.0),    # nothing truncated
    ("training.availability", 0.87, 0.80, 0.95),           # truncated at 1, refitted
    ("site.pue", 1.2, 1.1, 1.4),                           # truncated at 1, refitted
])
def test_a_lognormal_inputs_sampled_p5_p95_reproduce_its_interval(key, value, low, high):
    m = marginal(_assumption(key, value, low, high))
    assert m is not None and m.family == "lognormal"
    for draw in (lambda n: m.sample(stream(11, key), n),
                 lambda n: m.from_normal(stream(12, key).standard_normal(n))):
        s = summarize(draw(200_000))
        assert abs(s.p5 - low) < 4 * s.p5_se
        assert abs(s.p95 - high) < 4 * s.p95_se


@pytest.mark.parametrize("family", ["normal", "uniform", "triangular", "pert"])
def test_every_family_reproduces_the_interval(family):
    m = marginal(_assumption("training.run_days", 90.0, 60.0, 120.0, family))
    assert m is not None and m.family == family
    s = summarize(m.sample(stream(5, "x"), 200_000))
    assert abs(s.p5 - 60.0) < 4 * s.p5_se
    assert abs(s.p95 - 120.0) < 4 * s.p95_se


def test_triangular_and_pert_take_the_value_as_their_mode():
    for family in ("triangular", "pert"):
        a, c, b = fit(family, 80.0, 60.0, 120.0)
        assert c == 80.0 and a < 60.0 and b > 120.0
        x = marginal(_assumption("training.run_days", 80.0, 60.0, 120.0, family)).sample(
            stream(1, family), 400_000)
        counts, edges = np.histogram(x, bins=60)
        peak = (edges[counts.argmax()] + edges[counts.argmax() + 1]) / 2
        assert peak == pytest.approx(80.0, abs=(b - a) / 20)


def test_no_range_or_a_point_range_is_no_distribution():
    assert marginal(_assumption("site.pue", 1.2, None, None)) is None
    assert marginal(_assumption("site.pue", 1.2, 1.2, 1.2)) is None


@pytest.mark.parametrize(("low", "high", "words"), [
    (1.1, None, "both low and high"),
    (1.3, 1.3, "value must equal them"),
])
def test_a_range_that_is_not_an_interval_is_one_clear_error(low, high, words):
    with pytest.raises(CapcalcError, match=words) as info:
        marginal(_assumption("site.pue", 1.2, low, high))
    assert info.value.key == "site.pue"


# ---------------------------------------------------------------- streams


def test_the_same_seed_gives_the_same_samples_and_keys_are_independent():
    m = marginal(_assumption("site.pue", 1.2, 1.1, 1.4))
    a = m.sample(stream(7, "site.pue"), 1000)
    b = m.sample(stream(7, "site.pue"), 1000)
    c = m.sample(stream(8, "site.pue"), 1000)
    d = m.sample(stream(7, "site.it_overhead"), 1000)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c) and not np.array_equal(a, d)
    with pytest.raises(CapcalcError, match="seed"):
        stream(-1, "site.pue")


# ---------------------------------------------------------------- correlation


def _pair_marginals():
    return {
        "training.mfu": marginal(_assumption("training.mfu", 0.4, 0.3, 0.45)),
        "training.availability": marginal(_assumption("training.availability", 0.87, 0.8,
                                                      0.95)),
        "site.pue": marginal(_assumption("site.pue", 1.2, 1.1, 1.4)),
    }


@settings(max_examples=12, deadline=None)
@given(rank=rank_correlations())
def test_declared_rank_correlation_is_the_correlation_obtained(rank):
    corr = Correlation(("training.mfu", "training.availability"), rank, "test")
    sampler = JointSampler(_pair_marginals(), [corr], seed=4)
    x = sampler.draw(40_000)
    got = spearmanr(x["training.mfu"], x["training.availability"])[0]
    assert got == pytest.approx(rank, abs=0.02)
    assert abs(spearmanr(x["training.mfu"], x["site.pue"])[0]) < 0.02


def test_an_overridden_input_keeps_its_correlation_with_a_shared_one():
    """The scenario widens MFU: availability stays the baseline's very samples, and the
    scenario's MFU is drawn conditionally on them, so the declared correlation holds."""
    corr = Correlation(("training.mfu", "training.availability"), -0.5, "test")
    base = JointSampler(_pair_marginals(), [corr], seed=9)
    mine = dict(_pair_marginals())
    mine["training.mfu"] = marginal(_assumption("training.mfu", 0.5, 0.35, 0.6))
    own = JointSampler(mine, [corr], seed=9, tag=5, reference=base)
    assert own.shared == {"training.availability", "site.pue"}
    xb, xs = base.draw(50_000), own.draw(50_000)
    assert xs["training.availability"] is xb["training.availability"]
    assert spearmanr(xs["training.mfu"], xs["training.availability"])[0] == pytest.approx(
        -0.5, abs=0.02)
    s = summarize(xs["training.mfu"])
    assert abs(s.p5 - 0.35) < 4 * s.p5_se and abs(s.p95 - 0.6) < 4 * s.p95_se


def test_correlations_that_cannot_hold_together_are_refused():
    keys = ["training.mfu", "training.availability", "site.pue"]
    bad = [Correlation(("training.mfu", "training.availability"), 0.9, "t", origin="f.yaml"),
           Correlation(("training.mfu", "site.pue"), 0.9, "t", origin="f.yaml"),
           Correlation(("training.availability", "site.pue"), -0.9, "t", origin="f.yaml")]
    with pytest.raises(CapcalcError, match="cannot all hold") as info:
        normal_correlation(keys, bad)
    assert info.value.file == "f.yaml" and info.value.key == "correlations"


def test_the_shipped_mfu_availability_correlation_reaches_the_samples():
    library = calc.load()
    declared = {c.pair: c.rank for c in library.baseline.correlations}
    rank = declared[frozenset({"training.mfu", "training.availability"})]
    sim = calc.simulate(library, "cortex-full", samples=40_000, seed=2)
    got = spearmanr(sim.inputs["training.mfu"], sim.inputs["training.availability"])[0]
    assert got == pytest.approx(rank, abs=0.02)


# ---------------------------------------------------------------- YAML


def test_a_scenario_file_replaces_and_adds_correlations(tmp_path):
    path = tmp_path / "corr.yaml"
    path.write_text(yaml.safe_dump({
        "name": "corr", "base": "cortex-phase1",
        "correlations": [
            {"keys": ["training.availability", "training.mfu"], "rank": 0.3,
             "source": "assumption", "note": "a better-run cluster gets both"},
            {"keys": ["site.pue", "site.it_overhead"], "rank": 0.4, "source": "assumption",
             "note": "dense sites cool and network at once"},
        ]}), encoding="utf-8")
    library, names = calc.load().add_file(path)
    ranks = {c.pair: c.rank for c in library.scenario(names[0]).correlations}
    assert ranks[frozenset({"training.mfu", "training.availability"})] == 0.3
    assert ranks[frozenset({"site.pue", "site.it_overhead"})] == 0.4
    sim = calc.simulate(library, "corr", samples=40_000, seed=1)
    assert spearmanr(sim.inputs["site.pue"], sim.inputs["site.it_overhead"])[0] == \
        pytest.approx(0.4, abs=0.02)


@pytest.mark.parametrize(("entry", "words"), [
    ({"keys": ["training.mfu", "training.mfux"], "rank": 0.3, "source": "s"}, "unknown"),
    ({"keys": ["training.mfu", "training.precision"], "rank": 0.3, "source": "s"}, "a name"),
    ({"keys": ["training.mfu", "training.mfu"], "rank": 0.3, "source": "s"}, "twice"),
    ({"keys": ["training.mfu", "site.pue"], "rank": 1.5, "source": "s"}, "1"),
    ({"keys": ["training.mfu", "site.pue"], "rank": 0.5, "source": "assumption"}, "note"),
])
def test_a_bad_correlation_is_one_line_naming_file_and_key(tmp_path, entry, words):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"base": "cortex-phase1", "correlations": [entry]}),
                    encoding="utf-8")
    with pytest.raises(CapcalcError, match=words) as info:
        calc.load().add_file(path)
    assert "bad.yaml" in str(info.value.file)
    assert str(info.value.key).startswith("correlations")


def test_marginals_skip_inputs_without_spread():
    library = calc.load()
    found = marginals(library.scenario("cortex-full").assumptions)
    assert "site.facility_power_mw" not in found  # set to 500 without a range
    assert "training.mfu" in found and "hardware.tdp_w" not in found
