"""Fuzzing the loaders: mutated assumption and scenario trees give a result or one CapcalcError.

Hypothesis starts from capcalc's own parsed ``assumptions.yaml`` and
``scenarios.yaml`` and mutates them the way people and hostile files do:
drops keys, adds unknown ones, swaps units, scales numbers, changes types and
puts NaN, infinities, None, text, lists and mappings where numbers belong.
Whatever comes in, the loaders (:func:`calc.data.assumptions.parse_baseline`,
:func:`calc.data.scenarios.parse_scenarios`, :meth:`calc.data.scenarios.Library.add_text`)
raise nothing but :class:`~calc.core.errors.CapcalcError`, in one line; and for every
input they accept, every output of the chain is finite and non-negative and the
chain's identities hold.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import calc
from calc.analysis.run import Result
from calc.core.chain import availability_load, multiple_ceiling, wall_time_availability
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.assumptions import parse_baseline, parse_baseline_text
from calc.data.io import dump_yaml
from calc.data.scenarios import Library, parse_scenarios

from tests.paths import ASSUMPTIONS_FILE, SCENARIOS_FILE

ASSUMPTIONS = yaml.safe_load(ASSUMPTIONS_FILE.read_text(encoding="utf-8"))
SCENARIOS = yaml.safe_load(SCENARIOS_FILE.read_text(encoding="utf-8"))
SHIPPED = parse_scenarios({"scenarios": SCENARIOS["scenarios"]}, origin="scenarios.yaml",
                          default_name="scenarios")
#: capcalc's library (a module constant, not a fixture: hypothesis shows a test's arguments).
LIBRARY = calc.load()

#: Units a person might write, right or wrong for the key they land on.
UNITS = ["MW", "kW", "GW", "W", "1", "%", "", "day", "year", "s", "kg", "FLOP/s", "PFLOP/s",
         "USD_2025", "USD_2023", "USD_2025/MW", "USD_2025/MWh", "accelerator", "megawat",
         "MW**2", "1/year",
         # units that convert yet mean another kind of quantity
         "degree", "rad", "%%", "percent**2", "Hz", "bit", "turn", "ppm"]

#: Values found where a number or a name belongs.
JUNK = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, 1e-308, 10**400, "nan", "inf", "-inf MW", "1e400",
                     "500 MW", "0.5 GW", "40 %", "H100", "GB200", "bf16", "2024-08", "",
                     "../../etc/passwd", "5 m/m**9**9**9",
                     # tiny numbers, subnormals, fractions of a count
                     1e-300, 1e-320, 5e-324, -1e-320, "1e-320", "1e-300 MW", 1000.5,
                     # what YAML 1.1 would have read as numbers or booleans
                     "010", "0500", "0x10", "1:30", "190:20:30", "yes", "no", "on", "off",
                     # units of another kind, and terminal escapes
                     "40 degree", "40 %%", "1e-8 Hz", "\x1b]0;pwned\x07\x1b[2J",
                     # dates that are no calendar dates, odd line breaks, spreadsheet formulas
                     "2099-99-99", "2025-+6", "2024- 9", "2024-02-30", "\uff12\uff10\uff12\uff15",
                     "1.3\x85site.pue: 2", "a\u2028b", '=HYPERLINK("http://x","y")', "@SUM(A1)",
                     {}, {"low": 0.3}, {"value": 0.4, "high": 0.5}, {"unit": "MW"}]),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["value", "unit", "low", "high", "x"]),
                    st.integers(), max_size=2),
)

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def paths(tree: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into ``tree`` (mapping keys and list indices), the root included."""
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from paths(value, (*prefix, index))


