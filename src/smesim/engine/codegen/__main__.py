"""``python -m smesim.engine.codegen``: rewrite the generated backends."""

import sys

from smesim.engine.codegen import main

sys.exit(main())
