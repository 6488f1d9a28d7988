"""``capcalc timeline``, ``capcalc solve`` and ``capcalc levers``: when, what it takes, and why.

``timeline`` runs a scenario's build-out month by month and says when the
target multiple is first reached; ``solve`` finds the value of one input (or
of a timeline phase's power, start or delay) that makes an output hit a
target; ``levers`` splits a compute multiple into its levers and lists the
single-lever paths to the target.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from calc import __version__
from calc.analysis.levers import (
    Decomposition,
    LeverPath,
    decompose,
    levers_table,
    paths_for,
    paths_title,
    single_lever_paths,
    state_of,
    state_of_timeline,
)
from calc.analysis.run import run, solve_input
from calc.analysis.solver import NoSolution, Solution
from calc.analysis.timeline import (
    DEFAULT_UNTIL,
    TIMELINE_OUTPUTS,
    Timeline,
    apply_phase_sets,
    month_index,
    run_timeline,
    scenario_phases,
    solve_timeline,
    timeline_table,
)
from calc.cli import uncertainty as mc
from calc.cli.main import (
    _add_output_args,
    _add_scenario_args,
    _chart_formats,
    load_scenarios,
    parse_sets,
)
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.scenarios import Library, Scenario
from calc.data.units import UnitError, format_unit, parse_quantity
from calc.presentation.formatting import format_value

__all__ = [
    "add_parser",
    "cmd_levers",
    "cmd_solve",
    "cmd_timeline",
    "levers_text",
    "month_label_of",
    "parse_target",
    "timeline_text",
]


def add_parser(sub: Any) -> None:
    """Add the ``timeline``, ``solve`` and ``levers`` subcommands."""
    p = sub.add_parser(
        "timeline", help="run a scenario's build-out month by month; when is the target reached?",
        description="Run a scenario's build-out phases month by month to a horizon: facility "
        "power, accelerators by generation, H100-equivalents, compute multiple, cumulative "
        "FLOP, capex and energy, and the month the target multiple is first reached. "
        "--set also takes phase fields: --set 'timeline[3].facility_power_mw=0.8 GW'.")
    _add_scenario_args(p, many=False)
    p.add_argument("--until", default=DEFAULT_UNTIL, metavar="YYYY-MM",
                   help=f"last month of the timeline (default {DEFAULT_UNTIL})")
    _add_output_args(p, ("table", "json", "csv"))
    mc.add_monte_carlo_args(p)
    p.set_defaults(handler=cmd_timeline)

    p = sub.add_parser(
        "solve", help="find the input value that makes an output hit a target",
        description="Find the value of one numeric input that makes an output equal a "
        "target, by a bracketed search over the input's valid range. With --by, the output "
        "is the timeline's in that month, and KEY may be a phase field: "
        "timeline[N].facility_power_mw, timeline[N].start or timeline[N].delay_months "
        "(N is the 0-based position or the phase's name). No solution: one line with the "
        "best achievable, exit status 2.")
    _intermix(p)
    p.add_argument("key", metavar="KEY", help="input to vary, e.g. site.facility_power_mw")
    p.add_argument("--target", required=True, metavar="OUTPUT=VALUE",
                   help="output and wanted value, e.g. compute_multiple=10 or "
                   "training_flop_per_run=1e27 (a unit may follow: facility_power_mw=0.5 GW)")
    p.add_argument("--by", metavar="YYYY-MM",
                   help="solve on the scenario's timeline, for the output in this month")
    _add_scenario_args(p, many=False)
    p.add_argument("--format", choices=("table", "json"), default="table")
    mc.add_monte_carlo_args(p)
    p.set_defaults(handler=cmd_solve)

    p = sub.add_parser(
        "levers", help="split a compute multiple into its levers; single-lever paths",
        description="The compute multiple of a scenario against its baseline as the product "
        "of five levers (facility power, chip FLOP/s per TDP watt, overheads and PUE, MFU, "
        "availability), a waterfall chart, and what each lever alone would need for the "
        "target. With --at, the levers of a timeline's fleet in that month.")
    _add_scenario_args(p, many=False)
    p.add_argument("--at", metavar="YYYY-MM",
                   help="use the scenario's timeline, in this month")
    _add_output_args(p, ("table", "json", "csv"))
    p.set_defaults(handler=cmd_levers)


# ---------------------------------------------------------------- shared


def _intermix(parser: argparse.ArgumentParser) -> None:
    """Let ``parser`` take positionals after options (``solve KEY --target T SCENARIO``)."""
    base = type(parser)

    class Intermixed(base):  # type: ignore[valid-type,misc]
        _busy = False

        def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
            if self._busy:  # the intermixed parse calls back in: parse plainly then
                return super().parse_known_args(args, namespace)
            self._busy = True
            try:
                return self.parse_known_intermixed_args(args, namespace)
            finally:
                self._busy = False

    parser.__class__ = Intermixed


def _split_sets(items: Sequence[str]) -> tuple[list[tuple[str, str | None]],
                                               list[tuple[str, str | None]]]:
    pairs = parse_sets(items)
    phase = [(k, v) for k, v in pairs if k.startswith("timeline")]
    return [(k, v) for k, v in pairs if not k.startswith("timeline")], phase


def _scenario(library: Library, args: argparse.Namespace, *, timeline: bool
              ) -> tuple[Library, Scenario, list[tuple[str, str | None]]]:
    items = [args.scenarios] if args.scenarios else []
    if not items and timeline:
        with_timeline = [n for n, d in library.definitions.items() if d.timeline is not None]
        items = with_timeline[:1]
    library, names = load_scenarios(library, items)
    sets, phase_sets = _split_sets(args.sets)
    return library, library.scenario(names[0], sets), phase_sets


def _phases_for(scenario: Scenario, phase_sets: list[tuple[str, str | None]],
                library: Library | None = None) -> Any:
    return apply_phase_sets(scenario_phases(scenario), phase_sets,
                            catalog=None if library is None else library.baseline.catalog)


def _times(value: float) -> str:
    return f"{value:#.3g}×" if value < 1000 else f"{value:,.0f}×"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """Columns padded to width; ``align`` has one ``l`` or ``r`` per column (default l, then r)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) if a == "l" else str(c).rjust(w)
                         for c, w, a in zip(cells, widths, align, strict=True)).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


