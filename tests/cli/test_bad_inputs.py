"""The bad-input corpus: every file answers with one line naming file, key and mistake, exit 2.

``tests/bad_inputs/`` holds files a user or a hostile sender could hand capcalc;
``tests/bad_inputs/expected.yaml`` says, for each, how it is given (a scenario,
the baseline or the peers file), the key the answer must name and a fragment of
what it must say, plus edits that break a copy of capcalc's own
``assumptions.yaml``. Each runs through ``capcalc`` in this process (the same
``main`` a process runs, see ``tests/cli_runner.py``), and each scenario file is
also uploaded in the real dashboard (Streamlit's AppTest, through its file
uploader), which must show the very same line and keep working. What only a
process shows runs as a real subprocess, with a timeout that turns a hang into
a failure: a named pipe (FIFO) and a link to ``/dev/zero`` given as files, and
a few corpus files for parity. Values that a link can carry (a subnormal, a
fractional count, an angle for a fraction, octal) open the dashboard on its
defaults with a warning.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from calc.dashboard.compute import scenario as compute
from calc.dashboard.markup import plain
from calc.data.io import MAX_YAML_BYTES

from tests.cli_runner import run_in_process, run_subprocess
from tests.paths import ASSUMPTIONS_FILE

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
FILES: dict[str, dict[str, Any]] = MANIFEST["files"]
EDITS: dict[str, dict[str, Any]] = MANIFEST["edits"]
SCENARIO_FILES = [name for name, case in FILES.items() if case["as"] == "scenario"]
APP = CORPUS.parent.parent / "calc" / "dashboard" / "app.py"

#: Generous: a case that needs this long has hung; benchmarks/ measures the real times.
TIMEOUT_S = 60
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
    os.mkfifo(folder / "fifo.yaml")  # no writer ever opens it: reading it would block
    (folder / "zero.yaml").symlink_to("/dev/zero")  # endless, and its size says 0
    (folder / "folder.yaml").mkdir()
    before = sorted(p.name for p in folder.iterdir())
    yield folder
    assert sorted(p.name for p in folder.iterdir()) == before, "a bad input made capcalc write"


@pytest.fixture(scope="module")
def cli(workdir: Path) -> Run:
    """``capcalc ARGS...`` in this process, in ``workdir``; each distinct call runs once.

    Module-scoped, so the dashboard test compares against the very same answers.
    """
    answers: dict[tuple[str, ...], subprocess.CompletedProcess[str]] = {}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        if args not in answers:
            answers[args] = run_in_process(*args, cwd=workdir)
        return answers[args]

    return run


def process(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``capcalc ARGS...`` as a real subprocess in ``workdir``: a hang fails after TIMEOUT_S."""
    return run_subprocess(*args, cwd=workdir, timeout=TIMEOUT_S)


# ------------------------------------------------------------------ the corpus itself


def test_the_manifest_lists_every_file_of_the_corpus() -> None:
    present = {p.name for p in CORPUS.iterdir()} - {"expected.yaml"}
    assert present == set(FILES), (
        f"not in expected.yaml: {sorted(present - set(FILES))}; "
        f"listed but missing: {sorted(set(FILES) - present)}")
    assert len(FILES) >= 40
    assert {case["as"] for case in FILES.values()} == {"scenario", "assumptions", "peers"}


@pytest.mark.slow
def test_every_edit_changes_capcalcs_baseline() -> None:
    """An edit that no longer applies (the path is gone) would test nothing."""
    original = yaml.safe_load(ASSUMPTIONS_FILE.read_text(encoding="utf-8"))
    for name, edit in EDITS.items():
        assert broken_baseline(edit) != original, f"{name} leaves assumptions.yaml as it is"


# ------------------------------------------------------------------ through the CLI


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FILES))
def test_each_bad_file_gets_one_line_and_exit_2(cli: Run, name: str) -> None:
    case = FILES[name]
    assert_one_line(cli(*command(name, case["as"])), name, case["key"], case["says"])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EDITS))
def test_each_broken_baseline_gets_one_line_and_exit_2(cli: Run, name: str) -> None:
    case = EDITS[name]
    assert_one_line(cli(*command(f"{name}.yaml", "assumptions")), f"{name}.yaml", case["key"],
                    case["says"])


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["scenario", "assumptions", "peers"])
def test_a_file_of_tens_of_megabytes_is_refused_unread(cli: Run, kind: str) -> None:
    assert_one_line(cli(*command("huge.yaml", kind)), "huge.yaml", None,
                    f"file is {HUGE_BYTES + 28:,} bytes; capcalc reads YAML files of at most "
                    f"{MAX_YAML_BYTES:,} bytes")


