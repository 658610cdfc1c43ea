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
from pathlib import Path

import pytest

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

#: Edges that break the rules today, in modules others are rewriting.  Each is
#: an expected failure of ``test_known_violation_is_fixed`` (strict): once an
#: edge is gone that test XPASSes, which strict mode reports as a failure, so
#: whoever fixes it deletes the entry here and the edge can never come back.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
    (
        "smesim.analysis.calibrate",
        "smesim.report.calibration_report",
    ): "analysis imports report (inside a function: the calibrate <-> calibration_report cycle)",
    (
        "smesim.engine.simulate",
        "smesim.inputs.profiles",
    ): "engine reads inputs (simulate() loads the profile when none is given)",
    (
        "smesim.engine.simulate",
        "smesim.inputs.scenario",
    ): "engine reads inputs (simulate() loads the baseline scenario when none is given)",
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


def _without_known(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        src: {d for d in dsts if (src, d) not in KNOWN_VIOLATIONS} for src, dsts in graph.items()
    }


def test_the_graph_sees_every_layer_and_function_level_imports():
    graph = import_graph()
    assert {layer(m) for m in graph} == set(ALLOWED)
    # a module-level and a function-level import (ensemble loads SALib-free sensitivity
    # lazily nowhere; the CLI loads each command's module on demand by name, not by import)
    assert "smesim.model.params" in graph["smesim.engine.simulate"]
    assert "smesim.errors" in graph["smesim.io"]


def test_every_module_has_a_layer_rule():
    unknown = sorted(m for m in MODULES if layer(m) not in ALLOWED)
    assert not unknown, f"modules outside every layer: {unknown}"


def test_no_import_cycle():
    cycle = find_cycle(_without_known(import_graph()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_imports_point_down_the_pipeline():
    bad = [e for e in layer_violations(import_graph()) if e not in KNOWN_VIOLATIONS]
    assert not bad, "layer rule broken by: " + "; ".join(f"{s} imports {d}" for s, d in bad)


@pytest.mark.parametrize(
    "edge",
    [
        pytest.param(edge, marks=pytest.mark.xfail(strict=True, reason=reason), id="->".join(edge))
        for edge, reason in KNOWN_VIOLATIONS.items()
    ],
)
def test_known_violation_is_fixed(edge):
    graph = import_graph()
    src, dst = edge
    assert dst not in graph[src], f"{src} imports {dst}: {KNOWN_VIOLATIONS[edge]}"


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