def _at(tree: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _number(node: Any) -> bool:
    """A float, or an int a float can hold (not a bool)."""
    return isinstance(node, float) or (isinstance(node, int) and not isinstance(node, bool)
                                       and abs(node) < 2**1000)


@st.composite
def mutated(draw: st.DrawFn, original: Any, *, at_most: int = 3) -> Any:
    """``original`` (a parsed YAML tree) after 1 to ``at_most`` random edits.

    Half the trees are only nudged (numbers × 0.5 to 2), so many stay valid and
    the outputs of valid inputs are checked as often as the errors of invalid ones.
    """
    tree = copy.deepcopy(original)
    gentle = draw(st.booleans())
    for _ in range(draw(st.integers(min_value=1, max_value=at_most))):
        inside = [path for path in list(paths(tree))[1:]
                  if not gentle or _number(_at(tree, path))]
        if not inside:  # everything was dropped
            break
        path = draw(st.sampled_from(inside))
        parent, last = _at(tree, path[:-1]), path[-1]
        node = parent[last]
        edit = "nudge" if gentle else draw(
            st.sampled_from(["drop", "add", "junk", "scale", "nudge", "unit", "text"]))
        if edit == "drop":
            del parent[last]
        elif edit == "add" and isinstance(node, dict):
            node[draw(st.sampled_from(["extra", "valu", "sorce", "peu", "low", "unit"]))] = \
                draw(JUNK)
        elif edit == "scale" and _number(node):
            parent[last] = node * draw(st.sampled_from([-1, 0, 1e-6, 0.1, 10, 1e6, 1e300,
                                                         1e-300, 1e-320]))
        elif edit == "nudge" and _number(node):
            parent[last] = node * draw(st.floats(min_value=0.5, max_value=2))  # often still valid
        elif edit == "unit" and isinstance(node, dict) and "value" in node:
            node["unit"] = draw(st.sampled_from(UNITS))
        elif edit == "text" and _number(node):
            parent[last] = f"{node} {draw(st.sampled_from(UNITS))}".strip()
        else:
            parent[last] = draw(JUNK)
    return tree


def assert_one_line(error: CapcalcError, source: str) -> None:
    message = str(error)
    assert "\n" not in message and message.startswith(source), message


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0) or (a == b == 0)


def assert_sound(result: Result) -> None:
    """Every output finite and ≥ 0, and the chain's identities between them hold."""
    out: Mapping[str, float] = result.outputs
    values = result.scenario.values
    assert set(out) == set(OUTPUTS)
    load = availability_load(values, out["accelerators"])
    for name, value in out.items():
        if name == "facility_power_mw_for_target" and value == math.inf:
            # out of reach: only under the interruptions model, for a target at or above the
            # ceiling that model puts on one cluster
            assert load is not None, (result.name, name, value)
            ceiling = float(multiple_ceiling(out["compute_multiple"], load))
            assert ceiling <= float(values["target.compute_multiplier"]) * (1 + 1e-9)  # type: ignore[arg-type]
            continue
        assert math.isfinite(value) and value >= 0, (result.name, name, value)
    pue, mfu = float(values["site.pue"]), float(values["training.mfu"])  # type: ignore[arg-type]
    availability = float(wall_time_availability(values, out["accelerators"]))
    run_days = float(values["training.run_days"])  # type: ignore[arg-type]
    assert close(out["facility_power_mw"],
                 out["accelerators"] * out["facility_w_per_accelerator"] / 1e6)
    assert close(out["it_power_mw"] * pue, out["facility_power_mw"])
    share = float(values["training.share"])  # type: ignore[arg-type]
    assert close(out["effective_flop_per_s"],
                 out["peak_flop_per_s"] * mfu * availability * share)
    assert close(out["capex_usd"], out["accelerator_capex_total_usd"]
                 + out["facility_capex_total_usd"])
    assert close(out["training_flop_per_run"], out["effective_flop_per_s"] * run_days * 86_400)
    assert close(out["cost_per_run_usd"] * 365, out["annualized_cost_usd"] * run_days)


def run_all(library: Library, names: list[str]) -> None:
    """Run each scenario: a sound result, or (for a valid file) one CapcalcError line."""
    for name in names:
        try:
            result = calc.run(library, name)
        except CapcalcError as error:  # e.g. a meet_target the mutation made unreachable
            assert "\n" not in str(error)
            event("loaded, but a scenario does not run")
            continue
        assert_sound(result)
        event("loaded and ran")


# ------------------------------------------------------------------ the baseline


# the example is the whole assumptions tree: its repr (~50 kB) is long, and worth it on failure
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@SETTINGS
@given(mutated(ASSUMPTIONS))
@example(ASSUMPTIONS)  # capcalc's own file loads and runs
def test_a_mutated_baseline_loads_soundly_or_fails_in_one_line(tree: Any) -> None:
    try:
        baseline = parse_baseline(tree, source="mine.yaml")
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")
        event("refused")
        return
    try:
        library = Library(baseline=baseline, definitions=SHIPPED, shipped=frozenset(SHIPPED))
        names = [name for name in SHIPPED if library.scenario(name)]
    except CapcalcError as error:  # e.g. target.baseline names no shipped scenario
        assert "\n" not in str(error)
        return
    run_all(library, names[:4])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@SETTINGS
