"""The package layout: no import cycle, and imports point down the pipeline.

Every module under ``src/smesim`` is parsed (never imported) and every
``import`` in it, at module level or inside a function, becomes an edge of
the import graph.  Importing a submodule also runs its parent packages'
``__init__``; those implicit edges are left out (every module would otherwise
depend on ``smesim/__init__.py``), but an explicit ``from smesim import x`` is
an edge to the package ``smesim``, the public facade.

The layers, bottom up::

    errors, io  <-  model  <-  inputs  <-  engine  <-  analysis  <-  report, export  <-  cli

``engine`` is given its inputs as objects and never reads files, so it may not
import ``inputs``.  The facade (``smesim/__init__.py``) re-exports engine and
inputs, so only the layers above those may import it.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest

from smesim.cli import COMMANDS, options
from smesim.inputs.profiles import profile_names
from smesim.model.horizon import DEFAULT_END_YEAR, MAX_END_YEAR, REPORTING_YEARS, START_YEAR
from smesim.model.outputs import COEXISTENCE

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "smesim"
FACADE = PACKAGE  # smesim/__init__.py

#: Leaves: import nothing of smesim but each other; every layer may import them.
_VERSION = "_version"
_LEAVES = {"errors", _VERSION}
_BELOW_ANALYSIS = {"analysis", "engine", "inputs", "model", "io", FACADE} | _LEAVES
#: layer -> the layers its modules may import (its own layer included).
ALLOWED: dict[str, set[str]] = {
    "errors": _LEAVES,
    _VERSION: _LEAVES,
    "io": {"io"} | _LEAVES,
    "model": {"model"} | _LEAVES,
    "inputs": {"inputs", "model", "io"} | _LEAVES,
    "engine": {"engine", "model"} | _LEAVES,
    "analysis": _BELOW_ANALYSIS,
    "report": _BELOW_ANALYSIS | {"report", "export"},
    "export": _BELOW_ANALYSIS | {"report", "export"},
    "cli": _BELOW_ANALYSIS | {"report", "export", "cli"},
    FACADE: {FACADE, "engine", "inputs", "model", "io"} | _LEAVES,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


MODULES = _modules()


def _targets(node: ast.AST, importer: str, is_package: bool) -> list[str]:
    """smesim modules an ``import`` / ``from ... import`` statement names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == PACKAGE]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # relative: resolve against the importer's package
        base = importer.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] != PACKAGE:
        return []
    # ``from pkg import mod`` names the submodule; ``from mod import name`` the module.
    return [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names]


