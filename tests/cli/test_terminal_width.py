"""Every command's table output fits an 80-column terminal (``COLUMNS=80``), and ``--wide``
keeps one line per row."""

from __future__ import annotations

import pytest

from calc.presentation.text import drawn_width

#: Every command that prints tables or prose, as a user would type it.
COMMANDS = [
    ["run", "cortex-phase1", "cortex-full", "tenfold"],
    ["run", "cortex-full-gb200", "--samples", "300"],
    ["timeline", "cortex-buildout"],
    ["timeline", "cortex-buildout", "--samples", "200", "--by", "2028-06"],
    ["catalog"],
    ["calibrate"],
    ["peers"],
    ["assumptions"],
    ["scenarios"],
    ["levers", "cortex-full"],
    ["levers", "cortex-buildout", "--at", "2028-12"],
    ["sensitivity", "compute_multiple", "cortex-2026", "--samples", "64"],
    ["sensitivity", "p_target_reached", "tenfold", "--samples", "500"],
    ["solve", "site.facility_power_mw", "--target", "compute_multiple=10", "cortex-phase1"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_line_fits_80_columns(capcalc_cli, args):
    result = capcalc_cli(*args, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    wide = [line for line in result.stdout.splitlines() if len(line) > 80]
    assert not wide, "\n".join(wide)
    # × and – are drawn two columns wide by terminals set for East Asian text
    drawn = [line for line in result.stdout.splitlines() if drawn_width(line) > 80]
    assert not drawn, "\n".join(drawn)


def test_wide_keeps_one_line_per_row(capcalc_cli):
    """With ``--wide`` the run table has one line per output, however wide the screen."""
    narrow = capcalc_cli("run", "cortex-phase1", "cortex-full", "tenfold",
                         env={"COLUMNS": "80"}).stdout
    wide = capcalc_cli("run", "cortex-phase1", "cortex-full", "tenfold", "--wide",
                       env={"COLUMNS": "80"}).stdout
    row = next(line for line in wide.splitlines() if line.startswith("Facility power per"))
    assert "1,743 W" in row and row.count("1,743 W") == 4  # every scenario on one line
    assert max(map(len, wide.splitlines())) > 80
    assert len(narrow.splitlines()) > len(wide.splitlines())
