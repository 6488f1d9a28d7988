"""The answer in words: what a site is, what the target needs, and when a build-out gets there.

The command line, the report and the dashboard say the same words, built here
from analysis results: :func:`calc.analysis.target.target_facts` (the site and
the power or chip the target needs) and :func:`calc.analysis.reach.reach` (when
the build-out reaches the target: the sampled median with its 10–90 % range and
the chance by the horizon, the month at central values and which phase or
assumption sets it, and the operator's own pace beside it). :func:`answer_for`
computes both and returns the finding;
:func:`finding` writes it from results already computed; :func:`describe` is
the shorter distance-to-target sentence the report lists per scenario.
:func:`heading` and :func:`changes` title a scenario the user changed, from its
current inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from calc.analysis.buildout_choice import BuildoutChoice
from calc.analysis.limits import ANSWER_SAMPLES
from calc.analysis.run import Result, run
from calc.analysis.timeline import Timeline
from calc.core.months import DEFAULT_UNTIL
from calc.core.phases import Phase
from calc.core.vocabulary import INPUTS
from calc.data.records import PeerRecords
from calc.data.scenarios import Library, Scenario
from calc.presentation.formatting import count_text, format_value, month_text, percent, times
from calc.presentation.reach import date_clause, pace_brief, pace_sentence, warning_sentence

if TYPE_CHECKING:
    from calc.analysis.reach import Reach
    from calc.analysis.target import ChipOption, TargetFacts

__all__ = [
    "answer_for",
    "answer_lines",
    "answer_parts",
    "answer_with",
    "basis_sentence",
    "buildout_name",
    "changes",
    "changes_sentence",
    "date_sentences",
    "describe",
    "driver_sentence",
    "finding",
    "heading",
    "short_title",
    "site_title",
]

#: Phase confidences that make a date worth a warning.
_LOW_CONFIDENCE = ("unconfirmed", "preliminary")


def _chip(option: ChipOption, target: str) -> str:
    mark = "" if option.status == "shipping" else f"{option.status}, "
    return (f"{option.accelerator} ({mark}{times(option.gain)}) reaches {target} at "
            f"~{format_value(option.facility_power_mw_for_target, 'MW')}")


def describe(facts: TargetFacts, max_chips: int = 3) -> str:
    """The distance to the target in words.

    Examples
    --------
    >>> from calc.analysis.target import ChipOption, TargetFacts
    >>> facts = TargetFacts("cortex-full", "cortex-phase1", "H100", "power", 500.0, 2.87e5,
    ...     5.0, 10.0, 1000.0, 2.0, (ChipOption("GB200", "shipping", 9.19, 544.0, 1.84),))
    >>> print(describe(facts))  # doctest: +NORMALIZE_WHITESPACE
    500 MW of H100 gives 5.0× cortex-phase1. 10× needs 1.00 GW of H100, or a chip with
    ~2.0× its FLOP per facility watt: GB200 (1.8×) reaches 10× at ~544 MW.
    """
    power = format_value(facts.facility_power_mw, "MW")
    if facts.sized_by == "accelerators":
        site = (f"{format_value(facts.accelerators, 'accelerator')} {facts.accelerator} "
                f"({power})")
    else:
        site = f"{power} of {facts.accelerator}"
    head = f"{site} gives {times(facts.compute_multiple)} {facts.baseline}"
    target = f"{facts.target_multiple:g}×"
    needed = f"{format_value(facts.facility_power_mw_for_target, 'MW')} of {facts.accelerator}"
    if not facts.reachable:
        return f"{head}. {_unreachable(facts)}"
    if facts.met:
        return f"{head}: the {target} target is met ({needed} would reach it)."
    better = facts.better_chips
    if not better:
        return (f"{head}. {target} needs {needed}; no catalog accelerator gives more "
                f"FLOP per facility watt than {facts.accelerator}.")
    shown = ", ".join(_chip(c, target) if i == 0 else _chip(c, target).replace(
        f" reaches {target} at", " at") for i, c in enumerate(better[:max_chips]))
    return (f"{head}. {target} needs {needed}, or a chip with "
            f"~{facts.gain_needed:.1f}× its FLOP per facility watt: {shown}.")


# ---------------------------------------------------------------- the finding


def short_title(title: str | None, name: str) -> str:
    """A scenario's title up to its first colon (its name when it has none).

    >>> short_title("Tesla's training compute at the story's date: ~67k H100e", "x")
    "Tesla's training compute at the story's date"
    >>> short_title(None, "my-site")
    'my-site'
    """
    text = (title or "").split(":", 1)[0].strip()
    return text or name


def _site(result: Result, facts: TargetFacts, baseline_title: str) -> str:
    outputs = result.outputs
    chips = f"{count_text(facts.accelerators)} {facts.accelerator}"
    power = format_value(facts.facility_power_mw, "MW")
    compute = format_value(outputs["effective_flop_per_s"], "FLOP/s")
    if result.name == facts.baseline:
        against = "the baseline the target is measured from"
    else:
        against = f"{times(facts.compute_multiple)} the baseline ({baseline_title})"
    return (f"The site is {chips} accelerators on {power} of facility power: {compute} of "
            f"effective training compute, {against}.")


def _unreachable(facts: TargetFacts) -> str:
    """The sentence for a target no size of the chip reaches (the interruptions model).

    >>> from calc.analysis.target import TargetFacts
    >>> facts = TargetFacts("s", "b", "H100", "power", 100.0, 5.7e4, 0.7, 10.0,
    ...     float("inf"), 14.3, (), ceiling=2.4)
    >>> print(_unreachable(facts))  # doctest: +NORMALIZE_WHITESPACE
    No size of H100 cluster reaches 10×: with interruptions growing with its size, it tops
    out at 2.4× (training.availability_model = interruptions).
    """
    text = (f"No size of {facts.accelerator} cluster reaches {facts.target_multiple:g}×: with "
            f"interruptions growing with its size, it tops out at {times(facts.ceiling)} "
            "(training.availability_model = interruptions)")
    better = facts.better_chips
    if better:
        text += (f"; {better[0].accelerator} reaches it at "
                 f"~{format_value(better[0].facility_power_mw_for_target, 'MW')}")
    return text + "."


def _target(result: Result, facts: TargetFacts) -> str:
    if not facts.reachable:
        return _unreachable(facts)
    target = f"{facts.target_multiple:g}×"
    baseline_flop = result.outputs["effective_flop_per_s"] / facts.compute_multiple \
        if facts.compute_multiple else 0.0
    wanted = format_value(facts.target_multiple * baseline_flop, "FLOP/s")
    on_chip = f"{format_value(facts.facility_power_mw_for_target, 'MW')} of {facts.accelerator}"
    if facts.met:
        return f"It meets the {target} target ({wanted}), which needs {on_chip}."
    best = min((c for c in facts.chips if math.isfinite(c.facility_power_mw_for_target)),
               key=lambda c: c.facility_power_mw_for_target, default=None)
    if best is None or best.gain <= 1 + 1e-9:
        return (f"{target} the baseline ({wanted}) needs {on_chip}; no catalog chip does "
                "more per watt.")
    status = "" if best.status == "shipping" else f", on {best.status} figures"
    return (f"{target} the baseline ({wanted}) needs {on_chip}, or "
            f"{format_value(best.facility_power_mw_for_target, 'MW')} of {best.accelerator}, "
            f"the catalog's most efficient chip{status}.")


def _driver(timeline: Timeline, month: str) -> str:
    """What happens in ``month`` that takes the build-out to the target, with its assumption."""
    begun = [i for i in timeline.installs if i.begin == month]
    first = timeline.months[0] if timeline.months else month
    if not begun:
        return "already in its first month" if month == first else ""
    install = max(begun, key=lambda i: i.h100_equivalents)
    phases = {p.name: p for p in timeline.phases}
    phase = phases.get(install.phase)
    if install.refresh:
        lifetime = timeline.scenario.inputs.cost.hardware_lifetime_years
        chip = install.generation
        if chip.startswith("trend "):
            growth = timeline.scenario.inputs.hardware.perf_per_watt_growth_per_year
            chip = (f"chips of {chip.removeprefix('trend ')} extrapolated at "
                    f"{percent(growth, sign=True)} FLOP per watt a year")
        return (f"when the {install.phase} hardware retires after its {lifetime:g}-year "
                f"lifetime and is replaced by {chip}")
    if phase is None:
        return ""
    text = (f"when {phase.name} takes the site to "
            f"{format_value(phase.facility_power_mw, 'MW')} with {install.generation}")
    notes = []
    if phase.delay_months:
        notes.append(f"{phase.delay_months} months after its planned start")
    if phase.confidence in _LOW_CONFIDENCE:
        notes.append(f"an {phase.confidence} date" if phase.confidence[0] in "aeiou"
                     else f"a {phase.confidence} date")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def buildout_name(choice: BuildoutChoice | None) -> str | None:
    """What a build-out that is not the scenario's own, unedited, is called: the story's
    build-out by name and short title (", as edited" when it was), or "the edited
    build-out"; None for the scenario's own.

    >>> buildout_name(BuildoutChoice((), "story", "b", "Site build-out: phases 1 to 3"))
    "the story's build-out, Site build-out (b)"
    >>> buildout_name(BuildoutChoice((), "own", edited=True)), buildout_name(None)
    ('the edited build-out', None)
    """
    if choice is None or not (choice.borrowed or choice.edited):
        return None
    if not choice.borrowed:
        return "the edited build-out"
    lender = choice.lender or ""
    return (f"the story's build-out, {short_title(choice.lender_title, lender)} ({lender})"
            + (", as edited" if choice.edited else ""))


def _title(key: str) -> str:
    title = INPUTS[key].title
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def changes_sentence(choice: BuildoutChoice | None, scenario: Scenario) -> str:
    """How ``scenario``'s changes enter the build-out its date is measured on: those its
    phases replace (they do not move the date) and those that enter it; "" when the
    scenario runs its own phases unchanged."""
    if choice is None or not choice.changed:
        return ""
    whose = "your" if choice.why == "own" else f"{scenario.name}'s"
    values = scenario.values
    parts = []
    if choice.replaced:
        keys = choice.replaced
        shown = _listed([_value(key, values.get(key)) for key in keys])
        verb = "does" if len(keys) == 1 else "do"
        titles = _listed([f"the {_title(k)}" for k in keys])
        parts.append(f"Its phases set {titles}, so {whose} "
                     f"{shown} {verb} not enter this date.")
    if choice.applied:
        keys = choice.applied
        shown = _listed([f"{_title(k)} {_value(k, values.get(k))}" for k in keys])
        parts.append(f"It takes {whose} {shown}.")
    return " ".join(parts)


def basis_sentence(choice: BuildoutChoice | None, scenario: Scenario) -> str:
    """Whose phases a date uses and how ``scenario``'s changes enter them, for the lines under
    a timeline: "" for the scenario's own phases, unedited and unchanged.

    >>> import calc
    >>> from calc.analysis.buildout_choice import choose_buildout
    >>> library = calc.load()
    >>> scenario = library.scenario("cortex-buildout", [("site.pue", "1.3")])
    >>> basis_sentence(choose_buildout(library, scenario), scenario)
    "On cortex-buildout's own phases. It takes your PUE 1.30."
    """
    if choice is None or (choice.why == "own" and not choice.edited and not choice.changed):
        return ""
    name = scenario.name
    if choice.borrowed:
        head = (f"{name} has no build-out of its own: the date is on the phases of "
                f"{buildout_name(choice)}, with {name}'s other inputs.")
    elif choice.why == "own":
        head = f"On {name}'s own phases{', as edited' if choice.edited else ''}."
    else:
        head = "On the edited build-out."
    return " ".join(s for s in (head, changes_sentence(choice, scenario)) if s)


def _date_sentence(answer: Reach, *, named: bool = True, why: bool = True) -> str:
    """When the build-out reaches the target, whose phases it runs, sampled and at central
    values (with what sets that month unless ``why`` is False), in one sentence."""
    choice = answer.choice
    timeline = answer.timeline
    name = buildout_name(choice)
    if choice is not None and choice.borrowed and named:
        own = timeline.scenario.name
        subject = (f"{own} has no build-out of its own: on the phases of {name}, with {own}'s "
                   "other inputs, it")
    elif name:
        subject = f"On the phases of {name}, it"
    else:
        subject = "Its build-out"
    reached = timeline.target_reached
    if reached:
        driver = _driver(timeline, reached) if why else ""
        central = f"at central values in {month_text(reached)}" + (
            f", {driver}" if driver else "")
    else:
        central = (f"at central values not by {month_text(timeline.until)}: "
                   f"{times(timeline.final_multiple)} then")
    return f"{date_clause(answer, subject)}; {central}."


def date_sentences(answer: Reach, *, named: bool = True) -> str:
    """When the build-out reaches the target: whose phases it runs, sampled, at central
    values (with what sets that month), how the scenario's changes enter it, at the
    operator's own pace, and the warning when it runs above it. ``named=False`` leaves the
    scenario out, its name and its changes (a comparison of several says a shared build-out's
    date once)."""
    sentences = [_date_sentence(answer, named=named),
                 changes_sentence(answer.choice, answer.timeline.scenario) if named else "",
                 pace_sentence(answer),
                 warning_sentence(answer.warning)]
    return " ".join(s for s in sentences if s)


def driver_sentence(answer: Reach) -> str:
    """What sets the month at central values, as a sentence of its own ("" when the target is
    not reached by the horizon or nothing new begins that month)."""
    reached = answer.timeline.target_reached
    driver = _driver(answer.timeline, reached) if reached else ""
    if not reached or not driver:
        return ""
    return f"The month at central values, {month_text(reached)}, comes {driver}."


def finding(result: Result, facts: TargetFacts, buildout: Reach | None = None, *,
            baseline_title: str | None = None) -> str:
    """The answer in plain sentences: the site, what the target needs, and when.

    Parameters
    ----------
    result : Result
        The scenario's run.
    facts : TargetFacts
        ``target_facts`` of ``result``.
    buildout : Reach, optional
        The date of the scenario's build-out (or of one it is measured on: its ``choice``
        says which); without it the date is left out.
    baseline_title : str, optional
        How the baseline is called (default: its name).
    """
    parts = [_site(result, facts, baseline_title or facts.baseline), _target(result, facts)]
    if buildout is not None:
        parts.append(date_sentences(buildout))
    return " ".join(parts)


def _facts(library: Library, result: Result, baseline: Result) -> tuple[TargetFacts, str]:
    """``result``'s distance to the target, and how its baseline is called (its short
    title)."""
    # deferred: the target's facts only for a scenario's answer, not a build-out's timeline
    from calc.analysis.target import target_facts

    definition = library.definitions.get(baseline.name)
    return (target_facts(library, result, baseline),
            short_title(definition.title if definition else None, baseline.name))


def answer_with(library: Library, result: Result, baseline: Result,
                buildout: Reach | None) -> str:
    """:func:`finding` for ``result`` with its build-out's date already computed."""
    facts, title = _facts(library, result, baseline)
    return finding(result, facts, buildout, baseline_title=title)


