"""Calibration: the model run on each peer's chips, against the figures published for the site.

For every row of ``peers.yaml`` with a chip count, capcalc runs its own chain
(:func:`calc.core.chain.evaluate`) with ``site.accelerators`` set to the count and
``hardware.accelerator`` to the chip, every other input at capcalc's
defaults, and compares power (on the published basis), H100-equivalents and
capex with every published figure. Each comparison states its relative
deviation, the tolerance from ``peers.yaml`` and, when it falls outside or
cannot be made, the likely reason: the factor the published figure implies
against the one capcalc uses. Nothing is dropped and nothing is tuned.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from calc.analysis.run import model_inputs
from calc.core.chain import evaluate
from calc.data.peers import (
    Component,
    Figure,
    Peer,
    PeersFile,
    PowerFigure,
    figure_confidence,
    figure_source,
    weakest,
)
from calc.data.scenarios import Library, Scenario

__all__ = [
    "QUANTITIES",
    "CalibrationResult",
    "Comparison",
    "SiteModel",
    "calibrate",
    "chip_spec",
    "defaults_scenario",
    "deviation",
    "model_h100e",
    "pinned_by",
    "site_model",
]

logger = logging.getLogger(__name__)

#: The quantities compared, with the unit of their figures.
QUANTITIES: dict[str, str] = {"power": "MW", "h100_equivalents": "H100e", "capex": "USD_2025"}

_POWER_KEYS = ("site.pue", "site.it_overhead", "catalog.{chip}.tdp_w",
               "catalog.{chip}.server_overhead")
#: Assumptions each quantity's model value depends on (for the circularity check).
#: Chip figures each quantity needs.
_NEEDS: dict[str, tuple[str, ...]] = {
    "power": ("tdp_w", "server_overhead"),
    "h100_equivalents": ("fp8_flop_per_s",),
    "capex": ("capex_usd", "tdp_w", "server_overhead"),
}
_DEPENDS: dict[str, tuple[str, ...]] = {
    "power": _POWER_KEYS,
    "h100_equivalents": ("catalog.{chip}.fp8_flop_per_s",),
    "capex": ("catalog.{chip}.capex_usd", "cost.facility_capex_usd_per_mw", *_POWER_KEYS),
}


@dataclass(frozen=True)
class SiteModel:
    """capcalc's outputs for a peer's chips, summed over the kinds of chip.

    NaN marks an output the chips' stated figures cannot give; ``missing`` lists the
    ``(chip, figure)`` pairs that were not stated.
    """

    accelerators: float
    facility_power_mw: float
    it_power_mw: float
    h100_equivalents: float
    capex_usd: float
    pue: float
    it_overhead: float
    facility_capex_usd_per_mw: float
    missing: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Comparison:
    """One published figure against the model.

    ``status`` is ``within`` or ``outside`` the tolerance, or ``n/a`` when the
    model cannot give the quantity (``unavailable`` says why). ``site`` is the
    model of the row's chips, from which the factor the published figure
    implies follows (:mod:`calc.presentation.calibration` writes it out).
    ``circular`` names assumptions derived from this very row: such a
    comparison checks arithmetic, not the model's independence.
    """

    peer: str
    site: str
    date: str
    quantity: str
    unit: str
    basis: str
    primary: bool
    published: float
    bound: str
    model: float | None
    deviation: float | None
    tolerance: float
    status: str
    confidence: str
    circular: tuple[str, ...]
    source: str
    modelled: SiteModel | None = None
    note: str = ""
    unavailable: str = ""

    @property
    def independent(self) -> bool:
        """Whether no model input was derived from the row being compared."""
        return not self.circular


@dataclass(frozen=True)
class CalibrationResult:
    """Every comparison, with the tolerances and the defaults the model ran on."""

    comparisons: tuple[Comparison, ...]
    tolerances: dict[str, float]
    tolerance_notes: dict[str, str]
    defaults: str
    sets: tuple[tuple[str, Any], ...] = ()
    not_modelled: tuple[str, ...] = field(default=())
    #: Assumption key → the peers whose published figures it was derived from
    #: (``informs:`` in peers.yaml): the sites that pin each chip's factor.
    pinned: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def count(self, status: str, *, confidence: str | None = None,
              primary_only: bool = False) -> int:
        """How many comparisons have ``status`` (optionally only of one confidence)."""
        return sum(1 for c in self.comparisons if c.status == status
                   and (confidence is None or c.confidence == confidence)
                   and (c.primary or not primary_only))

    def summary(self) -> str:
        """One sentence on how well the model reproduces the published figures."""
        modelled = [c for c in self.comparisons if c.status != "n/a"]
        confirmed = [c for c in modelled if c.confidence == "confirmed"]
        inside = sum(c.status == "within" for c in confirmed)
        return (f"{sum(c.status == 'within' for c in modelled)} of {len(modelled)} modelled "
                f"comparisons are within tolerance ({inside} of {len(confirmed)} on confirmed "
                f"figures); {self.count('n/a')} published figures cannot be modelled "
                "(no chip count or no stated chip figure).")


def deviation(model: float, published: float) -> float:
    """Relative deviation of the model from a published figure.

    >>> round(deviation(174.3, 181), 3)
    -0.037
    """
    return model / published - 1


def defaults_scenario(library: Library, sets: Iterable[tuple[str, Any]] = ()) -> Scenario:
    """capcalc's defaults: the baseline scenario, with ``sets`` applied."""
    return library.scenario(library.baseline_name(), list(sets))


