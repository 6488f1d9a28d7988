"""What ``capcalc`` loads to answer, and the cache of the shipped library that keeps it quick.

The import guard runs each command in a fresh interpreter and reads
``sys.modules`` when it is done: asking for help, a version, one scenario's
table or refusing a typo must not import the libraries only charts, sampling,
sensitivity and the dashboard need (matplotlib, scipy, SALib, pandas,
streamlit); a build-out's timeline and a Monte Carlo run draw nothing, so they
load no matplotlib, and scipy only where a distribution is fitted or sampled;
a chart drawn for the screen loads no matplotlib; with the cache warm, a
build-out's timeline and a Monte Carlo run validate nothing (no pydantic, no
PyYAML, no pint). It is a guard on behaviour, not a timing; speed itself is
measured by ``benchmarks/cli_startup.py``.

The cache tests check that :mod:`calc.data.cache` gives exactly the library
parsing gives, and ignores whatever it cannot trust.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calc.data import cache
from calc.data.io import parse_yaml
from calc.data.peers import PeersFile
from calc.data.records import records_of
from calc.data.resources import PEERS, shipped_bytes
from calc.data.scenarios import Library, load_library

from tests.cli_runner import run_in_process

#: Libraries only charts, Monte Carlo, sensitivity, sweeps' frames and the dashboard use.
HEAVY = ("matplotlib", "scipy", "SALib", "pandas", "streamlit", "xarray", "pyarrow", "zarr",
         "dask", "distributed")
#: Libraries ``--help``, ``--version`` and ``import calc`` have no use for at all.
NUMERIC = ("numpy", "pydantic", "yaml", "pint", "rich", "jinja2")

_REPORT = """
import sys
{body}
top = {{name.partition(".")[0] for name in sys.modules}}
sys.__stdout__.write("\\nLOADED " + ",".join(sorted(top)) + "\\n")
"""
_CLI = """
import contextlib, io
from calc.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    status = main({argv!r})
assert status == {status}, status
"""


def loaded_after(body: str, cwd: Path, cache_home: Path | None = None) -> set[str]:
    """Top-level packages imported once ``body`` has run in a new interpreter (with the
    shipped-library cache in ``cache_home``, or without a cache)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "CAPCALC_NO_CACHE": "1"}
    if cache_home is not None:
        env.pop("CAPCALC_NO_CACHE")
        env["XDG_CACHE_HOME"] = str(cache_home)
    done = subprocess.run([sys.executable, "-c", _REPORT.format(body=body)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    line = done.stdout.rsplit("LOADED ", 1)[1]
    return set(line.strip().split(","))


def cli_body(*argv: str, status: int = 0) -> str:
    return _CLI.format(argv=list(argv), status=status)


LIGHT = {
    "import calc": "import calc",
    "import calc.cli": "import calc.cli",
    "capcalc --help": cli_body("--help"),
    "capcalc --version": cli_body("--version"),
    "capcalc run --help": cli_body("run", "--help"),
    "capcalc sweep --help": cli_body("sweep", "--help"),
    "capcalc discover --help": cli_body("discover", "--help"),
    "a usage mistake": cli_body("run", "--format", "xml", status=2),
}
RUN_PATH = {
    "capcalc run cortex-phase1 --format table": cli_body("run", "cortex-phase1", "--format",
                                                         "table"),
    "capcalc run --set site.peu=1": cli_body("run", "--set", "site.peu=1", status=2),
    "capcalc run --format json": cli_body("run", "--format", "json"),
}


@pytest.mark.parametrize("label", LIGHT)
def test_help_version_and_import_load_nothing_numeric(label: str, tmp_path: Path) -> None:
    unwanted = loaded_after(LIGHT[label], tmp_path) & {*HEAVY, *NUMERIC}
    assert not unwanted, f"{label} imported {sorted(unwanted)}"


# Remove this mark together with the change to calc/cli/run.py that imports
# calc.cli.montecarlo, the chart modules and calc.presentation.montecarlo inside the
# functions that use them (only with --out or --samples): strict, so it fails the day
# that change lands and the guard is left armed.
@pytest.mark.parametrize("label", RUN_PATH)
def test_running_a_scenario_loads_no_chart_or_sampling_library(label: str, tmp_path: Path
                                                                ) -> None:
    loaded = loaded_after(RUN_PATH[label], tmp_path)
    assert "numpy" in loaded  # the guard sees what the command really imported
    assert not loaded & set(HEAVY), f"{label} imported {sorted(loaded & set(HEAVY))}"


#: Commands that draw nothing, and the libraries they must not load.
DRAWS_NOTHING = {
    "capcalc timeline cortex-buildout": (cli_body("timeline", "cortex-buildout"),
                                         set(HEAVY)),
    "capcalc run tenfold --samples 2000": (cli_body("run", "tenfold", "--samples", "2000"),
                                           set(HEAVY) - {"scipy"}),
    "importing the Monte Carlo and its charts": (
        "import calc.analysis.montecarlo, calc.analysis.buildout_montecarlo\n"
        "import calc.presentation.charts.uncertainty, calc.presentation.charts.sensitivity",
        set(HEAVY)),
    "a chart drawn for the screen": (
        "import calc\n"
        "from calc.presentation.charts.scenarios import comparison_chart\n"
        "from calc.presentation.vega import vega_specs\n"
        "library = calc.load()\n"
        "results = calc.run_many(library, ['cortex-phase1', 'cortex-full'])\n"
        "assert vega_specs(comparison_chart(results, results[0]))",
        {"matplotlib", "scipy", "SALib", "pandas"}),
    "a sweep's heatmap drawn for the screen": (
        "import calc\n"
        "from calc.presentation.charts.sweep import heatmap_chart\n"
        "from calc.presentation.vega import vega_specs\n"
        "result = calc.sweep({'scenario': 'cortex-phase1', 'samples': 200, 'axes': {\n"
        "    'site.facility_power_mw': [300, 1000], 'training.mfu': [0.3, 0.5]}})\n"
        "assert vega_specs(heatmap_chart(result, 'p_target_reached'))",
        {"matplotlib", "SALib", "pandas", "xarray", "pyarrow", "zarr"}),
}


@pytest.mark.parametrize("label", DRAWS_NOTHING)
def test_what_draws_nothing_loads_no_drawing_library(label: str, tmp_path: Path) -> None:
    """A timeline or a Monte Carlo run prints tables; the screen draws Vega-Lite: none of them
    needs matplotlib (only writing a file does), nor scipy before a distribution is used."""
    body, unwanted = DRAWS_NOTHING[label]
    loaded = loaded_after(body, tmp_path)
    assert "numpy" in loaded  # the guard sees what the command really imported
    assert not loaded & unwanted, f"{label} imported {sorted(loaded & unwanted)}"


@pytest.mark.parametrize("label", ["capcalc run cortex-phase1 --format table",
                                   "capcalc run --set site.peu=1"])
def test_on_the_cached_library_a_run_validates_nothing(label: str, tmp_path: Path) -> None:
    home = tmp_path / "xdg"
    loaded_after(RUN_PATH[label], tmp_path, cache_home=home)  # the first run writes the cache
    loaded = loaded_after(RUN_PATH[label], tmp_path, cache_home=home)
    assert "numpy" in loaded
    assert "pydantic" not in loaded, f"{label} imported pydantic with the cache warm"


# ------------------------------------------------------------------ the cache


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ``XDG_CACHE_HOME`` with the cache switched on; the cache file's path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    return tmp_path / "xdg" / "capcalc" / cache.CACHE_FILE


def never(reason: str = "the cache should have answered") -> Library:
    raise AssertionError(reason)


def test_the_cached_library_is_the_parsed_one(cache_home: Path, library: Library) -> None:
    first = cache.shipped_library()
    assert cache_home.is_file()
    assert first == library == load_library()
    assert cache.shipped_library(build=never) == library


def test_a_corrupt_or_truncated_cache_is_ignored_and_rewritten(cache_home: Path,
                                                               library: Library) -> None:
    cache.shipped_library()
    whole = cache_home.read_bytes()
    key = cache.cache_key()
    for broken in (b"", b"not json", whole[: len(whole) // 2], b"\xff\xfe", b"[1, 2]",
                   json.dumps({"format": cache.FORMAT, "key": key, "library": 1}).encode(),
                   json.dumps({"format": cache.FORMAT, "key": key,
                               "library": {"tuple": [1, {"nope": 2}]}}).encode()):
        cache_home.write_bytes(broken)
        assert cache.read_library(cache_home, key) is None
        assert cache.shipped_library() == library
        assert cache.read_library(cache_home, key) == library


def test_an_entry_under_another_key_is_never_used(cache_home: Path, library: Library) -> None:
    assert cache.write_library(cache_home, "0" * 64, library)
    assert cache.read_library(cache_home, "0" * 64) == library
    assert cache.read_library(cache_home, cache.cache_key()) is None
    rebuilt: list[Library] = []

    def build() -> Library:
        rebuilt.append(load_library())
        return rebuilt[-1]

    assert cache.shipped_library(build=build) == library
    assert rebuilt, "an entry under another key must not be used: the files are parsed again"
    assert cache.read_library(cache_home, cache.cache_key()) == library


@pytest.mark.parametrize("name", ["os:system", "subprocess:Popen", "builtins:eval",
                                  "calc.data.output_folder:write_files",
                                  "calc.data.scenarios:load_library",
                                  "calc.data.cache:Path", "calc:CapcalcError"])
def test_a_planted_file_can_build_capcalc_data_only(cache_home: Path, tmp_path: Path,
                                                    library: Library, name: str) -> None:
    marker = tmp_path / "ran"
    planted = {"class": name, "fields": {"command": f"mkdir {marker}", "args": [str(marker)],
                                         "path": str(marker)}}
    cache_home.parent.mkdir(parents=True)
    cache_home.write_text(json.dumps({"format": cache.FORMAT, "key": cache.cache_key(),
                                      "library": planted}), encoding="utf-8")
    cache_home.chmod(0o600)
    assert cache.read_library(cache_home, cache.cache_key()) is None
    with pytest.raises(ValueError):
        cache.decode(planted)
    assert cache.shipped_library() == library
    assert not marker.exists()


def test_the_json_form_round_trips_capcalcs_values(library: Library) -> None:
    assert cache.decode(json.loads(json.dumps(cache.encode(library)))) == library
    odd = (0.1 + 0.2, 1e-300, -0.0, 10**20, "µ — unicode ×", None, True, frozenset({"b", "a"}),
           {"z": (1,), "a": []})
    back = cache.decode(json.loads(json.dumps(cache.encode(odd))))
    assert back == odd
    assert [type(v) for v in back] == [type(v) for v in odd]
    with pytest.raises(TypeError):
        cache.encode({1: "a key that is not text"})
    with pytest.raises(TypeError):
        cache.encode(object())


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_file_others_may_write_is_not_trusted(cache_home: Path, library: Library) -> None:
    cache.shipped_library()
    cache_home.chmod(0o666)
    assert cache.read_library(cache_home, cache.cache_key()) is None
    cache_home.chmod(0o600)
    assert cache.read_library(cache_home, cache.cache_key()) == library


def test_capcalc_no_cache_neither_reads_nor_writes(cache_home: Path, library: Library,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    assert cache.shipped_library() == library
    assert not cache_home.exists()
    monkeypatch.setenv(cache.NO_CACHE_ENV, "0")
    cache.shipped_library()
    assert cache_home.exists()
    monkeypatch.setenv(cache.NO_CACHE_ENV, "yes")
    with pytest.raises(AssertionError):
        cache.shipped_library(build=never)


def test_an_unwritable_cache_folder_is_only_slower(tmp_path: Path, library: Library,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    assert cache.shipped_library() == library
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_the_cache_folder_follows_xdg_and_ignores_a_relative_one(tmp_path: Path) -> None:
    assert cache.cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "capcalc"
    assert cache.cache_dir({"XDG_CACHE_HOME": "relative"}) == Path.home() / ".cache" / "capcalc"
    assert cache.cache_dir({}) == Path.home() / ".cache" / "capcalc"


def test_the_key_is_a_sha256_of_what_it_covers() -> None:
    key = cache.cache_key()
    assert len(key) == 64 and int(key, 16) >= 0
    assert key == cache.cache_key()


def test_the_cli_answers_the_same_with_and_without_the_cache(cache_home: Path,
                                                             tmp_path: Path) -> None:
    args = ("run", "cortex-phase1", "cortex-full-gb200", "--format", "json")
    without = run_in_process(*args, cwd=tmp_path, env={cache.NO_CACHE_ENV: "1"})
    filling = run_in_process(*args, cwd=tmp_path)
    assert cache_home.is_file()
    from_cache = run_in_process(*args, cwd=tmp_path)
    assert without.returncode == filling.returncode == from_cache.returncode == 0
    assert without.stdout == filling.stdout == from_cache.stdout
    assert json.loads(from_cache.stdout)["scenarios"]


def test_a_users_assumptions_file_is_parsed_never_cached(cache_home: Path, tmp_path: Path,
                                                         repo_root: Path) -> None:
    import yaml

    run_in_process("run", "--format", "json", cwd=tmp_path)
    cached = cache_home.read_bytes()
    shipped = yaml.safe_load((repo_root / "assumptions.yaml").read_text(encoding="utf-8"))
    mine = tmp_path / "mine.yaml"
    seen = []
    for pue in (1.6, 1.7):  # the same file name, new content: read anew each time
        shipped["site"]["pue"].update(value=pue, unit=None, low=None, high=None)
        mine.write_text(yaml.safe_dump(shipped, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
        result = run_in_process("--assumptions", mine, "run", "--format", "json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        seen.append(json.loads(result.stdout)["scenarios"][0]["inputs"]["site.pue"])
    assert seen == [1.6, 1.7]
    assert cache_home.read_bytes() == cached


def test_a_sweep_printed_as_csv_loads_no_frame_library(tmp_path: Path) -> None:
    from tests.analysis.test_sweep import SMALLEST

    (tmp_path / "sweep.yaml").write_text(SMALLEST, encoding="utf-8")
    loaded = loaded_after(cli_body("sweep", "sweep.yaml", "--format", "csv"), tmp_path)
    assert "numpy" in loaded
    frames = {"pandas", "xarray", "pyarrow", "zarr", "dask", "distributed"}
    assert not loaded & frames, f"capcalc sweep --format csv imported {sorted(loaded & frames)}"


def test_the_peers_read_from_the_cache_are_the_parsed_ones(cache_home: Path, tmp_path: Path,
                                                           peers: PeersFile) -> None:
    """A build-out's timeline reads the operators' records kept in the cache (what it prints
    of what the operator said included); ``capcalc peers`` validates capcalc's own peers.yaml
    from its parsed YAML kept there. Each answers the same with and without the cache."""
    args = ("timeline", "cortex-buildout", "--format", "json")
    without = run_in_process(*args, cwd=tmp_path, env={cache.NO_CACHE_ENV: "1"})
    filling = run_in_process(*args, cwd=tmp_path)
    kept = cache_home.parent / cache.RECORDS_FILE
    assert kept.is_file()
    assert cache.read_entry(kept, cache.FORMAT, cache.cache_key(), "records") == \
        records_of(peers)
    from_cache = run_in_process(*args, cwd=tmp_path)
    assert without.returncode == filling.returncode == from_cache.returncode == 0
    assert without.stdout == filling.stdout == from_cache.stdout
    said = json.loads(from_cache.stdout)["statements"]
    assert said["stated_compute"]
    assert any(year["company_usd"] for year in said["capex_by_year"])

    listing = [run_in_process("peers", cwd=tmp_path, env=env)
               for env in ({cache.NO_CACHE_ENV: "1"}, {}, {})]
    kept = cache_home.parent / "shipped-peers.json"
    assert cache.read_entry(kept, cache.DATA_FORMAT, cache.cache_key(), "data") == \
        parse_yaml(shipped_bytes(PEERS), source=PEERS)
    assert {r.returncode for r in listing} == {0}
    assert len({r.stdout for r in listing}) == 1


@pytest.mark.parametrize("argv", [("timeline", "cortex-buildout"),
                                  ("run", "tenfold", "--samples", "2000")])
def test_with_the_cache_warm_a_build_out_validates_nothing(argv: tuple[str, ...],
                                                         tmp_path: Path) -> None:
    """A build-out's timeline (its date's range and the operator's statements and capex
    included) and a Monte Carlo run come from the cached library and records: no pydantic,
    no YAML parser, no unit registry."""
    home = tmp_path / "xdg"
    loaded_after(cli_body(*argv), tmp_path, cache_home=home)  # the first run writes the cache
    loaded = loaded_after(cli_body(*argv), tmp_path, cache_home=home)
    assert "numpy" in loaded
    unwanted = loaded & {"pydantic", "yaml", "pint"}
    assert not unwanted, f"capcalc {' '.join(argv)} imported {sorted(unwanted)}"
