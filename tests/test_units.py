"""Units: every equation of the model is dimensionally consistent, each stock's
net rate is in its unit per year, and deliberate mistakes are caught."""

from __future__ import annotations

import dataclasses
import re

import pytest
from click.testing import CliRunner

from smesim import load_scenario
from smesim.cli import cli
from smesim.export.equations import ModelTable, build_table
from smesim.export.units import check_units, registry
from smesim.model import MODEL

pytest.importorskip(
    "pint",
    reason="pint not installed (pip install 'smesim[units]'); CI "
    "installs it through the test extra",
)


@pytest.fixture(scope="module")
def table() -> ModelTable:
    return build_table(load_scenario("coexistence_package"))


def altered(model: ModelTable, name: str, **changes) -> ModelTable:
    variables = tuple(
        dataclasses.replace(v, **changes) if v.name == name else v for v in model.variables
    )
    return dataclasses.replace(model, variables=variables)


@pytest.mark.parametrize(
    "scenario,profile",
    [("baseline", "korea"), ("coexistence_package", "korea"), ("baseline", "japan")],
)
def test_model_is_consistent(scenario, profile):
    report = check_units(build_table(load_scenario(scenario), profile=profile))
    assert report.ok, report.text()
    # every stock of the model is checked: the 20 of the paper's sectors plus large firms'
    # technological opportunity and the nominal cost index (v2 exogenous drivers as stocks)
    assert report.stocks == len(MODEL.stocks) == 22 and report.flows >= 20
    assert report.equations == sum(1 for _ in report_variables(scenario, profile))


def report_variables(scenario, profile):
    model = build_table(load_scenario(scenario), profile=profile)
    return [v for v in model.variables if v.kind != "gf"]


def test_every_variable_declares_a_readable_unit(table):
    ureg = registry()
    for v in table.variables:
        assert v.unit, v.name
        ureg.Quantity(1, v.unit)  # raises on an unreadable unit


@pytest.mark.parametrize(
    "name,changes,culprit,message",
    [
        # a time constant declared as a rate: the flow comes out in % * yr, not %/yr
        ("wage_adjustment_time", {"unit": "1/yr"}, "wage_adjustment_1_4", "declared %/yr"),
        # a rate declared as a time
        (
            "knowledge_depreciation_rate",
            {"unit": "yr"},
            "knowledge_depreciation_sme",
            "declared RDU/yr",
        ),
        # a flow in the wrong unit for its stock
        ("skills_change", {"unit": "%/yr"}, "sme_skills_index", "net rate must be in index/yr"),
        # a fraction where a percent is declared (percent is its own dimension)
        (
            "rd_share_sme",
            {"eqn": "rd_sme / (rd_sme + rd_large)"},
            "rd_share_sme",
            "gives 1, declared %",
        ),
        # adding a stock to a flow
        ("rd_sme", {"eqn": "private_rd_sme + knowledge_sme"}, "rd_sme", "'\\+' of RDU/yr and RDU"),
        # EXP of a dimensioned quantity
        (
            "dispersion_factor",
            {"eqn": "EXP(-dispersion_effect * capital_region_grp_share)"},
            "dispersion_factor",
            "EXP of %",
        ),
        # a dimensioned base to a parameter power
        (
            "wage_drive",
            {"eqn": "productivity_ratio_sme ^ wage_productivity_elasticity"},
            "wage_drive",
            "variable power",
        ),
        # MIN of different units
        (
            "scale_up_multiplier",
            {"eqn": "MIN(productivity_ratio_sme, scale_up_capacity)"},
            "scale_up_multiplier",
            "MIN of % and 1",
        ),
        # a population (million persons) where its ratio to the start year belongs
        (
            "wage_drive",
            {"eqn": "EXP(-labour_scarcity_wage_effect * working_age_population)"},
            "wage_drive",
            "EXP of million",
        ),
        # a population added to a share
        (
            "wage_drive",
            {"eqn": "(working_age_population + productivity_ratio_sme) / productivity_0"},
            "wage_drive",
            "'\\+' of million and %",
        ),
        # a wrong stock unit: its initial value and its flows disagree
        ("export_share_sme", {"unit": "index"}, "export_share_sme", "initial value gives %"),
        # an unreadable unit
        ("labour_share_large", {"unit": "furlongs"}, "labour_share_large", "cannot be read"),
    ],
)
def test_deliberate_errors_are_caught(table, name, changes, culprit, message):
    report = check_units(altered(table, name, **changes))
    assert not report.ok
    hits = [str(i) for i in report.issues if i.variable == culprit]
    assert hits, report.text()
    assert any(re.search(message, h) for h in hits), hits


def test_unattached_flow_is_caught(table):
    model = altered(table, "researchers_sme", inflows=())
    report = check_units(model)
    assert [str(i) for i in report.issues] == ["researcher_change_sme: flow attached to no stock"]


def test_lever_gf_argument_must_be_time(table):
    model = altered(
        table, "population_65plus_share", eqn="population_65plus_share_table(employment_share_sme)"
    )
    report = check_units(model)
    assert any("argument of population_65plus_share_table" in str(i) for i in report.issues)


def test_cli_check_units():
    res = CliRunner().invoke(cli, ["check", "units", "--scenario", "coexistence_package"])
    assert res.exit_code == 0, res.output
    assert "consistent" in res.output and "22 stocks" in res.output


def test_cli_check_units_fails_on_inconsistency(monkeypatch, table):
    import smesim.export.units

    bad = altered(table, "wage_adjustment_time", unit="1/yr")
    monkeypatch.setattr(smesim.export.units, "build_table", lambda *a, **k: bad)
    res = CliRunner().invoke(cli, ["check", "units"])
    assert res.exit_code == 2
    assert res.output.splitlines()[-1].startswith("smesim: error: units: 4 inconsistencies")
    assert "Traceback" not in res.output


def test_installed_entry_point_checks_units():
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "smesim"
    proc = subprocess.run(
        [str(exe), "check", "units", "--profile", "japan"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "(baseline, japan)" in proc.stdout and "consistent" in proc.stdout
