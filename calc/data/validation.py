"""Validation messages: a pydantic error or an unknown name turned into one readable line.

``validation_message`` reports the error deepest in the user's keys, in
capcalc's words ("must be a month written YYYY-MM (got '2027-13')");
``suggest`` names the nearest valid option for a misspelt key or name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from calc.core.errors import shown, suggest
from calc.core.vocabulary import INPUTS
from calc.data.schema import AcceleratorSpec, Entry

__all__ = ["suggest", "validation_message"]


_UNION_PARTS = {"float", "str", "Override", "none", "AcceleratorSpec", "int", "DelayRange"}


#: What a pattern-checked text must look like, in words (schema patterns → message).
_PATTERN_WORDS = {
    r"^\d{4}(-\d{2}(-\d{2})?)?$": "must be a date written YYYY, YYYY-MM or YYYY-MM-DD",
    r"^\d{4}-(0[1-9]|1[0-2])$": "must be a month written YYYY-MM",
}
_NAME_WORDS = "letters, digits and _ . + -, starting with a letter or digit"
_ENTRY_WORDS = {
    "Entry": "must be an entry with value, unit, source and as_of",
    "AcceleratorSpec": "must be an accelerator with name, vendor, release, tdp_w, "
                       "bf16_flop_per_s, fp8_flop_per_s, server_overhead and capex_usd",
}


def _user_loc(error: Any) -> list[str]:
    # pydantic reports union members as extra path parts; keep the user's keys only
    return [str(part) for part in error["loc"]
            if not str(part).startswith(("function-", "constrained-"))
            and str(part) not in _UNION_PARTS]


def _shown(value: Any) -> str:
    """``value`` as a message shows it: short, and containers by their kind only."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return shown(value)


def validation_message(exc: ValidationError, *, known: Iterable[str] = ()) -> tuple[str, str]:
    """Turn a pydantic error into ``(dotted key, one-line message)``.

    Of several errors the one deepest in the user's keys is reported: when a
    value may be a number, a text or a mapping and the user wrote a mapping,
    the mistake is inside the mapping, not that it is not a number.
    """
    error = max(exc.errors(), key=lambda e: len(_user_loc(e)))
    loc = _user_loc(error)
    kind = error["type"]
    got = error.get("input")
    ctx = error.get("ctx") or {}
    if "[key]" in loc:  # the key itself is wrong (a scenario or catalog name)
        at = loc.index("[key]")
        parent = ".".join(loc[:at - 1])
        if kind == "string_pattern_mismatch":
            longest = ", at most 80 characters" if "{0,79}" in str(ctx.get("pattern")) else ""
            return parent, f"{_shown(got)} is not a valid name: use {_NAME_WORDS}{longest}"
        if kind == "string_type":
            return parent, f"the name {_shown(got)} must be text; put it in quotes"
        return parent, f"{_shown(got)}: {error['msg']}"
    key = ".".join(loc)
    if kind == "extra_forbidden":
        parent = ".".join(loc[:-1])
        options = [k for k in known if k.startswith(parent)] if parent else list(known)
        if parent in INPUTS or (loc[:1] == ["catalog"] and len(loc) == 4):  # an entry's field
            options = [f"{parent}.{name}" for name in Entry.model_fields]
        elif loc[:1] == ["catalog"] and len(loc) == 3:  # a field of an accelerator
            options = [f"{parent}.{name}" for name in AcceleratorSpec.model_fields]
        return key, f"unknown key{suggest(key, options)}"
    if kind == "missing":
        if "timeline" in loc or (loc and loc[0].startswith("row ")):
            return key, "missing; every phase needs a name, a start (YYYY-MM) and " \
                "facility_power_mw"
        if loc[:1] == ["correlations"]:
            return key, "missing; every correlation needs keys, rank and source"
        if loc and loc[-1] in ("value", "source", "as_of"):
            return key, "missing; every entry needs value, source and as_of (and a unit)"
        return key, "missing; every input needs an entry with value, unit, source and as_of"
    if kind == "too_long":
        most, got = ctx.get("max_length"), ctx.get("actual_length")
        what = "phases" if loc[-1:] == ["timeline"] else "items"
        return key, f"holds {got:,} {what}; capcalc takes at most {most:,}" if isinstance(
            got, int) and isinstance(most, int) else f"holds too many {what}"
    if kind == "invalid_key":
        return ".".join(loc[:-1]), f"the key {_shown(got)} must be text; put it in quotes"
    shown = _shown(got)
    if kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(str(ctx.get("pattern")), f"must match {ctx.get('pattern')}")
        return key, f"{words} (got {shown})"
    if kind == "string_type" and isinstance(got, int | float) and not isinstance(got, bool):
        return key, f"must be text; put it in quotes ('{got}')"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        words = _ENTRY_WORDS.get(str(ctx.get("class_name")), "must be a mapping of keys to values")
        return key, f"{words} (got {shown})"
    if kind in ("tuple_type", "list_type"):
        return key, f"must be a list (got {shown})"
    if kind == "bool_type":  # yes, no, on and off are text in YAML 1.2, as capcalc reads it
        return key, f"must be true or false (got {shown})"
    if kind == "too_short" and ctx.get("actual_length") == 0:
        return key, "must not be empty"
    message = str(error["msg"]).replace("Value error, ", "")
    for pydantic_words, ours in (("Input should be ", "must be "), ("String should ", "must ")):
        if message.startswith(pydantic_words):
            message = ours + message[len(pydantic_words):]
    if kind != "value_error" and "(got " not in message:
        message = f"{message} (got {shown})"
    return key, message
