"""smesim: a system-dynamics simulator of SME / large-firm divergence in Korea."""

from __future__ import annotations

from smesim._version import __version__
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
