"""The Timeline view's target box: what value of an input reaches a target, centrally and
with 50, 80 and 95 % (or the user's own) confidence.

The central answer is :func:`calc.analysis.timeline.solve_timeline` (in a month
of the build-out) or :func:`calc.analysis.run.solve_input` (the scenario at one
moment); the P answers are :func:`calc.analysis.confidence.solve_probability`
over the page's Monte Carlo samples and seed. Each is cached on its inputs, and
an answer can be applied to the scenario or to the phase table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from calc.core.errors import CapcalcError
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index, month_label
from calc.core.phases import PHASE_FIELDS, Phase, phase_key
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.dashboard import commands, session
from calc.dashboard.compute.buildout import probable, solve
from calc.dashboard.context import Context, Question
from calc.dashboard.keys import PhasesKey
from calc.dashboard.markup import plain, shown_error
from calc.dashboard.settings import Settings
from calc.presentation.formatting import format_value, percent

__all__ = ["PROBABILITIES", "ask", "probable_answers", "render"]

#: The probabilities the target box always answers, beside the central answer.
PROBABILITIES = (0.5, 0.8, 0.95)
#: The box's question until the user asks another (the accelerator count instead, for a
#: site sized by count): the power that reaches the scenario's target multiple.
DEFAULT_QUESTION: Question = ("site.facility_power_mw", "compute_multiple", None, None)
#: The widgets of the box's form, by what they ask.
_FORM = {"key": "tl:solve-key", "output": "tl:solve-output", "target": "tl:solve-target",
         "by": "tl:solve-by", "on_timeline": "tl:solve-timeline"}


def probable_answers(ctx: Context, question: Question, probabilities: tuple[float, ...],
                     samples: int, seed: int) -> list[dict[str, Any]]:
    """The target box's P answers for ``question`` (cached), in the order of
    ``probabilities``; a dict with ``error`` where there is none."""
    key, output, target, _by = question
    goal = ctx.scenario.inputs.target.compute_multiplier if target is None else target
    return [probable(ctx.key, key, output, float(goal), p, samples, seed)
            for p in probabilities]


def _question(ctx: Context) -> Question:
    """The box's question: the user's last, else the power (or the accelerator count, for a
    site sized by count) that reaches the scenario's target multiple."""
    sizing = "site.accelerators" if ctx.scenario["site.accelerators"] is not None \
        else DEFAULT_QUESTION[0]
    return ctx.question or (sizing, *DEFAULT_QUESTION[1:])


def _shown(value: float, unit: str, text: str | None = None) -> str:
    if text and unit == "month":
        return text
    if unit in ("1", "", "1/year"):
        return f"{value:.6g}"
    return format_value(value, unit)


def ask(target_multiple: float, read: Callable[[str], Any]) -> tuple[Question | None, str]:
    """The question the box's form asks (its widgets' values by widget key from ``read``),
    or None and why it cannot be asked."""
    key, output = str(read(_FORM["key"])), str(read(_FORM["output"]))
    target, by = float(read(_FORM["target"])), str(read(_FORM["by"]))
    timeline_mode = bool(read(_FORM["on_timeline"])) or key.startswith("timeline")
    outputs = TIMELINE_OUTPUTS if timeline_mode else OUTPUTS
    if output not in outputs:
        return None, (f"{output} is not a {'timeline' if timeline_mode else 'scenario'} "
                      "output; pick another")
    month = None
    if timeline_mode:
        try:
            month = month_label(month_index(by, key="By"))
        except CapcalcError as exc:
            return None, shown_error(exc)
    follows = output == "compute_multiple" and target == target_multiple
    return (key, output, None if follows else target, month), ""


