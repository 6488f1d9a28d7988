"""``capcalc solve``: the value of one input (or a phase's power, start or delay) for a target."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Mapping
from typing import Any

from calc.analysis.limits import DEFAULT_SAMPLES
from calc.analysis.run import baseline_measure, run, solve_input
from calc.analysis.solver import Solution
from calc.analysis.timeline import solve_timeline
from calc.cli.args import FLAGS
from calc.cli.common import emit_json, phases_of, single_scenario
from calc.core.errors import CapcalcError, NoSolution, quoted, suggest
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index, month_label
from calc.core.version import __version__
from calc.core.vocabulary import INPUTS, OUTPUTS, OutputSpec, measure_title
from calc.data.scenarios import Library, Scenario
from calc.data.units import UnitError, format_unit, parse_quantity
from calc.presentation.formatting import format_value, key_title, output_text, percent, solved_text
from calc.presentation.montecarlo import solve_monte_carlo_json, solve_monte_carlo_text

__all__ = ["cmd_solve", "parse_target"]

_TIMES = re.compile(r"^\s*(?P<number>.*?)\s*[x×]\s*$")


def parse_target(text: str, outputs: Mapping[str, OutputSpec] = OUTPUTS
                 ) -> tuple[str, float]:
    """``OUTPUT=VALUE`` → (output, value in the output's unit); ``10x`` is read as 10.

    >>> parse_target("compute_multiple=10x")
    ('compute_multiple', 10.0)
    >>> parse_target("facility_power_mw=0.5 GW")
    ('facility_power_mw', 500.0)
    """
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise CapcalcError(f"{text!r} is not OUTPUT=VALUE (e.g. compute_multiple=10)",
                           key="target")
    if name not in outputs:
        raise CapcalcError(f"unknown output {quoted(name)}{suggest(name, outputs)} (choose from "
                           f"{', '.join(outputs)})", key="target")
    unit = outputs[name].unit or "1"
    times = _TIMES.match(raw)
    if times and unit == "1":
        raw = times.group("number")
    try:
        return name, parse_quantity(raw, unit)
    except UnitError as exc:
        raise CapcalcError(f"{exc}; give {name} in {format_unit(unit) or 'a pure number'}",
                           key="target") from None


def _solution_dict(solution: Solution, scenario: Scenario, by: str | None) -> dict[str, Any]:
    text = solved_text(solution.key, solution.value, solution.unit)
    value: Any = text if text is not None and not solution.key.endswith("delay_months") \
        else solution.value
    return {
        "solved_key": solution.key,
        "value": value,
        "unit": solution.unit,
        "target": {"output": solution.output, "value": solution.target},
        "achieved": solution.achieved,
        "scenario": scenario.name,
        "baseline": scenario.baseline_name,
        "by": by,
        "all_solutions": list(solution.roots) if len(solution.roots) > 1 else None,
        "note": solution.note or None,
        "capcalc_version": __version__,
    }


def _shown(value: float, unit: str) -> str:
    """The value for people: three significant figures in its unit."""
    if unit == "month":
        return f"{value:g} months"
    if unit == "1/year":
        return f"{percent(value, 1, sign=True)} a year"
    return format_value(value, unit)


def _inner(title: str) -> str:
    """A title inside a sentence: "Training FLOP per run" → "training FLOP per run"."""
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def _exact(key: str, value: float | str, unit: str) -> str:
    """The line that gives the value to the command line: ``--set KEY=VALUE`` to six figures."""
    if isinstance(value, str):
        text = value
    elif unit == "month":
        text = f"{value:g}"
    else:
        text = f"{value:.6g} {unit}" if unit not in ("1", "", "1/year") else f"{value:.6g}"
    return f"  for the command line: --set {shlex.quote(f'{key}={text}')}"


def cmd_solve(args: argparse.Namespace) -> int:
    """``capcalc solve``."""
    outputs = TIMELINE_OUTPUTS if args.by else OUTPUTS
    output, target = parse_target(args.target, outputs)
    library, scenario, phase_sets = single_scenario(args)
    if not args.by and (phase_sets or args.key.strip().startswith("timeline")):
        raise CapcalcError("timeline keys need --by YYYY-MM (the month the target is wanted)",
                           key=args.key)
    try:
        if args.by:
            solution = solve_timeline(library, scenario, args.key.strip(), output, target,
                                      args.by, phases=phases_of(library, scenario, phase_sets))
        else:
            result = run(library, scenario)
            solution = solve_input(result.scenario, args.key.strip(), output, target,
                                   baseline_measure(library, result.scenario))
    except NoSolution as exc:
        if args.format == "json":
            emit_json({
                "solved_key": args.key, "value": None,
                "target": {"output": output, "value": target},
                "achieved": exc.best_achieved, "best_value": exc.best_value,
                "unit": INPUTS[args.key].unit if args.key in INPUTS else None,
                "scenario": scenario.name, "baseline": scenario.baseline_name, "by": args.by,
                "error": str(exc.keyed(FLAGS)), "capcalc_version": __version__,
            })
        raise
    if args.probability is not None:
        return _solve_probability(args, library, scenario, solution, output, target)
    sampled = None
    if args.samples is not None:
        if args.by:
            raise CapcalcError("cannot be combined with --by yet; run `capcalc timeline "
                               "SCENARIO --samples N` for the chance of reaching the target "
                               "by a month", key="samples")
        from calc.analysis.montecarlo import solve_samples  # deferred: sampling loads scipy

        sampled = solve_samples(library, scenario, args.key.strip(), output, target,
                                samples=args.samples, seed=args.seed)
    if args.format == "json":
        document = _solution_dict(solution, scenario, args.by)
        if sampled is not None:
            solve_monte_carlo_json(document, sampled)
        emit_json(document)
        return 0
    out_unit = outputs[output].unit
    text = solved_text(solution.key, solution.value, solution.unit)
    if text is not None and "start" in solution.key:
        value = text
    else:
        value = _shown(solution.value, solution.unit)
    when = f" in {month_label(month_index(args.by, key='by'))}" if args.by else ""
    print(f"{key_title(solution.key)} {value}")
    print(f"  {_inner(key_title(output))} then {output_text(output, solution.achieved, out_unit)}"
          f"{when} (target {output_text(output, solution.target, out_unit)})")
    print(f"  scenario {scenario.name}, multiples of "
          f"{measure_title(scenario.values, at_one_moment=not args.by)} against "
          f"{scenario.baseline_name}")
    exact = text if value == text and text is not None else solution.value
    print(_exact(solution.key, exact, solution.unit))
    if solution.note:
        print(f"  note: {solution.note}")
    if sampled is not None:
        print(solve_monte_carlo_text(sampled))
    return 0


def _solve_probability(args: argparse.Namespace, library: Library, scenario: Scenario,
                       central: Solution, output: str, target: float) -> int:
    """``capcalc solve KEY --target OUTPUT=VALUE --probability P``."""
    if args.by:
        raise CapcalcError("cannot be combined with --by yet; `capcalc timeline SCENARIO "
                           "--samples N` gives the chance of the target by each month",
                           key="probability")
    # deferred: sampling loads scipy
    from calc.analysis.confidence import percent as asked
    from calc.analysis.confidence import solve_probability

    samples = DEFAULT_SAMPLES if args.samples is None else args.samples
    answer = solve_probability(library, scenario, args.key.strip(), output, target,
                               args.probability, samples=samples, seed=args.seed)
    if args.format == "json":
        document = _solution_dict(central, scenario, None)
        document.update(answer.to_dict())
        document["capcalc_version"] = __version__
        emit_json(document)
        return 0
    out_unit = OUTPUTS[output].unit
    print(f"{key_title(answer.key)} {_shown(answer.value, answer.unit)} for "
          f"P({_inner(key_title(output))} ≥ {output_text(output, target, out_unit)}) = "
          f"{asked(answer.probability)}")
    print(f"  with it, {percent(answer.achieved, 1)} of {answer.samples:,} joint samples (seed "
          f"{answer.seed}) reach the target (± {percent(answer.achieved_se, 1)})")
    print(f"  at every input's central value it takes {_shown(central.value, central.unit)}")
    print(f"  scenario {answer.scenario}, multiples of "
          f"{measure_title(scenario.values, at_one_moment=True)} "
          f"against {answer.baseline}")
    print(_exact(answer.key, answer.value, answer.unit))
    return 0
