"""Tesla's pace: an exponential through its stated compute, its month of 10x, and the warning
when a build-out runs above it."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from calc.analysis.pace import fit_pace, operator_pace, pace_warning
from calc.analysis.timeline import run_timeline
from calc.core.errors import CapcalcError
from calc.core.months import month_index, month_label
from calc.data.peers import StatedCompute, parse_peers

from tests.paths import PEERS_FILE


def _stated(month: str, h100e: float) -> StatedCompute:
    return StatedCompute(operator="T", date=month, h100_equivalents=h100e,
                         source="https://example.org", confidence="secondary")


def test_teslas_pace_is_the_hand_calculation(peers):
    """Tesla's statements: 15k (2023-12), 35k (2024-03), 67k (2025-06), at least 134k
    (2026-06); t = 0, 0.25, 1.5, 2.5 years, ln(H100e) = 9.6158, 10.4631, 11.1124, 11.8056.
    Least squares: mean t 1.0625, mean ln 10.7492, Sxy 3.1142, Sxx 4.0469, slope 0.7695 a
    year, e^0.7695 = 2.159x a year. Steps a year or more apart walking back from 2026-06:
    2025-06 → 2026-06 (134 / 67 = 2.0) and 2024-03 → 2025-06 ((67 / 35)^(12/15) = 1.681);
    the whole record (134 / 15)^(12/30) = 2.401. So 1.681 to 2.401."""
    pace = operator_pace(peers, "Tesla")
    assert pace is not None and pace.operator == "Tesla"
    assert pace.growth == pytest.approx(2.1587, abs=5e-4)
    assert pace.slowest == pytest.approx(1.6811, abs=5e-4)
    assert pace.fastest == pytest.approx(2.4011, abs=5e-4)
    assert (month_label(pace.anchor), pace.anchor_h100e) == ("2026-06", 134_000)
    # 10x of 67k = 670k = 5x the anchor: 12 ln 5 / ln g months after 2026-06, rounded up
    # 25.10 → 26 (2028-08), 22.06 → 23 (2028-05), 37.18 → 38 (2029-08)
    central, earliest, latest = (month_label(m) for m in pace.months_of(670_000))
    assert (central, earliest, latest) == ("2028-08", "2028-05", "2029-08")
    assert pace.h100e([pace.anchor + 12])[0] == pytest.approx(134_000 * pace.growth)


def test_statements_of_one_month_and_too_few_statements():
    assert fit_pace([_stated("2025-06", 1e3)], min_step_months=12) is None
    pace = fit_pace([_stated("2024-06", 1e3), _stated("2025-06", 2e3), _stated("2025-06", 3e3)],
                    min_step_months=12)
    assert pace is not None and pace.growth == pytest.approx(3.0)  # the month's last figure
    assert pace.slowest == pytest.approx(3.0) and pace.fastest == pytest.approx(3.0)


def test_the_warning_fires_above_the_pace_and_not_below(library, peers):
    pace = operator_pace(peers, "Tesla")
    assert pace is not None
    months = [month_label(pace.anchor + k) for k in range(-3, 13)]
    index = [month_index(m) for m in months]
    _, most = pace.band(index)
    factor = peers.pace.warn_factor.value
    assert pace_warning(pace, months, most * factor * 0.99, factor) is None
    above = most * 0.5
    above[5] = most[5] * factor * 2  # one month at twice the allowed
    warning = pace_warning(pace, months, above, factor)
    assert warning is not None and warning.months == 1
    assert (warning.first, warning.worst, warning.last) == (months[5],) * 3
    assert warning.ratio == pytest.approx(2 * factor)
    # months before the operator's first statement are never held against it
    early = [month_label(pace.points[0][0] - k) for k in (3, 2, 1)]
    assert pace_warning(pace, early, [1e9] * 3, factor) is None
    # the shipped build-out: Cortex 2's 500 MW of GB200 in mid-2026 is well above Tesla's
    # "more than double" (>134k): flagged; the refreshed site of 2030 is not
    timeline = run_timeline(library, library.scenario("cortex-buildout"))
    shipped = pace_warning(pace, timeline.months, timeline.series["h100_equivalents"], factor)
    assert shipped is not None and shipped.worst == "2026-07" and shipped.ratio > 2
    assert shipped.last < "2029-01"


def test_a_higher_warn_factor_in_the_file_silences_the_warning(library):
    raw = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))
    data = copy.deepcopy(raw)
    data["pace"]["warn_factor"]["value"] = 10.0
    peers = parse_peers(data, source="peers.yaml")
    pace = operator_pace(peers, "Tesla")
    assert pace is not None
    timeline = run_timeline(library, library.scenario("cortex-buildout"))
    assert pace_warning(pace, timeline.months, np.asarray(timeline.series["h100_equivalents"]),
                        peers.pace.warn_factor.value) is None
    data["pace"]["warn_factor"]["value"] = 0.5
    with pytest.raises(Exception, match="warn_factor must be 1 to 100"):
        parse_peers(data, source="peers.yaml")


def test_a_peers_file_without_its_pace_section_is_one_line():
    raw = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))
    del raw["pace"]
    with pytest.raises(CapcalcError, match=r"^mine\.yaml: pace: missing: the file needs its "
                                           r"pace: section") as info:
        parse_peers(raw, source="mine.yaml")
    assert "\n" not in str(info.value)
