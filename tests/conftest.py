"""Shared fixtures: paths, scenario-file writer, cached baseline runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(autouse=True)
def _no_user_data(tmp_path_factory, monkeypatch):
    """Every test sees an empty user data directory (no user calibration overrides
    the bundled one; ``smesim calibrate`` without --out writes into a temp folder)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario file from TOML text and return its path."""

    def _write(text: str, name: str = "s.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
