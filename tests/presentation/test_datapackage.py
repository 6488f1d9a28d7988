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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# ------------------------------------------------------------------ a folder written by many runs


def _set(names: list[str]) -> dict:
    """A saved set of CSV tables named ``names`` (what a command writes, in small)."""
    from calc.presentation.datapackage import csv_file, with_datapackage

    files = {}
    for name in names:
        table = Table(name=name, title=f"Table {name}", columns={"x": [1.0, 2.0]},
                      units={"x": "MW"}, caption=f"capcalc test set {name}")
        files[f"{name}.csv"] = csv_file(table)
    return with_datapackage(files)


def _described(out: Path) -> dict[str, dict]:
    package = json.loads((out / PACKAGE_FILE).read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    assert len(resources) == len(package["resources"])
    assert len({r["name"] for r in package["resources"]}) == len(resources)
    return resources


_STEP = st.one_of(
    st.tuples(st.just("write"), st.lists(st.sampled_from(["a", "b", "c", "d", "a b", "a-b"]),
                                         min_size=1, max_size=3, unique=True)),
    st.tuples(st.just("mine"), st.sampled_from(["notes.csv", "b.csv", "Old.CSV"])),
    st.tuples(st.just("delete"), st.sampled_from(["a.csv", "b.csv", "notes.csv"])),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_STEP, min_size=1, max_size=8))
def test_after_any_sequence_of_runs_the_package_describes_every_csv(tmp_path_factory,
                                                                     steps) -> None:
    from calc.data.output_folder import write_files

    out = tmp_path_factory.mktemp("mixed")
    titles: dict[str, str] = {}
    written = False
    for kind, what in steps:
        if kind == "write":
            write_files(out, _set(list(what)), force=True)
            written = True
            titles.update({f"{n}.csv": f"Table {n}" for n in what})
        elif kind == "mine":
            (out / what).write_text("when,what\n2025-01,mine\n", encoding="utf-8")
            titles.pop(what, None)
        elif (out / what).exists():
            (out / what).unlink()
        if written and kind == "write":
            resources = _described(out)
            csvs = {p.name for p in out.iterdir() if p.name.lower().endswith(".csv")}
            assert set(resources) == csvs
            for path, resource in resources.items():
                if path in titles:  # a set's own table keeps its description
                    assert resource["title"] == titles[path]
                else:  # the user's file: named, its columns from its header
                    assert [f["name"] for f in resource["schema"]["fields"]] == ["when", "what"]


def test_an_unreadable_previous_package_is_replaced_by_a_whole_one(tmp_path) -> None:
    from calc.data.output_folder import write_files

    out = tmp_path / "out"
    out.mkdir()
    (out / PACKAGE_FILE).write_text("[" * 100_000, encoding="utf-8")  # deeper than the stack
    (out / "mine.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    write_files(out, _set(["a"]), force=True)
    assert set(_described(out)) == {"a.csv", "mine.csv"}


@pytest.mark.slow
def test_the_package_after_mixed_commands_describes_every_csv(capcalc_cli, tmp_path) -> None:
    """run, then timeline, sensitivity and report into the same folder (--force): the run's
    CSVs stay described as the run described them."""
    steps = [["run", "cortex-full", "tenfold"],
             ["timeline", "cortex-buildout", "--until", "2027-12", "--force"],
             ["sensitivity", "compute_multiple", "cortex-full", "--samples", "64", "--force"],
             ["report", "cortex-full", "--samples", "200", "--force"]]
    first: dict[str, dict] = {}
    for i, step in enumerate(steps):
        result = capcalc_cli(*step, "--out", "out", "--formats", "svg")
        assert result.returncode == 0, result.stderr
        out = tmp_path / "out"
        resources = _described(out)
        assert set(resources) == {p.name for p in out.glob("*.csv")}, step
        if i == 0:
            first = resources
        if i == 1:
            (out / "my-notes.csv").write_text("site,comment\nCortex,mine\n", encoding="utf-8")
        for path, resource in first.items():
            if path in resources and step[0] != "report":
                assert resources[path]["description"] == resource["description"], path
    assert resources["my-notes.csv"]["schema"]["fields"] == [
        {"name": "site", "type": "any"}, {"name": "comment", "type": "any"}]
