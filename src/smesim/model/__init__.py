"""The smesim model, declared once, one module per sector.

=================  ==========================================================
module             sector
=================  ==========================================================
``common``         structural constants (100 %, the index base)
``firm_size``      employment shares of five size classes (aging chain)
``wages``          relative wages by size class
``knowledge``      knowledge stocks and SME relative productivity
``rd_policy``      R&D, margins and government R&D support
``exports``        SME share of exports
``regions``        capital-region agglomeration
``human_natural``  SME skills under ageing; environmental intensity
``coexistence``    the four coexistence indices and the overall index
=================  ==========================================================

Each sector module declares its stocks, flows, auxiliaries, parameters and
rules (:mod:`smesim.model.spec`); :data:`MODEL` assembles them.  The
simulation code, the XMILE export, the units check and the model reference
are all derived from :data:`MODEL`.  Also here: the policy levers
(:mod:`~smesim.model.levers`), the canonical outputs
(:mod:`~smesim.model.outputs`), the feedback loops (:mod:`~smesim.model.loops`),
the horizon (:mod:`~smesim.model.horizon`) and the parameter sets
(:mod:`~smesim.model.params`).
"""

from __future__ import annotations

from smesim.model import (
    coexistence,
    common,
    exports,
    firm_size,
    human_natural,
    knowledge,
    rd_policy,
    regions,
    wages,
)
from smesim.model.levers import LEVERS, model_unit
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.spec import LeverInput, Model

#: Sectors in the order their declarations are listed.
SECTORS = (
    common.S,
    knowledge.S,
    rd_policy.S,
    wages.S,
    firm_size.S,
    exports.S,
    regions.S,
    human_natural.S,
    coexistence.S,
)
#: Parameter columns (and parameter files) list the start-year figures first, in the
#: order of the paper's tables (wages, size structure, R&D, productivity, exports,
#: regions); the order of columns is what seeded calibrations and ensembles follow.
INITIAL_ORDER = (wages.S, firm_size.S, rd_policy.S, knowledge.S, exports.S, regions.S)

# each sector module's docstring ends with its equations, generated from its declarations
for _module in (
    common,
    firm_size,
    wages,
    knowledge,
    rd_policy,
    exports,
    regions,
    human_natural,
    coexistence,
):
    if _module.__doc__ is not None and "Equations (generated" not in _module.__doc__:
        _module.__doc__ += _module.S.equations_text()

#: The model: every declaration of every sector, checked and sorted.
MODEL = Model(
    SECTORS,
    levers=[LeverInput(lv.id, model_unit(lv.unit)) for lv in LEVERS],
    outputs=ALL_COLUMNS,
    name="smesim",
    initial_order=INITIAL_ORDER,
)
