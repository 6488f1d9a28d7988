"""The Timeline view's phase table: the build-out's phases as rows the user edits.

The phases come from the current scenario's ``timeline:`` (or, for a scenario
without one, the shipped Cortex build-out). Every edit (slip ranges, status,
MFU and precision included) is checked as a scenario file's would be and becomes
the page's state, which the link and the downloaded scenario file carry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from calc.core.errors import CapcalcError
from calc.core.phases import LATEST, PHASE_STATUSES, Phase
from calc.core.vocabulary import INPUTS
from calc.dashboard.commands import page_buildout
from calc.dashboard.context import Context, PhaseEdit
from calc.dashboard.link import phases_from_records
from calc.dashboard.markup import plain, shown_error

__all__ = ["default_phases", "editor", "phases_from_rows"]

_OWN_CHIP = "(scenario's chip)"
_OWN_PRECISION = "(scenario's)"
_COLUMNS = ("name", "start", "facility_power_mw", "accelerator", "delay_months", "delay_low",
            "delay_high", "status", "refresh", "mfu", "precision", "confidence", "source",
            "note")


def default_phases(ctx: Context) -> tuple[tuple[Phase, ...], str]:
    """The scenario's own phases, or the shipped build-out's with a note saying so
    (:func:`calc.dashboard.commands.page_buildout`, which the scenario file writes too)."""
    return page_buildout(ctx)


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars from the editor
        value = value.item()
    return value


def phases_from_rows(rows: Sequence[Mapping[Any, Any]], *, catalog: Any) -> tuple[Phase, ...]:
    """Edited table rows → phases, checked as a scenario file's would be.

    Raises
    ------
    CapcalcError
        One line naming the row and the column, and what would be right.
    """
    records: list[dict[str, Any]] = []
    for row in rows:
        raw = {k: _clean(row.get(k)) for k in _COLUMNS}
        if all(v in (None, "", False) for v in raw.values()):
            continue  # an empty row the editor added
        if raw["accelerator"] in (None, "", _OWN_CHIP):
            raw["accelerator"] = None
        if isinstance(raw["facility_power_mw"], int):
            raw["facility_power_mw"] = float(raw["facility_power_mw"])
        delay, low, high = (_whole(raw.pop(k)) for k in ("delay_months", "delay_low",
                                                          "delay_high"))
        if (low is None) != (high is None):
            raise CapcalcError("give both the low and the high of the slip range (whole "
                               "months, low ≤ delay ≤ high), or neither", file="phase table",
                               key=f"row {len(records) + 1}: delay_months")
        raw["delay_months"] = (delay or 0) if low is None else \
            {"value": delay or 0, "low": low, "high": high}
        raw["refresh"] = bool(raw["refresh"])
        raw["status"] = raw["status"] or "announced"
        if raw["precision"] in ("", _OWN_PRECISION):
            raw["precision"] = None
        records.append({k: v for k, v in raw.items() if v is not None or k == "accelerator"})
    return phases_from_records(records, catalog=catalog, file="phase table")


def _whole(value: Any) -> Any:
    """A month count from the editor: whole floats as ints (anything else is checked later)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _editable(phase: Phase) -> tuple[Any, ...]:
    """The fields of a phase the table shows and edits."""
    return tuple(getattr(phase, k) for k in _COLUMNS)


def _rows(phases: tuple[Phase, ...]) -> pd.DataFrame:
    frame = pd.DataFrame([{
        "name": p.name, "start": p.start, "facility_power_mw": p.facility_power_mw,
        "accelerator": p.accelerator or _OWN_CHIP, "delay_months": p.delay_months,
        "delay_low": math.nan if p.delay_low is None else float(p.delay_low),
        "delay_high": math.nan if p.delay_high is None else float(p.delay_high),
        "status": p.status, "refresh": p.refresh,
        "mfu": math.nan if p.mfu is None else p.mfu,
        "precision": p.precision or _OWN_PRECISION, "confidence": p.confidence,
        "source": p.source, "note": p.note,
    } for p in phases], columns=list(_COLUMNS))
    return frame.astype({"delay_low": "float64", "delay_high": "float64", "mfu": "float64"})


