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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from calc.analysis.buildout_choice import choose_buildout
from calc.core.errors import CapcalcError
from calc.core.phases import Phase
from calc.core.vocabulary import INPUTS
from calc.dashboard.compute.scenario import TIMELINE_SAMPLES, default_phases, slipped
from calc.dashboard.context import Context
from calc.dashboard.keys import NO_UPLOAD
from calc.dashboard.link import as_library_sets
from calc.dashboard.settings import Settings
from calc.data.io import dump_yaml
from calc.data.scenario_file import scenario_yaml
from calc.data.scenarios import Library
from calc.presentation.answer import heading

__all__ = ["FileState", "assumptions_command", "file_commands", "file_name", "heading_of",
           "page_buildout", "run_command", "said", "scenario_args", "scenario_file",
           "sensitivity_command", "settings_in_file", "shown", "solve_command", "state_in_file",
           "sweep_command", "sweep_file", "sweep_file_name", "timeline_command",
           "timeline_samples", "uses_file"]


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
    choice = choose_buildout(ctx.library, ctx.scenario)
    phases = choice.phases
    if phases and not choice.borrowed:
        return phases, ""
    if phases:
        return phases, (
            f"{ctx.scenario.name} has no build-out timeline: showing the phases of "
            f"{choice.lender} with {ctx.scenario.name}'s other assumptions. Edit them below.")
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
                         until=ctx.until, commands=file_commands(ctx))


def scenario_args(ctx: Context, *, buildout: bool = False, slipped_file: bool = False,
                  file: bool = False) -> list[str]:
    """The arguments that name the state: the downloaded file (with ``file``, or when
    :func:`uses_file`; also with ``slipped_file`` when the slip is on, for a command without
    ``--slip``: the file holds the phases slipped), or the preset and a ``--set key=value``
    for every changed input."""
    if file or uses_file(ctx, buildout=buildout) or (slipped_file and ctx.settings.slip):
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


def run_command(ctx: Context, samples: int | None = None, seed: int | None = None, *,
                file: bool = False) -> list[str]:
    """``capcalc run`` of the state (with its Monte Carlo when ``samples`` is given; ``file``:
    naming the downloaded file whatever the state)."""
    return ["capcalc", "run", *scenario_args(ctx, file=file), *_sampling(samples, seed)]


def timeline_command(ctx: Context, samples: int | None = None, seed: int | None = None, *,
                     file: bool = False) -> list[str]:
    """``capcalc timeline`` of the build-out the page uses, to its horizon, slipping as the
    page's switch says (``samples``: the sampled build-outs the page drew)."""
    slip = [] if ctx.settings.slip else ["--slip", "none"]
    return ["capcalc", "timeline", *scenario_args(ctx, buildout=True, file=file),
            "--until", ctx.until, *_sampling(samples, seed), *slip]


def timeline_samples(samples: int) -> int:
    """The build-outs the page samples for ``samples`` set (at most
    :data:`~calc.dashboard.compute.scenario.TIMELINE_SAMPLES`)."""
    return min(samples, TIMELINE_SAMPLES)


def file_commands(ctx: Context) -> list[str]:
    """The commands the scenario file's header gives: its Monte Carlo with the page's samples
    and seed, and its build-out with the page's horizon, sampled build-outs and slip."""
    samples, seed = ctx.settings.monte_carlo
    return [shown(run_command(ctx, samples, seed, file=True)),
            shown(timeline_command(ctx, timeline_samples(samples), seed, file=True))]


#: The header line that marks a scenario file the page wrote (:func:`file_commands`).
_MARK = "# The same numbers: capcalc run "


@dataclass(frozen=True)
class FileState:
    """The page state a scenario file the page wrote holds: the preset it was changed from,
    the changed inputs as ``--set`` text, and the edited build-out (None: the preset's
    own, slipped or not)."""

    preset: str
    sets: dict[str, str]
    phases: tuple[Phase, ...] | None