def answer_parts(library: Library, result: Result, baseline: Result, buildout: Reach | None
                 ) -> tuple[str, str]:
    """:func:`answer_with` in two parts for a page's answer box: ``(lead, rest)``.

    The lead is what a reader quotes: the site, what the target needs, the date as a range
    with the month at central values, and the month at the operator's own pace; the rest
    says what sets the month at central values, how the scenario's changes enter the
    build-out, the pace's fit and the warning when the build-out runs above it. Together
    they say what :func:`answer_with` says.
    """
    facts, title = _facts(library, result, baseline)
    lead = [_site(result, facts, title), _target(result, facts)]
    rest: list[str] = []
    if buildout is not None:
        lead += [_date_sentence(buildout, why=False), pace_brief(buildout)]
        rest += [driver_sentence(buildout),
                 changes_sentence(buildout.choice, buildout.timeline.scenario),
                 pace_sentence(buildout), warning_sentence(buildout.warning)]
    return " ".join(s for s in lead if s), " ".join(s for s in rest if s)


def answer_for(library: Library, result: Result, baseline: Result | None = None, *,
               phases: Sequence[Phase] | None = None, until: str = DEFAULT_UNTIL,
               records: PeerRecords | None = None, slip: str | None = None,
               samples: int = ANSWER_SAMPLES, seed: int = 0) -> str:
    """:func:`finding` for ``result``, computing its target facts and its build-out's date
    (:func:`calc.analysis.reach.buildout_reach`, which the keywords are passed to)."""
    # deferred: the sampled build-out loads the sampling machinery, which an error or the
    # JSON of `capcalc run` has no use for
    from calc.analysis.reach import buildout_reach

    baseline = baseline if baseline is not None else run(library, result.baseline)
    buildout = buildout_reach(library, result.scenario, phases=phases, until=until,
                              records=records, slip=slip, samples=samples, seed=seed)
    return answer_with(library, result, baseline, buildout)


