"""Safe parsing: YAML through the bounded safe loader only; no tag, file or link runs code.

What the code may not do is said by lint rules, checked by ``make test``: ruff's
``S``/``TID251`` rules in ``pyproject.toml`` (no ``yaml.load``, ``unsafe_load``,
``FullLoader``..., no ``eval``, ``exec``, ``pickle``, ``marshal`` or shell) and an
import-linter contract (in ``calc/``, the dashboard included, only :mod:`calc.data.io`
imports YAML). Here the behaviour: tags that would construct Python objects or run
commands are refused in one line, by the library, the CLI and the dashboard's
upload, and the command never runs; the dashboard's server keeps Streamlit's upload
size limit and XSRF protection on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import calc
from calc.core.errors import CapcalcError
from calc.dashboard.markup import plain
from calc.data.io import MAX_YAML_BYTES, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "calc" / "dashboard" / "app.py"

#: Tags PyYAML's unsafe loaders would honour: run a command, import a name, build objects.
HOSTILE_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
    "!!python/object/new:pathlib.Path ['{marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:builtins.object {{}}",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
]


@pytest.mark.parametrize("tag", HOSTILE_TAGS)
def test_hostile_tags_are_refused_by_the_loader(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "ran"
    text = f"site.pue: {tag.format(marker=marker)}\n"
    with pytest.raises(CapcalcError, match="is not read") as caught:
        parse_yaml(text, source="hostile.yaml")
    assert "\n" not in str(caught.value)
    assert not marker.exists()


def test_safe_tags_build_only_plain_values() -> None:
    """YAML's own safe tags still give plain data (and dates stay text)."""
    data = parse_yaml("a: !!str 5\nb: !!float '1.5'\nc: 2024-08-01\nd: !!binary aGk=\n",
                      source="tags.yaml")
    assert data == {"a": "5", "b": 1.5, "c": "2024-08-01", "d": b"hi"}


def test_hostile_tags_through_the_cli_run_nothing(capcalc_cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for i, tag in enumerate(HOSTILE_TAGS):
        (tmp_path / f"hostile-{i}.yaml").write_text(f"site.pue: {tag.format(marker=marker)}\n",
                                                   encoding="utf-8")
        result = capcalc_cli("run", f"hostile-{i}.yaml", timeout=30)
        assert result.returncode == 2 and "is not read" in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1
        result = capcalc_cli("--assumptions", f"hostile-{i}.yaml", "run", timeout=30)
        assert result.returncode == 2 and "is not read" in result.stderr, result.stderr
    assert not marker.exists()


def test_hostile_tags_uploaded_in_the_dashboard_run_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    for tag in HOSTILE_TAGS:
        data = f"site.pue: {tag.format(marker=marker)}\n".encode()
        at.file_uploader(key="w:__upload").set_value(("hostile.yaml", data, "text/yaml")).run()
        assert not at.exception
        assert len(at.error) == 1 and "is not read" in at.error[0].value
    assert not marker.exists()


def test_an_upload_over_the_size_limit_is_refused_unparsed() -> None:
    """AppTest skips the browser's own size check; capcalc's loader still refuses."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    data = b"site.pue: 1.3\n" + b"#" * MAX_YAML_BYTES
    at.file_uploader(key="w:__upload").set_value(("big.yaml", data, "text/yaml")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [plain(
        f"big.yaml: file is {len(data):,} bytes; capcalc reads YAML files of at most "
        f"{MAX_YAML_BYTES:,} bytes")]


def test_the_server_config_keeps_streamlits_protections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read .streamlit/config.toml as Streamlit does when started from the repository root."""
    from streamlit import config

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("HOME", str(ROOT / "no-such-home"))  # only the repository's file counts
    config.get_config_options(force_reparse=True)
    try:
        assert config.get_where_defined("server.maxUploadSize").endswith(
            os.path.join(".streamlit", "config.toml"))
        upload_mb = config.get_option("server.maxUploadSize")
        # an upload Streamlit lets through is one capcalc's loader can still refuse in one line
        assert 0 < upload_mb * 1024 * 1024 <= 2 * MAX_YAML_BYTES
        assert config.get_option("server.enableXsrfProtection") is True
        assert config.get_option("client.showErrorDetails") not in ("full", "stacktrace", True)
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)


def test_the_library_does_not_read_files_named_in_a_scenario(tmp_path: Path) -> None:
    """A scenario cannot pull another file in: no key takes a path, no include tag works."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("site.pue: 2.9\n", encoding="utf-8")
    library = calc.load()
    for text in (f"base: {secret}\n", f"site.pue: !include {secret}\n",
                 f"scenarios: {secret}\n", f"site.pue: {secret}\n"):
        with pytest.raises(CapcalcError) as caught:
            library.add_text(text, origin="mine.yaml")
        assert "2.9" not in str(caught.value)
