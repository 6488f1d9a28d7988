"""Tests of the dashboard (calc.dashboard): its session, link, views and page through AppTest."""
