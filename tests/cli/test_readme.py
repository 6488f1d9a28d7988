"""The README's examples run as written."""

from __future__ import annotations

import re
import runpy

import pytest

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_first_screen_shows_the_two_commands():
    first_screen = "\n".join(README.splitlines()[:25])
    assert "make dashboard" in first_screen and "make test" in first_screen


def test_the_scenario_file_and_api_examples_run(tmp_path, capcalc_cli, monkeypatch):
    yaml_block = next(b for b in _blocks("yaml") if "my-scenario.yaml" in b)
    (tmp_path / "my-scenario.yaml").write_text(yaml_block, encoding="utf-8")
    result = capcalc_cli("run", "my-scenario.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    # the API block saved as a script and run as one, in this interpreter
    python_block = next(b for b in _blocks("python") if "calc.load()" in b)
    script = tmp_path / "readme_api.py"
    script.write_text(python_block, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "datapackage.json", "scenario-comparison.csv", "scenario-comparison.png",
        "scenario-comparison.svg"]


@pytest.mark.slow
def test_the_shell_examples_run(tmp_path, capcalc_cli):
    (tmp_path / "my-scenario.yaml").write_text("base: cortex-full\n", encoding="utf-8")
    commands = [line.split("#")[0].strip() for block in _blocks("sh")
                for line in block.splitlines()]
    runnable = [c for c in commands if c.startswith("capcalc ") and "[" not in c.split("--set")[0]
                and not c.startswith("capcalc dashboard")]
    assert len(runnable) >= 10
    for command in runnable:
        args = [a.strip('"') for a in re.findall(r'"[^"]*"|\S+', command)][1:]
        result = capcalc_cli(*args, cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
