"""The base of capcalc's pydantic models and the field types their files share.

Kept apart from :mod:`calc.data.schema` (the assumptions and scenario files,
whose section models are built from the whole vocabulary when that module is
imported), so a reader of another file — ``peers.yaml`` — does not build them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from calc.data.dates import calendar_date

__all__ = ["AsOf", "Confidence", "Distribution", "Frozen", "Number", "Text"]

Confidence = Literal["confirmed", "secondary", "unconfirmed", "preliminary"]
Distribution = Literal["lognormal", "normal", "uniform", "triangular", "pert"]

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
AsOf = Annotated[
    str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD"),
    AfterValidator(calendar_date),
]
Text = Annotated[StrictStr, Field(min_length=1, max_length=2000)]


class Frozen(BaseModel):
    """Base of every capcalc model: immutable, and unknown keys are errors.

    ``defer_build``: pydantic builds a model's validator on its first use, not
    when the class is defined, so importing a module of models stays cheap and
    a command that validates nothing (``capcalc run`` on the cached shipped
    library) never pays for it. Validation, its messages and the JSON Schemas
    are the same either way.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
