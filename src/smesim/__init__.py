"""smesim: a system-dynamics simulator of SME / large-firm divergence in Korea."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smesim")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

from . import _vector_width  # noqa: F401  (before anything imports numba)
from .params import ParameterSet
from .scenario import Scenario, load_scenario
from .simulate import Result, simulate

__all__ = ["ParameterSet", "Result", "Scenario", "__version__", "load_scenario", "simulate"]
