"""smesim: a system-dynamics simulator of SME / large-firm divergence in Korea.

The public names below load on first use (PEP 562), so ``import smesim`` and
``smesim --help`` do not pay for numba and the compiled kernel until a run
needs them.
"""

from __future__ import annotations

import importlib

from smesim._version import __version__

#: public name -> module that defines it
_EXPORTS = {
    "ParameterSet": "smesim.model.params",
    "Result": "smesim.engine.simulate",
    "RunPlan": "smesim.engine.plan",
    "Scenario": "smesim.inputs.scenario",
    "build_plan": "smesim.engine.plan",
    "load_scenario": "smesim.inputs.scenario",
    "simulate": "smesim.engine.simulate",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'smesim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
