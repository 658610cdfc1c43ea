"""The built wheel carries the bundled data, and an installed smesim works from anywhere.

Builds the wheel from a copy of the source tree (offline: ``pip wheel
--no-build-isolation`` with the setuptools and wheel of the test extras),
installs it into a fresh virtual environment and runs the command line from
a directory outside the repository.  The fresh environment sees this
environment's dependencies through a ``.pth`` line (so nothing is
downloaded) but not its editable smesim: ``.pth`` files of a directory added
that way are not executed, and the test checks which smesim it imports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smesim.inputs.bundled import data_dir

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # ~25 s (build, install, run, brief); kept in the default run


def _run(cmd, cwd, env, timeout=600):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return proc


def _check(proc):
    assert proc.returncode == 0, f"{proc.args}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(wheel, venv python, smesim script, site-packages, clean env)`` of a fresh install."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src-copy"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "src",
        src / "src",
        symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "history"),
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["XDG_DATA_HOME"] = str(tmp / "xdg")  # no user calibration
    env["PIP_NO_INDEX"] = "1"  # offline: everything needed is installed already
    dist = tmp / "dist"
    _check(
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                str(src),
                "--no-deps",
                "--no-build-isolation",
                "--quiet",
                "-w",
                str(dist),
            ],
            tmp,
            env,
        )
    )
    (wheel,) = dist.glob("smesim-*.whl")
    venv = tmp / "venv"
    _check(_run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp, env))
    py = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    site = Path(
        _check(
            _run(
                [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                tmp,
                env,
            )
        ).stdout.strip()
    )
    parent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_smesim_test_deps.pth").write_text("\n".join(sorted(parent)) + "\n")
    _check(
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(py),
                "install",
                "--no-deps",
                "--quiet",
                str(wheel),
            ],
            tmp,
            env,
        )
    )
    script = py.parent / "smesim"
    return wheel, py, script, site, env


def test_wheel_contains_every_bundled_file(installed):
    wheel = installed[0]
    with zipfile.ZipFile(wheel) as zf:
        names = {n for n in zf.namelist() if n.startswith("smesim/data/")}
    bundled = {
        "smesim/data/" + p.relative_to(data_dir()).as_posix()
        for p in data_dir().rglob("*")
        if p.is_file() and "history" not in p.parts and "__pycache__" not in p.parts
    }
    assert bundled <= names, sorted(bundled - names)
    for required in (
        "smesim/data/scenarios/baseline.toml",
        "smesim/data/scenarios/coexistence_package.toml",
        "smesim/data/profiles/korea.toml",
        "smesim/data/profiles/japan.toml",
        "smesim/data/params/korea.toml",
        "smesim/data/params/japan.toml",
        "smesim/data/releases/korea/2019-10-park2019-paper.csv",
        "smesim/data/releases/japan/2019-10-park2019-paper-japan.csv",
    ):
        assert required in names


def test_installed_smesim_runs_from_another_directory(installed, tmp_path):
    _, py, script, site, env = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _check(
        _run([str(py), "-c", "import smesim; print(smesim.__file__)"], elsewhere, env)
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(site.resolve()), where

    _check(_run([str(script), "run", "coexistence_package", "--out", "X"], elsewhere, env))
    man = json.loads((elsewhere / "X" / "coexistence_package.manifest.json").read_text())
    pset = man["parameter_set"]
    source = Path(pset["source"])
    assert source.resolve() == (site / "smesim" / "data" / "params" / "korea.toml").resolve()
    assert pset["calibrated_at"] and pset["data_files"], "expected the calibrated set"
    assert Path(man["scenario"]["path"]).resolve().is_relative_to(site.resolve())
    # the installed package computes the reference numbers (written with 6 significant digits)
    got = pd.read_csv(elsewhere / "X" / "coexistence_package.csv", index_col="year")
    ref = np.load(ROOT / "tests" / "reference" / "reference_outputs.npz")
    want = pd.DataFrame(
        ref["scenario/korea/coexistence_package"], index=ref["years"], columns=ref["columns"]
    )
    assert got.index.tolist() == want.index.tolist()
    # The coexistence indices were redefined on purpose (issue 12, item 8): not compared.
    cols = [c for c in got.columns if c in want.columns and not c.startswith("coexistence_")]
    np.testing.assert_allclose(got[cols].to_numpy(), want[cols].to_numpy(), rtol=1e-5, atol=1e-9)

    # every bundled scenario, the bundled releases (history pages) and the calibrated set;
    # PNG at 72 dpi only, to keep the test short
    brief_cmd = [str(script), "brief", "--out", "Y", "--format", "png", "--dpi", "72"]
    _check(_run(brief_cmd, elsewhere, env))
    brief = json.loads((elsewhere / "Y" / "brief.manifest.json").read_text())
    comp = brief["comparison"]
    assert Path(comp["parameter_set"]).resolve() == source.resolve()
    assert comp["calibrated_at"] == pset["calibrated_at"]
    assert brief["data_files"] == ["2019-10-park2019-paper.csv"]
    assert brief["pages"][:3] == ["cover", "key_findings", "history_1"]
    assert (elsewhere / "Y" / "history_1.png").stat().st_size > 0
    # nothing was written into the installed package
    assert not (site / "smesim" / "data" / "params" / "history").exists()


def test_installed_smesim_names_a_missing_bundled_file(installed, tmp_path):
    _, _, script, site, env = installed
    params = site / "smesim" / "data" / "params" / "japan.toml"
    backup = tmp_path / "japan.toml"
    shutil.move(params, backup)
    try:
        proc = _run([str(script), "run", "baseline", "--profile", "japan"], tmp_path, env)
    finally:
        shutil.move(backup, params)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln]
    assert len(lines) == 1, proc.stderr
    assert "smesim/data/params/japan.toml: calibrated set of japan missing" in lines[0]