def _component_inputs(library: Library, peers: PeersFile, defaults: Scenario,
                      component: Component) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    if component.chip in library.baseline.catalog:
        inputs = model_inputs(library.with_accelerator(defaults, component.chip))
        missing: list[tuple[str, str]] = []
    else:
        spec = chip_spec(library, peers, component.chip)
        inputs = model_inputs(defaults)
        precision = str(inputs["training.precision"])
        inputs.update({
            "hardware.tdp_w": spec["tdp_w"],
            "hardware.server_overhead": spec["server_overhead"],
            "hardware.peak_flop_per_s": spec[f"{precision}_flop_per_s"],
            "hardware.peak_8bit_flop_per_s": spec["fp8_flop_per_s"],
            "cost.accelerator_capex_usd": spec["capex_usd"],
        })
        missing = [(component.chip, name) for name, value in spec.items() if math.isnan(value)]
    inputs["site.accelerators"] = component.count
    inputs["site.facility_power_mw"] = None
    return inputs, missing


def site_model(library: Library, peers: PeersFile, peer: Peer,
               defaults: Scenario | None = None) -> SiteModel:
    """Run the model on ``peer``'s chips (each kind separately, summed).

    Parameters
    ----------
    library : Library
        Supplies the catalog and the baseline defaults.
    peers : PeersFile
        Supplies chips that are not in the catalog.
    peer : Peer
        The row; without ``accelerators`` every output is NaN.
    defaults : Scenario, optional
        The scenario whose inputs apply (default :func:`defaults_scenario`).
    """
    defaults = defaults or defaults_scenario(library)
    pue = defaults.inputs.site.pue
    it_overhead = defaults.inputs.site.it_overhead
    per_mw = defaults.inputs.cost.facility_capex_usd_per_mw
    if not peer.accelerators:
        nan = math.nan
        return SiteModel(nan, nan, nan, nan, nan, pue, it_overhead, per_mw)
    totals = dict.fromkeys(("accelerators", "facility_power_mw", "it_power_mw",
                            "h100_equivalents", "capex_usd"), 0.0)
    missing: list[tuple[str, str]] = []
    for component in peer.accelerators:
        inputs, lacking = _component_inputs(library, peers, defaults, component)
        missing += lacking
        out = evaluate(inputs, 1.0)
        for key in totals:
            totals[key] += float(out[key])
    return SiteModel(**totals, pue=pue, it_overhead=it_overhead,
                     facility_capex_usd_per_mw=per_mw, missing=tuple(missing))


def _within(model: float, published: float, bound: str | None, tolerance: float) -> bool:
    if bound == "at_least":
        return model >= published * (1 - tolerance)
    if bound == "at_most":
        return model <= published * (1 + tolerance)
    return abs(deviation(model, published)) <= tolerance


def _model_value(quantity: str, figure: Figure, site: SiteModel) -> float:
    if quantity == "power":
        assert isinstance(figure, PowerFigure)
        return site.it_power_mw if figure.basis == "it" else site.facility_power_mw
    return site.h100_equivalents if quantity == "h100_equivalents" else site.capex_usd


def _circular(peer: Peer, quantity: str) -> tuple[str, ...]:
    chips = [c.chip for c in peer.accelerators or ()]
    depends = {key.format(chip=chip) for key in _DEPENDS[quantity] for chip in chips}
    return tuple(key for key in peer.informs if key in depends)


