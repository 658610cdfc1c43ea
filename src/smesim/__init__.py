"""smesim: a system-dynamics simulator of SME / large-firm divergence in Korea."""

from __future__ import annotations

from smesim._version import __version__
from smesim.engine.simulate import Result, simulate
from smesim.inputs.scenario import Scenario, load_scenario
from smesim.model.params import ParameterSet

__all__ = ["ParameterSet", "Result", "Scenario", "__version__", "load_scenario", "simulate"]