@given(mutated(ASSUMPTIONS, at_most=2))
def test_a_mutated_baseline_reads_the_same_as_yaml_text(tree: Any) -> None:
    """Through YAML text (capcalc's own writer, then its bounded loader) the verdict is
    the same: the same baseline, or an error at the same entry (only the entry is
    compared: a message quotes values as each route holds them).

    The writer quotes text that YAML 1.2 would read as a number (``1e400``),
    which PyYAML's YAML 1.1 writer leaves plain, and double-quotes text holding a
    character YAML 1.1 takes for a line break (U+0085, U+2028, U+2029), which the
    reader refuses raw.
    """
    try:
        expected: Any = parse_baseline(tree, source="mine.yaml")
    except CapcalcError as error:
        expected = (error.file, _entry(error.key))
    text = dump_yaml(tree)
    try:
        got: Any = parse_baseline_text(text, source="mine.yaml")
    except CapcalcError as error:
        got = (error.file, _entry(error.key))
    assert got == expected


def _misspelt_measure(tree: Any) -> None:
    tree["target"]["measure"]["valu"] = "a\u2028b"
    del tree["correlations"][0]


def _site_as_text(tree: Any) -> None:
    tree["site"] = "1.3\x85site.pue: 2"


@pytest.mark.parametrize(("mutate", "key"), [(_misspelt_measure, "target.measure.valu"),
                                             (_site_as_text, "site")])
def test_a_line_break_only_yaml_1_1_knows_reads_the_same_as_yaml_text(mutate: Any,
                                                                      key: str) -> None:
    """Mutations ``--hypothesis-seed=229283864108617060356551280521886834451`` found: junk
    text holding U+2028 under a misspelt key, or U+0085 where the ``site`` mapping belongs.
    The writer wrote the character raw, so the text route refused the file without a key."""
    tree = copy.deepcopy(ASSUMPTIONS)
    mutate(tree)
    verdicts = []
    for read in (lambda: parse_baseline(tree, source="mine.yaml"),
                 lambda: parse_baseline_text(dump_yaml(tree), source="mine.yaml")):
        with pytest.raises(CapcalcError) as info:
            read()
        assert_one_line(info.value, "mine.yaml")
        verdicts.append((info.value.file, info.value.key))
    assert verdicts == [("mine.yaml", key)] * 2


def _entry(key: str | None) -> str | None:
    """The entry an error key names: ``catalog.H200.tdp_w.unit`` → ``catalog.H200.tdp_w``."""
    if key is None:
        return None
    parts = key.split(".")
    depth = 3 if parts[0] == "catalog" else 2
    return ".".join(parts[:depth])


# ------------------------------------------------------------------ scenario files


def _one_scenario(draw: st.DrawFn) -> Any:
    name = draw(st.sampled_from([n for n in SCENARIOS["scenarios"] if n != "cortex-phase1"]))
    tree = dict(copy.deepcopy(SCENARIOS["scenarios"][name]))
    tree["name"] = "mine"
    return tree


@st.composite
def scenario_trees(draw: st.DrawFn) -> Any:
    """A shipped scenario renamed ``mine`` (or the whole file, renamed), then mutated."""
    if draw(st.booleans()):
        return draw(mutated(_one_scenario(draw)))
    whole = {"scenarios": {f"mine-{name}": body for name, body in
                           copy.deepcopy(SCENARIOS["scenarios"]).items()}}
    for body in whole["scenarios"].values():
        if isinstance(body, dict) and body.get("base"):
            body["base"] = f"mine-{body['base']}"
    return draw(mutated(whole))


@pytest.mark.slow
@SETTINGS
@given(tree=scenario_trees())
@example(tree={"name": "mine", "base": "cortex-full", "site.pue": 1.3})
@example(tree={"name": "mine", "meet_target": "site.facility_power_mw"})
def test_a_mutated_scenario_file_loads_soundly_or_fails_in_one_line(tree: Any) -> None:
    text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    try:
        mine, names = LIBRARY.add_text(text, origin="mine.yaml")
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")
        event("refused")
        return
    run_all(mine, names[:4])


@SETTINGS
@given(tree=scenario_trees())
def test_a_mutated_scenario_tree_fails_only_with_capcalc_errors(tree: Any) -> None:
    """The parsed-tree entry point (no YAML in between) holds to the same rule."""
    try:
        LIBRARY.add(parse_scenarios(tree, origin="mine.yaml", default_name="mine"))
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")


