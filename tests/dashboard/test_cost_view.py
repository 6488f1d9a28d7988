"""The Cost view's utilisation: owned against leased at the share of the year the user sets
(the model's ``cost.utilisation``, as ``capcalc run`` takes it), carried by the link."""

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


UTILISATION = "cost:w:cost.utilisation"  # the view's control of the model's input


def test_owned_against_leased_at_the_users_utilisation(library: calc.Library) -> None:
    at = _open({"view": "cost", "scenario": "cortex-full"})
    result = calc.run(library, "cortex-full")
    shipped = result.scenario.inputs.cost.utilisation
    assert at.slider(key=UTILISATION).value == shipped, "the model's sourced input"
    assert _exact(at, f"Leased at {shipped:.0%}".replace("%", " %") + ", per year") == \
        result["leased_cost_at_utilisation_usd"], "the same number capcalc run writes"
    at.slider(key=UTILISATION).set_value(0.3).run()
    assert not at.exception
    at30 = lease_at(calc.run(library, "cortex-full", [("cost.utilisation", "0.3")]), 0.3)
    assert _exact(at, "Leased at 30 %, per year") == at30.leased_usd_per_year
    assert _exact(at, "Owned, per year") == at30.owned_usd_per_year
    finding = " ".join(str(m.value) for m in at.markdown).replace("\\", "")  # markdown escapes
    assert "cortex-full at 30 % utilisation: owning the fleet costs" in finding
    assert at.query_params["cost.utilisation"] == "0.3", "the link carries it as any input"
    sidebar = at.slider(key="w:cost.utilisation")
    assert sidebar.value == 0.3, "the sidebar's control of the same input follows"
    again = _open(dict(at.query_params))
    assert again.slider(key=UTILISATION).value == 0.3
    assert _exact(again, "Leased at 30 %, per year") == at30.leased_usd_per_year


def test_a_utilisation_out_of_range_in_a_link_falls_back_with_a_notice() -> None:
    at = _open({"view": "cost", "cost.utilisation": "1.4"})
    assert at.slider(key=UTILISATION).value == calc.run(
        calc.load(), "cortex-phase1").scenario.inputs.cost.utilisation
    assert any("utilisation" in str(w.value).lower() for w in at.warning)
