"""The README says what the code does.

- The quick start is two commands that install into a virtual environment, so
  they work on a system Python that refuses installs (PEP 668, Debian/Ubuntu),
  and `.ci/run` runs the README's test command.
- Every repository path and module the README names exists.
- Parameter statuses and the fitted 2012 and 2017 figures it quotes are those of the code.
- Every dependency in pyproject.toml is in its "Dependencies and why" tables.
- Each bundled scenario's description gives the years its schedules give.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from smesim.analysis.run import simulate_scenario
from smesim.inputs.scenario import bundled_names, load_scenario, scenarios_dir
from smesim.model.params import PARAMETERS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
VENV = ".venv"


def _section(title: str) -> str:
    """The text of the README section ``## title``, up to the next ``## ``."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert m, f"README has no section '## {title}'"
    return m.group(1)


def _quick_start() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", _section("Quick start"), re.S)
    assert block, "the quick start has no ```bash block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def _steps(command: str) -> list[list[str]]:
    return [shlex.split(part) for part in command.split(" && ")]


# ---- quick start (issue 13, defect 0) -----------------------------------------------


def test_quick_start_is_two_commands():
    commands = _quick_start()
    assert len(commands) == 2, commands
    run, test = commands
    assert _steps(run)[-1] == [f"{VENV}/bin/smesim", "brief"]
    assert _steps(test)[-1] == [f"{VENV}/bin/python", "-m", "pytest", "-q"]
    assert [f"{VENV}/bin/pip", "install", "-e", ".[test]"] in _steps(test)


@pytest.mark.parametrize("which", [0, 1], ids=["run", "test"])
def test_quick_start_never_installs_into_the_system_python(which):
    """PEP 668: Debian's python3 refuses `pip install` outside a virtual environment.

    So each command first creates (or reuses) the venv, and every later step runs a
    program from inside it, not whatever `python3`, `pip` or `smesim` is on PATH.
    """
    first, *rest = _steps(_quick_start()[which])
    assert first == ["python3", "-m", "venv", VENV]
    assert rest, "the command does nothing after creating the environment"
    for step in rest:
        assert step[0].startswith(f"{VENV}/bin/"), step
        assert "--break-system-packages" not in step
        assert "--user" not in step


def test_quick_start_commands_work_in_either_order():
    """Both create the same venv (reusing it, never clearing it), and each installs
    smesim itself, so neither depends on the other having run."""
    for steps in (_steps(c) for c in _quick_start()):
        assert steps[0] == ["python3", "-m", "venv", VENV]
        assert not any("--clear" in s for s in steps)
        assert any(s[:3] == [f"{VENV}/bin/pip", "install", "-e"] for s in steps)


def test_ci_runs_the_readme_test_command():
    """`.ci/run` runs the README's second command step by step (in .venv-ci), plus the
    linter; nothing else installs or tests."""
    commands = []
    for line in CI_RUN.splitlines():
        line = line.split("#", 1)[0].strip()
        commands += [shlex.split(part) for part in line.split(" && ") if part.strip()]
    readme = [[w.replace(f"{VENV}/", f"{VENV}-ci/") for w in s] for s in _steps(_quick_start()[1])]
    readme[0] = [f"{VENV}-ci" if w == VENV else w for w in readme[0]]
    positions = [commands.index(step) for step in readme]
    assert positions == sorted(positions), "the README's steps run out of order in .ci/run"
    assert [f"{VENV}-ci/bin/ruff", "check", "."] in commands
    assert [f"{VENV}-ci/bin/ruff", "format", "--check", "."] in commands
    extra = [c for c in commands if c not in readme and "ruff" not in c[0]]
    assert all(c[0] in {"set", "cd"} for c in extra), extra


# ---- paths and module names ----------------------------------------------------------

_REPO_PATH = re.compile(
    r"(?<![\w./$~-])((?:src|tests|docs|benchmarks|calibration|scenarios|\.ci|smesim)/[\w./<>*-]*)"
)


def _readme_paths() -> list[str]:
    paths = set()
    for raw in _REPO_PATH.findall(README):
        path = raw.rstrip(".")
        if path.startswith("smesim/"):
            path = "src/" + path
        # placeholders such as <profile>: check the part before them
        path = re.split(r"[<*]", path)[0]
        paths.add(path.rstrip("/") if path != "src/smesim/" else path)
    return sorted(paths)


