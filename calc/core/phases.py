"""A build-out phase as plain data, and the names of its fields that inputs may address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calc.core.months import month_index, month_label

__all__ = ["LATEST", "PHASE_FIELDS", "PHASE_SET_FIELDS", "PHASE_STATUSES", "Phase", "phase_key"]

#: A phase's ``accelerator`` that asks for the then-current generation.
LATEST = "latest"
#: Fields of a phase that ``--set``, ``solve`` and samples may address, with their unit.
PHASE_FIELDS: dict[str, str] = {
    "facility_power_mw": "MW",
    "start": "month",
    "delay_months": "month",
}
#: Fields ``--set`` may also change (not solvable: a name and a switch).
PHASE_SET_FIELDS: dict[str, str] = {**PHASE_FIELDS, "accelerator": "", "refresh": "",
                                     "status": "", "mfu": "1", "precision": "",
                                     "lead_months": "month"}
#: Whether a phase's capacity is only announced (its date may slip) or already delivered.
PHASE_STATUSES = ("announced", "delivered")


@dataclass(frozen=True)
class Phase:
    """One phase of a build-out, in capcalc's units.

    Attributes
    ----------
    name : str
        Label of the phase (unique within its timeline).
    start : str
        ``YYYY-MM``: the month its capacity starts training, before any delay.
    facility_power_mw : float
        The site's total facility power from ``start`` on, MW. The capacity the
        phase adds is this minus the previous phase's (in list order).
    accelerator : str or None
        Catalog name of the chip installed in the added capacity, ``"latest"``
        for the then-current generation, or None for the scenario's
        ``hardware.accelerator``.
    delay_months : int
        Slip, months: the capacity starts at ``start`` + ``delay_months``. With
        ``delay_low``/``delay_high`` it is the median of an uncertain slip whose
        5th and 95th percentiles they are (whole months), sampled by the
        timeline's Monte Carlo; the central run uses ``delay_months``.
    delay_low, delay_high : int or None
        The slip's 90 % interval, months (both or neither).
    status : str
        ``announced`` (a date promised, which may slip) or ``delivered``.
    refresh : bool
        Replace retired hardware with the then-current generation.
    mfu : float or None
        MFU of the capacity this phase adds (its refreshes included); None for
        the scenario's ``training.mfu``. A fixed number: the Monte Carlo samples
        only the scenario's MFU.
    precision : str or None
        Training precision of this phase's capacity (``bf16`` or ``fp8``); None
        for the scenario's ``training.precision``. Which generation is "latest"
        is still ranked at the scenario's precision.
    lead_months : int or None
        Procurement lead time of this phase, months: ``latest`` (and each
        refresh) takes the best chip in volume availability this long before
        the planned start; None for the scenario's
        ``hardware.procurement_lead_months``.
    source, confidence, note : str or None
        Provenance, as for an assumption.
    """

    name: str
    start: str
    facility_power_mw: float
    accelerator: str | None = None
    delay_months: int = 0
    refresh: bool = False
    source: str | None = None
    confidence: str | None = None
    note: str | None = None
    delay_low: int | None = None
    delay_high: int | None = None
    status: str = "announced"
    mfu: float | None = None
    precision: str | None = None
    lead_months: int | None = None

    @property
    def delay_uncertain(self) -> bool:
        """Whether the slip has a range for the Monte Carlo to sample."""
        return self.delay_low is not None and self.delay_high is not None \
            and self.delay_low < self.delay_high

    @property
    def start_month(self) -> int:
        """Month index of ``start`` (before the delay)."""
        return month_index(self.start)

    @property
    def begins(self) -> str:
        """``YYYY-MM`` the capacity starts, the delay included."""
        return month_label(self.start_month + self.delay_months)

    def to_dict(self) -> dict[str, Any]:
        """The phase as written in a scenario file (defaults left out)."""
        out: dict[str, Any] = {"name": self.name, "start": self.start,
                               "facility_power_mw": self.facility_power_mw}
        if self.accelerator is not None:
            out["accelerator"] = self.accelerator
        if self.delay_low is not None and self.delay_high is not None:
            out["delay_months"] = {"value": self.delay_months, "low": self.delay_low,
                                   "high": self.delay_high}
        elif self.delay_months:
            out["delay_months"] = self.delay_months
        if self.refresh:
            out["refresh"] = True
        if self.status != "announced":
            out["status"] = self.status
        for own in ("mfu", "precision", "lead_months"):
            if getattr(self, own) is not None:
                out[own] = getattr(self, own)
        for extra in ("source", "confidence", "note"):
            if getattr(self, extra) is not None:
                out[extra] = getattr(self, extra)
        return out



def phase_key(index: int, field: str) -> str:
    """The dotted key of one phase's field, as ``solve``, ``--set`` and samples take it.

    >>> phase_key(2, "facility_power_mw")
    'timeline[2].facility_power_mw'
    """
    return f"timeline[{index}].{field}"
