"""Sample counts and time: defaults and the bounds that keep a run's time and memory in reach.

A plain module of numbers, so the command line can state them in ``--help``
without loading the Monte Carlo machinery.
"""

from __future__ import annotations

__all__ = [
    "ANSWER_SAMPLES",
    "DEFAULT_SAMPLES",
    "DEFAULT_SOBOL_SAMPLES",
    "MAX_SAMPLES",
    "MAX_SOBOL_SAMPLES",
    "MAX_TIMELINE_SAMPLES",
    "MAX_TIMELINE_SECONDS",
    "MIN_SAMPLES",
]

DEFAULT_SAMPLES = 10_000
#: Sampled build-outs behind the date in every answer sentence: the 10-90 % months move by
#: less than a month from seed to seed, and the run takes a few tens of milliseconds.
ANSWER_SAMPLES = 2_000
MIN_SAMPLES = 100
#: Beyond this the percentiles' standard errors are below 0.1 % and memory grows (~1 GB).
MAX_SAMPLES = 2_000_000
#: Timeline Monte Carlo keeps (samples × months) arrays: fewer samples than the static chain.
MAX_TIMELINE_SAMPLES = 200_000
#: Seconds of computing a sampled timeline may take, predicted from its first samples before
#: the rest run (10,000 samples of the shipped build-out take about a second).
MAX_TIMELINE_SECONDS = 30.0
#: Saltelli base samples of the Sobol indices.
DEFAULT_SOBOL_SAMPLES = 1024
MAX_SOBOL_SAMPLES = 1 << 16
