"""Read and write parameter-set files (TOML) with their provenance.

Layout::

    [meta]                      # provenance: profile, method, seed, data files + hashes,
    ...                         # package version, date, fit summary
    [parameters]                # name = value (only the names the file sets)
    [standard_errors]           # optional: name = standard error
    [covariance]                # optional: names = [...], matrix = [[...], ...]
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import tomli_w

from smesim.errors import ParameterError, located
from smesim.io import atomic_write
from smesim.model.params import BY_NAME, ParameterSet


def load_toml(path: Path, error=ParameterError) -> dict:
    """Parse a TOML file, turning every failure into one-line ``error``."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise error(located(str(path), None, "file not found")) from None
    except OSError as exc:
        raise error(located(str(path), None, f"cannot read ({exc.strerror})")) from None
    try:
        return tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(located(str(path), None, "expected UTF-8 text")) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(located(str(path), None, f"malformed TOML ({exc})")) from None


def read_parameter_file(path: Path, base: ParameterSet | None = None) -> ParameterSet:
    """A one-run :class:`ParameterSet`: ``base`` updated with the file's ``[parameters]``."""
    doc = load_toml(path)
    values = doc.get("parameters")
    if not isinstance(values, dict):
        raise ParameterError(
            located(str(path), "parameters", "expected a [parameters] table (got none)")
        )
    for key in doc:
        if key not in {"meta", "parameters", "standard_errors", "covariance"}:
            raise ParameterError(
                located(
                    str(path),
                    key,
                    "unknown table (expected meta, parameters, standard_errors or covariance)",
                )
            )
    for key, val in values.items():
        if key not in BY_NAME:
            raise ParameterError(located(str(path), f"parameters.{key}", "unknown parameter"))
        if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
            raise ParameterError(
                located(str(path), f"parameters.{key}", f"expected a finite number (got {val!r})")
            )
    start = base.as_dict() if base is not None else None
    meta = dict(doc.get("meta", {}))
    meta["standard_errors"] = _read_standard_errors(path, doc.get("standard_errors", {}))
    cov = doc.get("covariance")
    if cov:
        meta["covariance"] = _read_covariance(path, cov)
    return ParameterSet.from_mapping(values, source=str(path), base=start, meta=meta)


def _read_standard_errors(path: Path, ses) -> dict[str, float]:
    if not isinstance(ses, dict):
        raise ParameterError(located(str(path), "standard_errors", "expected a table"))
    for key, val in ses.items():
        if key not in BY_NAME:
            raise ParameterError(located(str(path), f"standard_errors.{key}", "unknown parameter"))
        if (
            isinstance(val, bool)
            or not isinstance(val, int | float)
            or not math.isfinite(val)
            or val < 0
        ):
            raise ParameterError(
                located(
                    str(path),
                    f"standard_errors.{key}",
                    f"expected a finite number >= 0 (got {val!r})",
                )
            )
    return {k: float(v) for k, v in ses.items()}


def _read_covariance(path: Path, cov) -> dict:
    names = cov.get("names") if isinstance(cov, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ParameterError(
            located(str(path), "covariance.names", "expected a list of parameter names")
        )
    for n in names:
        if n not in BY_NAME:
            raise ParameterError(located(str(path), "covariance.names", f"unknown parameter {n!r}"))
    try:
        matrix = np.asarray(cov.get("matrix"), dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            located(str(path), "covariance.matrix", "expected a square array of numbers")
        ) from None
    if matrix.shape != (len(names), len(names)) or not np.all(np.isfinite(matrix)):
        raise ParameterError(
            located(
                str(path),
                "covariance.matrix",
                f"expected a finite {len(names)}x{len(names)} matrix (got shape {matrix.shape})",
            )
        )
    return {"names": names, "matrix": matrix}


def _toml_value(v):
    """Plain TOML-serialisable values (numpy scalars/arrays to floats/lists; None dropped)."""
    if isinstance(v, dict):
        return {str(k): _toml_value(x) for k, x in v.items() if x is not None}
    if isinstance(v, list | tuple | np.ndarray):
        return [_toml_value(x) for x in (v.tolist() if isinstance(v, np.ndarray) else v)]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, Path):
        return str(v)
    return v


def format_parameter_file(
    parameters: dict[str, float],
    *,
    meta: dict | None = None,
    standard_errors: dict[str, float] | None = None,
    covariance: tuple[list[str], np.ndarray] | None = None,
) -> str:
    """TOML text of a parameter set (see the module docstring for the layout).

    Values are validated against the registry first (unknown name, non-finite
    or out-of-bounds value raise :class:`~smesim.errors.ParameterError`).
    """
    ParameterSet.from_mapping(
        {k: float(v) for k, v in parameters.items()}, source="parameter set to write"
    )
    doc: dict = {}
    if meta:
        doc["meta"] = _toml_value(meta)
    doc["parameters"] = {k: float(v) for k, v in parameters.items()}
    if standard_errors:
        doc["standard_errors"] = {k: float(v) for k, v in standard_errors.items()}
    text = tomli_w.dumps(doc)
    if covariance is not None:  # one matrix row per line (tomli_w puts each number on one)
        names, matrix = covariance
        matrix = np.asarray(matrix, dtype=float)
        if matrix.shape != (len(names), len(names)):
            raise ParameterError(
                f"covariance: expected a {len(names)}x{len(names)} matrix "
                f"(got shape {matrix.shape})"
            )
        rows = ",\n".join("    [" + ", ".join(repr(float(x)) for x in row) + "]" for row in matrix)
        text += (
            "\n[covariance]\nnames = [" + ", ".join(f'"{n}"' for n in names) + "]\n"
            f"matrix = [\n{rows},\n]\n"
        )
    return text


def write_parameter_file(
    path: Path,
    parameters: dict[str, float],
    *,
    meta: dict | None = None,
    standard_errors: dict[str, float] | None = None,
    covariance: tuple[list[str], np.ndarray] | None = None,
) -> Path:
    """Write a parameter-set file atomically (overwrites: archive the old one first,
    see :func:`smesim.report.calibration_report.write_calibration`)."""
    return atomic_write(
        Path(path),
        format_parameter_file(
            parameters, meta=meta, standard_errors=standard_errors, covariance=covariance
        ),
    )