#: Files that are not regular files: what each is, and whether reading it could hang.
SPECIAL = {"fifo.yaml": "is a named pipe (FIFO), not a YAML file",
           "zero.yaml": "is a character device, not a YAML file",
           "folder.yaml": "is a folder, not a YAML file"}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["scenario", "assumptions", "peers"])
@pytest.mark.parametrize("name", list(SPECIAL))
def test_only_regular_files_are_read_and_others_answer_at_once(workdir: Path, name: str,
                                                               kind: str) -> None:
    """A real process: a FIFO or /dev/zero that were read would hang it or eat its memory."""
    assert_one_line(process(workdir, *command(name, kind)), name, None, SPECIAL[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["binary.yaml", "alias-bomb.yaml", "octal-power.yaml",
                                  "lookalike-key.yaml"])
def test_a_real_process_gives_the_same_line(workdir: Path, cli: Run, name: str) -> None:
    """The in-process answers are what a process prints (a few files, for parity)."""
    real = process(workdir, *command(name, FILES[name]["as"]))
    assert (real.returncode, real.stdout, real.stderr) == (2, "", cli(
        *command(name, FILES[name]["as"])).stderr)


@pytest.mark.parametrize(("args", "key", "says"), [
    (["--set", "site.pue=nan"], "site.pue", "finite number (got nan)"),
    (["--set", "site.facility_power_mw=1e400"], "site.facility_power_mw", "finite"),
    (["--set", "site.facility_power_mw=-5 MW"], "site.facility_power_mw",
     "must be at least 0.001 (got -5)"),
    (["--set", "site.facility_power_mw=5 10**99999999"], "site.facility_power_mw",
     "a power is a plain number"),
    (["--set", "training.mfu=40"], "training.mfu", "at most 1 (got 40)"),
    (["--set", "hardware.accelerator=../../etc/passwd"], "hardware.accelerator",
     "not in the catalog"),
    (["--set", "site.peu=1.3"], "site.peu", "did you mean 'site.pue'"),
    (["--set", "site.accelerators=100000", "--set", "site.facility_power_mw=500"],
     "site.accelerators", "both set"),
    (["--set", "hardware.peak_flop_per_s=1e-320"], "hardware.peak_flop_per_s",
     "must be at least 1e+12 (got 1e-320); valid range 1e+12 to 1e+18 FLOP/s"),
    (["--set", "site.facility_power_mw=1e-300"], "site.facility_power_mw",
     "must be at least 0.001 (got 1e-300)"),
    (["--set", "site.accelerators=1000.5"], "site.accelerators", "whole number"),
    (["--set", "training.mfu=40 degree"], "training.mfu", "is an angle, not a pure number"),
    (["--set", "training.mfu=40 %%"], "training.mfu", "written once"),
    (["--set", "site.facility_power_mw=010"], "site.facility_power_mw", "leading zero"),
    (["--set", "training.run_days=1:30"], "training.run_days", "base 60"),
    (["--set", "site.\u0440ue=1.2"], "site.\\u0440ue", "did you mean 'site.pue'?"),
    (["--set", "x" * 100_000 + "=1"], None, "…" + "x" * 59 + ": unknown key"),
    (["tenfold", "--set", "target.baseline=tenfold"], "target.baseline",
     "'tenfold' is the scenario itself"),
    (["--set", "training.mfu={}"], "training.mfu", "{} sets nothing"),
    (["--set", "training.mfu={value: 0.4, low: 0.3}"], "training.mfu",
     "a 90 % range needs both low and high (got low 0.3 and no high)"),
    (["--set", "training.mfu={value:0.4,low:0.3,high:0.5}"], "training.mfu",
     "'value:0.4' has no space after its colon"),
    (["--set", "training.mfu=null"], "training.mfu", "give a pure number (0.4, or a percentage"),
    (["--set", "hardware.accelerator=GB\u041700"], "hardware.accelerator",
     "'GB\\u041700' is not in the catalog; did you mean 'GB"),
    (["--set", "training.mfu={value: 0.4, source: a, as_of: '2099-99-99'}"],
     "training.mfu.as_of", "'2099-99-99' is not a date"),
    (["--set", "training.mfu={value: 0.4,\u2028low: 0.3, high: 0.5}"], "training.mfu",
     "a line separator character (U+2028)"),
])
def test_bad_set_values_get_one_line_naming_set(capcalc_cli: Run, args: list[str],
                                                key: str | None, says: str) -> None:
    result = capcalc_cli("run", *args, timeout=TIMEOUT_S)
    line = assert_one_line(result, "--set", key, says)
    assert len(line) < 400, line


@pytest.mark.parametrize(("args", "key", "says"), [
    (["--set", "timeline[0].delay_months=nan"], "timeline[0].delay_months",
     "whole number of months from 0 to 600 (got 'nan')"),
    (["--set", "timeline[0].delay_months=2.5"], "timeline[0].delay_months", "whole number"),
    (["--set", "timeline[0].start=0000-01"], "timeline[0].start",
     "0000-01 is outside 2000-01 to 2100-12"),
    (["--set", "timeline[1].start=2020-01"], "timeline[1].start",
     "before the previous phase's start"),
    (["--set", "timeline[0].facility_power_mw=nan"], "timeline[0].facility_power_mw",
     "finite number (got nan)"),
    (["--set", "timeline[0].facility_power_mw=0100"], "timeline[0].facility_power_mw",
     "leading zero"),
    (["--set", "timeline[0].start=2025-+6"], "timeline[0].start", "'2025-+6' is not a month"),
    (["--set", "timeline[0].start=2024- 9"], "timeline[0].start", "'2024- 9' is not a month"),
    (["--set", "timeline[0].start=2025"], "timeline[0].start", "'2025' is not a month"),
    (["--set", "timeline[0].delay_months={value:0,low:0,high:12}"], "timeline[0].delay_months",
     "'value:0' has no space after its colon"),
    (["--set", "timeline[0].mfu=40"], "timeline[0].mfu", "must be at most 1 (got 40)"),
])
def test_bad_phase_values_get_one_line_keyed_by_the_phase_field(capcalc_cli: Run,
                                                               args: list[str], key: str,
                                                               says: str) -> None:
    """Keyed by what the user touched: a phase field, never ``--until``."""
    result = capcalc_cli("timeline", "cortex-buildout", *args, timeout=TIMEOUT_S)
    assert_one_line(result, "--set", key, says)


def test_a_huge_seed_or_sample_count_is_cut_in_the_line(capcalc_cli: Run) -> None:
    for flag in ("--seed", "--samples"):
        result = capcalc_cli("run", flag, "9" * 5000, timeout=TIMEOUT_S)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert flag in result.stderr and len(result.stderr) < 300, result.stderr


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
    assert at.selectbox(key="w:__preset").value == compute.default_preset()
    values = [metric.value for metric in at.metric]
    assert values, "the result cards are gone"
    assert not any(word in str(value).lower() for value in values for word in ("nan", "inf"))


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIO_FILES)
def test_each_bad_file_uploaded_shows_the_same_line(session: AppTest, cli: Run,
                                                    name: str) -> None:
    line = cli(*command(name, "scenario")).stderr.rstrip("\n")
    at = upload(session, name, (CORPUS / name).read_bytes())
    # the same line, escaped so that Streamlit's Markdown shows it as written
    assert [error.value for error in at.error] == [plain(line.removeprefix("capcalc: "))]
    assert_still_working(at)


