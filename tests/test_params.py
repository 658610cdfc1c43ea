"""Parameter registry and validated parameter sets."""

from __future__ import annotations

import numpy as np
import pytest

from smesim import simulate
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
            r"^my\.toml: init_employment_share_1_4, init_employment_share_5_9, "
            r"init_employment_share_10_99, init_employment_share_100_499: expected the four "
            r"SME class shares to sum below 100 .*\(got init_employment_share_1_4 = 60, ",
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


def test_values_within_bounds_but_impossible_together_are_one_line_errors():
    """Each value is inside its bounds, but no 2012 state reproduces them together: SME
    support alone exceeds the 2012 SME R&D share.  The rule needs the profile's start-year
    levers, so it is checked when a run is prepared; the error names file and keys."""
    ps = ParameterSet.from_mapping(
        {
            "init_rd_share_sme": 5.0,
            "sme_share_of_subsidy": 1.0,
            "sme_share_of_tax_incentive": 1.0,
            "subsidy_additionality": 2.0,
            "tax_additionality": 2.0,
        },
        source="odd.toml",
    )
    message = (
        r"^odd\.toml: init_rd_share_sme, sme_share_of_subsidy, sme_share_of_tax_incentive, "
        r"subsidy_additionality, tax_additionality: expected an SME R&D share the 2012 support "
        r"settings can produce .*\(got init_rd_share_sme = 5, sme_share_of_subsidy = 1, "
    )
    for backend in ("numpy", "numba"):
        with pytest.raises(ParameterError, match=message):
            simulate(params=ps, backend=backend)


def test_rules_name_the_run_of_a_batch():
    good = ParameterSet.from_mapping({})
    bad = ParameterSet.from_mapping(
        {
            "init_rd_share_sme": 5.0,
            "sme_share_of_subsidy": 1.0,
            "sme_share_of_tax_incentive": 1.0,
            "subsidy_additionality": 2.0,
            "tax_additionality": 2.0,
        }
    )
    with pytest.raises(ParameterError, match=r"in run 2\)$"):
        simulate(params=good.stack([good, bad]), until=2014)
