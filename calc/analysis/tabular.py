"""What every result offers a notebook: a frame, a Dataset, a Parquet file, and cards.

A result class mixes in :class:`Tabular` and says what it is made of
(:meth:`Tabular.tidy`: named arrays with units and provenance) and what its
cards show (:meth:`Tabular.cards`); the conversions are
:mod:`calc.data.frames`', the HTML :mod:`calc.data.notebook`'s.
"""

from __future__ import annotations

from pathlib import Path

from calc.analysis.provenance import provenance_line
from calc.data import frames
from calc.data.frames import Tidy
from calc.data.notebook import cards_html

__all__ = ["Tabular"]


class Tabular:
    """``to_frame()``, ``to_xarray()``, ``to_parquet()`` and ``_repr_html_()`` from
    :meth:`tidy` and :meth:`cards`."""

    def tidy(self) -> Tidy:
        """The result as named arrays with units and provenance."""
        raise NotImplementedError

    def cards(self) -> tuple[str, list[tuple[str, str]]]:
        """A title and the ``(label, text)`` cards a notebook shows."""
        raise NotImplementedError

    def to_frame(self) -> frames.DataFrame:
        """A tidy :class:`pandas.DataFrame`; ``attrs`` hold the provenance and the units."""
        return frames.to_frame(self.tidy())

    def to_xarray(self) -> frames.Dataset:
        """An :class:`xarray.Dataset` with ``units`` on every variable and the provenance."""
        return frames.to_xarray(self.tidy())

    def to_parquet(self, path: Path | str) -> Path:
        """Write :meth:`to_frame` to ``path`` as Parquet (units and provenance kept)."""
        return frames.write_parquet(self.to_frame(), Path(path))

    def _repr_html_(self) -> str:
        title, cards = self.cards()
        return cards_html(title, cards, provenance_line(self.tidy().attrs))
