"""The views' settings: typed fields, each with the link text it travels as.

A setting is one field of :class:`Settings` made with :func:`setting`: its
default, the label error lines give it and, for whole numbers, its bounds.
The link carries a setting when it is not at its default
(:func:`calc.dashboard.link.link_params`); a link's text is read back through
the field's :class:`Setting` (:meth:`Setting.parse`), so a new setting (a "by"
month, pinned variants) is one field here and travels at once.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from typing import Any

from calc.analysis.limits import DEFAULT_SAMPLES
from calc.core.errors import CapcalcError, clean_text, quoted, suggest
from calc.core.months import DEFAULT_UNTIL, month_index
from calc.core.vocabulary import INPUTS, OUTPUTS

__all__ = ["LINK_ORIGIN", "MAX_SWEEP_STEPS", "SWEEP_INPUTS", "VIEWS", "Setting", "Settings",
           "default_by", "setting"]

#: The inputs the Sweep view varies (every numeric input), and its most values per axis
#: (a grid of at most 20 × 20 = 400 points, so the page stays fast).
SWEEP_INPUTS: tuple[str, ...] = tuple(k for k, s in INPUTS.items() if s.kind != "choice")
MAX_SWEEP_STEPS = 20
#: The name errors give to values read from the URL.
LINK_ORIGIN = "link"
#: The views, in order: (name, label shown). A view is the module
#: ``calc.dashboard.views.<name>``; the first is the one a page opens on.
VIEWS: tuple[tuple[str, str], ...] = (
    ("compare", "Compare"),
    ("power", "Power → compute"),
    ("cost", "Cost"),
    ("timeline", "Timeline & target"),
    ("peers", "Peers"),
    ("uncertainty", "Uncertainty"),
    ("sweep", "Sweep"),
    ("assumptions", "Assumptions"),
)


@dataclass(frozen=True)
class Setting:
    """How one setting reads from and writes to the link.

    ``kind`` follows the field's default: ``flag`` (on or off) for a bool, ``int`` (a
    whole number from ``lower`` to ``upper``) for an int, ``number`` (a finite number from
    ``lower`` to ``upper``) for a float, ``month`` for text made with ``month=True`` (a
    calendar month ``YYYY-MM`` from ``lower`` to ``upper`` as years, or empty: the view's
    own default), ``choice`` for other text (one of ``choices``).
    """

    param: str
    label: str
    default: Any
    lower: float = 0
    upper: float = 0
    choices: tuple[str, ...] = ()
    month: bool = False

    @property
    def kind(self) -> str:
        """``flag``, ``int``, ``number``, ``month`` or ``choice``."""
        if isinstance(self.default, bool):
            return "flag"
        if isinstance(self.default, float):
            return "number"
        if self.month:
            return "month"
        return "int" if isinstance(self.default, int) else "choice"

    def parse(self, raw: str) -> Any:
        """The value of link text ``raw``; a CapcalcError keyed by the parameter if invalid.

        >>> Setting("seed", "Seed", 0, lower=0, upper=9).parse("7")
        7
        >>> Setting("slip", "Slip", True).parse("0")
        False
        >>> Setting("by", "By", "", 2025, 2060, month=True).parse("2027-06")
        '2027-06'
        """
        text = raw.strip()
        if self.kind == "flag":
            if text in ("1", "true", "on"):
                return True
            if text in ("0", "false", "off", ""):
                return False
            raise CapcalcError(f"must be 1 or 0 (got {clean_text(text, limit=40)!r})",
                               file=LINK_ORIGIN, key=self.param)
        if self.kind in ("int", "number"):
            whole = self.kind == "int"
            try:
                number = float(text.replace("_", "").replace(",", ""))
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or (whole and number != int(number)) or \
                    not self.lower <= number <= self.upper:
                raise CapcalcError(
                    f"must be a {'whole ' if whole else ''}number from {self.lower:,g} to "
                    f"{self.upper:,g} (got {clean_text(text, limit=40)!r})",
                    file=LINK_ORIGIN, key=self.param)
            return int(number) if whole else number
        if self.kind == "month":
            if text == "":
                return text
            try:
                year = month_index(text) // 12
            except CapcalcError as exc:
                raise CapcalcError(exc.message, file=LINK_ORIGIN, key=self.param) from None
            if not self.lower <= year <= self.upper:
                raise CapcalcError(f"must be a month from {self.lower:g}-01 to "
                                   f"{self.upper:g}-12 (got {text!r})", file=LINK_ORIGIN,
                                   key=self.param)
            return text
        if text not in self.choices:
            raise CapcalcError(f"unknown {self.label.lower()} {quoted(text, 40)}"
                               f"{suggest(text, self.choices)}", file=LINK_ORIGIN,
                               key=self.param)
        return text

    def text(self, value: Any) -> str:
        """Link text of ``value``.

        >>> Setting("slip", "Slip", True).text(False), Setting("seed", "Seed", 0).text(7)
        ('0', '7')
        """
        if self.kind == "flag":
            return "1" if value else "0"
        if self.kind == "number":
            return repr(float(value))  # reads back exactly
        return str(value)


def setting(default: Any, label: str, *, lower: float = 0, upper: float = 0,
            choices: tuple[str, ...] = (), month: bool = False) -> Any:
    """A field of :class:`Settings`: its default and how the link carries it."""
    return field(default=default, metadata={"setting": (label, lower, upper, choices, month)})


@dataclass(frozen=True)
class Settings:
    """What the views are set to, beyond the scenario; the link carries each one that is not
    at its default, under the field's name.

    >>> Settings().slip, Settings().until, Settings.codecs()["until"].upper
    (True, 2030, 2060)
    """

    #: The view shown (its name in :data:`VIEWS`).
    view: str = setting(VIEWS[0][0], "View", choices=tuple(name for name, _ in VIEWS))
    #: The build-out's horizon: December of this year.
    until: int = setting(int(DEFAULT_UNTIL[:4]), "Horizon", lower=2025, upper=2060)
    #: The Monte Carlo's sample count and seed (the Uncertainty and Timeline views).
    samples: int = setting(DEFAULT_SAMPLES, "Samples", lower=1_000, upper=200_000)
    seed: int = setting(0, "Seed", lower=0, upper=2**31 - 1)
    #: The output the Uncertainty view examines ("": the first that varies).
    output: str = setting("", "Output", choices=tuple(OUTPUTS))
    sobol: bool = setting(False, "Sobol indices")
    fan: bool = setting(False, "Timeline under uncertainty")
    #: Announced phases slip as their operator's record (``capcalc timeline``'s default).
    slip: bool = setting(True, "Announced phases slip as their operator's record")
    #: The target box's own probability, in per cent.
    probability: int = setting(80, "Probability (%)", lower=1, upper=99)
    #: The Sweep view: the input across and the input up, each over a range from low to
    #: high (both 0: the input's own 90 % range, else half to twice its value), in
    #: ``sweep_steps`` values each, and the output drawn.
    sweep_x: str = setting("site.facility_power_mw", "Sweep across", choices=SWEEP_INPUTS)
    sweep_x_low: float = setting(0.0, "Sweep across from", upper=1e19)
    sweep_x_high: float = setting(0.0, "Sweep across to", upper=1e19)
    sweep_y: str = setting("training.mfu", "Sweep up", choices=SWEEP_INPUTS)
    sweep_y_low: float = setting(0.0, "Sweep up from", upper=1e19)
    sweep_y_high: float = setting(0.0, "Sweep up to", upper=1e19)
    sweep_steps: int = setting(12, "Sweep steps", lower=2, upper=MAX_SWEEP_STEPS)
    sweep_output: str = setting("compute_multiple", "Sweep output", choices=tuple(OUTPUTS))
    #: The month the Timeline view asks the chance of the target by ("": June of the year
    #: halfway to the horizon, :func:`calc.dashboard.settings.default_by`).
    by: str = setting("", "By (YYYY-MM)", lower=2000, upper=2060, month=True)

    @classmethod
    def codecs(cls) -> dict[str, Setting]:
        """Each setting's link codec, by name."""
        return {f.name: _codec(f) for f in fields(cls)}

    @property
    def monte_carlo(self) -> tuple[int, int]:
        """The Monte Carlo's ``(samples, seed)``."""
        return self.samples, self.seed

    @property
    def horizon(self) -> str:
        """The horizon month, ``YYYY-12``.

        >>> Settings(until=2035).horizon
        '2035-12'
        """
        return f"{self.until}-12"

    def with_value(self, name: str, value: Any) -> Settings:
        """These settings with ``name`` set to ``value`` (of the field's type)."""
        codec = self.codecs()[name]
        if codec.kind == "flag":
            value = bool(value)
        elif codec.kind == "int":
            value = int(value)
        elif codec.kind == "number":
            value = float(value)
        else:
            value = str(value)
        return replace(self, **{name: value})

    def link(self) -> dict[str, str]:
        """The link parameters of the settings not at their default.

        >>> Settings(view="cost", seed=7).link()
        {'view': 'cost', 'seed': '7'}
        """
        return {name: codec.text(getattr(self, name)) for name, codec in self.codecs().items()
                if getattr(self, name) != codec.default}

    @classmethod
    def from_link(cls, values: dict[str, str], warnings: list[str]) -> Settings:
        """The settings a link's ``values`` give, each popped from ``values``; a value that
        does not read adds a line to ``warnings`` and leaves its default."""
        read: dict[str, Any] = {}
        for name, codec in cls.codecs().items():
            if name in values:
                try:
                    read[name] = codec.parse(values.pop(name))
                except CapcalcError as exc:
                    warnings.append(f"{exc}; using the default")
        return cls(**read)


def _codec(f: Field[Any]) -> Setting:
    label, lower, upper, choices, month = f.metadata["setting"]
    assert f.default is not MISSING
    return Setting(f.name, label, f.default, lower, upper, choices, month)


def default_by(months: list[str]) -> str:
    """The month the chance is asked by when the user chose none: June of the year halfway
    through ``months`` (the timeline's), or its last month when that June is not in it.

    >>> months = [f"{y}-{m:02d}" for y in range(2025, 2031) for m in range(1, 13)]
    >>> default_by(months), default_by(["2025-01", "2025-03"])
    ('2028-06', '2025-03')
    """
    june = f"{months[len(months) // 2][:4]}-06"
    return june if june in months else months[-1]
