"""Vega-Lite specs the dashboard draws, built from the same tables as the exported charts."""
