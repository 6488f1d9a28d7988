"""The bad-input corpus: every file answers with one line naming file, key and mistake, exit 2.

``tests/bad_inputs/`` holds files a user or a hostile sender could hand capcalc;
``tests/bad_inputs/expected.yaml`` says, for each, how it is given (a scenario,
the baseline or the peers file), the key the answer must name and a fragment of
what it must say, plus edits that break a copy of capcalc's own
``assumptions.yaml``. Each runs through the real ``capcalc`` command in a
subprocess (with a generous timeout: speed is measured by
``benchmarks/bad_input_speed.py``, not here), and each scenario file is also
uploaded in the real dashboard (Streamlit's AppTest, through its file uploader),
which must show the very same line and keep working.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from calc.data.io import MAX_YAML_BYTES

from dashboard.page import plain
from tests.paths import ASSUMPTIONS_FILE

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
FILES: dict[str, dict[str, Any]] = MANIFEST["files"]
EDITS: dict[str, dict[str, Any]] = MANIFEST["edits"]
SCENARIO_FILES = [name for name, case in FILES.items() if case["as"] == "scenario"]
APP = CORPUS.parent.parent / "dashboard" / "app.py"

#: Generous: a case that needs this long has hung; benchmarks/ measures the real times.
TIMEOUT_S = 30
#: A file of tens of megabytes, written by the tests rather than committed.
HUGE_BYTES = 20_000_000

Run = Callable[..., "subprocess.CompletedProcess[str]"]


def command(name: str, kind: str) -> list[str]:
    """The capcalc arguments that read file ``name`` as ``kind``."""
    return {
        "scenario": ["run", name],
        "assumptions": ["--assumptions", name, "run"],
        "peers": ["peers", "--peers", name],
    }[kind]


def assert_one_line(result: subprocess.CompletedProcess[str], name: str, key: str | None,
                    says: str) -> str:
    """The answer is exit 2 and one stderr line naming ``name``, ``key`` and ``says``."""
    shown = f"exit {result.returncode}\nstdout: {result.stdout[:500]}\nstderr: {result.stderr}"
    assert result.returncode == 2, shown
    assert "Traceback" not in result.stderr, shown
    assert result.stdout == "", shown
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, shown
    line = result.stderr.rstrip("\n")
    assert line.startswith(f"capcalc: {name}: "), shown
    if key is not None:
        assert f": {key}: " in line, f"the line does not name {key!r}: {line}"
    assert says in line, f"the line does not say {says!r}: {line}"
    return line


def broken_baseline(edit: dict[str, Any]) -> Any:
    """capcalc's own assumptions tree with ``edit`` applied (set, delete, rename)."""
    tree = yaml.safe_load(ASSUMPTIONS_FILE.read_text(encoding="utf-8"))

    def parent(path: list[Any]) -> Any:
        node = tree
        for part in path[:-1]:
            node = node[part]
        return node

    for path, value in edit.get("set", []):
        parent(path)[path[-1]] = copy.deepcopy(value)
    for path in edit.get("delete", []):
        del parent(path)[path[-1]]
    for path, new_name in edit.get("rename", []):
        parent(path)[new_name] = parent(path).pop(path[-1])
    return tree


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the corpus, the broken baselines and a huge file: capcalc runs in here.

    Afterwards the folder must hold exactly what was put there: no bad input made
    capcalc write a file (the python-tag file asks for one).
    """
    folder = tmp_path_factory.mktemp("bad_inputs")
    for path in CORPUS.iterdir():
        shutil.copy(path, folder / path.name)
    for name, edit in EDITS.items():
        text = yaml.safe_dump(broken_baseline(edit), sort_keys=False, allow_unicode=True)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    (folder / "huge.yaml").write_bytes(
        b"site.facility_power_mw: 500\n" + b"# padding\n" * (HUGE_BYTES // 10))
    before = sorted(p.name for p in folder.iterdir())
    yield folder
    assert sorted(p.name for p in folder.iterdir()) == before, "a bad input made capcalc write"


@pytest.fixture(scope="module")
def cli(workdir: Path) -> Run:
    """``capcalc ARGS...`` as a real subprocess in ``workdir``; each distinct call runs once.

    The same environment as the ``capcalc_cli`` fixture of conftest.py, but
    module-scoped, so the dashboard test compares against the very same answers.
    The corpus's calls start at once, two at a time (each is a second of imports).
    """
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}

    def call(args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "calc", *args], cwd=workdir, env=env,
                              text=True, capture_output=True, timeout=TIMEOUT_S, check=False)

    every = [tuple(command(name, case["as"])) for name, case in FILES.items()]
    every += [tuple(command(f"{name}.yaml", "assumptions")) for name in EDITS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = dict(zip(every, pool.map(call, every), strict=True))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        if args not in answers:
            answers[args] = call(args)
        return answers[args]

    return run


# ------------------------------------------------------------------ the corpus itself


def test_the_manifest_lists_every_file_of_the_corpus() -> None:
    present = {p.name for p in CORPUS.iterdir()} - {"expected.yaml"}
    assert present == set(FILES), (
        f"not in expected.yaml: {sorted(present - set(FILES))}; "
        f"listed but missing: {sorted(set(FILES) - present)}")
    assert len(FILES) >= 40
    assert {case["as"] for case in FILES.values()} == {"scenario", "assumptions", "peers"}


def test_every_edit_changes_capcalcs_baseline() -> None:
    """An edit that no longer applies (the path is gone) would test nothing."""
    original = yaml.safe_load(ASSUMPTIONS_FILE.read_text(encoding="utf-8"))
    for name, edit in EDITS.items():
        assert broken_baseline(edit) != original, f"{name} leaves assumptions.yaml as it is"


# ------------------------------------------------------------------ through the CLI


@pytest.mark.parametrize("name", list(FILES))
def test_each_bad_file_gets_one_line_and_exit_2(cli: Run, name: str) -> None:
    case = FILES[name]
    assert_one_line(cli(*command(name, case["as"])), name, case["key"], case["says"])


@pytest.mark.parametrize("name", list(EDITS))
def test_each_broken_baseline_gets_one_line_and_exit_2(cli: Run, name: str) -> None:
    case = EDITS[name]
    assert_one_line(cli(*command(f"{name}.yaml", "assumptions")), f"{name}.yaml", case["key"],
                    case["says"])


@pytest.mark.parametrize("kind", ["scenario", "assumptions", "peers"])
def test_a_file_of_tens_of_megabytes_is_refused_unread(cli: Run, kind: str) -> None:
    assert_one_line(cli(*command("huge.yaml", kind)), "huge.yaml", None,
                    f"file is {HUGE_BYTES + 28:,} bytes; capcalc reads YAML files of at most "
                    f"{MAX_YAML_BYTES:,} bytes")


@pytest.mark.parametrize(("args", "key", "says"), [
    (["--set", "site.pue=nan"], "site.pue", "finite number (got nan)"),
    (["--set", "site.facility_power_mw=1e400"], "site.facility_power_mw", "finite"),
    (["--set", "site.facility_power_mw=-5 MW"], "site.facility_power_mw", "greater than 0"),
    (["--set", "site.facility_power_mw=5 10**99999999"], "site.facility_power_mw",
     "a power is a plain number"),
    (["--set", "training.mfu=40"], "training.mfu", "at most 1 (got 40)"),
    (["--set", "hardware.accelerator=../../etc/passwd"], "hardware.accelerator",
     "not in the catalog"),
    (["--set", "site.peu=1.3"], "site.peu", "did you mean 'site.pue'"),
    (["--set", "site.accelerators=100000", "--set", "site.facility_power_mw=500"],
     "site.accelerators", "both set"),
])
def test_bad_set_values_get_one_line_naming_set(capcalc_cli: Run, args: list[str], key: str,
                                                says: str) -> None:
    result = capcalc_cli("run", *args, timeout=TIMEOUT_S)
    assert_one_line(result, "--set", key, says)


# ------------------------------------------------------------------ in the dashboard


@pytest.fixture(scope="module")
def session() -> AppTest:
    """One dashboard session that every bad file is uploaded into, one after the other."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="w:__upload").set_value((name, data, "application/x-yaml")).run()
    return at


