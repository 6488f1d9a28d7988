"""A drawn figure as the bytes of a PNG, SVG or PDF file, its provenance in the file's metadata."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator

from matplotlib.figure import Figure

from calc.core.version import __version__
from calc.presentation.tables.base import Table

__all__ = ["figure_bytes", "quiet_drawing"]

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def quiet_drawing() -> Iterator[None]:
    """Within the block, what matplotlib warns of while it draws (a glyph the font lacks, a
    layout it could not apply) goes to capcalc's log at debug level, never to the user's
    terminal: the chart is drawn all the same, and stderr carries capcalc's own lines only.
    """
    library = logging.getLogger("matplotlib")
    level = library.level
    library.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        library.setLevel(level)
    for warning in caught:
        logger.debug("while drawing: %s", warning.message)


def _metadata(fmt: str, table: Table) -> dict[str, str]:
    description = f"{table.title}. {table.caption}"
    if fmt == "png":
        return {"Title": table.title, "Description": description,
                "Software": f"capcalc {__version__}"}
    if fmt == "svg":
        return {"Title": table.title, "Description": description,
                "Creator": f"capcalc {__version__}"}
    return {"Title": table.title, "Subject": description, "Creator": f"capcalc {__version__}"}


def figure_bytes(fig: Figure, table: Table, fmt: str = "png", dpi: int = 200) -> bytes:
    """Render ``fig`` as ``fmt`` (png, svg or pdf) with ``table``'s provenance in its metadata.

    The positions the first save lays out are kept for the saves that follow. A
    figure with constrained layout is laid out twice on every save (a dry-run
    draw, then again in the real one); the layout is solved in figure
    fractions, so it is the same at any resolution, and a chart saved as PNG and
    SVG takes about a quarter less time when the second save reuses it.
    """
    buffer = io.BytesIO()
    with quiet_drawing():
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt, table))
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine(None)  # None, not "none": no dry-run draw before each save
    return buffer.getvalue()
