"""Hypothesis strategies for valid inputs of the static chain, inside each key's valid range."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from calc.core.vocabulary import INPUTS

__all__ = ["chain_inputs", "in_range"]


def in_range(key: str) -> st.SearchStrategy[float]:
    """Floats inside ``key``'s valid range (the vocabulary's bounds), open ends excluded."""
    spec = INPUTS[key]
    assert spec.lower is not None and spec.upper is not None
    return st.floats(
        min_value=spec.lower, max_value=spec.upper,
        exclude_min=spec.lower_open or spec.lower == 0, exclude_max=spec.upper_open,
        allow_nan=False, allow_infinity=False,
    ).filter(lambda x: x > 1e-9 or spec.lower != 0)


@st.composite
def chain_inputs(draw: st.DrawFn, *, sized_by_count: bool | None = None) -> dict[str, Any]:
    """A complete, valid input dict for :func:`calc.core.chain.evaluate` (dotted keys)."""
    values: dict[str, Any] = {
        key: draw(in_range(key)) for key, spec in INPUTS.items()
        if spec.kind != "choice" and key not in ("site.facility_power_mw", "site.accelerators")
    }
    by_count = draw(st.booleans()) if sized_by_count is None else sized_by_count
    if by_count:
        values["site.accelerators"] = draw(in_range("site.accelerators"))
        values["site.facility_power_mw"] = None
    else:
        values["site.facility_power_mw"] = draw(in_range("site.facility_power_mw"))
        values["site.accelerators"] = None
    return values
