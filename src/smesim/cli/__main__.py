"""``python -m smesim.cli``: the same as the ``smesim`` command."""

from smesim.cli import main

main()
