"""The pre-commit hooks run what `make lint` runs: the same tools, from the same virtualenv."""

from __future__ import annotations

import re

import yaml

from tests.paths import REPO_ROOT


def _make_lint() -> list[str]:
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^lint:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert block is not None, "the Makefile has no lint target"
    return [line.strip().replace("$(BIN)", ".venv/bin") for line in block.group(1).splitlines()]


def test_the_hooks_run_every_lint_command_of_make_test() -> None:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])
    entries = {hook["entry"] for hook in hooks}
    for command in _make_lint():
        # `ruff check .` lints the tree; the hook is given the changed files instead
        assert command.removesuffix(" .") in entries, (command, entries)
    # the whole-program checks see every file, not only the changed ones
    assert all(not hook.get("pass_filenames", True) for hook in hooks
               if hook["id"] in ("mypy", "lint-imports"))