def answer_lines(library: Library, results: Iterable[Result]) -> str:
    """One finding per result, a blank line apart (``capcalc run``'s table output); each
    named by its scenario when there are several."""
    shown = list(results)
    if len(shown) == 1:
        return answer_for(library, shown[0])
    return "\n\n".join(f"{result.name}: {answer_for(library, result)}" for result in shown)


# ---------------------------------------------------------------- a changed scenario


def _value(key: str, value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, str):
        return value
    spec = INPUTS[key]
    if spec.decimals is not None and spec.unit not in ("MW", "accelerator") and \
            not spec.unit.startswith("USD_"):
        unit = "" if spec.unit in ("1", "") else f" {spec.unit}"
        return f"{float(value):,.{spec.decimals}f}{unit}"
    return format_value(float(value), spec.unit)


def changes(before: Scenario, after: Scenario, keys: Iterable[str]) -> list[str]:
    """Each input in ``keys`` as "Title: old → new", in the vocabulary's order.

    ``before`` is the scenario the user started from, ``after`` the one shown.
    """
    wanted = set(keys)
    lines = []
    for key, spec in INPUTS.items():
        if key not in wanted:
            continue
        old, new = before.values.get(key), after.values.get(key)
        lines.append(f"{spec.title}: {_value(key, old)} → {_value(key, new)}")
    return lines


def site_title(scenario: Scenario, outputs: dict[str, float] | Any) -> str:
    """What the site is, short: "300 MW of GB200", or "57.4 k H100 (100 MW)" for a site sized
    by its accelerators."""
    chip = scenario["hardware.accelerator"]
    power = format_value(float(outputs["facility_power_mw"]), "MW")
    if scenario["site.accelerators"] is not None:
        return f"{count_text(float(outputs['accelerators']))} {chip} ({power})"
    return f"{power} of {chip}"


def heading(scenario: Scenario, outputs: dict[str, float] | Any, *, preset: str,
            preset_title: str | None, changed: bool) -> tuple[str, str]:
    """``(title, description)`` of the scenario shown, written from its current inputs.

    Unchanged, a preset keeps its own title and description; changed, the title
    says what the site now is and the description where it came from.
    """
    if not changed:
        return scenario.title or preset, scenario.description or ""
    title = f"{site_title(scenario, outputs)}, changed from {preset}"
    description = f"{short_title(preset_title, preset)} ({preset}) with the changes below."
    return title, description
