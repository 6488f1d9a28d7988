"""Every chart of capcalc, declared once: one module per topic, one function per chart.

Each function takes what the analysis returned and gives a
:class:`~calc.presentation.chart_spec.Chart` — title, provenance line, panels,
axes with units, series with their colours, the target, labels and notes — and
the :class:`~calc.presentation.tables.Table` behind it (its CSV). The dashboard
draws it with :func:`calc.presentation.vega.vega_specs`; files are drawn from the
same declaration by :mod:`calc.presentation.figure` (matplotlib, loaded only
when a file is written), so a download is the chart on the screen.

Colours come from :mod:`calc.presentation.colours` (Okabe–Ito first, safe for
colour-blind readers, one per series however many there are, and the target's
vermillion for the target alone), label places from
:mod:`calc.presentation.label_places`. None of these modules imports a drawing
library.

Import a chart from its topic's module (``calc.presentation.charts.scenarios``,
``.timeline``, ``.peers``, ``.uncertainty``, ``.sensitivity``): this package
imports none of them, so a command that draws one topic loads only its analysis.
"""
