"""The calibration in words and tables: what each published figure implies, and why it misses."""

from __future__ import annotations

from typing import Any

from calc.analysis.calibration import CalibrationResult, Comparison, deviation
from calc.core.constants import CURRENCY
from calc.core.errors import clean_text
from calc.core.version import __version__
from calc.presentation.formatting import format_value, percent
from calc.presentation.tables.base import Table
from calc.presentation.text import render_table

__all__ = [
    "calibration_json",
    "calibration_table",
    "calibration_text",
    "implied_text",
    "reason_text",
]


def _percent(x: float) -> str:
    """A signed percentage, without a misleading ``-0 %``.

    >>> _percent(-0.0004), _percent(0.118), _percent(-0.2)
    ('0 %', '+12 %', '-20 %')
    """
    return percent(x, sign=True)


def implied_text(c: Comparison) -> str:
    """What the published figure implies per accelerator, against capcalc's factor ("" for n/a)."""
    site = c.modelled
    if site is None:
        return ""
    count = site.accelerators
    published = c.published
    if c.quantity == "power":
        implied = published * 1e6 / count
        if c.basis == "it":
            modelled = site.it_power_mw * 1e6 / count
            return (f"{format_value(published, 'MW')} of IT power ⇒ {implied:,.0f} W per "
                    f"accelerator against capcalc's {modelled:,.0f} W: an IT overhead of "
                    f"{site.it_overhead * implied / modelled:.2f} over server power at "
                    f"capcalc's server overhead (capcalc: {site.it_overhead:.2f})")
        modelled = site.facility_power_mw * 1e6 / count
        text = (f"{format_value(published, 'MW')} ⇒ {implied:,.0f} W of facility power per "
                f"accelerator against capcalc's {modelled:,.0f} W: a PUE of "
                f"{site.pue * implied / modelled:.2f} at capcalc's server and IT overheads "
                f"(capcalc: {site.pue:.2f})")
        if c.basis == "unstated":
            text = (f"basis not stated, compared with facility power (against IT power the "
                    f"deviation is {_percent(deviation(site.it_power_mw, published))}); " + text)
        return text
    if c.quantity == "h100_equivalents":
        return (f"{format_value(published, 'H100e')} H100e ⇒ {published / count:.3f} per "
                f"accelerator against {site.h100_equivalents / count:.3f} from the chips' "
                "stated dense 8-bit FLOP/s")
    return (f"{format_value(published, CURRENCY)} ⇒ "
            f"{format_value(published / count, CURRENCY)} per accelerator all-in against "
            f"capcalc's {format_value(site.capex_usd / count, CURRENCY)} (chip, server and "
            f"network plus {format_value(site.facility_capex_usd_per_mw, CURRENCY)} per MW "
            "of facility)")


def reason_text(c: Comparison) -> str:
    """Why a figure is outside tolerance or cannot be modelled ("" when it is within)."""
    if c.status == "n/a":
        return c.unavailable
    if c.status == "within":
        return ""
    reason = implied_text(c) + (f". Source note: {c.note}" if c.note else "")
    if c.bound:
        words = "a floor" if c.bound == "at_least" else "a ceiling"
        reason = f"the published figure is {words}; " + reason
    return reason


_FIELDS = ("peer", "site", "date", "quantity", "unit", "basis", "primary", "published",
           "bound", "model", "deviation", "tolerance", "status", "confidence")


def calibration_json(result: CalibrationResult) -> dict[str, Any]:
    """The JSON form of ``capcalc calibrate --format json``."""
    return {
        "capcalc_version": __version__,
        "defaults": result.defaults,
        "sets": [list(s) for s in result.sets],
        "tolerances": {k: {"value": v, "note": result.tolerance_notes[k]}
                       for k, v in result.tolerances.items()},
        "summary": result.summary(),
        "pinned_by": {key: list(ids) for key, ids in result.pinned.items()},
        "comparisons": [{**{name: getattr(c, name) for name in _FIELDS},
                         "implied": implied_text(c), "reason": reason_text(c),
                         "source": c.source, "circular": list(c.circular),
                         "independent": c.independent} for c in result.comparisons],
    }


def calibration_table(result: CalibrationResult) -> Table:
    """The comparisons as a table (the CSV saved beside reports)."""
    names = ("peer", "site", "date", "quantity", "basis", "primary", "published", "bound",
             "model", "unit", "deviation", "tolerance", "status", "confidence", "independent",
             "reason", "source")
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for c in result.comparisons:
        for name in names:
            value = reason_text(c) if name == "reason" else getattr(c, name)
            columns[name].append("" if value is None else value)
    sets = ", ".join(f"{k}={v}" for k, v in result.sets)
    tol = result.tolerances
    return Table(
        name="calibration",
        title="Calibration: the model against published figures",
        columns=columns,
        units={"deviation": "1", "tolerance": "1"},
        caption=(f"Model: capcalc's defaults ({result.defaults}{'; ' + sets if sets else ''}) "
                 f"with each peer's chip count · tolerances: power ±{percent(tol['power'])}, "
                 f"H100e ±{percent(tol['h100_equivalents'])}, capex ±{percent(tol['capex'])} "
                 f"(peers.yaml) · capcalc {__version__}"),
    )


def calibration_text(result: CalibrationResult) -> str:
    """The calibration as a text table, the reasons, and what could not be modelled."""
    header = ["peer", "quantity", "published", "model", "deviation", "tolerance", "status",
              "confidence", "independent"]
    body: list[list[str]] = []
    reasons: list[str] = []
    not_modelled: dict[str, list[str]] = {}
    for c in result.comparisons:
        quantity = {"power": "power", "h100_equivalents": "H100e", "capex": "capex"}[c.quantity]
        if c.status == "n/a":
            not_modelled.setdefault(reason_text(c), []).append(f"{c.peer} {quantity}")
            continue
        published = ({"at_least": "≥", "at_most": "≤", "": ""}[c.bound]
                     + format_value(c.published, c.unit)
                     + {"it": " IT", "unstated": " ?"}.get(c.basis, ""))
        status = c.status
        reason = reason_text(c)
        if reason:
            reasons.append(reason)
            status += f" [{len(reasons)}]"
        body.append([
            c.peer, quantity + ("" if c.primary else " (alt)"), published,
            format_value(c.model, c.unit) if c.model is not None else "",
            percent(c.deviation, 1, sign=True) if c.deviation is not None else "",
            f"±{percent(c.tolerance)}", status, c.confidence,
            "yes" if c.independent else "no: " + ", ".join(c.circular),
        ])
    lines = [render_table(header, body, "l" * len(header)), "", clean_text(result.summary()),
             f"Model: capcalc's defaults ({clean_text(result.defaults)}) with each peer's chip "
             "count. "
             "Power is compared on the published basis (IT = facility ÷ PUE); ? = basis "
             "not stated, compared as facility power. Tolerances and their reasons: "
             "peers.yaml (calibration.tolerances)."]
    if result.pinned:
        lines += ["", "Assumptions derived from published sites (comparing with those sites "
                      "checks arithmetic, not the model):"]
        lines += [f"- {clean_text(key)}: {clean_text(', '.join(ids))}"
                  for key, ids in result.pinned.items()]
    if reasons:
        lines += ["", "Likely reasons for the figures outside tolerance:"]
        lines += [f"[{i}] {clean_text(text)}" for i, text in enumerate(reasons, 1)]
    if not_modelled:
        lines += ["", "Published figures the model cannot reproduce:"]
        lines += [f"- {clean_text(why)}: {clean_text(', '.join(items))}"
                  for why, items in not_modelled.items()]
    return "\n".join(lines)