@pytest.mark.slow
def test_a_huge_upload_shows_the_same_line(session: AppTest, cli: Run, workdir: Path) -> None:
    line = cli(*command("huge.yaml", "scenario")).stderr.rstrip("\n")
    at = upload(session, "huge.yaml", (workdir / "huge.yaml").read_bytes())
    # the same line, escaped so that Streamlit's Markdown shows it as written
    assert [error.value for error in at.error] == [plain(line.removeprefix("capcalc: "))]
    assert_still_working(at)


@pytest.mark.slow
def test_after_bad_uploads_a_good_one_still_works(session: AppTest) -> None:
    for name in ("alias-bomb.yaml", "binary.yaml", "base-loop.yaml"):
        upload(session, name, (CORPUS / name).read_bytes())
    at = upload(session, "mine.yaml", b"name: mine\nbase: cortex-full\nsite.pue: 1.3\n")
    assert not at.exception and not at.error
    assert at.selectbox(key="w:__preset").value == "mine"
    values = [metric.value for metric in at.metric]
    assert values and all(values)


@pytest.mark.parametrize(("key", "value", "says"), [
    ("hardware.peak_flop_per_s", "1e-320", "must be at least 1e+12"),
    ("site.facility_power_mw", "1e-300", "must be at least 0.001"),
    ("site.accelerators", "1000.5", "whole number"),
    ("training.mfu", "40 degree", "is an angle"),
    ("training.mfu", "40 %%", "written once"),
    ("site.facility_power_mw", "010", "leading zero"),
    ("training.run_days", "1:30", "base 60"),
    ("cost.wacc", "1e-320", "too close to 0"),
    ("training.mfu", "{}", "{} sets nothing"),
    ("training.mfu", "{value: 0.4, low: 0.3}", "needs both low and high"),
    ("training.mfu", "{value:0.4}", "no space after its colon"),
    ("hardware.accelerator", "GB\u041700", "'GB\\u041700' is not in the catalog"),
])
def test_a_link_with_a_value_outside_its_domain_opens_on_the_defaults(key: str, value: str,
                                                                       says: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    warnings = [w.value for w in at.warning]
    # shown escaped, so that Streamlit's Markdown shows the line as written
    assert any(plain(key) in w and plain(says) in w for w in warnings), warnings
    assert_still_working(at)
