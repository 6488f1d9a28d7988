"""What every result offers a notebook: a frame, a Dataset, a Parquet file, and cards.

A result class mixes in :class:`Tabular` and says what it is made of
(:meth:`Tabular.tidy`: named arrays with units and provenance) and what its
cards show (:meth:`Tabular.cards`); the conversions are
:mod:`calc.data.frames`', the HTML :mod:`calc.data.notebook`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from calc.analysis.provenance import provenance_line

if TYPE_CHECKING:
    from calc.data.frames import DataFrame, Dataset, Tidy

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

    def to_frame(self) -> DataFrame:
        """A tidy :class:`pandas.DataFrame`; ``attrs`` hold the provenance and the units."""
        # deferred: the frame forms (with zipfile) only when one is asked for
        from calc.data.frames import to_frame

        return to_frame(self.tidy())

    def to_xarray(self) -> Dataset:
        """An :class:`xarray.Dataset` with ``units`` on every variable and the provenance."""
        from calc.data.frames import to_xarray  # deferred: as to_frame

        return to_xarray(self.tidy())

    def to_parquet(self, path: Path | str) -> Path:
        """Write :meth:`to_frame` to ``path`` as Parquet (units and provenance kept)."""
        from calc.data.frames import write_parquet  # deferred: as to_frame

        return write_parquet(self.to_frame(), Path(path))

    def _repr_html_(self) -> str:
        from calc.data.notebook import cards_html  # deferred: html only for a notebook

        title, cards = self.cards()
        return cards_html(title, cards, provenance_line(self.tidy().attrs))
