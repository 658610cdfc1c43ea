"""Parameter registry, validated parameter sets and country profiles."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

from smesim.analysis.run import simulate_scenario
from smesim.errors import ParameterError, ProfileError
from smesim.inputs import profiles as profiles_module
from smesim.inputs.profiles import get_profile, profile_names, read_profile
from smesim.model.exogenous import INPUTS as EXOGENOUS
from smesim.model.params import CALIBRATED, NAMES, PARAMETERS, ParameterSet


def test_every_parameter_is_documented():
    for p in PARAMETERS:
        assert p.unit, p.name
        assert len(p.source) > 10, p.name
        assert p.status in {"data", "calibrated", "assumed"}
        if p.status == "assumed":
            # an assumed value is either a stated assumption or read off cited evidence
            # (issue 12: every lever effect cites a source or is marked assumed)
            assert p.source.startswith(("assumed", "evidence")), p.name
            if p.source.startswith("evidence"):
                assert re.search(r"\b(19|20)\d\d\b", p.source), p.name  # a dated study
                assert p.sample is not None, p.name  # with a range the ensemble samples
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
    """Each value is inside its bounds, but no start state reproduces them together: SME
    support alone exceeds the start-year SME R&D share.  The rule needs the profile's start-year
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
        r"subsidy_additionality, tax_additionality: expected an SME R&D share the start-year "
        r"support settings can produce .*\(got init_rd_share_sme = 5, sme_share_of_subsidy = 1, "
    )
    for backend in ("numpy", "numba"):
        with pytest.raises(ParameterError, match=message):
            simulate_scenario(params=ps, backend=backend)


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
        simulate_scenario(params=good.stack([good, bad]), until=2014)


# ---- country profiles (smesim/data/profiles/*.toml) -----------------------------------------
_PROFILE = """\
description = "test profile"
policy_start = 2026
fixed_in_calibration = ["init_export_share_sme"]
calibration_notes = ["a note"]
[overrides]
init_export_share_sme = 25.0
[baseline_levers]
rd_subsidy_rate = 3.0
[assumptions]
levers = "assumed"
[prior_sds]
productivity_adjustment_time = 1.0
[exogenous.population_65plus_share]
unit = "%"
source = "test"
years = [2012, 2030]
values = [20.0, 30.0]
[exogenous.working_age_population]
unit = "million"
source = "test population"
years = [2007, 2060]
values = [35.0, 22.0]
"""


def _profile_file(tmp_path, text):
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_profiles_are_data_files_read_and_validated():
    assert profile_names() == ("japan", "korea")
    for name in profile_names():
        prof = get_profile(name)
        assert prof.name == name and prof.source == f"smesim/data/profiles/{name}.toml"
        assert set(prof.exogenous) == {x.name for x in EXOGENOUS}
        assert get_profile(prof) is prof  # a resolved profile passes through
    japan, korea = get_profile("japan"), get_profile("korea")
    assert korea.overrides == {} and korea.baseline_levers == {}
    assert japan.policy_start == korea.policy_start == 2026
    assert japan.overrides["init_wage_ratio_1_4"] == 62.0
    assert japan.baseline_levers == {"rd_subsidy_rate": 3.0, "rd_tax_incentive_rate": 6.0}
    # no Japanese data touch the export start state: fixed, not "estimated" at its prior
    assert "init_export_share_sme" not in japan.free_parameter_names()
    assert "init_export_share_sme" in korea.free_parameter_names()
    assert japan.prior_centre("init_wage_ratio_1_4") == 62.0
    japan_set = japan.default_parameter_set().as_dict()
    assert japan_set["init_rd_share_sme"] == 10.0
    # Japan's own size structure (SMEs employ about 70 %), not Korea's
    sme = sum(japan_set[f"init_employment_share_{c}"] for c in ("1_4", "5_9", "10_99", "100_499"))
    korea_set = korea.default_parameter_set().as_dict()
    korea_sme = sum(
        korea_set[f"init_employment_share_{c}"] for c in ("1_4", "5_9", "10_99", "100_499")
    )
    assert sme == 70.0 and korea_sme > 85.0


def test_profile_exogenous_paths_interpolate_the_table_flat_beyond_its_ends():
    table = get_profile("japan").exogenous["population_65plus_share"]
    assert table.years == (2007.0, 2012.0, 2018.0, 2030.0, 2040.0, 2060.0)
    t = np.array([2000.0, 2007.0, 2012.0, 2015.0, 2018.0, 2060.0, 2100.0])
    got = get_profile("japan").exogenous_paths(t)["population_65plus_share"]
    np.testing.assert_allclose(got, [21.5, 21.5, 24.1, 26.1, 28.1, 38.1, 38.1], rtol=1e-12)
    korea = get_profile("korea").exogenous_paths(np.array([2000.0, 2018.0, 2067.0, 2090.0]))
    np.testing.assert_array_equal(korea["population_65plus_share"], [7.3, 14.4, 46.5, 46.5])
    # the working-age population (million), an exogenous input of the v2 model
    wap = get_profile("korea").exogenous_paths(np.array([2000.0, 2007.0, 2014.0, 2100.0]))
    np.testing.assert_allclose(wap["working_age_population"], [34.8, 34.8, 37.1, 17.8])


