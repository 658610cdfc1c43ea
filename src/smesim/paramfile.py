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

from .errors import ParameterError, located
from .params import BY_NAME, ParameterSet


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
        raise ParameterError(located(str(path), "parameters",
                                     "expected a [parameters] table (got none)"))
    for key in doc:
        if key not in {"meta", "parameters", "standard_errors", "covariance"}:
            raise ParameterError(located(str(path), key, "unknown table (expected meta, "
                                         "parameters, standard_errors or covariance)"))
    for key, val in values.items():
        if key not in BY_NAME:
            raise ParameterError(located(str(path), f"parameters.{key}", "unknown parameter"))
        if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
            raise ParameterError(located(str(path), f"parameters.{key}",
                                         f"expected a finite number (got {val!r})"))
    start = base.as_dict() if base is not None else None
    meta = dict(doc.get("meta", {}))
    meta["standard_errors"] = dict(doc.get("standard_errors", {}))
    cov = doc.get("covariance")
    if cov:
        meta["covariance"] = {"names": list(cov["names"]), "matrix": np.asarray(cov["matrix"])}
    return ParameterSet.from_mapping(values, source=str(path), base=start, meta=meta)
