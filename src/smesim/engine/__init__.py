"""The engine: run plans, integration backends, threads.

:mod:`smesim.engine._vector_width` is imported first: it sets numba's CPU
target before numba is imported anywhere.
"""

from smesim.engine import _vector_width  # noqa: F401  (must run before numba loads)
