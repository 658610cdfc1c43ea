"""Parameter sets: validated values of every model parameter, for one run or many.

Status is one of

``data``
    fixed to a published figure (an initial condition read off the paper's
    tables); the source names the table.
``calibrated``
    free in calibration (``smesim calibrate``).  The value below is the
    *first estimate* used before any calibration has run; the parameter set
    in ``calibration/params/<profile>.toml`` overrides it and records the data
    it was fitted to.  ``prior`` and ``prior_sd`` are the regularisation the
    calibration applies (the data are thin: a handful of points per series).
``assumed``
    never fitted; a documented assumption with its reason.  Outputs that
    depend on assumed parameters say so in the run manifest.

The parameters themselves (value, unit, bounds, status, source) are declared
in their sector modules (:mod:`smesim.model.spec`); :data:`PARAMETERS` lists
them in column order.  A *parameter set* maps names to values;
:class:`ParameterSet` validates it against the declarations (unknown name,
non-finite value, out of bounds, a broken rule are errors, never clipped) and
holds one array per parameter with a leading run axis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from smesim.errors import ParameterError, located
from smesim.model import MODEL
from smesim.model.spec import Parameter

#: Every parameter, in column order of parameter arrays.
PARAMETERS: tuple[Parameter, ...] = MODEL.parameters
NAMES: tuple[str, ...] = MODEL.param_names
BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
CALIBRATED: tuple[str, ...] = tuple(p.name for p in PARAMETERS if p.status == "calibrated")


def defaults() -> dict[str, float]:
    """Default values of every parameter (first estimates and assumptions)."""
    return {p.name: p.value for p in PARAMETERS}


def check_rules(
    values: np.ndarray, source: str, levers0: Mapping[str, np.ndarray] | None = None
) -> None:
    """The declared rules of the model (:meth:`smesim.model.spec.Model.check_rules`)."""
    MODEL.check_rules(values, source, levers0)


@dataclass(frozen=True)
class ParameterSet:
    """A validated full set of parameter values for ``n_runs`` runs.

    ``values`` has shape ``(n_runs, n_parameters)`` in registry order.
    Build with :meth:`from_mapping` (one run) or :meth:`from_rows`.
    """

    values: np.ndarray
    source: str = "defaults"
    meta: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        v = np.asarray(self.values, dtype=float)
        if v.ndim != 2 or v.shape[1] != len(PARAMETERS):
            raise ParameterError(
                f"parameter array must have shape (runs, {len(PARAMETERS)}) (got {v.shape})"
            )
        bad = ~np.isfinite(v)
        if bad.any():
            run, col = np.argwhere(bad)[0]
            raise ParameterError(
                located(self.source, NAMES[col], f"expected a finite number (got {v[run, col]})")
            )
        lo = np.array([p.lower for p in PARAMETERS])
        hi = np.array([p.upper for p in PARAMETERS])
        out = (v < lo) | (v > hi)
        if out.any():
            run, col = np.argwhere(out)[0]
            p = PARAMETERS[col]
            raise ParameterError(
                located(
                    self.source,
                    p.name,
                    f"expected a value in [{p.lower:g}, {p.upper:g}] {p.unit} "
                    f"(got {v[run, col]:g} in run {run})",
                )
            )
        check_rules(v, self.source)
        object.__setattr__(self, "values", v)

    @property
    def n_runs(self) -> int:
        return self.values.shape[0]

    @classmethod
    def from_mapping(
        cls,
        overrides: Mapping[str, float] | None = None,
        source: str = "defaults",
        base: Mapping[str, float] | None = None,
        meta: Mapping[str, object] | None = None,
    ) -> ParameterSet:
        """One run: registry defaults (or ``base``) updated with ``overrides``."""
        vals = dict(base) if base is not None else defaults()
        for key, val in (overrides or {}).items():
            if key not in BY_NAME:
                raise ParameterError(
                    located(
                        source,
                        key,
                        f"unknown parameter (expected one of the {len(NAMES)} registry names)",
                    )
                )
            if isinstance(val, bool) or not isinstance(val, int | float):
                raise ParameterError(located(source, key, f"expected a number (got {val!r})"))
            vals[key] = float(val)
        row = np.array([[vals[n] for n in NAMES]])
        return cls(row, source=source, meta=dict(meta or {}))

    def with_values(self, names: Iterable[str], values: np.ndarray) -> ParameterSet:
        """A batch: this set repeated, with ``names`` columns set from ``values``.

        ``values`` has shape ``(n_runs, len(names))``; ``self`` must hold one run.
        """
        names = list(names)
        values = np.atleast_2d(np.asarray(values, dtype=float))
        batch = np.repeat(self.values[:1], values.shape[0], axis=0)
        for j, n in enumerate(names):
            batch[:, NAMES.index(n)] = values[:, j]
        return ParameterSet(batch, source=self.source, meta=self.meta)

    def stack(self, others: Iterable[ParameterSet]) -> ParameterSet:
        rows = [self.values, *(o.values for o in others)]
        return ParameterSet(np.vstack(rows), source=self.source, meta=self.meta)

    def run(self, i: int) -> ParameterSet:
        return ParameterSet(self.values[i : i + 1], source=self.source, meta=self.meta)

    def as_dict(self, run: int = 0) -> dict[str, float]:
        return {n: float(self.values[run, j]) for j, n in enumerate(NAMES)}

    def namespace(self) -> SimpleNamespace:
        """Attribute access by parameter name: each attribute has shape (runs,)."""
        return SimpleNamespace(**{n: self.values[:, j] for j, n in enumerate(NAMES)})