# ------------------------------------------------------------------ anything at all

#: YAML-shaped junk: scalars, lists and mappings nested a few levels.
TREES = st.recursive(
    JUNK, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                  st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


@SETTINGS
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200),
                 TREES.map(lambda tree: yaml.safe_dump(tree, allow_unicode=True))))
@example(b"\xef\xbb\xbfsite.pue: 1.3\n")  # a byte-order mark is fine
@example("site.pue: 1.3\x00")
@example("a: !!binary aGVsbG8=\n")
@example("? - 1\n: 2\n")
def test_any_bytes_or_text_give_a_library_or_one_capcalc_error(data: str | bytes) -> None:
    try:
        LIBRARY.add_text(data, origin="mine.yaml")
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")
    try:
        parse_baseline_text(data, source="mine.yaml")
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")


@SETTINGS
@given(TREES)
def test_any_tree_gives_one_capcalc_error(tree: Any) -> None:
    for load in (lambda: parse_baseline(tree, source="mine.yaml"),
                 lambda: LIBRARY.add(parse_scenarios(tree, origin="mine.yaml",
                                                     default_name="mine"))):
        try:
            load()
        except CapcalcError as error:
            assert_one_line(error, "mine.yaml")


# ------------------------------------------------------------------ YAML 1.1 numbers

NUMERIC_KEYS = [key for key, spec in INPUTS.items() if spec.kind != "choice"]
#: Plain scalars YAML 1.1 reads as numbers (octal, base 60, hex) that nobody types as such.
YAML_1_1_NUMBERS = st.one_of(
    st.integers(1, 10**6).map(lambda n: f"0{n}"),                                # octal
    st.integers(0, 10**6).map(lambda n: f"0{n:o}").filter(lambda t: len(t) > 1),  # octal
    st.tuples(st.integers(1, 999), st.integers(0, 59)).map(lambda p: f"{p[0]}:{p[1]:02d}"),
    st.tuples(st.integers(1, 99), st.integers(0, 59), st.integers(0, 59))
    .map(lambda p: f"{p[0]}:{p[1]:02d}:{p[2]:02d}"),                               # base 60
    st.integers(1, 10**6).map(lambda n: f"0x{n:x}"),                                # hex
    st.sampled_from(["0o17", "0b101", "-010", "+0500", "00", "01.5", "1:30.5"]),
)


@SETTINGS
@given(key=st.sampled_from(NUMERIC_KEYS), token=YAML_1_1_NUMBERS,
       nested=st.booleans(), unit=st.sampled_from(["", " MW", " %"]))
@example(key="site.facility_power_mw", token="010", nested=False, unit="")
@example(key="training.run_days", token="1:30", nested=False, unit="")
def test_a_yaml_1_1_number_is_refused_naming_its_key(key: str, token: str, nested: bool,
                                                      unit: str) -> None:
    """Never read as octal, base 60 or hex, never silently as text: one line, the key named."""
    group, name = key.split(".", 1)
    text = f"{group}:\n  {name}: {token}{unit}\n" if nested else f"{key}: {token}{unit}\n"
    try:
        LIBRARY.add_text(text, origin="mine.yaml")
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")
        assert error.key == key, str(error)
        return
    raise AssertionError(f"{text!r} was accepted")


@SETTINGS
@given(key=st.sampled_from(NUMERIC_KEYS),
       magnitude=st.floats(min_value=5e-324, max_value=1e-12, allow_subnormal=True))
@example(key="hardware.peak_flop_per_s", magnitude=1e-320)
@example(key="cost.wacc", magnitude=5e-324)
def test_a_tiny_number_is_refused_or_runs_to_finite_outputs(key: str, magnitude: float) -> None:
    """Below each key's plausible range: refused naming the range; a subnormal, always."""
    try:
        library, names = LIBRARY.add_text(f"{key}: {magnitude!r}\n", origin="mine.yaml")
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")
        assert error.key == key and "valid range" in str(error), str(error)
        return
    assert INPUTS[key].lower == 0 and magnitude >= 2.2250738585072014e-308
    run_all(library, names)


# ------------------------------------------------------------------ round three: chains, dates


