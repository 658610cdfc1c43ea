"""Generate the simulation code from the model declaration (:mod:`smesim.model.spec`).

One declaration, two generated backends, in the spirit of SDEverywhere (one
Vensim model to generated C and WebAssembly) and PySD's builder (an abstract
model to generated Python):

``model_numpy.py`` (:func:`numpy_source`)
    the reference path: every equation as one NumPy expression over a batch of
    runs (arrays with a leading run axis), in dependency order;
    ``initialise(P, L0, X0)`` computes the start-time pass (stocks' initial
    values, every static value) and ``evaluate(Y, P, C, U, X, t, out)`` the
    time derivatives and, when asked, the reported outputs.
``model_kernel.py`` (:func:`kernel_source`)
    the compiled numba kernel: blocks of :data:`LANES` runs, time the outer
    loop and runs the inner one so LLVM vectorises every equation.  The
    generator does what the hand-written kernel did: parameter-only terms are
    hoisted out of the time loop (computed once per run, divisions by them
    turned into products), powers become ``exp(b * log(a))`` with logarithms
    of equal arguments shared and the exponents of multiplied powers added, and
    every logarithm (then every exponential) of a step is taken in one vector
    loop (:mod:`smesim.engine.vecmath`); named row layouts, no positions.

Both files say in their first lines that they are generated.  The committed
copies are checked by ``tests/test_codegen.py``, which regenerates them and
fails on any difference; ``python -m smesim.engine.codegen`` rewrites them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from smesim.engine.codegen.kernel_backend import kernel_source
from smesim.engine.codegen.numpy_backend import numpy_source
from smesim.model import MODEL
from smesim.model.spec import Model

GENERATED_DIR = Path(__file__).resolve().parent.parent / "generated"


def sources(model: Model) -> dict[str, str]:
    """File name -> generated source, for every backend."""
    return {"model_numpy.py": numpy_source(model), "model_kernel.py": kernel_source(model)}


def write(model: Model, dest: Path) -> list[Path]:
    """Write every generated file of ``model`` into ``dest`` (created if missing)."""
    dest.mkdir(parents=True, exist_ok=True)
    init = dest / "__init__.py"
    if not init.exists():
        init.write_text('"""Generated backends (see smesim.engine.codegen)."""\n')
    paths = []
    for name, text in sources(model).items():
        path = dest / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        paths.append(path)
    return paths


def main() -> int:

    for p in write(MODEL, GENERATED_DIR):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
