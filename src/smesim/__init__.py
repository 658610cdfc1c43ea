"""smesim: a system-dynamics simulator of SME / large-firm divergence in Korea."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smesim")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

from smesim.engine.plan import RunPlan, build_plan
from smesim.engine.simulate import Result, simulate
from smesim.inputs.scenario import Scenario, load_scenario
from smesim.model.params import ParameterSet

__all__ = [
    "ParameterSet",
    "Result",
    "RunPlan",
    "Scenario",
    "__version__",
    "build_plan",
    "load_scenario",
    "simulate",
]
