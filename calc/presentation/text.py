"""Text for the terminal: tables and prose that fit the width of the screen, plain or with rich.

Every table capcalc prints goes through :func:`render_table`. Plain text
(columns padded with spaces under a rule of dashes) is the default and what
pipes, files and ``NO_COLOR`` get; the command line switches to rich's boxed,
bold-headed tables with :func:`terminal_style` when it writes to a terminal.
Cell text is cleaned of control characters either way, so a title or a source
read from a file cannot drive the terminal.

Within :func:`text_width` (the command line sets it from ``COLUMNS`` or the
terminal; ``--wide`` leaves it unset) a table wider than the screen is laid
out to fit: long text cells and headers wrap inside their column, and a table
still too wide is split into blocks of columns, each repeating the first
(naming) column. :func:`fit_text` wraps the prose around the tables, keeping
each line's indent and list marker; :class:`Footnotes` moves long texts (a
source, a reason) out of a table into a numbered list under it.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import re
import textwrap
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from calc.core.errors import clean_text

__all__ = ["Footnotes", "drawn_width", "fit_text", "output_width", "render_table",
           "terminal_style", "text_width", "wants_terminal_style"]

_RICH: contextvars.ContextVar[bool] = contextvars.ContextVar("capcalc_rich_tables", default=False)
_WIDTH: contextvars.ContextVar[int | None] = contextvars.ContextVar("capcalc_text_width",
                                                                    default=None)

#: The narrowest a wrapped text column becomes before a table is split into blocks.
_TEXT_MIN = 14
#: The narrowest the naming (first) column becomes.
_KEY_MIN = 18
#: The narrowest screen a table is laid out for (below it, lines may run over).
_SCREEN_MIN = 40
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: What starts a line of prose and is kept clear of its wrapped lines: an indent and a list
#: marker ("- ", "[3] ", "  2026-07  ").
_LEAD = re.compile(r"^(\s*(?:[-•*]\s+|\[\d+\]\s+|\d{4}-\d{2}(?:-\d{2})?\s+)?)")


def drawn_width(line: str) -> int:
    """The columns ``line`` may take on a terminal: two for a wide character, and two for one
    of ambiguous width (×, –, …), as terminals set for East Asian text draw them; escape
    sequences take none. Laid out within this, a line fits every terminal.

    >>> drawn_width("10×"), drawn_width("Ab")
    (4, 2)
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1
               for c in _ANSI.sub("", line))


def _widest(text: str) -> int:
    return max((drawn_width(line) for line in text.split("\n")), default=0)