def render(ctx: Context, phases: tuple[Phase, ...], used: PhasesKey, until: str,
           samples: int, seed: int, measure: str) -> None:
    """The box: its question's form, the central answer and the P answers, and the buttons
    that apply them."""
    st.subheader("Solve for a target")
    numeric = [k for k, s in INPUTS.items() if s.kind != "choice"]
    phase_keys = [phase_key(i, f) for i in range(len(phases)) for f in PHASE_FIELDS]
    names = {phase_key(i, f): f"{p.name}: {f.replace('_', ' ')}"
             for i, p in enumerate(phases) for f in PHASE_FIELDS}
    asked = _question(ctx)
    goal = ctx.scenario.inputs.target.compute_multiplier if asked[2] is None else asked[2]
    choices = list(dict.fromkeys([*OUTPUTS, *TIMELINE_OUTPUTS]))
    titles = {**TIMELINE_OUTPUTS, **OUTPUTS}

    def output_title(name: str) -> str:
        title = f"Compute multiple of {measure}" if name == "compute_multiple" else \
            titles[name].title
        return str(title)

    keys = [*numeric, *phase_keys]
    with st.form("tl:solve", border=True):
        left, middle, right, far = st.columns([3, 3, 1, 1.3])
        # the form's values are read when it is sent (session.on_ask, with ask)
        left.selectbox(
            "Input to vary", keys, index=keys.index(asked[0]) if asked[0] in keys else
            numeric.index("site.facility_power_mw"),
            format_func=lambda k: str(INPUTS[k].title) if k in INPUTS else
            f"Phase {names.get(k, k)}", key=_FORM["key"],
            help="The command line names it by its key: the answer below shows it.")
        far.toggle("On the timeline", value=asked[3] is not None, key=_FORM["on_timeline"],
                   help="Solve for the output in one month of the build-out (phase inputs "
                        "always do)")
        middle.selectbox("Output", choices, index=choices.index(asked[1]),
                         format_func=output_title, key=_FORM["output"])
        right.number_input("Target", value=float(goal), format="%g", key=_FORM["target"])
        far.text_input("By (YYYY-MM)", value=asked[3] or min(until, ctx.library.story.by or until),
                       key=_FORM["by"])
        st.form_submit_button(
            "Solve", type="primary", on_click=session.on_ask,
            args=(partial(ask, ctx.scenario.inputs.target.compute_multiplier),))
    if ctx.question_error:
        st.warning(plain(ctx.question_error), icon=":material/block:")
    key, output, target_or_none, by_month = asked
    target = ctx.scenario.inputs.target.compute_multiplier if target_or_none is None \
        else target_or_none
    central = solve(ctx.key, used, key, output, float(target), by_month)
    codec = Settings.codecs()["probability"]
    probability = int(st.number_input(
        "Probability (%)", min_value=codec.lower, max_value=codec.upper, step=1,
        help="Your own chance to be sure of, answered beside P50, P80 and P95 "
             "(`capcalc solve ... --probability`).",
        **session.bound("probability", "tl:probability")))
    on_timeline = by_month is not None or key.startswith("timeline")
    wanted = tuple(sorted({*PROBABILITIES, probability / 100}))
    answers = [] if on_timeline else probable_answers(ctx, asked, wanted, samples, seed)
    out_unit = (TIMELINE_OUTPUTS if by_month else OUTPUTS)[output].unit
    what = f"multiple of {measure}" if output == "compute_multiple" else output
    when = f" in {by_month}" if by_month else ""
    goal_text = format_value(float(target), out_unit)
    if "error" in central:
        problems = [central["error"]]
        st.caption(f"**{plain(key)}** at which the {plain(what)} reaches {goal_text}{when}:")
    else:
        problems = []
        value = _shown(central["value"], central["unit"], central.get("text"))
        st.success(f"**{key} = {value}** — the {plain(what)} then reaches "
                   f"{format_value(central['achieved'], out_unit)}{when}",
                   icon=":material/check:")
    with st.container(horizontal=True, wrap=True, gap="small", key="tl-answers"):
        if "error" in central:
            st.metric("Central", "—", border=True, width="content",
                      help="Every input at its central value: no answer (see below).")
        else:
            st.metric("Central", _shown(central["value"], central["unit"], central.get("text")),
                      border=True, width="content",
                      help=f"Every input at its central value: {output} then reaches "
                           f"{format_value(central['achieved'], out_unit)}{when}."
                           f"\n\nExact value: {central['value']!r} {central['unit']}")
        for found in answers:
            share = found["probability"]
            label = f"P{share * 100:g}" + (" (yours)" if round(share * 100) == probability
                                           and share not in PROBABILITIES else "")
            if "error" in found:
                st.metric(label, "—", border=True, width="content",
                          help=f"No value reaches {percent(share)} (see below).")
                problems.append(f"P{share * 100:g}: {found['error']}")
                continue
            st.metric(label, _shown(found["value"], found["unit"]), border=True,
                      width="content",
                      help=f"{percent(share)} sure: at this value P({output} ≥ {target:g}) = "
                           f"{percent(found['achieved'], 1)} ± "
                           f"{percent(found['achieved_se'], 1)} over "
                           f"{found['samples']:,} joint samples, seed {found['seed']}."
                           f"\n\nExact value: {found['value']!r} {found['unit']}")
    # each answer that has none: its one line under the box (the P answers' in small print
    # when the central answer has none either: their reason is the same)
    for i, line in enumerate(problems):
        if i and "error" in central:
            st.caption(f"⚠ {plain(line)}")
        else:
            st.warning(plain(line), icon=":material/block:")
    if on_timeline:
        st.caption("P50/P80/P95 answers are for a scenario input at one moment (`capcalc solve "
                   "KEY --probability P`); on the timeline, the chance by each month above "
                   "says how sure a date is.")
    else:
        command = commands.solve_command(ctx, key, output, float(target),
                                         probability=probability / 100, samples=samples,
                                         seed=seed)
        st.caption(f"P answers: the value at which that share of {samples:,} joint samples "
                   f"(seed {seed}, every input with a range drawn) reaches the target; "
                   f"{commands.said(ctx, command)} gives the same.")
    if "error" not in central and central.get("note"):
        st.caption(central["note"])
    st.caption("The central answer: " + commands.said(
        ctx, commands.solve_command(ctx, key, output, float(target), by=by_month)) + ".")
    buttons = st.columns([1, 1, 3])
    if "error" not in central:
        buttons[0].button("Apply central", key="tl:apply", on_click=session.on_apply,
                          args=(central, phases, ctx.library),
                          help="Set this value in the scenario (inputs) or in the phase table "
                               "(phases)")
    yours = next((a for a in answers if round(a["probability"] * 100) == probability
                  and "error" not in a), None)
    if yours is not None:
        buttons[1].button(f"Apply P{probability}", key="tl:apply-p", on_click=session.on_apply,
                          args=(yours, phases, ctx.library),
                          help=f"Set the value that reaches the target with {probability} % "
                               "chance")