# ---------------------------------------------------------------- timeline


def _events(timeline: Timeline) -> dict[str, list[str]]:
    events: dict[str, list[str]] = {}
    last = timeline.months[-1]
    for inst in timeline.installs:
        what = (f"+{format_value(inst.accelerators, 'accelerator')} {inst.generation}"
                f" ({inst.phase}{', refresh' if inst.refresh else ''})")
        events.setdefault(inst.begin, []).append(what)
        if inst.end <= last:
            events.setdefault(inst.end, []).append(
                f"-{format_value(inst.accelerators, 'accelerator')} {inst.generation} retired")
    return events


def timeline_text(timeline: Timeline) -> str:
    """The people's table: a row at each change of the fleet and each year end."""
    months = timeline.months
    series = timeline.series
    events = _events(timeline)
    reached = timeline.target_reached
    shown = [i for i, m in enumerate(months)
             if i == 0 or i == len(months) - 1 or m in events or m.endswith("-12")
             or m == reached]
    header = ["month", "facility", "in use", "accelerators", "H100e", "effective FLOP/s",
              "multiple", "capex so far", "event"]
    rows = []
    for i in shown:
        month = months[i]
        event = "; ".join(events.get(month, []))
        if month == reached:
            event = "; ".join(filter(None, [event, f"← {timeline.target:g}× reached"]))
        rows.append([
            month,
            format_value(float(series["facility_power_mw"][i]), "MW"),
            format_value(float(series["facility_power_in_use_mw"][i]), "MW"),
            format_value(float(series["accelerators"][i]), "accelerator"),
            format_value(float(series["h100_equivalents"][i]), "H100e"),
            format_value(float(series["effective_flop_per_s"][i]), "FLOP/s"),
            _times(float(series["compute_multiple"][i])),
            format_value(float(series["capex_cumulative_usd"][i]), "USD_2025"),
            event,
        ])
    scenario = timeline.scenario
    lines = [f"{scenario.name}: {scenario.title}",
             f"Compute multiple against {timeline.baseline}, target {timeline.target:g}×, "
             f"to {timeline.until}.", "",
             _table(header, rows, "lrrrrrrrl"), ""]
    lines.append(timeline.summary())
    lines.append("")
    lines.append("Phases (facility power is the site's total from the phase's start):")
    for phase in timeline.phases:
        low = phase.confidence in ("unconfirmed", "preliminary")
        flag = f" [low confidence: {phase.confidence}]" if low else (
            f" [{phase.confidence}]" if phase.confidence else "")
        delay = f", {phase.delay_months} months late" if phase.delay_months else ""
        chip = phase.accelerator or str(scenario["hardware.accelerator"])
        power = format_value(phase.facility_power_mw, "MW")
        lines.append(f"  {phase.begins}  {phase.name}: {power}, {chip}{delay}"
                     f"{', refreshed' if phase.refresh else ''}{flag}")
    growth = float(scenario["hardware.perf_per_watt_growth_per_year"])  # type: ignore[arg-type]
    lines.append("")
    lines.append(f"Hardware retires after {float(scenario['cost.hardware_lifetime_years']):g} "  # type: ignore[arg-type]
                 f"years; 'latest' and refreshes take the best shipping catalog chip, and after "
                 f"the catalog's newest release its FLOP/s grow {growth:.0%} a year ('trend "
                 f"YYYY'). Money in US dollars of 2025.")
    return "\n".join(lines)


