"""The one error type capcalc raises for a user's mistake, and how it reads."""

from __future__ import annotations

__all__ = ["CapcalcError"]


class CapcalcError(Exception):
    """A mistake in a user's input: a file, a key in it, and what would be right.

    The message is one line, meant to be printed as it stands:
    ``scenarios.yaml: site.pue: 0.9 is below 1 (PUE is facility ÷ IT power)``.

    Parameters
    ----------
    message : str
        What is wrong and what would be right.
    file : str, optional
        The file (or ``--set``, or ``query parameter``) the input came from.
    key : str, optional
        The dotted key the mistake is at.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self.message = _printable(" ".join(message.split()))
        # a file name or key may come from a hostile file: keep it to one visible line
        self.file = None if file is None else _printable(file)
        self.key = None if key is None else _printable(key)
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.key) if p]
        return ": ".join([*parts, self.message])

    def at(self, *, file: str | None = None, key: str | None = None) -> CapcalcError:
        """Return the same error with ``file`` and ``key`` filled in where still missing."""
        return CapcalcError(self.message, file=self.file or file, key=self.key or key)


def _printable(text: str) -> str:
    r"""``text`` with every unprintable character (line breaks, escapes) written as ``\n``, ...

    Examples
    --------
    >>> print(_printable("site.pue\n\x1b[2J"))
    site.pue\n\x1b[2J
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
