"""The progress bar of the long commands (ensemble, sensitivity)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress(total: int, what: str, quiet: bool) -> Iterator[Callable[[int], object]]:
    """A tqdm bar on stderr naming ``what`` it counts (e.g. "ensemble runs"): done,
    rate, time left; silent when not a terminal."""
    disable = quiet or not sys.stderr.isatty()
    with tqdm(
        total=total,
        desc=what,
        unit="run",
        unit_scale=True,
        disable=disable,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        yield bar.update
