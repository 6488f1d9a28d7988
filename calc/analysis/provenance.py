"""Where a result comes from, in a few fields: the scenario, its baseline, a hash of the
assumptions, the seed and samples, capcalc's version — and the one line that says it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from calc.core.phases import Phase
from calc.core.version import __version__
from calc.data.scenarios import Scenario

__all__ = ["assumptions_hash", "provenance", "provenance_line"]


def assumptions_hash(scenarios: Iterable[Scenario], *, catalog: Mapping[str, Any] | None = None,
                     phases: Sequence[Sequence[Phase] | None] = ()) -> str:
    """A short hash of every number ``scenarios`` rest on.

    Values, ranges, distributions, correlations, timelines, the catalog and
    any build-out ``phases``: two results with the same hash were computed
    from the same assumptions.
    """
    digest = hashlib.sha256()
    for scenario in scenarios:
        for key in sorted(scenario.assumptions):
            a = scenario.assumptions[key]
            digest.update(repr((key, a.value, a.low, a.high, a.dist)).encode())
        digest.update(repr(sorted((c.keys, c.rank) for c in scenario.correlations)).encode())
        digest.update(repr(scenario.timeline).encode())
    for chosen in phases:
        digest.update(repr(chosen).encode())
    for name in sorted(catalog or {}):
        digest.update(repr((catalog or {})[name]).encode())
    return digest.hexdigest()[:16]


def provenance(scenario: Scenario, *others: Scenario, **extra: Any) -> dict[str, Any]:
    """The provenance fields of a result of ``scenario`` (and the ``others`` it used)."""
    return {"scenario": scenario.name, "baseline": scenario.baseline_name,
            "target_multiple": float(scenario.inputs.target.compute_multiplier),
            "assumptions_hash": assumptions_hash([scenario, *others]),
            **extra, "capcalc_version": __version__}


def provenance_line(attrs: Mapping[str, Any]) -> str:
    """One line saying how a result can be reproduced.

    >>> provenance_line({"capcalc_version": "1.0", "assumptions_hash": "ab12", "seed": 1,
    ...                  "samples": 2000})
    'capcalc 1.0 · assumptions ab12 · seed 1 · 2,000 samples'
    """
    parts = [f"capcalc {attrs.get('capcalc_version', '?')}"]
    if attrs.get("assumptions_hash"):
        parts.append(f"assumptions {attrs['assumptions_hash']}")
    if attrs.get("samples"):
        parts += [f"seed {attrs.get('seed', 0)}", f"{int(attrs['samples']):,} samples"]
    else:
        parts.append("at central values")
    return " · ".join(parts)
