"""The smesim model, one module per sector.

=================  ==========================================================
module             sector
=================  ==========================================================
``firm_size``      employment shares of five size classes (aging chain)
``knowledge``      knowledge stocks and SME relative productivity
``wages``          relative wages by size class
``rd_policy``      R&D, margins and government R&D support
``exports``        SME share of exports
``regions``        capital-region agglomeration
``human_natural``  SME skills under ageing; environmental intensity
``coexistence``    the four coexistence indices and the overall index
``derivatives``    the batched right-hand side that calls them in order
``loops``          the eight feedback loops and the variables they pass through
=================  ==========================================================
"""
