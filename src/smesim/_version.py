"""The installed version of smesim (a leaf: every layer may import it)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smesim")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
