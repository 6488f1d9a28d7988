"""Every ``capcalc`` command the page shows, written in one place from the live state.

A command the page offers reproduces what the page shows: it names the scenario
and every input the user changed (``--set key=value``, the text the link
carries), the horizon, the Monte Carlo's samples and seed, and the slip switch
(``--slip none`` when off). When the command line cannot name the state — an
uploaded scenario, a phase table edited in the page, or a build-out the page
borrows from another scenario (a scenario without a ``timeline:`` of its own is
measured on the shipped Cortex build-out's phases) — the command names the
scenario file the page offers for download (:func:`scenario_file`, which holds
all of it) instead of the preset, so no command is offered for something it
cannot run. An uploaded scenario keeps its name in that file; a shipped one is
written as ``<preset>-custom`` (a file cannot reuse a shipped name), and since a
scenario's own random streams follow its name, the sampled numbers of such a
file agree with the page's within sampling error rather than to the digit.

Nothing here draws: the views put :func:`shown` of a command in their captions.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from calc.core.phases import Phase
from calc.dashboard.compute.scenario import slipped
from calc.dashboard.context import Context
from calc.dashboard.keys import NO_UPLOAD
from calc.dashboard.link import as_library_sets
from calc.data.scenario_file import scenario_yaml
from calc.presentation.answer import BUILDOUT, buildout_phases, heading

__all__ = ["file_name", "heading_of", "page_buildout", "run_command", "said", "scenario_args",
           "scenario_file", "sensitivity_command", "shown", "solve_command",
           "timeline_command", "uses_file"]


def heading_of(ctx: Context) -> tuple[str, str]:
    """The page's title and description of the current state (the answer's heading)."""
    definition = ctx.library.definitions.get(ctx.preset)
    return heading(ctx.scenario, ctx.result.outputs, preset=ctx.preset,
                   preset_title=definition.title if definition else None,
                   changed=bool(ctx.sets) or ctx.phases is not None)


def page_buildout(ctx: Context) -> tuple[tuple[Phase, ...], str]:
    """The build-out the page starts from before any edit, and a note when it is not the
    scenario's own: its ``timeline:``, else the shipped build-out's phases (with the
    scenario's other inputs), else one phase of its site from 2025-01."""
    phases, borrowed = buildout_phases(ctx.library, ctx.scenario)
    if phases and borrowed is None:
        return phases, ""
    if phases:
        return phases, (
            f"{ctx.scenario.name} has no build-out timeline: showing the phases of "
            f"{BUILDOUT} with {ctx.scenario.name}'s other assumptions. Edit them below.")
    power = float(ctx.result.outputs["facility_power_mw"])
    return (Phase("site", "2025-01", power),), (
        f"{ctx.scenario.name} has no build-out timeline: one phase of its site from 2025-01.")


def _own_timeline(ctx: Context) -> bool:
    return ctx.scenario.timeline is not None


def uses_file(ctx: Context, *, buildout: bool = False) -> bool:
    """Whether a command must name the downloaded scenario file: the preset is an uploaded
    one, or (``buildout``: a command that runs the build-out) the phases were edited or the
    page's build-out is not the scenario's own."""
    return _uploaded(ctx) or (buildout and (ctx.phases is not None or not _own_timeline(ctx)))


def _uploaded(ctx: Context) -> bool:
    return ctx.upload != NO_UPLOAD and ctx.preset not in ctx.library.shipped


def file_name(ctx: Context) -> str:
    """The name of the scenario file the page offers for download."""
    return f"{ctx.preset}-custom.yaml"


def _file_phases(ctx: Context) -> tuple[Phase, ...] | None:
    """The phases the file writes: the build-out the page uses (edited or borrowed), with the
    slip when it is on; None when that is the scenario's own, unslipped."""
    if ctx.phases is None and _own_timeline(ctx) and not ctx.settings.slip:
        return None
    phases = ctx.phases if ctx.phases is not None else page_buildout(ctx)[0]
    return slipped(phases) if ctx.settings.slip else phases


def scenario_file(ctx: Context) -> str:
    """The scenario file the page offers for download: the preset with every change, the
    build-out the page uses, and in its header the commands with the samples, seed and
    horizon the page uses."""
    title, description = heading_of(ctx)
    settings = ctx.settings
    # an uploaded scenario keeps its name (the file stands in for the upload, and a
    # scenario's own random streams follow its name); a shipped one cannot, so it is renamed
    return scenario_yaml(ctx.library, ctx.preset, as_library_sets(ctx.sets),
                         name=ctx.preset if _uploaded(ctx) else None, file_name=file_name(ctx),
                         title=title or None, description=description or None,
                         phases=_file_phases(ctx), samples=settings.samples, seed=settings.seed,
                         until=ctx.until)


def scenario_args(ctx: Context, *, buildout: bool = False, slipped_file: bool = False
                  ) -> list[str]:
    """The arguments that name the state: the downloaded file (:func:`uses_file`; also with
    ``slipped_file`` when the slip is on, for a command without ``--slip``: the file holds
    the phases slipped), or the preset and a ``--set key=value`` for every changed input."""
    if uses_file(ctx, buildout=buildout) or (slipped_file and ctx.settings.slip):
        return [file_name(ctx)]
    args = [ctx.preset]
    for key, value in ctx.sets:
        args += ["--set", f"{key}={value}"]
    return args


def _sampling(samples: int | None, seed: int | None) -> list[str]:
    args = [] if samples is None else ["--samples", str(samples)]
    return args + ([] if seed is None else ["--seed", str(seed)])


def shown(args: Sequence[str]) -> str:
    """A command as the page shows it: shell-quoted, ready to paste.

    >>> shown(["capcalc", "run", "a", "--set", "site.facility_power_mw=0.5 GW"])
    "capcalc run a --set 'site.facility_power_mw=0.5 GW'"
    """
    return shlex.join(args)


def said(ctx: Context, command: Sequence[str]) -> str:
    """A command as markdown for a caption, saying where its scenario file comes from when
    it names one."""
    text = f"`{shown(command)}`"
    if file_name(ctx) in command:
        text += (f" (with {file_name(ctx)}, the file of the sidebar's \"Download this "
                 "scenario\")")
    return text


def run_command(ctx: Context, samples: int | None = None, seed: int | None = None
                ) -> list[str]:
    """``capcalc run`` of the state (with its Monte Carlo when ``samples`` is given)."""
    return ["capcalc", "run", *scenario_args(ctx), *_sampling(samples, seed)]


def timeline_command(ctx: Context, samples: int | None = None, seed: int | None = None
                     ) -> list[str]:
    """``capcalc timeline`` of the build-out the page uses, to its horizon, slipping as the
    page's switch says (``samples``: the sampled build-outs the page drew)."""
    slip = [] if ctx.settings.slip else ["--slip", "none"]
    return ["capcalc", "timeline", *scenario_args(ctx, buildout=True), "--until", ctx.until,
            *_sampling(samples, seed), *slip]


def solve_command(ctx: Context, key: str, output: str, target: float, *,
                  probability: float | None = None, by: str | None = None,
                  samples: int | None = None, seed: int | None = None) -> list[str]:
    """``capcalc solve KEY --target OUTPUT=TARGET`` of the state, with ``--probability``
    (over ``samples`` and ``seed``) or ``--by`` (on the build-out the page uses; ``solve``
    has no ``--slip``, so a slipping build-out is the file's)."""
    on_timeline = by is not None or key.startswith("timeline")
    args = ["capcalc", "solve", key, "--target", f"{output}={target:g}"]
    if by is not None:
        args += ["--by", by]
    if probability is not None:
        args += ["--probability", f"{probability:g}", *_sampling(samples, seed)]
    return [*args, *scenario_args(ctx, buildout=on_timeline, slipped_file=on_timeline)]


def sensitivity_command(ctx: Context, output: str, samples: int | None = None,
                        seed: int | None = None) -> list[str]:
    """``capcalc sensitivity OUTPUT`` of the state."""
    return ["capcalc", "sensitivity", output, *scenario_args(ctx), *_sampling(samples, seed)]
