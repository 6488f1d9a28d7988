"""Publication charts: functions that take a :class:`~calc.tables.Table` and return a Figure.

They never show or save (:mod:`calc.export` saves). Colours are the Okabe–Ito
palette, safe for colour-blind readers; every figure carries a caption line
with its provenance.
"""

from __future__ import annotations

from calc.charts._style import PALETTE
from calc.charts.peers import among_peers, largest_site_timeline
from calc.charts.scenarios import cost_breakdown, power_to_compute, scenario_comparison
from calc.charts.timeline import levers_waterfall, timeline_chart
from calc.charts.uncertainty import (
    exceedance_chart,
    histogram,
    sobol_chart,
    timeline_fan,
    tornado_chart,
)

__all__ = [
    "PALETTE",
    "among_peers",
    "cost_breakdown",
    "exceedance_chart",
    "histogram",
    "largest_site_timeline",
    "levers_waterfall",
    "power_to_compute",
    "scenario_comparison",
    "sobol_chart",
    "timeline_chart",
    "timeline_fan",
    "tornado_chart",
]
