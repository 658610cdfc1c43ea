"""Parameter registry and validated parameter sets."""

from __future__ import annotations

import numpy as np
import pytest

from smesim.errors import ParameterError
from smesim.model.params import PARAMETERS, ParameterSet


def test_every_parameter_is_documented():
    for p in PARAMETERS:
        assert p.unit, p.name
        assert len(p.source) > 10, p.name
        assert p.status in {"data", "calibrated", "assumed"}
        if p.status == "assumed":
            assert p.source.startswith("assumed"), p.name
        if p.status == "calibrated":
            assert p.prior is not None and p.prior_sd > 0, p.name
            assert p.lower <= p.prior <= p.upper, p.name


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        ({"no_such_parameter": 1.0}, r"no_such_parameter: unknown parameter"),
        ({"wage_adjustment_time": 0.0}, r"wage_adjustment_time: expected a value in \[0\.5, 20\]"),
        ({"wage_adjustment_time": float("nan")}, r"wage_adjustment_time: expected a finite number"),
        ({"wage_adjustment_time": "4"}, r"wage_adjustment_time: expected a number"),
        (
            {"init_employment_share_1_4": 60.0, "init_employment_share_10_99": 40.0},
            r"init_employment_share_\*: expected the four SME class shares to sum below 100",
        ),
    ],
)
def test_bad_parameter_values_are_rejected_not_clipped(overrides, pattern):
    with pytest.raises(ParameterError, match=pattern):
        ParameterSet.from_mapping(overrides, source="my.toml")


def test_batches_keep_the_run_axis():
    base = ParameterSet.from_mapping()
    batch = base.with_values(["wage_adjustment_time"], np.array([[2.0], [3.0], [5.0]]))
    assert batch.n_runs == 3
    assert batch.namespace().wage_adjustment_time.tolist() == [2.0, 3.0, 5.0]
    assert batch.run(1).as_dict()["wage_adjustment_time"] == 3.0
