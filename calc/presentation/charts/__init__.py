"""Publication charts: functions that take a :class:`Table` and return a matplotlib Figure.

They never show or save (:mod:`calc.presentation.export` saves). Colours are the
dashboard's (:mod:`calc.presentation.colours`): Okabe–Ito first, safe for colour-blind
readers, one per series however many there are, and the target's vermillion for the
target alone. Every figure carries a caption line with its provenance.
"""

from __future__ import annotations

from calc.presentation.charts.peers import among_peers, largest_site_timeline
from calc.presentation.charts.scenarios import cost_breakdown, power_to_compute, scenario_comparison
from calc.presentation.charts.timeline import levers_waterfall, timeline_chart
from calc.presentation.charts.uncertainty import (
    conditional_p_chart,
    exceedance_chart,
    histogram,
    reach_probability_chart,
    sobol_chart,
    timeline_fan,
    tornado_chart,
)
from calc.presentation.colours import PALETTE

__all__ = [
    "PALETTE",
    "among_peers",
    "conditional_p_chart",
    "cost_breakdown",
    "exceedance_chart",
    "histogram",
    "largest_site_timeline",
    "levers_waterfall",
    "power_to_compute",
    "reach_probability_chart",
    "scenario_comparison",
    "sobol_chart",
    "timeline_chart",
    "timeline_fan",
    "tornado_chart",
]
