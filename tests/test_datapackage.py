"""Every CSV capcalc saves reads with pandas' defaults and is described in datapackage.json.

A CSV that starts with anything but its header loads in pandas as one column
of garbage, silently. These tests save real sets with the command line (run
with and without samples, timeline with samples, sensitivity, report), then
read every CSV with ``pandas.read_csv()`` and no arguments and hold the data
package beside them to the files: one resource per CSV, no more; its fields
are the file's header, in order; a column typed as a number loads as numbers;
a unit is the one in the header's brackets; and the title and provenance the
CSV used to carry in a comment line are there instead.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from calc.presentation.datapackage import PACKAGE_FILE, field_type, resource_of
from calc.presentation.tables.base import Table

SETS = {
    "run": ["run", "cortex-full", "tenfold"],
    "run-samples": ["run", "cortex-full", "--samples", "300", "--seed", "3"],
    "timeline-samples": ["timeline", "cortex-buildout", "--samples", "100", "--seed", "3",
                         "--until", "2028-12"],
    "sensitivity": ["sensitivity", "compute_multiple", "cortex-full"],
    "report": ["report", "cortex-full"],
}


def _unit_of(header: str) -> str:
    return header[header.index(" [") + 2:-1] if header.endswith("]") and " [" in header else ""


@pytest.fixture(scope="module", params=list(SETS))
def saved(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          ) -> tuple[Path, dict]:
    from tests.conftest import run_in_process

    folder = tmp_path_factory.mktemp(request.param)
    result = run_in_process(*SETS[request.param], "--out", "out", "--formats", "svg",
                            cwd=folder, env=None, input=None)
    assert result.returncode == 0, result.stderr
    out = folder / "out"
    return out, json.loads((out / PACKAGE_FILE).read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_package_lists_every_csv_of_the_set_and_nothing_else(saved) -> None:
    out, package = saved
    assert package["profile"] == "tabular-data-package"
    paths = [r["path"] for r in package["resources"]]
    assert sorted(paths) == sorted(p.name for p in out.glob("*.csv"))
    assert len(set(r["name"] for r in package["resources"])) == len(paths)
    for resource in package["resources"]:
        assert resource["title"] and resource["description"], resource["path"]
        assert "capcalc" in resource["description"], resource["path"]


@pytest.mark.slow
def test_every_csv_loads_with_pandas_defaults_as_its_package_describes(saved) -> None:
    out, package = saved
    for resource in package["resources"]:
        frame = pd.read_csv(out / resource["path"])  # no arguments: the defaults
        fields = resource["schema"]["fields"]
        assert list(frame.columns) == [f["name"] for f in fields], resource["path"]
        assert len(frame) >= 1, resource["path"]
        for field in fields:
            column = frame[field["name"]]
            if field["type"] in ("number", "integer") and column.notna().any():
                assert pd.api.types.is_numeric_dtype(column), (resource["path"], field)
            assert field.get("unit", "") == _unit_of(field["name"]), (resource["path"], field)


def test_a_table_and_its_resource_agree() -> None:
    table = Table(name="power-to-compute", title="Facility power to compute",
                  columns={"accelerator": ["H100", "GB200"], "facility_power_mw": [100.0, 500],
                           "accelerators": [57_000, 180_000], "in_catalog": [True, False]},
                  units={"facility_power_mw": "MW", "accelerators": "accelerator"},
                  caption="Scenarios: cortex-full · capcalc 0.2.0")
    resource = resource_of(table)
    assert resource.path == "power-to-compute.csv"
    assert resource.description == table.caption
    header = pd.read_csv(io.StringIO(table.to_csv())).columns
    assert [f[0] for f in resource.fields] == list(header)
    assert [f[1] for f in resource.fields] == ["string", "number", "integer", "boolean"]
    assert [f[2] for f in resource.fields] == ["", "MW", "accelerator", ""]


@pytest.mark.parametrize(("values", "kind"), [
    ([], "string"), (["", None], "string"), ([1, None, 3], "integer"), ([1, 2.5], "number"),
    ([float("nan")], "number"), ([True, False], "boolean"), ([1, "a"], "string"),
    ([True, 1], "string"),
])
def test_field_types_follow_the_values(values, kind) -> None:
    assert field_type(values) == kind
