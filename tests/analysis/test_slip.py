"""Schedule slip: the announced-versus-delivered record in peers.yaml and the default slip."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.analysis.slip import (
    SlipDistribution,
    default_slip,
    kaplan_meier_weights,
    slip_months,
    slip_quantiles,
    slip_table,
)
from calc.core.errors import CapcalcError
from calc.data.peers import PeersFile, load_peers, parse_peers, source_links

from tests.paths import PEERS_FILE

RAW = yaml.safe_load(PEERS_FILE.read_text(encoding="utf-8"))

#: Each shipped milestone's slip, counted by hand from its dates (months; negative = early).
HAND_COUNTED: dict[str, float] = {
    "tesla-cortex-50k-h100": 2,          # due 2024-10, deployed by 2024-12 (end of Q4)
    "tesla-85k-h100e-2024": 16,          # due 2024-12, passed with Cortex 2 in 2026-04
    "tesla-500mw-18-months": 6,          # due 2025-12, still projected 2026-06: at least 6
    "tesla-dojo-100-exaflops": 10,       # due 2024-10, disbanded 2025-08: at least 10
    "tesla-cortex2-online": 0,           # due 2026-04, online 2026-04-22
    "tesla-cortex2-full-build": -1,      # due 2026-06, still projected at 2026-05: at least -1
    "colossus-1-100k-h100": -12,         # due 2025-09, 100k H100 online 2024-09-02
    "colossus-2-1gw": 5,                 # claimed 2026-01, ~1 GW crossed by 2026-06
    "colossus-2-1500mw": 5,              # due 2026-04, still short at 2026-09: at least 5
    "stargate-abilene-phase1": 0,        # due 2025-06 (1H 2025), energized 2025-06
    "stargate-abilene-full-build": 5,    # due 2026-06, revised to 2026-11: at least 5
    "fairwater-wisconsin-online": 1,     # due 2026-03 (early 2026), online 2026-04
    "rainier-online": -2,                # due 2025-12 (later this year), live 2025-10-29
}
#: Months from each promise to its due month, counted by hand; under three are not fitted.
HAND_HORIZON: dict[str, int] = {
    "tesla-cortex-50k-h100": 0, "tesla-85k-h100e-2024": 8, "tesla-500mw-18-months": 18,
    "tesla-dojo-100-exaflops": 15, "tesla-cortex2-online": 1, "tesla-cortex2-full-build": 3,
    "colossus-1-100k-h100": 16, "colossus-2-1gw": 0, "colossus-2-1500mw": 3,
    "stargate-abilene-phase1": 3, "stargate-abilene-full-build": 15,
    "fairwater-wisconsin-online": 6, "rainier-online": 5,
}


def _months(date: str) -> int:
    year, month = date.split("-")[:2]
    return int(year) * 12 + int(month) - 1


def _date(months: int) -> str:
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


def _milestone(ident: str, slip: int, *, late: bool = False, **changes: Any) -> dict[str, Any]:
    """A milestone due 2024-01, delivered ``slip`` months later (or still late at that point)."""
    due = _months("2024-01")
    row: dict[str, Any] = {
        "id": ident, "site": "Test site", "operator": "Test", "milestone": "100k GPUs online",
        "announced": "2024-01", "announced_as": "in January 2024", "announced_on": "2020-01",
        "announced_in": "a test", "status": "not_delivered" if late else "delivered",
        "source": "https://example.org/x", "confidence": "secondary",
    }
    row["as_of" if late else "delivered"] = _date(due + slip)
    row.update(changes)
    return row


def _with_schedules(rows: list[dict[str, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    data["schedules"] = rows
    return data


def _parse(rows: list[dict[str, Any]]) -> PeersFile:
    return parse_peers(_with_schedules(rows), source="peers.yaml")


# ------------------------------------------------------------------ the shipped record


def test_every_milestone_slip_matches_the_count_from_its_dates(peers):
    milestones = {m.id: m for m in peers.schedules}
    assert set(milestones) == set(HAND_COUNTED)
    for ident, expected in HAND_COUNTED.items():
        m = milestones[ident]
        assert slip_months(m) == expected, ident
        end = m.delivered if m.status == "delivered" else m.as_of
        counted = _months(end) - _months(m.announced)
        if m.status == "not_delivered" and m.revised:
            counted = max(counted, _months(m.revised) - _months(m.announced))
        assert slip_months(m) == counted, ident


def test_every_milestone_is_sourced_and_dated_consistently(peers):
    assert len(peers.schedules) >= 5
    for m in peers.schedules:
        assert source_links(m.source), f"{m.id}: no URL in its source"
        assert m.announced_as and m.announced_in
        assert (m.delivered is None) == (m.status == "not_delivered"), m.id
    sites = " | ".join(m.site for m in peers.schedules)
    for name in ("Cortex", "Colossus 1", "Colossus 2", "Stargate Abilene"):
        assert name in sites, name


def test_the_shipped_file_gives_a_distribution_from_five_or_more_milestones(peers):
    slip = default_slip(peers)
    assert slip.n >= 5
    assert slip.low <= slip.value <= slip.high
    assert 0 < slip.censored < slip.n
    used = {m.id: m for m in peers.schedules}
    assert set(slip.sources) <= set(used)
    assert all(used[i].confidence != "unconfirmed" for i in slip.sources)
    assert all(isinstance(v, int) for v in (slip.value, slip.low, slip.high))
    delays = slip.delays()
    assert delays.low == max(slip.low, 0) and delays.value == max(slip.value, 0)
    assert delays.high == max(slip.high, 0) and delays.n == slip.n
    assert "Kaplan-Meier" in slip.method and "\n" not in slip.method
    json.dumps(slip.as_dict())


def test_the_table_lists_every_milestone_with_its_slip(peers):
    rows = slip_table(peers)
    assert [r.id for r in rows] == [m.id for m in peers.schedules]
    for row in rows:
        assert row.slip_months == HAND_COUNTED[row.id]
        assert row.horizon_months == HAND_HORIZON[row.id]
        assert row.fitted == (HAND_HORIZON[row.id] >= 3)
        assert row.censored == (row.as_of is not None)
        shown = row.as_dict()
        assert set(shown) == {"id", "site", "operator", "milestone", "announced",
                              "delivered_or_as_of", "slip_months", "censored", "confidence",
                              "horizon_months", "fitted"}
        assert shown["delivered_or_as_of"] in (row.delivered, row.as_of)


def test_a_weaker_or_stronger_confidence_changes_which_milestones_count(peers):
    everything = default_slip(peers, weakest="unconfirmed")
    assert everything.n == sum(h >= 3 for h in HAND_HORIZON.values())
    confirmed = default_slip(peers, weakest="confirmed")
    assert all(next(m for m in peers.schedules if m.id == i).confidence == "confirmed"
               for i in confirmed.sources)
    with pytest.raises(CapcalcError, match="not a confidence level"):
        default_slip(peers, weakest="rumoured")


def test_promises_made_under_three_months_ahead_are_kept_but_not_fitted(peers):
    short = {i for i, h in HAND_HORIZON.items() if h < 3}
    assert short == {"tesla-cortex-50k-h100", "tesla-cortex2-online", "colossus-2-1gw"}
    slip = default_slip(peers)
    assert not short & set(slip.sources) and slip.short == len(short)
    assert short <= {m.id for m in peers.schedules}


def test_the_default_is_teslas_record_shrunk_toward_the_others_by_hand(peers):
    """Tesla's fitted milestones: 85k H100e (16, exact), >500 MW (at least 6), Dojo (at least
    10). Kaplan-Meier moves the two censored weights onto 16: all of Tesla's mass sits at 16.
    The other operators' five: -12, -2, 0, 1 and Abilene's full build at least 5 (the last,
    kept at its bound), 1/5 each. With k = 3 prior milestones Tesla's record weighs
    3 / (3 + 3) = 1/2: the pooled weights are 0.1 x 5 and 0.5, their middles 0.05, 0.15,
    0.25, 0.35, 0.45 and 0.75, so p50 = 5 + (0.5 - 0.45) / (0.75 - 0.45) x (16 - 5) = 6.83
    → 7; p5 = -12 (before the first middle) and p95 = 16 (after the last)."""
    slip = default_slip(peers, operator="Tesla")
    assert (slip.record, slip.own, slip.weight) == ("Tesla", 3, pytest.approx(0.5))
    assert (slip.value, slip.low, slip.high) == (7, -12, 16)
    assert (slip.delays().value, slip.delays().low, slip.delays().high) == (7, 0, 16)
    pooled = default_slip(peers, "peers")
    # pooled: -12, -2, 0, 1 at 1/8 each, the censored 5, 6, 10 pass theirs on to 16 (1/2):
    # middles 1/16, 3/16, 5/16, 7/16 and 3/4, so p50 = 1 + (1/2 - 7/16) / (3/4 - 7/16) x 15 = 4
    assert (pooled.record, pooled.value, pooled.low, pooled.high) == ("peers", 4, -12, 16)
    assert default_slip(peers, "TESLA") == slip  # an operator's name in any case
    with pytest.raises(CapcalcError, match=r"no schedule record of 'Teslaa'.*did you mean"):
        default_slip(peers, "Teslaa")


def test_kaplan_meier_quantiles_match_a_hand_computation():
    """Slips 1, at least 3, 4, at least 8, 10 (months). Each starts at 1/5; the late 3 passes
    its 1/5 in thirds to 4, 8 and 10 (4/15 each), the late 8 its 4/15 to 10 (8/15). So 1,
    4 and 10 weigh 3/15, 4/15 and 8/15, their middles sit at 0.1, 1/3 and 11/15: p5 = 1,
    p50 = 4 + (0.5 - 1/3) / (11/15 - 1/3) x 6 = 6.5, p95 = 10."""
    values, weights = kaplan_meier_weights([1, 3, 4, 8, 10], [False, True, False, True, False])
    assert values.tolist() == [1, 4, 10]
    assert weights == pytest.approx([3 / 15, 4 / 15, 8 / 15])
    assert slip_quantiles([1, 3, 4, 8, 10], [False, True, False, True, False]) == \
        pytest.approx([1.0, 6.5, 10.0])
    peers = _parse([_milestone("a", 1), _milestone("b", 3, late=True), _milestone("c", 4),
                    _milestone("d", 8, late=True), _milestone("e", 10)])
    slip = default_slip(peers)
    assert (slip.low, slip.value, slip.high) == (1, 7, 10)  # 6.5 rounds half up


def test_a_record_of_900_month_delays_is_refused_in_one_line():
    """Dates decades apart (a typo in a year) would give a slip beyond the longest delay a
    phase may take; it is refused rather than sampled as something it does not mean."""
    peers = _parse([_milestone("a", 900), _milestone("b", 905), _milestone("c", 910)])
    with pytest.raises(CapcalcError, match=r"up to 910 months.*beyond the 600 months") as info:
        default_slip(peers)
    assert info.value.key == "schedules" and "\n" not in str(info.value)


# ------------------------------------------------------------------ the method


def test_without_censoring_the_median_is_the_median_of_the_slips():
    slips = [3, -2, 0, 7, 1, 12]
    peers = _parse([_milestone(f"m{i}", s) for i, s in enumerate(slips)])
    slip = default_slip(peers)
    assert slip.low <= slip.value <= slip.high
    assert slip.value == int(np.floor(np.median(slips) + 0.5))  # 2.0 → 2
    assert (slip.low, slip.high) == (-2, 12)  # Hazen positions: beyond the ends at n = 6
    assert (slip.n, slip.censored) == (6, 0)


def test_a_yaml_file_on_disk_goes_through_the_loader(tmp_path):
    path = tmp_path / "peers.yaml"
    path.write_text(yaml.safe_dump(_with_schedules(
        [_milestone("a", 1), _milestone("b", 5), _milestone("c", 2, late=True)])),
        encoding="utf-8")
    peers = load_peers(path)
    slip = default_slip(peers)
    # c (at least 2) moves its weight to b: a and b weigh 1/3 and 2/3, their middles sit
    # at 1/6 and 2/3, and the median interpolates 1 + (1/2 - 1/6) / (2/3 - 1/6) * 4 = 3.67
    values, weights = kaplan_meier_weights([1, 5, 2], [False, False, True])
    assert values.tolist() == [1, 5] and weights == pytest.approx([1 / 3, 2 / 3])
    assert (slip.n, slip.censored, slip.value, slip.low, slip.high) == (3, 1, 4, 1, 5)


def test_a_milestone_late_beyond_every_delivery_is_kept_as_a_floor():
    peers = _parse([_milestone("a", 0), _milestone("b", 1), _milestone("c", 9, late=True)])
    assert default_slip(peers).high == 9


def test_a_revised_date_raises_the_least_slip_of_a_late_milestone():
    peers = _parse([_milestone("a", 2, late=True, revised="2024-12")])
    assert slip_months(peers.schedules[0]) == 11
    delivered = _parse([_milestone("b", 3, revised="2024-12")])
    assert slip_months(delivered.schedules[0]) == 3  # a delivered milestone's slip is exact


def test_no_milestone_is_one_line():
    with pytest.raises(CapcalcError, match="no schedule milestone") as info:
        default_slip(_parse([]))
    assert info.value.key == "schedules" and "\n" not in str(info.value)


slips = st.integers(min_value=-12, max_value=24)
observations = st.lists(st.tuples(slips, st.booleans()), min_size=1, max_size=8)


@given(observations=observations, extra=st.integers(min_value=-14, max_value=30))
@settings(max_examples=300, deadline=None)
def test_a_censored_observation_never_lowers_a_quantile(observations, extra):
    values = [float(s) for s, _ in observations]
    late = [c for _, c in observations]
    probabilities = np.linspace(0.01, 0.99, 25)
    before = slip_quantiles(values, late, probabilities)
    after = slip_quantiles([*values, float(extra)], [*late, True], probabilities)
    assert np.all(after >= before - 1e-9)


@given(observations=observations, extra=st.integers(min_value=-14, max_value=30))
@settings(max_examples=40, deadline=None)
def test_a_not_delivered_milestone_never_lowers_the_default_slip(observations, extra):
    rows = [_milestone(f"m{i}", s, late=c) for i, (s, c) in enumerate(observations)]
    before = default_slip(_parse(rows))
    after = default_slip(_parse([*rows, _milestone("extra", extra, late=True)]))
    assert after.value >= before.value and after.low >= before.low
    assert after.high >= before.high
    assert (after.n, after.censored) == (before.n + 1, before.censored + 1)
    for slip in (before, after):
        assert slip.low <= slip.value <= slip.high


@given(observations=st.lists(slips, min_size=1, max_size=9))
@settings(max_examples=200, deadline=None)
def test_without_censoring_the_p50_is_numpys_median(observations):
    values = [float(s) for s in observations]
    p5, p50, p95 = slip_quantiles(values, [False] * len(values), (0.05, 0.5, 0.95))
    assert p50 == pytest.approx(np.median(values))
    assert min(values) <= p5 <= p50 <= p95 <= max(values)


def test_weights_sum_to_one_and_sit_on_delivered_slips_or_the_last_bound():
    values, weights = kaplan_meier_weights([4, 1, 4, 6, 2], [True, False, False, True, True])
    assert weights.sum() == pytest.approx(1)
    assert values.tolist() == [1, 4, 6]  # 2 and the censored 4 pass on; 6 is the last bound
    with pytest.raises(ValueError, match="one length"):
        kaplan_meier_weights([1, 2], [True])


def test_clipping_keeps_the_fields_and_the_method():
    slip = SlipDistribution(value=-1, low=-5, high=3, n=4, censored=1, sources=("a",))
    assert (slip.delays().value, slip.delays().low, slip.delays().high) == (0, 0, 3)
    assert slip.delays().sources == ("a",) and slip.delays().method == slip.method


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("changes", "fragment", "key"), [
    ({"delivered": "2019-06"}, "before announced_on", "schedules[bad].delivered"),
    ({"delivered": "2019-12-31", "announced_on": "2020-01-02"}, "before announced_on",
     "schedules[bad].delivered"),
    ({"announced": "2024-13"}, "is not a date", "schedules[bad].announced"),
    ({"announced": "2024"}, "needs a month", "schedules[bad].announced"),
    ({"delivered": "Q4 2024"}, "is not a date", "schedules[bad].delivered"),
    ({"announced_on": "2024-02-30"}, "is not a date", "schedules[bad].announced_on"),
    ({"status": "late"}, "delivered", "schedules[bad].status"),
    ({"confidence": "sure"}, "confirmed", "schedules[bad].confidence"),
    ({"delay": 3}, "unknown key", "schedules[bad].delay"),
    ({"as_of": "2024-06"}, "no `as_of:`", "schedules[bad]"),
])
def test_a_mistake_names_the_milestone_and_the_key(changes, fragment, key):
    with pytest.raises(CapcalcError) as info:
        _parse([_milestone("ok", 1), _milestone("bad", 1, **changes)])
    error = info.value
    assert (error.file, error.key) == ("peers.yaml", key)
    assert fragment in error.message
    assert "\n" not in str(error)


def test_a_late_milestone_needs_its_as_of_date():
    row = _milestone("bad", 3, late=True)
    del row["as_of"]
    with pytest.raises(CapcalcError, match="needs `as_of:`") as info:
        _parse([row])
    assert info.value.key == "schedules[bad]"
    with pytest.raises(CapcalcError, match="before announced_on") as info:
        _parse([_milestone("early", 3, late=True, as_of="2019-01")])
    assert info.value.key == "schedules[early].as_of"


def test_a_missing_key_says_what_a_milestone_needs():
    row = _milestone("bad", 1)
    del row["announced_in"]
    with pytest.raises(CapcalcError, match="every milestone needs") as info:
        _parse([row])
    assert info.value.key == "schedules[bad].announced_in"


def test_an_unknown_peer_id_names_the_milestone_and_suggests_a_row():
    with pytest.raises(CapcalcError) as info:
        _parse([_milestone("bad", 1, peer="colossus-1-2024-9")])
    text = str(info.value)
    assert "schedules[bad].peer 'colossus-1-2024-9' is not a peer id" in text
    assert "colossus-1-2024-09" in text and "\n" not in text
    linked = _parse([_milestone("good", 1, peer="colossus-1-2024-09")])
    assert linked.schedules[0].peer == "colossus-1-2024-09"


def test_milestone_ids_are_unique():
    with pytest.raises(CapcalcError, match=r"schedules\[twice\].id is used twice"):
        _parse([_milestone("twice", 1), _milestone("twice", 2)])


def test_every_shipped_milestone_links_to_a_real_row(peers):
    """Each shipped milestone names the peers.yaml row of its site (validated on load)."""
    ids = {peer.id for peer in peers.peers}
    assert peers.schedules
    assert all(m.peer in ids for m in peers.schedules)
