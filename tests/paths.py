"""Paths of the repository's editable source files, for tests that read them directly."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSUMPTIONS_FILE = REPO_ROOT / "assumptions.yaml"
SCENARIOS_FILE = REPO_ROOT / "scenarios.yaml"
PEERS_FILE = REPO_ROOT / "peers.yaml"