def assert_still_working(at: AppTest) -> None:
    """No exception; the page is whole, on the default scenario, with finite numbers."""
    assert not at.exception, at.exception[0].value if at.exception else ""
    assert at.selectbox(key="w:__preset").value == "cortex-phase1"
    values = [metric.value for metric in at.metric]
    assert values, "the result cards are gone"
    assert not any(word in str(value).lower() for value in values for word in ("nan", "inf"))


@pytest.mark.parametrize("name", SCENARIO_FILES)
def test_each_bad_file_uploaded_shows_the_same_line(session: AppTest, cli: Run,
                                                    name: str) -> None:
    line = cli(*command(name, "scenario")).stderr.rstrip("\n")
    at = upload(session, name, (CORPUS / name).read_bytes())
    # the same line, escaped so that Streamlit's Markdown shows it as written
    assert [error.value for error in at.error] == [plain(line.removeprefix("capcalc: "))]
    assert_still_working(at)


def test_a_huge_upload_shows_the_same_line(session: AppTest, cli: Run, workdir: Path) -> None:
    line = cli(*command("huge.yaml", "scenario")).stderr.rstrip("\n")
    at = upload(session, "huge.yaml", (workdir / "huge.yaml").read_bytes())
    # the same line, escaped so that Streamlit's Markdown shows it as written
    assert [error.value for error in at.error] == [plain(line.removeprefix("capcalc: "))]
    assert_still_working(at)


def test_after_bad_uploads_a_good_one_still_works(session: AppTest) -> None:
    for name in ("alias-bomb.yaml", "binary.yaml", "base-loop.yaml"):
        upload(session, name, (CORPUS / name).read_bytes())
    at = upload(session, "mine.yaml", b"name: mine\nbase: cortex-full\nsite.pue: 1.3\n")
    assert not at.exception and not at.error
    assert at.selectbox(key="w:__preset").value == "mine"
    values = [metric.value for metric in at.metric]
    assert values and all(values)
