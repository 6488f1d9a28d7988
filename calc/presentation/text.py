"""Text tables for the terminal: one renderer, plain or drawn with rich.

Every table capcalc prints goes through :func:`render_table`. Plain text
(columns padded with spaces under a rule of dashes) is the default and what
pipes, files and ``NO_COLOR`` get; the command line switches to rich's boxed,
bold-headed tables with :func:`terminal_style` when it writes to a terminal.
Cell text is cleaned of control characters either way, so a title or a source
read from a file cannot drive the terminal.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import shutil
from collections.abc import Iterator, Sequence

from calc.core.errors import clean_text

__all__ = ["render_table", "terminal_style", "wants_terminal_style"]

_RICH: contextvars.ContextVar[bool] = contextvars.ContextVar("capcalc_rich_tables", default=False)


def wants_terminal_style(stream: object) -> bool:
    """Whether output to ``stream`` should be styled: a terminal, and ``NO_COLOR`` unset."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR") \
        and os.environ.get("TERM") != "dumb"


@contextlib.contextmanager
def terminal_style(on: bool) -> Iterator[None]:
    """Within the block, :func:`render_table` draws with rich when ``on``."""
    token = _RICH.set(on)
    try:
        yield
    finally:
        _RICH.reset(token)


def render_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "",
                 *, max_width: int | None = None) -> str:
    """A table as text: ``align`` has one ``l`` or ``r`` per column (default l, then r).

    ``max_width`` cuts every cell to that many characters. Plain unless
    :func:`terminal_style` is on.

    Examples
    --------
    >>> print(render_table(["", "a", "b"], [["x", "1", "22"], ["yy", "333", "4"]]))
         a   b
    --  ---  --
    x     1  22
    yy  333   4
    """
    align = align or "l" + "r" * (len(header) - 1)
    cells = [[_cell(c, max_width) for c in row] for row in [header, *rows]]
    if _RICH.get():
        return _rich(cells[0], cells[1:], align)
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                         for c, w, a in zip(row, widths, align, strict=True)).rstrip()

    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths),
                      *map(line, cells[1:])])


def _cell(value: object, max_width: int | None) -> str:
    text = clean_text("" if value is None else str(value))
    if max_width is not None and len(text) > max_width:
        text = text[:max_width - 1] + "…"
    return text


def _rich(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    from rich import box  # deferred: rich is loaded only to draw on a terminal
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for title, side in zip(header, align, strict=True):
        table.add_column(title, justify="left" if side == "l" else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    buffer = io.StringIO()
    width = shutil.get_terminal_size((120, 24)).columns
    Console(file=buffer, force_terminal=True, width=max(width, 200), highlight=False,
            markup=False, emoji=False).print(table)
    return buffer.getvalue().rstrip("\n")
