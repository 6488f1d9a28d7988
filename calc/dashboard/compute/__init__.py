"""The dashboard's computations, cached: every call into :mod:`calc` the page makes.

One cache policy (:func:`calc.dashboard.compute.cache.memo`) for all of them: a
pure function of hashable arguments — a :class:`~calc.dashboard.keys.StateKey`
and what else it reads — whose result is never modified, kept once per server
and shared by every session, bounded in entries. The views hold no cache of
their own: they call these functions and shape what comes back. Nothing here
sees a session (no Streamlit import but the cache policy's; an import-linter
contract keeps it so), and nothing is computed here that :mod:`calc` does not
compute.

* :mod:`~calc.dashboard.compute.scenario`: libraries, results, the comparison, the
  target, the build-out's phases and the operators' record;
* :mod:`~calc.dashboard.compute.charts`: any chart a view declares, drawn for a state
  (the views' charts, one cache);
* :mod:`~calc.dashboard.compute.peers`: the peers' tables and the calibration;
* :mod:`~calc.dashboard.compute.buildout`: the timeline, the date as a sampled range,
  the answer in words, the chance by month, the fan and the target box's answers;
* :mod:`~calc.dashboard.compute.sampled`: the Monte Carlo and sensitivity.
"""
