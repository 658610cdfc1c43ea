"""The generated model reference covers the whole model and is regenerated from code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from smesim.cli import cli
from smesim.export.docgen import model_reference
from smesim.export.equations import build_table
from smesim.model import MODEL
from smesim.model.levers import LEVERS
from smesim.model.loops import LOOPS
from smesim.model.outputs import CANONICAL
from smesim.model.params import PARAMETERS

STOCKS = MODEL.stocks


@pytest.fixture(scope="module")
def text() -> str:
    return model_reference()


@pytest.fixture(scope="module")
def rows(text) -> dict[str, str]:
    """Name -> the row that defines it (the anchored one), from every table."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"\| <a id=\"[^\"]+\"></a>`([a-z0-9_]+)`", line)
        if m:
            assert m.group(1) not in out, f"{m.group(1)} defined twice"
            out[m.group(1)] = line
    return out


def test_every_parameter_with_value_status_and_source(rows):
    for p in PARAMETERS:
        row = rows.get(p.name)
        assert row, f"parameter {p.name} missing"
        cells = [c.strip() for c in row.split(" | ")]
        assert p.status in cells, (p.name, row)
        assert p.source.replace("|", "\\|")[:60] in row, (p.name, row)
        assert f"{p.lower:g} – {p.upper:g}" in row


def test_every_stock_flow_and_auxiliary_with_equation_and_unit(rows):
    model = build_table()
    for v in model.variables:
        if v.kind in ("stock", "flow", "aux"):
            row = rows.get(v.name)
            assert row, f"{v.kind} {v.name} missing"
            assert f"`{v.eqn}`".replace("|", "\\|") in row, (v.name, row)
            assert f"| {v.unit} |" in row, (v.name, row)
    assert {s.name for s in STOCKS} <= rows.keys()


def test_every_lever_loop_and_output(text, rows):
    for lv in LEVERS:
        assert lv.id in rows and lv.source[:50] in rows[lv.id]
    for loop in LOOPS:
        assert f"### Loop {loop.number}: {loop.name}" in text
        assert "Path: " + " → ".join(f"`{n}`" for n in loop.path) in text
    assert "not in the equation table" not in text, "a loop passes through an unknown variable"
    for series in CANONICAL:
        assert f"`{series}`" in text


def test_exogenous_tables_and_derived_constants(text):
    assert "`population_65plus_share` (korea, %)" in text
    assert "`population_65plus_share` (japan, %)" in text
    for name in (
        "rd_intensity_sme_0",
        "researcher_cost_sme_0",
        "knowledge_ratio_0",
        "shrink_rate_5_9",
    ):
        assert f"`{name}`" in text


def test_regenerated_not_written(text):
    assert model_reference() == text  # deterministic: same code, same text
    assert "Do not edit by hand" in text


def test_cli_doc(tmp_path, text):
    runner = CliRunner()
    out = tmp_path / "reference.md"
    res = runner.invoke(cli, ["doc", "--out", str(out)])
    assert res.exit_code == 0 and str(out) in res.output
    assert out.read_text(encoding="utf-8") == text
    printed = runner.invoke(cli, ["doc", "--profile", "japan"])
    assert printed.exit_code == 0 and "profile `japan`" in printed.output


def test_committed_reference_is_up_to_date(text):
    """docs/reference.md is the generated reference; a change to the model declaration
    (or to a bundled parameter set) must come with a regenerated file."""
    path = Path(__file__).resolve().parent.parent / "docs" / "reference.md"
    committed = path.read_text(encoding="utf-8").splitlines()
    fresh = text.splitlines()
    differ = [i for i, (a, b) in enumerate(zip(committed, fresh, strict=False), 1) if a != b]
    where = f"line {differ[0]}" if differ else "length"
    assert committed == fresh, (
        f"docs/reference.md is out of date at {where}: run `smesim doc --out docs/reference.md`"
    )
