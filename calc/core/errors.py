"""The errors capcalc raises for a user's mistake, and how they read: one clean line.

An error names where the input came from (``file``: a file, ``--set``, a link),
the key it is at and what would be right. Analysis code keys errors by the
domain's own words (``until``, ``at``, ``target``, ``samples``); the command
line and the dashboard translate those to the flag or the widget the user
touched (:meth:`CapcalcError.keyed`).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Mapping

__all__ = ["CapcalcError", "NoSolution", "clean_text", "listed", "quoted", "shown", "suggest"]

#: Longest file name, key or whole message printed; longer ones are cut with an ellipsis.
MAX_KEY_CHARS = 120
MAX_MESSAGE_CHARS = 600


class CapcalcError(Exception):
    """A mistake in a user's input: a file, a key in it, and what would be right.

    The message is one line, meant to be printed as it stands:
    ``scenarios.yaml: site.pue: 0.9 is below 1 (PUE is facility ÷ IT power)``.

    Parameters
    ----------
    message : str
        What is wrong and what would be right.
    file : str, optional
        The file (or ``--set``, or ``link``) the input came from.
    key : str, optional
        The dotted key (or the domain's name of a setting, such as ``until``) the
        mistake is at.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self.message = clean_text(" ".join(message.split()), limit=MAX_MESSAGE_CHARS)
        # a file name or key may come from a hostile file: keep it to one short visible line
        self.file = None if file is None else clean_text(file, limit=MAX_KEY_CHARS)
        self.key = None if key is None else clean_text(key, limit=MAX_KEY_CHARS, ascii_only=True)
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.key) if p]
        return ": ".join([*parts, self.message])

    def at(self, *, file: str | None = None, key: str | None = None) -> CapcalcError:
        """The same error (same class and data) with ``file`` and ``key`` filled in where missing.

        >>> err = NoSolution("no value reaches 10", best_value=3.0).at(file="f.yaml")
        >>> type(err).__name__, err.best_value, str(err)
        ('NoSolution', 3.0, 'f.yaml: no value reaches 10')
        """
        return self._with(file=self.file or file, key=self.key or key)

    def keyed(self, names: Mapping[str, str]) -> CapcalcError:
        """The same error with its key renamed by ``names`` (domain word → flag or widget).

        >>> err = CapcalcError("2020-01 is before the start", key="until")
        >>> str(err.keyed({"until": "--until"}))
        '--until: 2020-01 is before the start'
        """
        if self.key is None or self.key not in names:
            return self
        return self._with(file=self.file, key=names[self.key])

    def _with(self, *, file: str | None, key: str | None) -> CapcalcError:
        other = copy.copy(self)
        other.file = None if file is None else clean_text(file, limit=MAX_KEY_CHARS)
        other.key = None if key is None else clean_text(key, limit=MAX_KEY_CHARS, ascii_only=True)
        other.args = (str(other),)
        return other


class NoSolution(CapcalcError):
    """No value of the input in its searched range reaches the target.

    ``best_value`` is the input value that comes closest and ``best_achieved``
    what the output reaches there (None where the output does not move).
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 best_value: float | None = None, best_achieved: float | None = None):
        super().__init__(message, file=file, key=key)
        self.best_value = best_value
        self.best_achieved = best_achieved


def clean_text(text: str, *, limit: int | None = None, ascii_only: bool = False) -> str:
    r"""``text`` as one safe visible line: control characters escaped, cut to ``limit``.

    Every character that is not printable (line breaks, terminal escapes, BEL)
    is written as its escape. With ``ascii_only`` (keys, which are ASCII in
    capcalc's vocabulary), every non-ASCII character is escaped too, so a
    look-alike such as a Cyrillic er (U+0440) shows as ``\u0440``. A text longer than
    ``limit`` keeps its start and end around an ellipsis.

    Examples
    --------
    >>> print(clean_text("site.pue\n\x1b[2J"))
    site.pue\n\x1b[2J
    >>> print(clean_text("site.\u0440ue", ascii_only=True))
    site.\u0440ue
    >>> clean_text("x" * 30, limit=11)
    'xxxxx…xxxxx'
    """
    # str.isprintable is False for every control, format (Cf), private-use (Co),
    # surrogate (Cs), unassigned and separator character but the space: a text that
    # is printable whole (the usual case, and a long one) needs no look at each character.
    if text.isprintable() and (not ascii_only or text.isascii()):
        cleaned = text
    else:
        out = []
        for c in text:
            if ascii_only and not c.isascii():
                out.append(c.encode("unicode_escape").decode("ascii"))
            elif c.isprintable():
                out.append(c)
            else:
                out.append(repr(c)[1:-1] if c.isascii() else c.encode("unicode_escape").decode())
        cleaned = "".join(out)
    if limit is not None and len(cleaned) > limit:
        keep = max(limit - 1, 2)
        cleaned = cleaned[:(keep + 1) // 2] + "…" + cleaned[len(cleaned) - keep // 2:]
    return cleaned


def shown(value: object, limit: int = 60) -> str:
    """``value`` as a message quotes it: its ``repr``, cut to ``limit`` characters.

    >>> shown("0.5 GW")
    "'0.5 GW'"
    >>> shown("9" * 5000)
    "'99999999999999999999999999999…9999999999999999999999999999' (5,002 characters)"
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{clean_text(text, limit=limit)} ({len(text):,} characters)"


def quoted(name: object, limit: int = 60) -> str:
    r"""A name (a scenario, a key, a chip) in quotes, every character but plain ASCII escaped.

    Names in capcalc are ASCII, so a look-alike (a non-breaking hyphen, a Cyrillic
    letter) is shown as its escape and the difference from the right name is visible.

    >>> print(quoted("cortex\u2011full"), quoted("cortex-full"))
    'cortex\u2011full' 'cortex-full'
    """
    return "'" + clean_text(str(name), limit=limit, ascii_only=True) + "'"


def listed(names: Iterable[str], limit: int = 12) -> str:
    """``names`` joined with commas, the first ``limit`` of them and how many more.

    >>> listed(["a", "b", "c"], limit=2)
    'a, b and 1 more'
    """
    names = list(names)
    shown_names = ", ".join(clean_text(n, limit=40, ascii_only=True) for n in names[:limit])
    return shown_names + (f" and {len(names) - limit:,} more" if len(names) > limit else "")


def suggest(word: str, options: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the nearest option, or ``""``.

    Examples
    --------
    >>> suggest("site.peu", ["site.pue", "site.it_overhead"])
    "; did you mean 'site.pue'?"
    >>> suggest("gb200", ["H200", "GB200"])
    "; did you mean 'GB200'?"
    """
    folded = {option.lower(): option for option in options}  # case is the likeliest slip
    close = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""
