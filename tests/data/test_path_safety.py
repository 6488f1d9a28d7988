"""Nothing a scenario file, an upload or a link holds can make capcalc write outside its folder.

Scenario names never become paths, yet a name that looks like one is refused,
and a file's name becomes a safe scenario name. Files go only where ``--out``
points: every writer is run with a user's scenario file and afterwards nothing
outside the folder has changed; a symbolic link planted in the folder cannot
redirect a write. In the dashboard, links (query parameters) and uploads that
carry paths are refused or ignored, and write nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter
from streamlit.testing.v1 import AppTest

import calc
from calc.core.errors import CapcalcError
from calc.dashboard import APP
from calc.dashboard.compute import scenario as compute
from calc.data.schema import ScenarioName

from tests.cli.test_no_clobber import TIMEOUT_S, WRITERS, snapshot

PATHS = ["../../x", "/etc/passwd", "a/b", "..", ".hidden", "a\\..\\b", "C:\\Windows\\x",
         "a\x00b", "x" * 81, "~/x", "-rf"]

#: A user's scenario file that every writer can run (it has a build-out timeline).
MINE = "name: mine\nbase: cortex-buildout\nsite.pue: 1.3\n"


@pytest.mark.parametrize("name", PATHS)
def test_a_scenario_named_like_a_path_is_refused(library: calc.Library, name: str) -> None:
    for tree in ({"name": name, "site.pue": 1.3}, {"scenarios": {name: {"site.pue": 1.3}}}):
        with pytest.raises(CapcalcError, match="not a valid name") as caught:
            library.add_text(yaml.safe_dump(tree), origin="mine.yaml")
        assert "\n" not in str(caught.value)


@pytest.mark.parametrize("file_name", ["../../evil.yaml", "my site.yaml", "..\\..\\evil.yaml",
                                       "ünïcödé.yaml", "-.yaml", "a" * 300 + ".yaml"])
def test_a_file_name_becomes_a_safe_scenario_name(library: calc.Library, file_name: str) -> None:
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    _, (name,) = library.add_text("site.pue: 1.3\n", origin=file_name, default_name=stem)
    TypeAdapter(ScenarioName).validate_python(name)  # the names a scenarios: file allows
    assert "/" not in name and "\\" not in name and not name.startswith(".")


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(WRITERS))
def test_writers_write_only_inside_out(capcalc_cli, tmp_path: Path, writer: str) -> None:
    (tmp_path / "mine.yaml").write_text(MINE, encoding="utf-8")
    (tmp_path / "out").mkdir()
    args = [arg if arg not in ("cortex-full", "cortex-buildout") else "mine.yaml"
            for arg in WRITERS[writer]]
    before = snapshot(tmp_path)
    result = capcalc_cli(*args, "--out", "out", timeout=TIMEOUT_S)
    assert result.returncode == 0, result.stderr
    after = snapshot(tmp_path)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed and all(name.startswith("out/") for name in changed), sorted(changed)
    assert set(before) <= set(after)


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_planted_link_cannot_redirect_a_write(capcalc_cli, tmp_path: Path,
                                                writer: str) -> None:
    probe = capcalc_cli(*WRITERS[writer], "--out", "probe", timeout=TIMEOUT_S)
    assert probe.returncode == 0, probe.stderr
    victim = sorted(snapshot(tmp_path / "probe"))[0]
    outside = tmp_path / "precious.txt"
    outside.write_text("precious\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / victim).symlink_to(outside)
    result = capcalc_cli(*WRITERS[writer], "--out", "out", "--force", timeout=TIMEOUT_S)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "outside" in result.stderr, result.stderr
    assert outside.read_text(encoding="utf-8") == "precious\n"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [victim]


def test_a_scenario_file_cannot_name_an_output_path(capcalc_cli, tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("name: mine\nout: ../../elsewhere\nsite.pue: 1.3\n",
                                        encoding="utf-8")
    result = capcalc_cli("run", "mine.yaml", "--out", "out", timeout=TIMEOUT_S)
    assert result.returncode == 2 and "out: unknown key" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


# ------------------------------------------------------------------ the dashboard


@pytest.fixture
def in_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dashboard runs with an empty working folder, to see whether anything lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("query", [
    {"scenario": "../../etc/passwd"},
    {"scenario": "/etc/passwd", "site.pue": "../../etc/passwd"},
    {"../../x": "1", "site.facility_power_mw": "/dev/zero"},
    {"site.facility_power_mw": "__import__('os').system('touch pwned')"},
    {"hardware.accelerator": "../../../../tmp/x", "training.mfu": "0.4; rm -rf /"},
    {"scenario": "cortex-full", "site.pue": "5 m/m**9**9**9"},
])
def test_a_link_with_paths_is_refused_and_writes_nothing(in_empty_folder: Path,
                                                        query: dict[str, str]) -> None:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    assert at.warning, "a refused link parameter should say so"
    for warning in at.warning:
        assert "\n" not in warning.value
    expected = "cortex-full" if query.get("scenario") == "cortex-full" \
        else compute.default_preset()
    assert at.selectbox(key="w:__preset").value == expected
    kept = dict(at.query_params)
    assert all(key in ("scenario",) for key in kept), f"refused parameters kept: {kept}"
    assert list(in_empty_folder.iterdir()) == []


@pytest.mark.parametrize("file_name", ["../../evil.yaml", "..\\..\\evil.yaml",
                                       "/etc/cron.d/evil.yaml"])
def test_an_upload_named_like_a_path_writes_nothing(in_empty_folder: Path,
                                                    file_name: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    at.file_uploader(key="w:__upload").set_value(
        (file_name, b"base: cortex-full\nsite.pue: 1.3\n", "application/x-yaml")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="w:__preset").value == "evil"
    assert list(in_empty_folder.iterdir()) == []
    assert not Path(os.sep, "etc", "cron.d", "evil.yaml").exists()
