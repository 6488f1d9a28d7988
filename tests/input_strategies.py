"""Hypothesis strategies for valid inputs of the static chain, inside each key's valid range."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from calc.core.vocabulary import INPUTS, SIZING_KEYS

__all__ = ["accepted", "chain_inputs", "in_range"]


def in_range(key: str) -> st.SearchStrategy[float]:
    """Floats inside ``key``'s valid range (the vocabulary's bounds), open ends excluded.

    Moderate draws for the tests of fitted distributions: no value within 1e-9 of
    a bound at 0, no subnormal number.
    """
    spec = INPUTS[key]
    assert spec.lower is not None and spec.upper is not None
    return st.floats(
        min_value=spec.lower, max_value=spec.upper,
        exclude_min=spec.lower_open or spec.lower == 0, exclude_max=spec.upper_open,
        allow_nan=False, allow_infinity=False, allow_subnormal=False,
    ).filter(lambda x: x > 1e-9 or spec.lower != 0)


def accepted(key: str) -> st.SearchStrategy[float]:
    """Every value capcalc accepts for ``key``: its whole valid range, both ends included.

    The ends (and the numbers just inside them) are drawn often on purpose: they
    are where a product or a ratio of inputs is most extreme. A count is a whole
    number; zero is drawn where the range starts at 0, and so is the smallest
    positive normal number.
    """
    spec = INPUTS[key]
    assert spec.lower is not None and spec.upper is not None
    lower, upper = float(spec.lower), float(spec.upper)
    if spec.kind == "count":
        return st.one_of(st.sampled_from([lower, upper]),
                         st.integers(math.ceil(lower), math.floor(upper)).map(float))
    edges = [x for x, open_ in ((lower, spec.lower_open), (upper, spec.upper_open)) if not open_]
    edges.append(math.nextafter(upper, -math.inf))
    # just above the lower end; above 0, the smallest normal number (nearer 0 is refused)
    edges.append(2.2250738585072014e-308 if lower == 0 else math.nextafter(lower, math.inf))
    inside = st.floats(min_value=lower, max_value=upper, exclude_min=spec.lower_open,
                       exclude_max=spec.upper_open, allow_nan=False, allow_infinity=False,
                       allow_subnormal=False)
    if lower > 0:  # spread draws over the decades too, not only near the top of the range
        inside = st.one_of(inside, st.floats(math.log10(lower), math.log10(upper))
                           .map(lambda e: min(max(10.0 ** e, lower), upper)))
    return st.one_of(st.sampled_from(edges), inside)


@st.composite
def chain_inputs(draw: st.DrawFn, *, sized_by_count: bool | None = None,
                 full_range: bool = False) -> dict[str, Any]:
    """A complete, valid input dict for :func:`calc.core.chain.evaluate` (dotted keys).

    With ``full_range``, each value comes from :func:`accepted` (every value
    capcalc accepts, the ends included); otherwise from :func:`in_range`.
    """
    values_of = accepted if full_range else in_range
    values: dict[str, Any] = {
        key: draw(values_of(key)) for key, spec in INPUTS.items()
        if spec.kind != "choice" and key not in SIZING_KEYS
    }
    by_count = draw(st.booleans()) if sized_by_count is None else sized_by_count
    if by_count:
        values["site.accelerators"] = draw(values_of("site.accelerators"))
        values["site.facility_power_mw"] = None
    else:
        values["site.facility_power_mw"] = draw(values_of("site.facility_power_mw"))
        values["site.accelerators"] = None
    return values
