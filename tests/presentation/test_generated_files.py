"""The JSON Schemas and the assumptions reference are generated from the code and kept in step."""

from __future__ import annotations

import difflib
import json

import pytest

from calc.presentation.docs import GENERATED, generated_files


@pytest.mark.parametrize("path", sorted(GENERATED))
def test_committed_file_matches_what_the_code_generates(repo_root, path):
    expected = generated_files(repo_root)[path]
    committed = (repo_root / path).read_text(encoding="utf-8")
    if committed != expected:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), expected.splitlines(True),
                                            f"{path} (committed)", f"{path} (generated)", n=1))
        pytest.fail(f"{path} is out of date; run `make docs`:\n{diff[:4000]}")


def test_the_yaml_files_point_editors_at_their_schema(repo_root):
    for name in ("assumptions", "scenarios"):
        first = (repo_root / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=./{name}.schema.json"
        assert json.loads((repo_root / f"{name}.schema.json").read_text(encoding="utf-8"))


def test_the_schema_rejects_unknown_keys_as_the_loader_does(repo_root):
    schema = json.loads((repo_root / "assumptions.schema.json").read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    entry = schema["$defs"]["Entry"]
    assert entry["additionalProperties"] is False
    assert set(entry["required"]) == {"value", "source", "as_of"}


def test_every_assumption_has_a_source_and_a_date(repo_root):
    import yaml

    raw = yaml.safe_load((repo_root / "assumptions.yaml").read_text(encoding="utf-8"))
    missing = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if "value" in node:
                if not node.get("source") or not node.get("as_of"):
                    missing.append(path)
                if node.get("source") == "assumption" and not node.get("note"):
                    missing.append(f"{path} (assumption without a note)")
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))

    walk(raw, "")
    assert not missing


def test_the_package_ships_exactly_the_files_people_edit(repo_root):
    from calc.data.resources import SHIPPED_FILES, shipped_bytes

    for name in SHIPPED_FILES:
        assert shipped_bytes(name) == (repo_root / name).read_bytes(), (
            f"calc/data/shipped/{name} differs from {name}; it must link to the top-level file")