@st.composite
def base_graphs(draw: st.DrawFn) -> dict[str, Any]:
    """A ``scenarios:`` file whose ``base:`` links form any graph: long chains, loops, links
    to shipped scenarios or to nothing, and chains past the depth limit."""
    count = draw(st.integers(min_value=1, max_value=80))
    names = [f"s{i}" for i in range(count)]
    targets = st.one_of(st.sampled_from(names), st.sampled_from(["cortex-full", "tenfold",
                                                                 "nowhere"]), st.none())
    scenarios: dict[str, Any] = {}
    for i, name in enumerate(names):
        if draw(st.integers(0, 9)) < 8 and i > 0:  # mostly a chain on the one before
            base: str | None = names[i - 1]
        else:
            base = draw(targets)
        scenarios[name] = {} if base is None else {"base": base}
    return {"scenarios": scenarios}


def _expected_chain(tree: dict[str, Any], name: str) -> list[str] | str:
    """The chain of ``name`` followed by hand (root first), or why it does not resolve."""
    from calc.data.scenarios import MAX_BASE_DEPTH

    defined = {**{n: d.base for n, d in SHIPPED.items()},
               **{n: (body or {}).get("base") for n, body in tree["scenarios"].items()}}
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        if current not in defined:
            return "unknown"
        if current in chain:
            return "loop"
        if len(chain) == MAX_BASE_DEPTH:
            return "deep"
        chain.append(current)
        current = defined[current]
    return chain[::-1]


@SETTINGS
@given(base_graphs())
@example({"scenarios": {f"s{i}": {"base": f"s{i - 1}" if i else "cortex-full"}
                        for i in range(30)}})  # exactly at the limit with cortex-full's two
def test_any_graph_of_bases_resolves_as_followed_by_hand_or_is_one_line(tree: Any) -> None:
    verdicts = {name: _expected_chain(tree, name) for name in tree["scenarios"]}
    try:
        library = LIBRARY.add(parse_scenarios(tree, origin="mine.yaml", default_name="mine"))
    except CapcalcError as error:
        assert_one_line(error, "mine.yaml")
        assert any(isinstance(v, str) for v in verdicts.values()), str(error)
        words = {"unknown": "unknown scenario", "loop": "loop", "deep": "scenarios deep"}
        assert any(words[v] in str(error) for v in verdicts.values() if isinstance(v, str)), \
            (str(error), verdicts)
        event("refused")
        return
    for name, chain in verdicts.items():
        assert chain == [d.name for d in library.lineage(name)], name
    event("resolved")


#: Text that may or may not be a calendar month.
MONTHISH = st.one_of(
    st.tuples(st.integers(0, 9999), st.integers(0, 99)).map(lambda p: f"{p[0]:04d}-{p[1]:02d}"),
    st.text(alphabet="0123456789-+ \uff12", min_size=4, max_size=10),
    st.sampled_from(["2025", "2025-06-01", " 2025-06", "2025-6", "2025-06\n"]),
)


@SETTINGS
@given(MONTHISH)
@example("2025-+6")
@example("2024- 9")
def test_a_month_is_read_only_when_written_yyyy_mm(text: str) -> None:
    """``calc.core.months.month_index`` against a strict reading of its own: four digits 0-9,
    a hyphen, a month 01-12; everything else is one line naming the key."""
    import re

    from calc.core.months import month_index, month_label

    strict = re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text)
    try:
        index = month_index(text, key="until")
    except CapcalcError as error:
        assert strict is None, text
        assert str(error).startswith("until: ") and "\n" not in str(error)
        return
    assert strict is not None and month_label(index) == text


@SETTINGS
@given(st.text(alphabet="0123456789-+ ", min_size=4, max_size=10))
@example("2099-99-99")
@example("2024-02-29")
def test_an_as_of_date_is_a_calendar_date(text: str) -> None:
    """Accepted exactly when ``datetime.date.fromisoformat`` would read it (YYYY, YYYY-MM or
    YYYY-MM-DD); else one line at the entry's as_of."""
    import datetime as dt
    import re

    parts = {4: "-01-01", 7: "-01", 10: ""}
    real = re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", text) is not None
    if real:
        try:
            dt.date.fromisoformat(text + parts[len(text)])
        except ValueError:
            real = False
    entry = f"site.pue: {{value: 1.3, source: a survey, as_of: '{text}'}}\n"
    try:
        LIBRARY.add_text(entry, origin="mine.yaml")
    except CapcalcError as error:
        assert not real, (text, str(error))
        assert error.key == "site.pue.as_of", str(error)
        return
    assert real, text