def _text(value: Any) -> str:
    """An input's value as ``--set`` text that reads back equal.

    >>> _text(300.0), _text(0.45), _text("GB200")
    ('300', '0.45', 'GB200')
    """
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def state_in_file(text: str, library: Library) -> FileState | None:
    """The state a scenario file the page wrote (:func:`scenario_file` of a shipped preset)
    was written from, so uploading it reopens that page: the same preset, changes and
    build-out, hence the same random streams and numbers. None for any other file (an own
    scenario, one with ranges, sources or correlations of its own), which is uploaded as
    it is.

    ``library`` is the shipped library; ``text`` has been checked as an upload.
    """
    if _MARK not in text:
        return None
    with_file, names = library.add_text(text, origin="upload")
    if len(names) != 1:
        return None
    definition = with_file.definitions[names[0]]
    base = definition.base
    plain = all(c.has_value and c.key in INPUTS and c.low is None and c.high is None
                and c.dist is None and c.source is None for c in definition.changes)
    if base not in library.shipped or definition.name != f"{base}-custom" or not plain or \
            definition.meet_target is not None or definition.correlations:
        return None
    sets = {c.key: _text(c.value) for c in definition.changes}
    phases = definition.timeline
    if phases is not None:
        default = default_phases(library, base, sets)
        if default is not None and phases in (default, slipped(default)):
            phases = None
    return FileState(base, sets, phases)


def settings_in_file(text: str, settings: Settings) -> Settings:
    """``settings`` with the samples, seed, horizon and slip a scenario file's header gives
    in its commands (:func:`file_commands`); what a header does not give, or gives out of
    bounds, stays as it is."""
    codecs = Settings.codecs()
    found: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.startswith("#") or "capcalc " not in line:
            if line.strip() and not line.startswith("#"):
                break  # the header is over
            continue
        try:
            args = shlex.split(line[line.index("capcalc "):])
        except ValueError:
            continue
        values = dict(zip(args, [*args[1:], ""], strict=True))
        for flag, name in (("--samples", "samples"), ("--seed", "seed")):
            if flag in values and name not in found:
                found[name] = values[flag]
        if len(args) > 1 and args[1] == "timeline":
            found["slip"] = "0" if values.get("--slip") == "none" else "1"
            until = values.get("--until", "")
            if until.endswith("-12"):
                found["until"] = until[:4]
    for name, raw in found.items():
        try:
            settings = settings.with_value(name, codecs[name].parse(raw))
        except CapcalcError:
            continue  # out of bounds: the page keeps its own
    return settings


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


def sweep_file_name(ctx: Context) -> str:
    """The name of the sweep file the Sweep view offers for download."""
    return f"{ctx.preset}-sweep.yaml"


def sweep_file(ctx: Context, axes: Mapping[str, Sequence[float]], output: str) -> str:
    """The sweep file of the Sweep view's grid: the state's scenario with its changes (an
    uploaded one from the downloaded scenario file, which must sit beside it), the axes'
    values and the output, as ``capcalc sweep`` reads it."""
    doc: dict[str, Any] = {"scenario": ctx.preset}
    if _uploaded(ctx):
        doc["scenarios"] = file_name(ctx)
    if ctx.sets:
        doc["set"] = {key: value for key, value in ctx.sets}
    doc["axes"] = {key: [float(v) for v in values] for key, values in axes.items()}
    doc["outputs"] = [output]
    command = shown(sweep_command(ctx))
    return (f"# A capcalc sweep: {command}\n"
            + (f"# (with {file_name(ctx)}, the page's scenario file, beside it)\n"
               if _uploaded(ctx) else "")
            + dump_yaml(doc))


def sweep_command(ctx: Context) -> list[str]:
    """``capcalc sweep`` of the Sweep view's file, as a table of one row per point."""
    return ["capcalc", "sweep", sweep_file_name(ctx), "--format", "csv"]


def assumptions_command(ctx: Context) -> list[str]:
    """``capcalc assumptions`` of the state: every input of its scenario."""
    return ["capcalc", "assumptions", *scenario_args(ctx)]


def sensitivity_command(ctx: Context, output: str, samples: int | None = None,
                        seed: int | None = None) -> list[str]:
    """``capcalc sensitivity OUTPUT`` of the state."""
    return ["capcalc", "sensitivity", output, *scenario_args(ctx), *_sampling(samples, seed)]
