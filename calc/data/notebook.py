"""HTML cards for notebooks: a title, a few labelled values, and one provenance line.

What a result's ``_repr_html_`` returns, so Jupyter shows a scenario, a
Monte Carlo, a timeline or a sweep as a row of cards instead of a dataclass
repr. Plain escaped HTML with inline styles: nothing to load, nothing to run.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

__all__ = ["cards_html", "quantity"]

_PREFIXES = ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
#: Units shown with a metric prefix (the others are already scaled: MW, USD, ...).
_PREFIXED = ("", "FLOP", "FLOP/s", "accelerator", "H100e")
_CARD = ("display:inline-block;min-width:9em;margin:0 .5em .5em 0;padding:.4em .7em;"
         "border:1px solid #ccc;border-radius:6px;vertical-align:top")


def quantity(value: float, unit: str = "") -> str:
    """``value`` with three significant digits and its unit; a metric prefix for counts
    and FLOP, which span many decades.

    >>> quantity(1.97e19, "FLOP/s"), quantity(0.856, "1"), quantity(57400, "accelerator")
    ('19.7 EFLOP/s', '0.856', '57.4 k accelerator')
    >>> quantity(1170.4, "MW"), quantity(float("inf"), "MW")
    ('1.17e+03 MW', 'out of reach')
    """
    if not math.isfinite(value):
        return "out of reach" if value > 0 else "—"
    unit = "" if unit == "1" else unit
    prefix, scaled = "", value
    if unit in _PREFIXED:
        for scale, letter in _PREFIXES:
            if abs(value) >= scale:
                prefix, scaled = letter, value / scale
                break
    if unit.startswith("FLOP"):
        return f"{scaled:.3g} {prefix}{unit}"
    return " ".join(p for p in (f"{scaled:.3g}", prefix, unit) if p)


def cards_html(title: str, cards: Sequence[tuple[str, str]], provenance: str,
               extra: str = "") -> str:
    """A title, one card per ``(label, text)``, optional escaped ``extra`` text, provenance.

    >>> "<b>cortex</b>" in cards_html("cortex", [("Compute multiple", "0.86×")], "capcalc 1")
    True
    """
    body = "".join(f'<div style="{_CARD}"><div style="font-size:.8em;color:#555">'
                   f"{html.escape(label)}</div><div style=\"font-size:1.2em\">"
                   f"{html.escape(text)}</div></div>" for label, text in cards)
    more = f'<div style="margin:.3em 0">{html.escape(extra)}</div>' if extra else ""
    return (f'<div class="capcalc"><div style="margin-bottom:.4em"><b>{html.escape(title)}'
            f"</b></div><div>{body}</div>{more}"
            f'<div style="font-size:.8em;color:#666">{html.escape(provenance)}</div></div>')