def wants_terminal_style(stream: object) -> bool:
    """Whether output to ``stream`` should be styled: a terminal, and ``NO_COLOR`` unset."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR") \
        and os.environ.get("TERM") != "dumb"


def output_width(stream: object, *, wide: bool = False) -> int | None:
    """The width text for ``stream`` is laid out to: None with ``wide`` (one line per row),
    else ``COLUMNS`` when set, else the terminal's width, else 80 (a pipe, a file).

    >>> output_width(io.StringIO(), wide=True) is None
    True
    """
    if wide:
        return None
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), _SCREEN_MIN)
    fileno = getattr(stream, "fileno", None)
    isatty = getattr(stream, "isatty", None)
    if fileno is not None and isatty is not None:
        try:
            if isatty():
                return max(os.get_terminal_size(fileno()).columns, _SCREEN_MIN)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
    return 80


@contextlib.contextmanager
def terminal_style(on: bool) -> Iterator[None]:
    """Within the block, :func:`render_table` draws with rich when ``on``."""
    token = _RICH.set(on)
    try:
        yield
    finally:
        _RICH.reset(token)


@contextlib.contextmanager
def text_width(width: int | None) -> Iterator[None]:
    """Within the block, tables and prose fit ``width`` columns (None: no limit)."""
    token = _WIDTH.set(width)
    try:
        yield
    finally:
        _WIDTH.reset(token)


def current_width() -> int | None:
    """The width set by :func:`text_width` (None: no limit)."""
    return _WIDTH.get()


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Column:
    index: int
    align: str
    natural: int  # one line per row
    least: int  # the narrowest it wraps to


def _words(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _columns(cells: list[list[str]], align: str, wrap_numbers: bool) -> list[_Column]:
    header, body = cells[0], cells[1:]
    out = []
    for i, side in enumerate(align):
        natural = max(len(row[i]) for row in cells)
        if side == "l":  # text: wraps down to a floor (long words are broken)
            floor = _KEY_MIN if i == 0 else _TEXT_MIN
            least = min(natural, max(floor, _words(header[i]) if i == 0 else 0))
        else:  # a number never wraps; its header may, at its spaces
            values = max((len(row[i]) for row in body), default=0)
            least = max(values, _words(header[i])) if not wrap_numbers else values
        out.append(_Column(i, side, natural, max(least, 1)))
    return out


def _fit(columns: Sequence[_Column], room: int) -> list[int]:
    """Widths of ``columns`` within ``room``: each at least its floor, widened toward its
    natural width as evenly as room allows — the text cells first, then the headers of
    numbers (a wrapped header costs a line once, a wrapped cell a line a row)."""
    widths = [c.least for c in columns]
    spare = room - sum(widths)
    for side in ("l", "r"):
        growable = [i for i, c in enumerate(columns) if c.natural > c.least and c.align == side]
        while spare > 0 and growable:
            share = max(spare // len(growable), 1)
            for i in list(growable):
                step = min(share, columns[i].natural - widths[i], spare)
                widths[i] += step
                spare -= step
                if widths[i] >= columns[i].natural:
                    growable.remove(i)
                if spare <= 0:
                    break
    return widths


def _blocks(columns: list[_Column], width: int, gap: int) -> list[list[_Column]]:
    """The columns in blocks that fit ``width``, each starting with the first column."""
    key, rest = columns[0], columns[1:]
    blocks: list[list[_Column]] = []
    block = [key]
    used = key.least
    for column in rest:
        if len(block) > 1 and used + gap + column.least > width:
            blocks.append(block)
            block, used = [key], key.least
        block.append(column)
        used += gap + column.least
    blocks.append(block)
    return blocks


#: A space that joins a number to its unit ("41 %", "$610 M", "1.17 GW", "3.80 pJ/FLOP"):
#: never a place to wrap.
_GLUE = re.compile(r"(?<=\d) (?=(?:%|[kMBTGPEZYpnµ]?(?:W|Wh|FLOP(?:/s)?|J/FLOP|H100e)?)"
                   r"(?:[\s,.;:)/·]|$))")


def _wrapped(text: str, width: int, indent: str = "") -> list[str]:
    """``textwrap.wrap`` that keeps a number and its unit on one line.

    >>> _wrapped("it costs $610 M a year", 12)
    ['it costs', '$610 M a', 'year']
    """
    glued = _GLUE.sub("\xa0", text)  # textwrap splits at ASCII blanks only
    lines = textwrap.wrap(glued, width, break_long_words=True, break_on_hyphens=False,
                          subsequent_indent=indent)
    return [line.replace("\xa0", " ") for line in lines]


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return _wrapped(text, width) or [""]


def render_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "",
                 *, max_width: int | None = None) -> str:
    """A table as text: ``align`` has one ``l`` or ``r`` per column (default l, then r).

    ``max_width`` cuts every cell to that many characters. Plain unless
    :func:`terminal_style` is on; laid out to the width of :func:`text_width`
    (text and headers wrapped in their columns, then split into blocks that
    repeat the first column), one line per row without one.

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
    width = _WIDTH.get()
    text = _layout(cells, align, width)
    if width is None:
        return text
    room = width
    # laid out by characters, a line may still take more columns where some are drawn two
    # wide: laid out again in as many fewer columns as the widest line is over
    while _widest(text) > width and room > _SCREEN_MIN // 2:
        room -= _widest(text) - width
        text = _layout(cells, align, room)
    return text


def _layout(cells: list[list[str]], align: str, width: int | None) -> str:
    """The table of ``cells`` (header first) laid out within ``width`` characters."""
    rich = _RICH.get()
    gap = 3 if rich else 2
    columns = _columns(cells, align, wrap_numbers=False)
    natural = sum(c.natural for c in columns) + gap * (len(columns) - 1)
    if width is None or natural <= width:
        layout = [(columns, [c.natural for c in columns])]
    else:
        blocks = _blocks(columns, width, gap)
        layout = [(block, _fit(block, width - gap * (len(block) - 1))) for block in blocks]
    parts = []
    for block, widths in layout:
        picked = [[row[c.index] for c in block] for row in cells]
        sides = "".join(c.align for c in block)
        parts.append(_rich(picked, sides, widths) if rich else _plain(picked, sides, widths))
    return "\n\n".join(parts)