@pytest.mark.parametrize("path", _readme_paths())
def test_every_path_in_readme_exists(path):
    assert (ROOT / path).exists(), f"README names {path}, which does not exist"


def test_readme_names_current_modules():
    names = set(re.findall(r"`(smesim(?:\.\w+)+)`", README))
    assert names, "expected the README to name some modules"
    for name in sorted(names):
        assert importlib.util.find_spec(name) is not None, f"README names module {name}"


def test_readme_links_to_the_architecture():
    assert "docs/architecture.md" in _section("Layout")


# ---- parameter statuses and the fitted figures (issue 13, defect 9) -------------------

_STATUS_BULLET = re.compile(r"^- `(data|calibrated|assumed)`: (.*?)(?=^- |^\n|\Z)", re.S | re.M)


def test_parameter_statuses_in_readme_are_the_codes():
    by_name = {p.name: p.status for p in PARAMETERS}
    bullets = dict(_STATUS_BULLET.findall(_section("The model")))
    assert set(bullets) == {"data", "calibrated", "assumed"}
    named = {s: set(re.findall(r"`(\w+)`", text)) & set(by_name) for s, text in bullets.items()}
    for status, names in named.items():
        for name in names:
            assert by_name[name] == status, f"README lists {name} as {status}"
    # every `data` parameter is named, so the list of fixed figures is complete
    assert named["data"] == {n for n, s in by_name.items() if s == "data"}
    # the start state read off the paper's tables is estimated, and the README says so
    from_tables = {p.name for p in PARAMETERS if p.initial and p.source.startswith("Table")}
    assert {"init_wage_ratio_1_4", "init_rd_share_sme"} <= from_tables
    assert from_tables <= named["calibrated"]


def test_readme_quotes_the_fitted_2012_and_2017_values():
    res = simulate_scenario(None, until=2018, profile="korea")
    text = " ".join(_section("The model").split())
    for series, year, published in (
        ("wage_ratio_all_firms", 2012, "56.7"),
        ("wage_ratio_all_firms", 2017, "54.2"),
        ("rd_share_sme", 2012, "25.8"),
        ("rd_share_sme", 2017, "21.9"),
    ):
        modelled = f"{float(res.at(year, series)[0]):.1f}"
        assert modelled in text, f"README does not give the modelled {year} {series} {modelled}"
        assert published in text


# ---- dependencies --------------------------------------------------------------------


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]


def test_every_dependency_is_explained():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    section = _section("Dependencies and why")
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    table = " ".join(rows).lower()
    required = {_requirement_name(s) for s in project["dependencies"]}
    for specs in project["optional-dependencies"].values():
        required |= {_requirement_name(s) for s in specs if not s.startswith("smesim")}
    missing = sorted(n for n in required if n.lower() not in table)
    assert not missing, f"README's dependency tables do not mention {missing}"
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if cells[0] not in {"package", "package (extra)", "---"}:
            assert len(cells) == 2 and len(cells[1]) > 5, f"no reason given: {row}"


# ---- scenario descriptions (issue 13, defect 9) --------------------------------------

_SPAN = re.compile(r"\b((?:19|20|21)\d\d)\s*[-–]\s*((?:19|20|21)\d\d)\b")


def _descriptions(name: str) -> str:
    raw = tomllib.loads((scenarios_dir() / f"{name}.toml").read_text(encoding="utf-8"))
    desc = raw["description"]
    return " ".join(desc.values()) if isinstance(desc, dict) else desc


def _schedule_spans(name: str) -> set[tuple[int, int]]:
    spans = set()
    for sched in load_scenario(name).own.values():
        if sched.kind in {"ramp", "pulse"}:
            spans.add((round(sched.start), round(sched.start + sched.years)))
    return spans


@pytest.mark.parametrize("name", bundled_names())
def test_scenario_description_years_match_its_schedules(name):
    """ "phased in over 2026-2030" must not describe a 5-year ramp from 2026 (2026-2031)."""
    text = " ".join(_descriptions(name).split())
    said = {(int(a), int(b)) for a, b in _SPAN.findall(text)}
    assert said == _schedule_spans(name), text
