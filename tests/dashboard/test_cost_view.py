"""The Cost view's utilisation: owned against leased at the share of the year the user sets,
carried by the link."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

import calc
from calc.analysis.lease import lease_at
from calc.dashboard import APP

EXACT = re.compile(r"Exact value: (\S+)")


def _open(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def _exact(at: AppTest, label: str) -> float:
    metric = next(m for m in at.metric if m.label == label)
    found = EXACT.search(metric.help)
    assert found, metric.help
    return float(found.group(1))


def test_owned_against_leased_at_the_users_utilisation(library: calc.Library) -> None:
    at = _open({"view": "cost", "scenario": "cortex-full"})
    result = calc.run(library, "cortex-full")
    assert at.number_input(key="cost:utilisation").value == 100  # leased all year
    assert _exact(at, "Leased at 100 %, per year") == result["cloud_cost_per_year_usd"]
    at.number_input(key="cost:utilisation").set_value(30).run()
    assert not at.exception
    at30 = lease_at(result, 0.3)
    assert _exact(at, "Leased at 30 %, per year") == at30.leased_usd_per_year
    assert _exact(at, "Owned, per year") == at30.owned_usd_per_year
    words = " ".join(str(m.value) for m in at.markdown)
    assert "At 30 % utilisation, " + ("owning" if at30.cheaper == "own" else "leasing") \
        in words
    assert at.query_params["utilisation"] == "30"  # the link carries it
    again = _open(dict(at.query_params))
    assert again.number_input(key="cost:utilisation").value == 30
    assert _exact(again, "Leased at 30 %, per year") == at30.leased_usd_per_year


def test_a_utilisation_out_of_range_in_a_link_falls_back_with_a_notice() -> None:
    at = _open({"view": "cost", "utilisation": "140"})
    assert at.number_input(key="cost:utilisation").value == 100
    assert any("utilisation" in str(w.value).lower() for w in at.warning)