def _wrapped_cells(row: Sequence[str], widths: Sequence[int]) -> list[list[str]]:
    """Each cell of ``row`` wrapped into its width; the naming (first) cell's continuation
    lines indented, so a wrapped name reads as one and no blank line is needed between
    rows."""
    return [(_wrapped(text, w, "  ") or [""]) if i == 0 and len(text) > w else _wrap(text, w)
            for i, (text, w) in enumerate(zip(row, widths, strict=True))]


def _spaced(rows: Sequence[list[list[str]]]) -> bool:
    """Whether rows need a blank line between them: a cell past the first wraps."""
    return any(len(cell) > 1 for row in rows for cell in row[1:])


def _lines(wrapped: list[list[str]]) -> list[list[str]]:
    """One row's wrapped cells as lines of cells."""
    height = max(len(w) for w in wrapped)
    return [[w[i] if i < len(w) else "" for w in wrapped] for i in range(height)]


def _plain(cells: list[list[str]], align: str, widths: list[int]) -> str:
    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                         for c, w, a in zip(row, widths, align, strict=True)).rstrip()

    head = _lines([_wrap(text, w) for text, w in zip(cells[0], widths, strict=True)])
    wrapped = [_wrapped_cells(row, widths) for row in cells[1:]]
    spaced = _spaced(wrapped)
    out = [line(r) for r in head]
    out.append("  ".join("-" * w for w in widths))
    for i, cells_of_row in enumerate(wrapped):
        if spaced and i:
            out.append("")
        out += [line(r) for r in _lines(cells_of_row)]
    return "\n".join(out)


def _cell(value: object, max_width: int | None) -> str:
    text = clean_text("" if value is None else str(value))
    if max_width is not None and len(text) > max_width:
        text = text[:max_width - 1] + "…"
    return text


def _rich(cells: list[list[str]], align: str, widths: list[int]) -> str:
    from rich import box  # deferred: rich is loaded only to draw on a terminal
    from rich.console import Console
    from rich.table import Table

    wrapped = [_wrapped_cells(row, widths) for row in cells[1:]]
    spaced = _spaced(wrapped)
    body = [["\n".join(cell) for cell in row] for row in wrapped]
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False,
                  show_lines=spaced)
    for title, side, w in zip(cells[0], align, widths, strict=True):
        table.add_column("\n".join(_wrap(title, w)), justify="left" if side == "l" else "right",
                         no_wrap=True, width=w)
    for row in body:
        table.add_row(*row)
    buffer = io.StringIO()
    total = sum(widths) + 3 * (len(widths) - 1)
    Console(file=buffer, force_terminal=True, width=total, highlight=False,
            markup=False, emoji=False).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


# ---------------------------------------------------------------- prose


def fit_text(text: str, width: int | None = None) -> str:
    """``text`` with every line longer than ``width`` (default :func:`text_width`'s) wrapped,
    its continuation lines indented under its text (past an indent or a list marker).

    Lines that fit are kept as they are, so tables laid out by :func:`render_table`
    pass unchanged.

    >>> print(fit_text("- one two three four", 12))
    - one two
      three four
    """
    width = _WIDTH.get() if width is None else width
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        if drawn_width(line) <= width or _ANSI.search(line):
            out.append(line)
            continue
        lead = _LEAD.match(line).group(1)  # type: ignore[union-attr]  # matches any text
        indent = " " * len(lead) if len(lead) < width // 2 else ""
        room = width
        lines = _wrapped(line, room, indent) or [line]
        while max(map(drawn_width, lines)) > width and room > width // 2:
            room -= max(map(drawn_width, lines)) - width  # characters drawn two wide
            lines = _wrapped(line, room, indent) or [line]
        out += lines
    return "\n".join(out)


@dataclass
class Footnotes:
    """Long texts moved out of a table: :meth:`mark` gives a cell's ``[n]`` (one number per
    distinct text), :meth:`lines` the numbered list written under the table.

    >>> notes = Footnotes()
    >>> notes.mark("https://example.org/a"), notes.mark("b"), notes.mark("https://example.org/a")
    ('[1]', '[2]', '[1]')
    >>> notes.lines()
    ['[1] https://example.org/a', '[2] b']
    """

    texts: list[str] = field(default_factory=list)

    def mark(self, text: str) -> str:
        """The marker of ``text`` ("" for an empty text)."""
        if not text:
            return ""
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"

    def lines(self) -> list[str]:
        """``[n] text`` for every text marked, in the order first marked."""
        return [f"[{i}] {clean_text(text)}" for i, text in enumerate(self.texts, 1)]
