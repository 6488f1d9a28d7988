"""The dashboard's views: each module has ``render(ctx: Context) -> PhaseEdit | None`` and is
listed in :data:`calc.dashboard.settings.VIEWS`; its charts are declared as functions of a
:class:`calc.dashboard.compute.charts.Source` (see docs/architecture.md)."""
