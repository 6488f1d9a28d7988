"""When a build-out reaches its target, said as a range: the sampled date, the month at central
values, and the operator's own pace beside them.

Every answer sentence (``capcalc run`` and ``timeline``, the dashboard, the
report) reads a :class:`Reach`: the build-out run at central values (each
announced phase at its slip's median) for the month it first reaches the
target and what sets it; the same build-out sampled
(:func:`calc.analysis.buildout_montecarlo.simulate_timeline`: every input's
range, every catalog chip's, the lead time and the phases' slips) for the
median month with its 10-90 % range and the chance by the horizon; and the
operator's pace through its stated compute (:mod:`calc.analysis.pace`) for
the month its own numbers would reach the same multiple, with the months the
build-out runs above that pace.

By default announced phases slip by the operator's record
(:func:`calc.analysis.slip.default_slip`); ``slip="none"`` turns that off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calc.analysis.buildout_choice import BuildoutChoice, choose_buildout
from calc.analysis.buildout_montecarlo import TimelineSimulation, simulate_timeline
from calc.analysis.limits import ANSWER_SAMPLES
from calc.analysis.pace import Pace, PaceWarning, operator_pace, pace_warning
from calc.analysis.run import run
from calc.analysis.slip import NO_SLIP, SlipDistribution, default_slip, with_slip
from calc.analysis.timeline import Timeline, run_timeline, scenario_phases
from calc.core.errors import CapcalcError
from calc.core.months import DEFAULT_UNTIL, month_label
from calc.core.phases import Phase
from calc.data.cache import shipped_records
from calc.data.records import PeerRecords, records_of
from calc.data.scenarios import Library, Scenario

if TYPE_CHECKING:
    from calc.data.peers import PeersFile

__all__ = ["RANGE", "Reach", "buildout_reach", "pace_check", "reach"]

#: The probabilities of the range said beside the sampled median.
RANGE = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Reach:
    """A build-out's target date: sampled (median, 10-90 %), at central values, and the
    operator's pace.

    Attributes
    ----------
    timeline : Timeline
        The build-out at central values, announced phases at the slip's median.
    sampled : TimelineSimulation
        The same build-out over ``sampled.samples`` joint samples.
    slip : SlipDistribution or None
        The slip of announced phases (None: off).
    pace : Pace or None
        The operator's pace through its stated compute (None: fewer than two statements).
    target_h100e : float
        The target multiple of the baseline's H100-equivalents: what the pace must reach.
    warning : PaceWarning or None
        The months the build-out at central values runs above the pace's allowance.
    choice : BuildoutChoice or None
        Whose build-out it is and why, when not the scenario's own (lent by the story, or
        edited).
    """

    timeline: Timeline
    sampled: TimelineSimulation
    slip: SlipDistribution | None
    pace: Pace | None
    target_h100e: float
    warning: PaceWarning | None
    choice: BuildoutChoice | None = None

    @property
    def target(self) -> float:
        """The target multiple."""
        return self.timeline.target

    @property
    def until(self) -> str:
        """The horizon, ``YYYY-MM``."""
        return self.timeline.until

    @property
    def central(self) -> str | None:
        """The month the target is first reached at central values (None: not by the horizon)."""
        return self.timeline.target_reached

    def sampled_month(self, probability: float) -> str | None:
        """The first month by which ``probability`` of the samples reach the target (None:
        later than the horizon)."""
        return self.sampled.reach_month(probability)

    @property
    def months(self) -> tuple[str | None, str | None, str | None]:
        """The sampled 10 %, 50 % and 90 % months (None: after the horizon)."""
        low, median, high = (self.sampled_month(p) for p in RANGE)
        return low, median, high

    @property
    def p_by_horizon(self) -> float:
        """P(the target is reached by the horizon) over the samples."""
        return self.sampled.p_reached_by(self.until)

    @property
    def pace_months(self) -> tuple[str | None, str | None, str | None]:
        """The months the operator's pace reaches the target: fitted, fastest, slowest."""
        if self.pace is None:
            return None, None, None
        central, fastest, slowest = self.pace.months_of(self.target_h100e)
        return tuple(None if m is None else month_label(m)  # type: ignore[return-value]
                     for m in (central, fastest, slowest))

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: sampled months and chance, the month at central values, the pace."""
        low, median, high = self.months
        pace_central, pace_fast, pace_slow = self.pace_months
        return {
            "target_multiple": self.target,
            "until": self.until,
            "samples": self.sampled.samples,
            "seed": self.sampled.seed,
            "median_month": median,
            "p10_month": low,
            "p90_month": high,
            "p_reached_by_until": self.p_by_horizon,
            "central_month": self.central,
            "build_out": (self.choice.lender if self.choice is not None and self.choice.lender
                          else self.timeline.scenario.name),
            "slip": None if self.slip is None else self.slip.delays().as_dict(),
            "pace": None if self.pace is None else {
                **self.pace.as_dict(), "target_h100e": self.target_h100e,
                "month": pace_central, "earliest_month": pace_fast, "latest_month": pace_slow},
            "pace_warning": None if self.warning is None else self.warning.as_dict(),
        }


def pace_check(timeline: Timeline, peers: PeersFile | PeerRecords, operator: str | None
               ) -> tuple[Pace | None, PaceWarning | None]:
    """``operator``'s pace (the story's operator in focus) and the months ``timeline`` runs
    above it; ``(None, None)`` without an operator or its statements."""
    records = records_of(peers)
    pace = operator_pace(records, operator)
    warning = None if pace is None else pace_warning(
        pace, timeline.months, timeline.series["h100_equivalents"], records.warn_factor)
    return pace, warning


def reach(library: Library, scenario: Scenario, peers: PeersFile | PeerRecords, *,
          phases: Sequence[Phase] | None = None, until: str = DEFAULT_UNTIL,
          samples: int = ANSWER_SAMPLES, seed: int = 0, slip: str | None = None,
          choice: BuildoutChoice | None = None,
          outputs: Sequence[str] = ("compute_multiple",)
          ) -> Reach:
    """The target date of ``scenario``'s build-out (or ``phases``), sampled and central.

    Parameters
    ----------
    library, scenario :
        The library and the resolved scenario (its inputs and, unless ``phases`` is
        given, its timeline).
    peers : PeersFile or PeerRecords
        The schedule record and the stated compute.
    phases : sequence of Phase, optional
        The build-out to run instead of the scenario's (a borrowed or edited one).
    until : str
        The horizon, ``YYYY-MM``.
    samples, seed : int
        The sampled build-outs and their seed.
    slip : str, optional
        Whose record announced phases slip by: an operator, ``peers`` (pooled) or
        ``none``; default the story's operator in focus (``library.story.operator``), whose
        pace is compared too.
    choice : BuildoutChoice, optional
        Whose build-out it is and why, when not the scenario's own (said in the answer).
    outputs : sequence of str
        Series the sampled build-out keeps (``compute_multiple`` is enough for the date).
    """
    records = records_of(peers)
    chosen = scenario_phases(scenario, phases, buildout=library.story.buildout)
    distribution = _slip(library, records, slip)
    used = with_slip(chosen, distribution) if distribution is not None else chosen
    timeline = run_timeline(library, scenario, until=until, phases=used)
    sampled = simulate_timeline(library, scenario, samples=samples, seed=seed, until=until,
                                phases=used, outputs=outputs)
    baseline = run(library, library.scenario(scenario.baseline_name))
    target_h100e = timeline.target * float(baseline["h100_equivalents"])
    pace, warning = pace_check(timeline, records, library.story.operator)
    return Reach(timeline=timeline, sampled=sampled, slip=distribution, pace=pace,
                 target_h100e=target_h100e, warning=warning, choice=choice)


def _slip(library: Library, records: PeerRecords, slip: str | None) -> SlipDistribution | None:
    """The slip of announced phases ``slip`` asks for (None for ``none``)."""
    if slip is not None and slip.strip().lower() == NO_SLIP:
        return None
    return default_slip(records, slip, operator=library.story.operator)


def buildout_reach(library: Library, scenario: Scenario, *,
                   phases: Sequence[Phase] | None = None, until: str = DEFAULT_UNTIL,
                   records: PeerRecords | None = None, slip: str | None = None,
                   samples: int = ANSWER_SAMPLES, seed: int = 0) -> Reach | None:
    """The date of the build-out ``scenario`` is measured on (:func:`reach` on the phases of
    :func:`~calc.analysis.buildout_choice.choose_buildout`).

    ``phases`` replaces them (the dashboard's edits; the choice is marked edited unless
    they are its own phases, or those with the slip applied). The date is sampled over
    ``samples`` build-outs with ``seed``, announced phases slipping by ``slip``'s record
    (default the story's operator's, ``"none"`` off), from ``records`` (default the
    shipped ``peers.yaml``'s). None when there is no build-out to run, or it cannot run
    (its phases name no chip in volume, say).
    """
    choice = choose_buildout(library, scenario)
    records = records or shipped_records()
    if phases is not None:
        own = choice.phases or ()
        distribution = _slip(library, records, slip) if own else None
        unchanged = (own, with_slip(own, distribution) if distribution is not None else own)
        choice = choice.on(phases, edited=tuple(phases) not in unchanged)
    if not choice.phases:
        return None
    try:
        return reach(library, scenario, records, phases=choice.phases, until=until,
                     samples=samples, seed=seed, slip=slip, choice=choice)
    except CapcalcError:
        return None