def test_a_valid_profile_file_reads(tmp_path):
    prof = read_profile(_profile_file(tmp_path, _PROFILE))
    assert prof.name == "p" and prof.prior_sd("productivity_adjustment_time") == 1.0
    assert prof.policy_start == 2026
    assert prof.exogenous["working_age_population"].years == (2007.0, 2060.0)
    assert prof.free_parameter_names() == tuple(
        n for n in CALIBRATED if n != "init_export_share_sme"
    )


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            "init_export_share_sme = 25.0",
            "init_export_shar_sme = 25.0",
            r"overrides\.init_export_shar_sme: unknown parameter"
            r".*did you mean 'init_export_share_sme'",
        ),
        (
            "init_export_share_sme = 25.0",
            "init_export_share_sme = nan",
            r"overrides\.init_export_share_sme: expected a finite number \(got nan\)",
        ),
        (
            "init_export_share_sme = 25.0",
            "init_export_share_sme = 250.0",
            r"overrides\.init_export_share_sme: expected a value in \[5, 60\] % \(got 250\)",
        ),
        (
            "init_export_share_sme = 25.0",
            'init_export_share_sme = "25"',
            r"overrides\.init_export_share_sme: expected a finite number \(got '25'\)",
        ),
        (
            "init_export_share_sme = 25.0",
            "init_employment_share_1_4 = 60.0\ninit_employment_share_10_99 = 40.0",
            r"overrides: init_employment_share_1_4, .*: expected the four SME class shares",
        ),
        (
            "rd_subsidy_rate = 3.0",
            "rd_subsidy_rat = 3.0",
            r"baseline_levers\.rd_subsidy_rat: unknown lever.*did you mean 'rd_subsidy_rate'",
        ),
        (
            "rd_subsidy_rate = 3.0",
            "rd_subsidy_rate = inf",
            r"baseline_levers\.rd_subsidy_rate: expected a finite number \(got inf\)",
        ),
        (
            "rd_subsidy_rate = 3.0",
            "rd_subsidy_rate = 99.0",
            r"baseline_levers\.rd_subsidy_rate: expected a value in \[0, 50\]",
        ),
        (
            '["init_export_share_sme"]',
            '["init_employment_share_1_4"]',
            r"fixed_in_calibration\[0\]: expected a calibrated parameter "
            r"\(got 'init_employment_share_1_4', status 'assumed'\)",
        ),
        (
            "productivity_adjustment_time = 1.0",
            "productivity_adjustment_time = 0.0",
            r"prior_sds\.productivity_adjustment_time: expected a finite number > 0",
        ),
        (
            'description = "test profile"',
            'descripton = "test profile"',
            r"p\.toml: descripton: unknown key.*did you mean 'description'",
        ),
        ('description = "test profile"', "", r"p\.toml: description: missing required key"),
        (
            "[exogenous.population_65plus_share]",
            "[exogenous.population_65_share]",
            r"exogenous\.population_65_share: unknown exogenous input",
        ),
        (
            "years = [2012, 2030]",
            "years = [2030, 2012]",
            r"exogenous\.population_65plus_share\.years: expected strictly increasing years",
        ),
        (
            "values = [20.0, 30.0]",
            "values = [20.0]",
            r"exogenous\.population_65plus_share\.values: expected as many values as years",
        ),
        (
            "values = [20.0, 30.0]",
            "values = [20.0, nan]",
            r"exogenous\.population_65plus_share\.values: expected finite numbers \(got nan\)",
        ),
        (
            "values = [20.0, 30.0]",
            "values = [20.0, 130.0]",
            r"exogenous\.population_65plus_share\.values: expected numbers in \[0, 100\] % "
            r"\(got 130\)",
        ),
        (
            "values = [35.0, 22.0]",
            "values = [35.0, -1.0]",
            r"exogenous\.working_age_population\.values: expected numbers in \(0, inf\] million "
            r"\(got -1\)",
        ),
        (
            'unit = "million"',
            'unit = "thousand"',
            r"exogenous\.working_age_population\.unit: expected 'million' \(got 'thousand'\)",
        ),
        (
            'unit = "%"',
            'unit = "percent"',
            r"exogenous\.population_65plus_share\.unit: expected '%' \(got 'percent'\)",
        ),
        (
            'source = "test"\n',
            "",
            r"exogenous\.population_65plus_share\.source: missing required key",
        ),
        (
            'levers = "assumed"',
            "levers = 3",
            r"assumptions\.levers: expected a non-empty string \(got 3\)",
        ),
        ("[prior_sds]", "prior_sds = 1\n[x]", r"p\.toml: x: unknown key"),
    ],
)
def test_bad_profile_files_are_one_line_errors_naming_file_and_key(tmp_path, old, new, pattern):
    assert old in _PROFILE
    path = _profile_file(tmp_path, _PROFILE.replace(old, new))
    with pytest.raises(ProfileError, match=pattern) as info:
        read_profile(path)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))


def test_a_profile_without_exogenous_tables_is_an_error(tmp_path):
    text = _PROFILE.split("[exogenous.")[0]
    with pytest.raises(ProfileError, match=r"exogenous\.population_65plus_share: missing table"):
        read_profile(_profile_file(tmp_path, text))
    text = _PROFILE.split("[exogenous.working_age_population]")[0]
    with pytest.raises(ProfileError, match=r"exogenous\.working_age_population: missing table"):
        read_profile(_profile_file(tmp_path, text))


def test_unknown_profile_name_is_an_error():
    with pytest.raises(ParameterError, match=r"profile: expected one of japan, korea.*'korea'"):
        get_profile("koreaa")


def test_no_parameter_name_is_spelled_in_profiles_py():
    """Profiles are data: every parameter name lives in the TOML files, not in the code."""
    source = inspect.getsource(profiles_module)
    spelled = sorted(n for n in NAMES if re.search(rf"\b{n}\b", source))
    assert spelled == []
