"""Text shown as written: escaping for Streamlit's Markdown, and widget names for calc's keys."""

from __future__ import annotations

import re

from calc.core.errors import CapcalcError

__all__ = ["WIDGET_NAMES", "plain", "shown_error"]

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
