"""Input distributions: median and 90 % interval reproduced, bounds kept, rank correlation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from scipy.stats import spearmanr

import calc
from calc.analysis.distributions import fit, fit_marginal, marginal, marginals
from calc.analysis.joint_sampling import JointSampler, normal_correlation, stream
from calc.analysis.montecarlo import summarize
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS
from calc.data.assumptions import Assumption, Correlation

from tests.strategies import intervals, pinned, rank_correlations


def _assumption(key: str, value: float, low: float | None, high: float | None,
                dist: str | None = None) -> Assumption:
    return Assumption(key=key, value=value, unit=INPUTS[key].unit, source="test",
                      as_of="2025", low=low, high=high, dist=dist)


#: The input key each catalog figure feeds (its valid range applies to the figure).
_CATALOG_INPUT = {"tdp_w": "hardware.tdp_w", "server_overhead": "hardware.server_overhead",
                  "bf16_flop_per_s": "hardware.peak_flop_per_s",
                  "fp8_flop_per_s": "hardware.peak_8bit_flop_per_s",
                  "capex_usd": "cost.accelerator_capex_usd",
                  "cloud_usd_per_hour": "cost.cloud_usd_per_accelerator_hour",
                  "mfu_at_scale": "training.mfu"}


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


@settings(max_examples=80, deadline=None)
@given(case=intervals(max_ratio=1e3))
@pinned
def test_the_fit_goes_through_the_median_and_the_90_percent_interval(case):
    """Quantiles at 5 %, 50 % and 95 % are low, value and high, exactly (truncation
    refitted), for every family that can have them; a family that cannot says so."""
    key, family, value, low, high = case
    if family == "lognormal" and low <= 0:
        return
    try:
        m = fit_marginal(key, family, value, low, high)
    except ValueError as exc:
        assert family in ("triangular", "pert") and "no " + family in str(exc)
        return
    u_lo, u_hi = m.u_range
    q = m.quantile(np.array([0.05, 0.5, 0.95]))
    exact = np.abs(q - np.array([low, value, high])) <= 1e-6 * (high - low) + 1e-12
    if not exact.all():
        # no member of the family has these points inside the valid range: the plain fit
        # was kept, and truncation moved a percentile by at most the mass it cut off
        assert m.params == pytest.approx(fit(family, value, low, high))
        assert u_lo > 1e-12 or u_hi < 1 - 1e-12


def test_the_default_lognormal_has_the_value_as_its_median():
    centre, below, above = fit("lognormal", 100.0, 90.0, 130.0)
    assert math.exp(centre) == pytest.approx(100.0)
    assert math.exp(centre - 1.6448536269514722 * below) == pytest.approx(90.0)
    assert math.exp(centre + 1.6448536269514722 * above) == pytest.approx(130.0)
    # with value at the geometric mean it is the plain lognormal of the interval
    centre, below, above = fit("lognormal", math.sqrt(90.0 * 130.0), 90.0, 130.0)
    assert below == pytest.approx(above)


def test_every_shipped_input_and_family_reproduces_its_three_points(library):
    """For each input with a range in any shipped scenario or the catalog, every family
    either reproduces p5/p50/p95 or refuses with one line naming the key."""
    checked = refused = 0
    entries = [a for name in library.names for a in library.scenario(name).assumptions.values()]
    entries += [a for acc in library.baseline.catalog.values() for a in acc.entries.values()]
    seen: set[tuple[str, float, float, float]] = set()
    for a in entries:
        if a.low is None or a.high is None or not isinstance(a.value, float) or a.low == a.high:
            continue
        key = a.key if a.key in INPUTS else _CATALOG_INPUT[a.key.rsplit(".", 1)[1]]
        if (key, a.value, a.low, a.high) in seen:
            continue
        seen.add((key, a.value, a.low, a.high))
        for family in ("lognormal", "normal", "uniform", "triangular", "pert"):
            try:
                m = marginal(_assumption(key, a.value, a.low, a.high, family))
            except CapcalcError as exc:
                assert family in ("triangular", "pert"), (a.key, family, exc)
                assert exc.key == key and "\n" not in str(exc)
                refused += 1
                continue
            assert m is not None
            q = m.quantile(np.array([0.05, 0.5, 0.95]))
            np.testing.assert_allclose(q, [a.low, a.value, a.high],
                                       rtol=1e-6, atol=1e-6 * (a.high - a.low))
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(("key", "value", "low", "high"), [
    ("cost.electricity_usd_per_mwh", 60.0, 30.0, 90.0),    # nothing truncated
    ("training.availability", 0.87, 0.80, 0.95),           # truncated at 1, refitted
    ("site.load_factor", 0.75, 0.6, 0.95),                 # truncated at 1, refitted
    ("site.pue", 1.2, 1.1, 1.4),                           # skewed, truncated at 1
])
def test_a_lognormal_inputs_sampled_percentiles_reproduce_its_three_points(key, value, low,
                                                                           high):
    m = marginal(_assumption(key, value, low, high))
    assert m is not None and m.family == "lognormal"
    for draw in (lambda n: m.sample(stream(11, key), n),
                 lambda n: m.from_normal(stream(12, key).standard_normal(n))):
        s = summarize(draw(200_000))
        assert abs(s.p5 - low) < 4 * s.p5_se
        assert abs(s.p50 - value) < 4 * s.p50_se
        assert abs(s.p95 - high) < 4 * s.p95_se


@pytest.mark.parametrize("family", ["normal", "uniform", "triangular", "pert"])
def test_every_family_reproduces_the_three_points_when_sampled(family):
    m = marginal(_assumption("training.run_days", 85.0, 60.0, 120.0, family))
    assert m is not None and m.family == family
    s = summarize(m.sample(stream(5, "x"), 200_000))
    assert abs(s.p5 - 60.0) < 4 * s.p5_se
    assert abs(s.p50 - 85.0) < 4 * s.p50_se
    assert abs(s.p95 - 120.0) < 4 * s.p95_se


def test_a_family_that_cannot_have_the_points_is_refused_in_one_line():
    with pytest.raises(CapcalcError, match="no triangular distribution") as caught:
        marginal(_assumption("training.run_days", 62.0, 60.0, 120.0, "triangular"))
    assert caught.value.key == "training.run_days" and "dist: lognormal" in str(caught.value)


def test_a_value_outside_its_interval_is_refused():
    with pytest.raises(CapcalcError, match="median"):
        marginal(_assumption("training.run_days", 50.0, 60.0, 120.0))


def test_every_shipped_inputs_sample_median_is_its_value(library):
    sim = calc.simulate(library, "cortex-full", samples=100_000, seed=4)
    for key, samples in {**sim.baseline_inputs, **sim.inputs}.items():
        value = float(sim.scenario[key] if key in sim.inputs else sim.baseline[key])
        s = summarize(samples)
        assert abs(s.p50 - value) <= 4 * s.p50_se + 1e-12 * abs(value), key


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
