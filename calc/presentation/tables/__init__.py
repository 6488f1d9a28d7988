"""The data behind every chart, one module per subject; :class:`Table` is their common form."""

from __future__ import annotations

from calc.presentation.tables.base import Table, provenance

__all__ = ["Table", "provenance"]