def editor(ctx: Context, shown: tuple[Phase, ...], default: tuple[Phase, ...]
           ) -> tuple[tuple[Phase, ...], PhaseEdit | None]:
    """The phase table showing ``shown``; returns the phases it shows and, when the user
    edited them this run, the edit (None: back to ``default``, the scenario's own)."""
    catalog = ctx.library.baseline.catalog
    months: dict[str, Any] = {"min_value": 0, "max_value": 600, "step": 1, "format": "%d"}
    edited = st.data_editor(
        _rows(shown), key=f"tl:editor:{ctx.preset}:{ctx.editor}", num_rows="dynamic",
        width="stretch", hide_index=True,
        column_config={
            "name": st.column_config.TextColumn("Phase", required=True),
            "start": st.column_config.TextColumn("Start (YYYY-MM)", required=True,
                                                 validate=r"^\d{4}-(0[1-9]|1[0-2])$"),
            "facility_power_mw": st.column_config.NumberColumn(
                "Site total (MW)", min_value=0.001, required=True,
                help="The site's total facility power from the start month"),
            "accelerator": st.column_config.SelectboxColumn(
                "Accelerator", options=[_OWN_CHIP, LATEST, *catalog],
                help="'latest': the then-current generation (catalog, then the trend)"),
            "delay_months": st.column_config.NumberColumn(
                "Delay (months)", help="Months after the start the capacity arrives; with a "
                "slip range, its median (the central run uses it)", **months),
            "delay_low": st.column_config.NumberColumn(
                "Slip low (months)", help="The slip's 5th percentile: with a high, the "
                "Monte Carlo samples the delay (90 % within low–high)", **months),
            "delay_high": st.column_config.NumberColumn(
                "Slip high (months)", help="The slip's 95th percentile (with a low)",
                **months),
            "status": st.column_config.SelectboxColumn(
                "Status", options=list(PHASE_STATUSES), required=True,
                help="announced: a promised date, which may slip (the peers' slip applies "
                     "to it when switched on, unless it has a range of its own); delivered: "
                     "built"),
            "refresh": st.column_config.CheckboxColumn(
                "Refresh", help="Replace the hardware when it retires"),
            "mfu": st.column_config.NumberColumn(
                "MFU", min_value=INPUTS["training.mfu"].lower, max_value=1.0, step=0.01,
                help="This phase's own MFU (its refreshes too); empty for the scenario's "
                     "training.mfu"),
            "precision": st.column_config.SelectboxColumn(
                "Precision", options=[_OWN_PRECISION, *INPUTS["training.precision"].choices],
                help="This phase's training precision (its peak FLOP/s); the scenario's "
                     "by default"),
            "confidence": st.column_config.SelectboxColumn(
                "Confidence", options=["confirmed", "secondary", "unconfirmed", "preliminary"]),
            "source": st.column_config.TextColumn("Source"),
            "note": st.column_config.TextColumn("Note"),
        },
    )
    try:
        phases = phases_from_rows(edited.to_dict("records"), catalog=catalog)
    except CapcalcError as exc:
        st.error(plain(f"{shown_error(exc)}; showing the phases before this edit"),
                 icon=":material/error:")
        return shown, None
    if [_editable(p) for p in phases] == [_editable(p) for p in shown]:
        return shown, None  # no edit
    # an edit: it becomes the page's state (link, answer, file); a row keeps the fields
    # the table does not show from the phase of its name
    by_name = {p.name: p for p in shown}
    merged = tuple(replace(by_name[p.name], **{k: getattr(p, k) for k in _COLUMNS})
                   if p.name in by_name else p for p in phases)
    return shown, PhaseEdit(None if merged == default else merged)