def cmd_timeline(args: argparse.Namespace, library: Library) -> int:
    """``capcalc timeline``."""
    formats = _chart_formats(args.formats) if args.out else []
    library, scenario, phase_sets = _scenario(library, args, timeline=True)
    timeline = run_timeline(library, scenario, until=args.until,
                            phases=_phases_for(scenario, phase_sets, library))
    table = timeline_table(timeline)
    sampled = mc.timeline_monte_carlo(library, scenario, args, _phases_for(scenario, phase_sets))
    if args.out:
        if sampled is not None:
            from calc.data.io import check_writable

            check_writable(mc.timeline_monte_carlo_paths(sampled, args.out, formats),
                           force=args.force)
        written = _save_timeline(library, timeline, table, args, formats)
        if sampled is not None:
            from calc.presentation.export import save_charts

            written += save_charts(mc.timeline_monte_carlo_charts(sampled), args.out,
                                   formats=formats, force=True)
    if args.format == "json":
        document = timeline.to_dict()
        if sampled is not None:
            mc.timeline_monte_carlo_json(document, sampled)
        print(json.dumps(document, indent=2))
    elif args.format == "csv":
        sys.stdout.write(table.to_csv())
    else:
        print(timeline_text(timeline))
        if sampled is not None:
            print()
            print(mc.timeline_monte_carlo_text(sampled))
    if args.out:
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0


def _save_timeline(library: Library, timeline: Timeline, table: Any,
                   args: argparse.Namespace, formats: list[str]) -> list[Any]:
    from calc.data.io import check_writable, resolve_inside, write_text
    from calc.presentation.charts.timeline import levers_waterfall, timeline_chart
    from calc.presentation.export import save_charts

    baseline = run(library, timeline.baseline)
    decomposition = decompose(state_of_timeline(timeline), state_of(baseline),
                              scenario=timeline.scenario.name, baseline_name=timeline.baseline,
                              target=timeline.target)
    lever_table = levers_table(decomposition, single_lever_paths(
        decomposition, state_of_timeline(timeline)), f"fleet in {timeline.until}")
    charts = [(timeline_chart(table), table), (levers_waterfall(lever_table), lever_table)]
    json_path = resolve_inside(args.out, "timeline.json")
    planned = [resolve_inside(args.out, f"{t.name}.{f}") for _, t in charts
               for f in [*formats, "csv"]]
    check_writable([*planned, json_path], force=args.force)
    written = save_charts(charts, args.out, formats=formats, force=args.force)
    write_text(json_path, json.dumps(timeline.to_dict(), indent=2) + "\n")
    return [*written, json_path]


