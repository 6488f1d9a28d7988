"""A build-out phase as plain data, and the names of its fields that inputs may address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calc.core.months import month_index, month_label

__all__ = ["LATEST", "PHASE_FIELDS", "PHASE_SET_FIELDS", "Phase", "phase_key"]

#: A phase's ``accelerator`` that asks for the then-current generation.
LATEST = "latest"
#: Fields of a phase that ``--set``, ``solve`` and samples may address, with their unit.
PHASE_FIELDS: dict[str, str] = {
    "facility_power_mw": "MW",
    "start": "month",
    "delay_months": "month",
}
#: Fields ``--set`` may also change (not solvable: a name and a switch).
PHASE_SET_FIELDS: dict[str, str] = {**PHASE_FIELDS, "accelerator": "", "refresh": ""}



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
        Slip, months: the capacity starts at ``start`` + ``delay_months``.
    refresh : bool
        Replace retired hardware with the then-current generation.
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
        if self.delay_months:
            out["delay_months"] = self.delay_months
        if self.refresh:
            out["refresh"] = True
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
