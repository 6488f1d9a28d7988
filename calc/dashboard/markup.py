"""Text shown as written: escaping for Streamlit's Markdown, widget names for calc's keys, and
an input's valid range in words."""

from __future__ import annotations

import re

from calc.core.errors import CapcalcError
from calc.core.vocabulary import InputSpec
from calc.data.units import format_unit

__all__ = ["WIDGET_NAMES", "plain", "shown_error", "valid_range"]

#: Characters Streamlit's Markdown reads as markup (emphasis, links, images, code, math,
#: colour directives, HTML, tables); a backslash makes each one plain text.
_MARKUP = re.compile(r"([!\"#$%&*+:<>@\[\\\]^_`{|}~])")

#: calc's neutral keys (the domain's words) → the dashboard widget that sets each one.
WIDGET_NAMES = {
    "until": "Horizon (December of)",
    "samples": "Samples",
    "seed": "Seed",
    "output": "Output to examine",
    "by": "By (YYYY-MM)",
    "target": "Target",
    "at": "By (YYYY-MM)",
    "key": "Input to vary",
    "timeline": "phase table",
}


def plain(text: str) -> str:
    r"""``text`` escaped for Streamlit's Markdown, so it shows exactly as written.

    Error lines quote what a file or a link holds; unescaped, ``**``, ``[a](url)`` or
    ``![img](url)`` in them would be drawn as markup, links or images fetched from afar.

    >>> print(plain("link: site.pue: '![x](http://a/p.png)' is not a number (m**2)"))
    link\: site.pue\: '\!\[x\](http\://a/p.png)' is not a number (m\*\*2)
    """
    return _MARKUP.sub(r"\\\1", text)


def shown_error(exc: CapcalcError) -> str:
    """An error of calc as the dashboard shows it: keyed by the widget, not calc's word.

    An error that names a file (an upload, the link) keeps the key as that file
    has it: the user touched the file's ``timeline:``, not the page's phase table.

    >>> shown_error(CapcalcError("2020-01 is before the first phase", key="until"))
    'Horizon (December of): 2020-01 is before the first phase'
    >>> shown_error(CapcalcError("holds 101 phases", file="mine.yaml", key="timeline"))
    'mine.yaml: timeline: holds 101 phases'
    """
    return str(exc if exc.file else exc.keyed(WIDGET_NAMES))


def valid_range(spec: InputSpec) -> str:
    """The valid range of ``spec`` in words, with its unit.

    >>> valid_range(InputSpec("x.y", "Y", "MW", "", lower=0, lower_open=True, upper=10))
    '> 0 and ≤ 10 MW'
    """
    unit = format_unit(spec.unit)
    low = "" if spec.lower is None else f"{'>' if spec.lower_open else '≥'} {spec.lower:g}"
    high = "" if spec.upper is None else f"{'<' if spec.upper_open else '≤'} {spec.upper:g}"
    return f"{' and '.join(p for p in (low, high) if p)} {unit}".rstrip()