def _compare(peer: Peer, quantity: str, figure: Figure, primary: bool, site: SiteModel,
             tolerance: float) -> Comparison:
    unit = QUANTITIES[quantity]
    basis = figure.basis if isinstance(figure, PowerFigure) else ""
    confidence = figure_confidence(peer, figure)
    if peer.accelerators:  # a comparison is only as sure as the chip count it rests on
        confidence = weakest(confidence, *(figure_confidence(peer, c) for c in peer.accelerators))
    model = _model_value(quantity, figure, site)
    common: dict[str, Any] = {
        "peer": peer.id, "site": peer.site, "date": figure.as_of or peer.date,
        "quantity": quantity, "unit": unit, "basis": basis, "primary": primary,
        "published": figure.value, "bound": figure.bound or "", "tolerance": tolerance,
        "confidence": confidence, "source": figure_source(peer, figure),
    }
    if math.isnan(model):
        lacking = [f"{chip} has no stated {name} (peers.yaml chips:)"
                   for chip, name in site.missing if name in _NEEDS[quantity]]
        why = "; ".join(lacking) or "the model cannot give it"
        if not peer.accelerators:
            why = "no published chip count, so capcalc cannot model the site"
        return Comparison(**common, model=None, deviation=None, status="n/a", circular=(),
                          unavailable=why)
    within = _within(model, figure.value, figure.bound, tolerance)
    return Comparison(**common, model=model, deviation=deviation(model, figure.value),
                      status="within" if within else "outside", circular=_circular(peer, quantity),
                      modelled=site, note=figure.note or "")


def calibrate(library: Library, peers: PeersFile, sets: Sequence[tuple[str, Any]] = ()
              ) -> CalibrationResult:
    """Compare the model with every published power, H100e and capex figure of ``peers``.

    Parameters
    ----------
    library : Library
        The catalog and defaults the model runs on.
    peers : PeersFile
        The published rows and the tolerances.
    sets : sequence of (key, value)
        Overrides of capcalc's defaults (as ``--set``); a peer's chip count and
        chip always replace the sizing and accelerator inputs.

    Returns
    -------
    CalibrationResult
        One comparison per published figure, in file order; those that cannot
        be modelled have status ``n/a`` and say why.
    """
    defaults = defaults_scenario(library, sets)
    tol = peers.calibration.tolerances
    tolerances = {"power": tol.power.value, "h100_equivalents": tol.h100_equivalents.value,
                  "capex": tol.capex.value}
    notes = {"power": tol.power.note or "", "h100_equivalents": tol.h100_equivalents.note or "",
             "capex": tol.capex.note or ""}
    comparisons: list[Comparison] = []
    not_modelled: list[str] = []
    for peer in peers.peers:
        site = site_model(library, peers, peer, defaults)
        if not peer.accelerators:
            not_modelled.append(peer.id)
        lists: tuple[tuple[str, Sequence[Figure]], ...] = (
            ("power", peer.power_mw), ("h100_equivalents", peer.h100_equivalents),
            ("capex", peer.capex_usd_2025))
        for quantity, figures in lists:
            for i, figure in enumerate(figures):
                comparisons.append(_compare(peer, quantity, figure, i == 0, site,
                                            tolerances[quantity]))
    logger.debug("calibrated %d figures of %d peers", len(comparisons), len(peers.peers))
    return CalibrationResult(comparisons=tuple(comparisons), tolerances=tolerances,
                             tolerance_notes=notes, defaults=defaults.name,
                             sets=tuple(sets), not_modelled=tuple(not_modelled),
                             pinned=pinned_by(peers))


def pinned_by(peers: PeersFile) -> dict[str, tuple[str, ...]]:
    """Each assumption derived from published sites, with those sites' peer ids, sorted by key.

    >>> from calc.data.peers import load_peers
    >>> pinned_by(load_peers())["catalog.GB200.server_overhead"]
    ('colossus-1-2025-07', 'colossus-2-2025-10')
    """
    pinned: dict[str, list[str]] = {}
    for peer in peers.peers:
        for key in peer.informs:
            pinned.setdefault(key, []).append(peer.id)
    return {key: tuple(ids) for key, ids in sorted(pinned.items())}


def chip_spec(library: Library, peers: PeersFile, chip: str) -> dict[str, float]:
    """A chip's figures (catalog or ``chips:``) as floats; a figure not stated is NaN."""
    catalog = library.baseline.catalog
    if chip in catalog:
        acc = catalog[chip]
        return {"tdp_w": acc.tdp_w, "bf16_flop_per_s": acc.bf16_flop_per_s,
                "fp8_flop_per_s": acc.fp8_flop_per_s, "server_overhead": acc.server_overhead,
                "capex_usd": acc.capex_usd}
    spec = peers.chips[chip]
    return {name: (getattr(spec, name).value if getattr(spec, name) is not None else math.nan)
            for name in ("tdp_w", "bf16_flop_per_s", "fp8_flop_per_s", "server_overhead",
                         "capex_usd")}


def model_h100e(library: Library, peers: PeersFile, peer: Peer) -> float | None:
    """H100e of a row's chips by their 8-bit FLOP/s (None without a count or a stated spec)."""
    if not peer.accelerators:
        return None
    value = site_model(library, peers, peer).h100_equivalents
    return None if math.isnan(value) else value