# ---------------------------------------------------------------- solve

_TIMES = re.compile(r"^\s*(?P<number>.*?)\s*[x×]\s*$")


def parse_target(text: str, outputs: Any = OUTPUTS) -> tuple[str, float]:
    """``OUTPUT=VALUE`` → (output, value in the output's unit); ``10x`` is read as 10.

    >>> parse_target("compute_multiple=10x")
    ('compute_multiple', 10.0)
    >>> parse_target("facility_power_mw=0.5 GW")
    ('facility_power_mw', 500.0)
    """
    from calc.data.assumptions import suggest

    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise CapcalcError(f"{text!r} is not OUTPUT=VALUE (e.g. compute_multiple=10)",
                           key="--target")
    if name not in outputs:
        raise CapcalcError(f"unknown output {name!r}{suggest(name, outputs)} (choose from "
                           f"{', '.join(outputs)})", key="--target")
    unit = outputs[name].unit or "1"
    times = _TIMES.match(raw)
    if times and unit == "1":
        raw = times.group("number")
    try:
        return name, parse_quantity(raw, unit)
    except UnitError as exc:
        raise CapcalcError(f"{exc}; give {name} in {format_unit(unit) or 'a pure number'}",
                           key="--target") from None


def _unit_of(key: str, solution: Solution) -> str:
    return INPUTS[key].unit if key in INPUTS else solution.unit


def _solution_dict(solution: Solution, scenario: Scenario, by: str | None) -> dict[str, Any]:
    value: Any = solution.text if solution.text is not None and solution.unit == "month" \
        and not solution.key.endswith("delay_months") else solution.value
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
    if unit == "month":
        return f"{value:g} months"
    if unit in ("1", ""):
        return f"{value:.6g}"
    if unit == "1/year":
        return f"{value:.6g}/year (+{value:.1%} a year)"
    text = format_value(value, unit)
    exact = f"{value:.6g} {format_unit(unit)}".strip()
    return text if text.replace(",", "") == exact else f"{text} ({exact})"


def cmd_solve(args: argparse.Namespace, library: Library) -> int:
    """``capcalc solve``."""
    outputs = TIMELINE_OUTPUTS if args.by else OUTPUTS
    output, target = parse_target(args.target, outputs)
    library, scenario, phase_sets = _scenario(library, args, timeline=False)
    if not args.by and (phase_sets or args.key.strip().startswith("timeline")):
        raise CapcalcError("timeline keys need --by YYYY-MM (the month the target is wanted)",
                           key=args.key)
    try:
        if args.by:
            solution = solve_timeline(library, scenario, args.key.strip(), output, target,
                                      args.by, phases=_phases_for(scenario, phase_sets, library))
        else:
            result = run(library, scenario)
            baseline = run(library, scenario.baseline_name).outputs["effective_flop_per_s"]
            solution = solve_input(result.scenario, args.key.strip(), output, target, baseline)
    except NoSolution as exc:
        if args.format == "json":
            print(json.dumps({
                "solved_key": args.key, "value": None,
                "target": {"output": output, "value": target},
                "achieved": exc.best_achieved, "best_value": exc.best_value,
                "unit": INPUTS[args.key].unit if args.key in INPUTS else None,
                "scenario": scenario.name, "baseline": scenario.baseline_name, "by": args.by,
                "error": str(exc), "capcalc_version": __version__,
            }, indent=2))
        raise
    sampled = mc.solve_monte_carlo(library, scenario, args.key.strip(), output, target, args)
    if args.format == "json":
        document = _solution_dict(solution, scenario, args.by)
        if sampled is not None:
            mc.solve_monte_carlo_json(document, sampled)
        print(json.dumps(document, indent=2))
        return 0
    out_unit = outputs[output].unit
    if solution.text is not None and solution.unit == "month" and "start" in solution.key:
        value = solution.text
    else:
        value = _shown(solution.value, solution.unit)
    when = f" in {month_label_of(args.by)}" if args.by else ""
    print(f"{solution.key} = {value}")
    print(f"  {output} then reaches {format_value(solution.achieved, out_unit)}{when} "
          f"(target {format_value(solution.target, out_unit)})")
    print(f"  scenario {scenario.name}, multiples against {scenario.baseline_name}")
    if solution.note:
        print(f"  note: {solution.note}")
    if sampled is not None:
        print(mc.solve_monte_carlo_text(sampled))
    return 0


