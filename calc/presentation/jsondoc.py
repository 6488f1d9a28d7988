"""JSON as capcalc writes it: strict JSON, where a number that is not finite becomes null.

The only such number capcalc produces is an out-of-reach answer: the facility
power for a target that no size of cluster reaches under the interruptions
availability model (``inf``). JSON has no infinity, and ``Infinity`` (Python's
default) breaks every strict reader, so it is written as ``null`` and the
text outputs say why.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["finite_or_null", "json_text"]


def finite_or_null(document: Any) -> Any:
    """``document`` with every non-finite float replaced by None (lists and dicts walked).

    >>> finite_or_null({"a": [1.0, float("inf")], "b": float("nan"), "c": "inf"})
    {'a': [1.0, None], 'b': None, 'c': 'inf'}
    """
    if isinstance(document, float):
        return document if math.isfinite(document) else None
    if isinstance(document, dict):
        return {key: finite_or_null(value) for key, value in document.items()}
    if isinstance(document, list | tuple):
        return [finite_or_null(value) for value in document]
    return document


def json_text(document: Any, **kwargs: Any) -> str:
    """``document`` as strict JSON text (``json.dumps`` keywords pass through).

    >>> json_text({"power": float("inf")})
    '{"power": null}'
    """
    return json.dumps(finite_or_null(document), allow_nan=False, **kwargs)
