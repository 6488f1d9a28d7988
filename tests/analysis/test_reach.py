"""The 10x date said as a range: sampled median with its 10-90 % range and the chance by the
horizon, the month at central values, and the operator's pace beside them."""

from __future__ import annotations

import json

import pytest

import calc
from calc.analysis.limits import ANSWER_SAMPLES
from calc.analysis.reach import reach
from calc.analysis.timeline import run_timeline
from calc.core.months import month_index
from calc.presentation.answer import answer_for
from calc.presentation.formatting import month_text
from calc.presentation.reach import reach_lines


@pytest.fixture(scope="module")
def cortex(library, peers):  # type: ignore[no-untyped-def]
    return reach(library, library.scenario("cortex-buildout"), peers)


def test_the_corrected_cortex_buildout_golden_dates(cortex):
    """The shipped build-out, seed 0 and 2,000 samples, announced phases slipping by Tesla's
    record: at central values 10x comes in 2029-10, when phase 1's H100 retire and a trend
    chip of 2029 replaces them; sampled, the median is 2030-02 (10-90 %: 2029-04 to
    2030-11) and 93 % of the samples reach it by 2030-12. Tesla's own pace gives 2028-08
    (2028-05 to 2029-08). Re-record only with a model change said in the CHANGELOG."""
    assert cortex.sampled.samples == ANSWER_SAMPLES and cortex.sampled.seed == 0
    assert cortex.central == "2029-10"
    assert cortex.months == ("2029-04", "2030-02", "2030-11")
    assert cortex.p_by_horizon == pytest.approx(0.93, abs=0.005)
    assert cortex.pace_months == ("2028-08", "2028-05", "2029-08")
    assert cortex.slip is not None and cortex.slip.record == "Tesla"
    assert cortex.warning is not None and cortex.warning.ratio > 1.5


def test_the_range_holds_the_median_and_other_seeds_agree_within_a_month(library, peers,
                                                                        cortex):
    low, median, high = (month_index(m) for m in cortex.months if m)
    assert low <= median <= high
    other = reach(library, library.scenario("cortex-buildout"), peers, seed=1)
    for a, b in zip(cortex.months, other.months, strict=True):
        assert a is not None and b is not None and abs(month_index(a) - month_index(b)) <= 1


def test_no_slip_keeps_the_announced_dates(library, peers):
    scenario = library.scenario("cortex-buildout")
    plain = reach(library, scenario, peers, slip="none", samples=200)
    assert plain.slip is None
    assert plain.timeline.series["compute_multiple"].tolist() == \
        run_timeline(library, scenario).series["compute_multiple"].tolist()
    slipped = reach(library, scenario, peers, samples=200)
    assert [p.begins for p in slipped.timeline.phases][-1] > scenario.timeline[-1].begins


def test_every_answer_gives_the_range_the_central_month_and_the_pace(library, cortex):
    lines = reach_lines(cortex)
    low, median, high = cortex.months
    assert median is not None and low is not None and high is not None
    first = lines[0]
    for month in (median, low, high):
        assert month_text(month) in first
    assert f"at central values in {month_text('2029-10')}" in first
    assert "P(10× by December 2030) = 93 %" in first
    assert any(line.startswith("At Tesla's own pace") for line in lines)
    assert any(line.startswith("Warning: the modelled build-out runs above") for line in lines)
    # a scenario without phases of its own says whose build-out its date belongs to
    text = answer_for(library, calc.run(library, "cortex-phase1"))
    assert ("cortex-phase1 has no build-out of its own: on the phases of the story's "
            "build-out, Cortex build-out (cortex-buildout), with cortex-phase1's other inputs, "
            "it reaches 10× in") in text
    assert "at central values in" in text and "At Tesla's own pace" in text


def test_the_json_form_is_plain_data(cortex):
    document = json.loads(json.dumps(cortex.as_dict()))
    assert document["median_month"] == cortex.months[1]
    assert document["central_month"] == cortex.central
    assert document["pace"]["month"] == "2028-08"
    assert document["slip"]["record"] == "Tesla"
    assert document["pace_warning"]["factor"] == 1.5