def month_label_of(text: str) -> str:
    """``text`` written as ``YYYY-MM``."""
    from calc.analysis.timeline import month_label

    return month_label(month_index(text, key="--by"))


# ---------------------------------------------------------------- levers


def levers_text(decomposition: Decomposition, paths: Sequence[LeverPath]) -> str:
    """The lever table and the single-lever paths, for people."""
    header = ["lever", decomposition.baseline, decomposition.scenario, "factor"]
    units = {"MW": "MW", "FLOP/s/W": "FLOP/s"}
    rows = []
    for lever in decomposition.levers:
        if lever.unit in units:
            base = format_value(lever.baseline, units[lever.unit])
            now = format_value(lever.scenario, units[lever.unit])
            if lever.unit == "FLOP/s/W":
                base, now = f"{base}/W", f"{now}/W"
        else:
            base, now = f"{lever.baseline:.3g}", f"{lever.scenario:.3g}"
        rows.append([lever.title, base, now, _times(lever.factor)])
    rows.append(["Compute multiple (product)", "1", _times(decomposition.total),
                 _times(decomposition.total)])
    lines = [f"Compute multiple of {decomposition.scenario} against {decomposition.baseline}: "
             f"{_times(decomposition.total)} (target {decomposition.target:g}×)", "",
             _table(header, rows), "",
             "Overheads and PUE are facility watts per TDP watt (server × IT overhead × PUE); "
             "fewer is better, so its factor is baseline / scenario.", "",
             paths_title(decomposition)]
    lines += [f"  {p.text}" for p in paths]
    return "\n".join(lines)


def cmd_levers(args: argparse.Namespace, library: Library) -> int:
    """``capcalc levers``."""
    formats = _chart_formats(args.formats) if args.out else []
    library, scenario, phase_sets = _scenario(library, args, timeline=bool(args.at))
    baseline = run(library, scenario.baseline_name)
    if args.at:
        until = args.at
        timeline = run_timeline(library, scenario, until=until,
                                phases=_phases_for(scenario, phase_sets, library))
        state = state_of_timeline(timeline)
        decomposition = decompose(state, state_of(baseline), scenario=scenario.name,
                                  baseline_name=baseline.name, target=timeline.target)
        paths = single_lever_paths(decomposition, state)
        extra = f"fleet in {timeline.until}"
    else:
        if phase_sets:
            raise CapcalcError("timeline keys need --at YYYY-MM", key=phase_sets[0][0])
        result = run(library, scenario)
        decomposition, paths = paths_for(library, result, baseline)
        extra = ""
    table = levers_table(decomposition, paths, extra)
    if args.out:
        from calc.presentation.charts.timeline import levers_waterfall
        from calc.presentation.export import save_charts

        written = save_charts([(levers_waterfall(table), table)], args.out, formats=formats,
                              force=args.force)
    if args.format == "json":
        print(json.dumps({
            "capcalc_version": __version__, "scenario": decomposition.scenario,
            "baseline": decomposition.baseline, "at": args.at,
            "compute_multiple": decomposition.total, "target": decomposition.target,
            "levers": [lever.__dict__ for lever in decomposition.levers],
            "product": decomposition.product,
            "paths": [p.__dict__ for p in paths],
        }, indent=2))
    elif args.format == "csv":
        sys.stdout.write(table.to_csv())
    else:
        print(levers_text(decomposition, paths))
    if args.out:
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0
