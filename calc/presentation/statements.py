"""A build-out against its operator's statements, in words: stated compute and capex by year."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc.analysis.statements import CapexQuarter, CapexYear, StatedCheck
from calc.core.constants import CURRENCY
from calc.core.errors import clean_text
from calc.presentation.formatting import format_value, percent
from calc.presentation.text import render_table

__all__ = ["capex_sentence", "quarter_sentence", "statements_json", "statements_text"]

_BOUND = {"at_least": "more than ", "at_most": "up to ", None: ""}


def _amount(item: CapexYear) -> str:
    company = item.company
    return "—" if company is None else \
        f"{_BOUND[company.bound]}{format_value(company.usd_2025, CURRENCY)}"


def _company(item: CapexYear) -> str:
    return "—" if item.company is None else f"{_amount(item)} ({item.company.kind})"


def capex_sentence(items: Sequence[CapexYear], operator: str) -> str:
    """One plain sentence on the years the modelled build alone spends more than the company."""
    over = [i for i in items if i.exceeds and i.company is not None]
    if not over:
        compared = [i for i in items if i.company is not None]
        if not compared:
            return f"No capex of {operator} is published for the timeline's years."
        worst = max(compared, key=lambda i: i.share or 0.0)
        return (f"The modelled AI build stays within {operator}'s total capex: at most "
                f"{percent(worst.share or 0.0)} of it ({worst.year}).")
    parts = []
    for item in over:
        assert item.company is not None
        what = "guidance" if item.company.kind == "guided" else "reported capex"
        parts.append(f"in {item.year} the modelled AI build alone spends "
                     f"{format_value(item.modelled_usd, CURRENCY)}, more than {operator}'s "
                     f"{what} of {_amount(item)} for the whole company "
                     f"({clean_text(item.company.covers)})")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def quarter_sentence(quarters: Sequence[CapexQuarter], operator: str) -> str:
    """The modelled build's largest quarter beside the company's quarterly capex."""
    spent = [q for q in quarters if q.modelled_usd > 0]
    if not spent:
        return "The modelled AI build spends nothing in the timeline's quarters."
    peak = max(spent, key=lambda q: q.modelled_usd)
    text = (f"The modelled AI build's largest quarter, {peak.label}, spends "
            f"{format_value(peak.modelled_usd, CURRENCY)}")
    if peak.company is not None:
        text += (f", {percent(peak.share or 0.0)} of {operator}'s reported capex of that "
                 "quarter for the "
                 f"whole company ({format_value(peak.company.usd_2025, CURRENCY)})")
    reported = [(q, q.company) for q in quarters if q.company is not None]
    if reported:
        most, figure = max(reported, key=lambda pair: pair[1].usd_2025)
        text += (f"; {operator}'s largest reported quarter in the timeline, {most.label}, "
                 f"was {format_value(figure.usd_2025, CURRENCY)} for the whole company: "
                 f"the peak is {peak.modelled_usd / figure.usd_2025:.1f}× that")
    else:
        text += f"; {operator} reported no quarter inside the timeline"
    return text + "."


def statements_text(stated: Sequence[StatedCheck], capex: Sequence[CapexYear],
                    operator: str, quarters: Sequence[CapexQuarter] = ()) -> str:
    """The checks as text tables with a sentence each."""
    lines = [f"Against what {operator} has said (peers.yaml):", ""]
    rows = []
    for check in stated:
        s = check.statement
        modelled = "outside the timeline" if check.modelled is None else \
            format_value(check.modelled, "H100e")
        ratio = "" if check.ratio is None else f"{check.ratio:.2f}×"
        rows.append([check.month, f"{_BOUND[s.bound]}{format_value(s.h100_equivalents, 'H100e')}",
                     modelled, ratio, s.confidence])
    lines.append(render_table(["month", f"{operator} says (H100e)", "modelled", "modelled ÷ said",
                               "confidence"], rows, "lrrrl"))
    lines += ["", "Capex by calendar year: the modelled AI build (hardware when installed, "
              "facility once per phase) beside the company's total:", ""]
    rows = [[str(i.year) + ("" if i.months == 12 else f" ({i.months} months)"),
             format_value(i.modelled_usd, CURRENCY), _company(i),
             "" if i.share is None else percent(i.share),
             "AI build alone exceeds it" if i.exceeds else ""] for i in capex]
    lines.append(render_table(["year", "modelled AI capex", f"{operator} total capex",
                               "share", ""], rows, "lrrrl"))
    lines += ["", capex_sentence(capex, operator)]
    if quarters:
        lines += ["", "Capex by calendar quarter, where the modelled AI build spends or "
                  f"{operator} reported:", ""]
        rows = [[q.label, format_value(q.modelled_usd, CURRENCY),
                 "—" if q.company is None else format_value(q.company.usd_2025, CURRENCY),
                 "" if q.share is None else percent(q.share)] for q in quarters]
        lines.append(render_table(["quarter", "modelled AI capex", f"{operator} capex",
                                   "share"], rows, "lrrr"))
        lines += ["", quarter_sentence(quarters, operator)]
    return "\n".join(lines)


def statements_json(stated: Sequence[StatedCheck], capex: Sequence[CapexYear],
                    operator: str, quarters: Sequence[CapexQuarter] = ()) -> dict[str, Any]:
    """The checks for ``capcalc timeline --format json``."""
    return {
        "operator": operator,
        "stated_compute": [{
            "month": c.month, "stated_h100e": c.statement.h100_equivalents,
            "bound": c.statement.bound, "modelled_h100e": c.modelled, "ratio": c.ratio,
            "agrees": c.agrees, "source": c.statement.source,
            "confidence": c.statement.confidence} for c in stated],
        "capex_by_year": [{
            "year": i.year, "months": i.months, "modelled_usd": i.modelled_usd,
            "company_usd": None if i.company is None else i.company.usd_2025,
            "company_kind": None if i.company is None else i.company.kind,
            "company_bound": None if i.company is None else i.company.bound,
            "share": i.share, "exceeds": i.exceeds,
            "source": None if i.company is None else i.company.source} for i in capex],
        "capex_summary": capex_sentence(capex, operator),
        "capex_by_quarter": [{
            "quarter": q.label, "modelled_usd": q.modelled_usd,
            "company_usd": None if q.company is None else q.company.usd_2025,
            "share": q.share, "source": None if q.company is None else q.company.source}
            for q in quarters],
        "capex_quarter_summary": quarter_sentence(quarters, operator) if quarters else None,
    }