def import_graph() -> dict[str, set[str]]:
    """``module -> {imported smesim modules}``, every import in the module's source."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges = graph.setdefault(name, set())
        for node in ast.walk(tree):
            for target in _targets(node, name, is_package):
                if target != name:
                    edges.add(target)
    return graph


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else FACADE


def layer_violations(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (src, dst)
        for src, dsts in graph.items()
        for dst in dsts
        if layer(dst) not in ALLOWED[layer(src)]
    )


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in sorted(graph):
        if state.get(root):
            continue
        path = [root]
        stack = [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_the_graph_holds_module_level_and_function_level_imports():
    graph = import_graph()
    assert {layer(m) for m in graph} == set(ALLOWED)
    assert "smesim.errors" in graph["smesim.io"]  # module level
    # function level: parsed like any other import
    tree = ast.parse("def f():\n    from smesim.report import charts\n    import smesim.io\n")
    found = [t for n in ast.walk(tree) for t in _targets(n, "smesim.cli.x", False)]
    assert found == ["smesim.report.charts", "smesim.io"]


def test_every_module_has_a_layer_rule():
    unknown = sorted(m for m in MODULES if layer(m) not in ALLOWED)
    assert not unknown, f"modules outside every layer: {unknown}"


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_imports_point_down_the_pipeline():
    bad = layer_violations(import_graph())
    assert not bad, "layer rule broken by: " + "; ".join(f"{s} imports {d}" for s, d in bad)


def test_the_checks_catch_a_cycle_and_an_upward_import():
    """The helpers themselves: a planted cycle and a planted upward edge are found."""
    graph = {"smesim.model.a": {"smesim.model.b"}, "smesim.model.b": {"smesim.model.a"}}
    assert find_cycle(graph) in (
        ["smesim.model.a", "smesim.model.b", "smesim.model.a"],
        ["smesim.model.b", "smesim.model.a", "smesim.model.b"],
    )
    assert find_cycle({"smesim.model.a": {"smesim.model.b"}, "smesim.model.b": set()}) is None
    upward = {"smesim.model.a": {"smesim.engine.simulate"}, "smesim.engine.simulate": set()}
    assert layer_violations(upward) == [("smesim.model.a", "smesim.engine.simulate")]


# ---- imports inside functions ------------------------------------------------------------
#: Modules where every import sits at the top, and the optional dependencies (extras)
#: that may still be imported where they are used, so smesim runs without them.
TOP_LEVEL_ONLY = ("smesim.cli", "smesim.report", "smesim.io", "smesim.engine.parallel")
OPTIONAL = {"SALib", "dask", "distributed", "pysd", "pint"}


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import inside a function, optional extras aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or "."]
            else:
                continue
            found |= {(node.lineno, n) for n in names if n.split(".")[0] not in OPTIONAL}
    return sorted(found)


@pytest.mark.parametrize(
    "module", [m for m in MODULES if m.startswith(TOP_LEVEL_ONLY)], ids=lambda m: m
)
def test_no_import_inside_a_function(module):
    found = _function_level_imports(MODULES[module])
    assert not found, f"{module}: imports inside functions: " + ", ".join(
        f"line {line} {name}" for line, name in found
    )


# ---- constants defined once ----------------------------------------------------------------
def _literal_sequences(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple | ast.List) and node.elts:
            if all(isinstance(e, ast.Constant) for e in node.elts):
                yield node.lineno, tuple(e.value for e in node.elts)


def test_reporting_years_and_coexistence_indices_are_written_once():
    homes = {REPORTING_YEARS: "smesim.model.horizon", COEXISTENCE: "smesim.model.outputs"}
    copies = [
        f"{name}:{line} {values}"
        for name, path in MODULES.items()
        for line, values in _literal_sequences(path)
        for constant, home in homes.items()
        if name != home and set(values) == set(constant)
    ]
    assert not copies, "written again instead of imported: " + "; ".join(copies)


def _year_limits(path: Path) -> list[tuple[int, int]]:
    """``(line, year)`` where a horizon year is written as a number: in a comparison, a
    default argument, a keyword argument (``Field(ge=2007)``) or as the value of a name
    (``FIRST, LAST = 2007, 2100``)."""
    limits = {START_YEAR, DEFAULT_END_YEAR, MAX_END_YEAR}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            candidates = [node.left, *node.comparators]
        elif isinstance(node, ast.arguments):
            candidates = [*node.defaults, *node.kw_defaults]
        elif isinstance(node, ast.keyword):
            candidates = [node.value]
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            value = node.value
            candidates = value.elts if isinstance(value, ast.Tuple) else [value]
        else:
            continue
        found |= {
            (c.lineno, c.value)
            for c in candidates
            if isinstance(c, ast.Constant) and type(c.value) is int and c.value in limits
        }
    return sorted(found)


def test_year_limits_come_from_the_horizon_module():
    written = [
        f"{name}:{line} {year}"
        for name, path in MODULES.items()
        if name != "smesim.model.horizon"
        for line, year in _year_limits(path)
    ]
    assert not written, "import it from smesim.model.horizon: " + "; ".join(written)


def test_the_source_checks_find_what_they_look_for(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "YEARS = (2030, 2040, 2060)\nX = [1]\n"
        "def f():\n    import numpy\n    def g():\n        from pint import Unit\n"
    )
    assert list(_literal_sequences(path)) == [(1, (2030, 2040, 2060)), (2, (1,))]
    assert _function_level_imports(path) == [(4, "numpy")]  # pint: an optional extra
    # the horizon's limits are found; other years (2012, 2017: data years) are not
    assert {2012, 2017}.isdisjoint({START_YEAR, DEFAULT_END_YEAR, MAX_END_YEAR})
    path.write_text(
        f"A, B = {START_YEAR}, 2100\ndef f(y=2060, z=1, w=2012):\n"
        f"    return y > 2100 or g(ge={START_YEAR}) or y > 2017\n"
    )
    assert _year_limits(path) == [
        (1, START_YEAR),
        (1, 2100),
        (2, 2060),
        (3, START_YEAR),
        (3, 2100),
    ]


# ---- the command line ---------------------------------------------------------------------
def test_every_command_has_its_module_and_the_listed_summary():
    """``smesim --help`` lists :data:`smesim.cli.COMMANDS` without loading the commands;
    each summary is the first paragraph of its command's help, and each command is the
    function of its name in ``smesim.cli.<name>``."""
    modules = {m.rsplit(".", 1)[1] for m in MODULES if m.startswith("smesim.cli.")}
    assert set(COMMANDS) <= modules
    for name, summary in COMMANDS.items():
        cmd = getattr(importlib.import_module(f"smesim.cli.{name}"), name)
        assert isinstance(cmd, click.Command) and cmd.name == name
        first = " ".join(cmd.help.split("\n\n")[0].split())
        assert summary == first, f"smesim.cli.COMMANDS[{name!r}] is not the command's help"


def test_the_profile_option_offers_every_bundled_profile():
    assert sorted(options.PROFILES) == sorted(profile_names())


def test_help_loads_no_command(tmp_path):
    """``smesim --help`` imports none of the command modules (nor scipy.optimize, scipy.stats
    or matplotlib, which they need)."""
    code = (
        "import sys; sys.argv = ['smesim', '--help']\n"
        "from smesim.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "from smesim.cli import COMMANDS\n"
        "heavy = ['scipy.optimize', 'scipy.stats', 'matplotlib']\n"
        "heavy += [f'smesim.cli.{c}' for c in COMMANDS]\n"
        "print('LOADED', [m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert "Commands:" in out and "sensitivity" in out
    assert out.strip().splitlines()[-1] == "LOADED []"
