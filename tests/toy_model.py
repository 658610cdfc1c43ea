"""A toy model of two stocks, declared in the format of smesim's own model.

It is here to test the generator (:mod:`smesim.engine.codegen`) and the XMILE
export on a model other than smesim's (``tests/test_codegen.py``).  Small as
it is, it uses every kind of element and every trick of the generator:

``population`` (people), a logistic stock::

    births          = birth_rate * population                        (reinforcing loop)
    crowding_deaths = birth_rate * population * population / capacity (balancing loop)

so ``d population / dt = birth_rate * population * (1 - population / capacity)``.

``capital`` (goods), fed by investment and drained by depreciation::

    productivity     = EXP(technology_growth * (TIME - base_year))
    output           = productivity * capital ^ output_elasticity
                       * population ^ (1 - output_elasticity)
    subsidy_boost    = EXP(subsidy_effect * (subsidy - subsidy_0))
    investment_share = MIN(savings_rate * subsidy_boost * price_index / INIT(price_index),
                           max_investment_share)
    investment       = investment_share * output
    depreciation     = capital * (1 - EXP(-depreciation_rate * one_year)) / one_year

``subsidy`` is the lever (``subsidy_0`` its start-year value), ``price_index``
the exogenous input.  ``1 - output_elasticity`` and the depreciation factor
depend on parameters only (the kernel computes them once per run); the two
powers and the productivity exponential merge into one exponential in the
kernel.  Outputs only: ``capital_per_head`` (``MAX``), ``growth_regime``
(``IF``, against ``capital_per_head_0 = INIT(capital_per_head)``),
``population_growth`` (``INIT`` of a stock).  One rule ties two parameters.
The two start values are ``initial`` parameters: listed first in parameter arrays.
"""

from __future__ import annotations

from smesim.model.spec import LeverInput, Model, Sector

POPULATION = Sector("population", "A logistic population: births less crowding deaths.")
POPULATION.param("birth_rate", 0.3, "1/yr", 0.0, 2.0, "assumed", "toy: births per head a year")
POPULATION.param("capacity", 1000.0, "people", 1.0, 1e6, "assumed", "toy: carrying capacity")
POPULATION.param(
    "init_population", 10.0, "people", 0.1, 1e6, "assumed", "toy: start value", initial=True
)
POPULATION.stock(
    "population",
    "init_population",
    "people",
    "number of people",
    inflows=["births"],
    outflows=["crowding_deaths"],
)
POPULATION.flow("births", "birth_rate * population", "people/yr", "births (reinforcing)")
POPULATION.flow(
    "crowding_deaths",
    "birth_rate * population * population / capacity",
    "people/yr",
    "deaths from crowding (balancing)",
)

CAPITAL = Sector("capital", "Capital built by investment out of output, and depreciated.")
CAPITAL.param("savings_rate", 0.2, "1", 0.0, 1.0, "assumed", "toy: share of output invested")
CAPITAL.param(
    "max_investment_share", 0.3, "1", 0.0, 1.0, "assumed", "toy: cap on the investment share"
)
CAPITAL.param("output_elasticity", 0.35, "1", 0.05, 0.95, "assumed", "toy: capital's share")
CAPITAL.param("depreciation_rate", 0.08, "1/yr", 0.0, 1.0, "assumed", "toy: depreciation")
CAPITAL.param("technology_growth", 0.02, "1/yr", -0.1, 0.1, "assumed", "toy: productivity")
CAPITAL.param("subsidy_effect", 0.8, "1", 0.0, 5.0, "assumed", "toy: log gain per unit subsidy")
CAPITAL.param(
    "init_capital_per_head",
    3.0,
    "goods/people",
    0.0,
    100.0,
    "assumed",
    "toy: start value",
    initial=True,
)
CAPITAL.rule(
    "savings_rate <= max_investment_share",
    ["savings_rate", "max_investment_share"],
    "the savings rate not above the cap on the investment share",
)
CAPITAL.constant("base_year", 2000.0, "yr", "the year productivity is 1")
CAPITAL.constant("one_year", 1.0, "yr", "one year (the period of the depreciation rate)")
CAPITAL.exogenous_input("price_index", "1", "price of capital goods (a table)")
CAPITAL.stock(
    "capital",
    "init_capital_per_head * init_population",
    "goods",
    "capital stock",
    inflows=["investment"],
    outflows=["depreciation"],
)
CAPITAL.aux(
    "productivity",
    "EXP(technology_growth * (TIME - base_year))",
    "goods/people/yr",
    "output per head at the toy's unit capital per head",
)
CAPITAL.aux(
    "output",
    "productivity * capital ^ output_elasticity * population ^ (1 - output_elasticity)",
    "goods/yr",
    "output (Cobb-Douglas)",
)
CAPITAL.aux(
    "subsidy_boost",
    "EXP(subsidy_effect * (subsidy - subsidy_0))",
    "1",
    "investment relative to the start year's subsidy",
)
CAPITAL.aux(
    "investment_share",
    "MIN(savings_rate * subsidy_boost * price_index / INIT(price_index), max_investment_share)",
    "1",
    "share of output invested",
)
CAPITAL.flow("investment", "investment_share * output", "goods/yr", "investment")
CAPITAL.flow(
    "depreciation",
    "capital * (1 - EXP(-depreciation_rate * one_year)) / one_year",
    "goods/yr",
    "depreciation (the yearly rate as a continuous one)",
)
CAPITAL.aux("capital_per_head", "capital / MAX(population, 1)", "goods/people", "capital per head")
CAPITAL.aux(
    "capital_per_head_0", "INIT(capital_per_head)", "goods/people", "capital per head at start"
)
CAPITAL.aux(
    "growth_regime",
    "IF capital_per_head > capital_per_head_0 THEN 1 ELSE 0",
    "1",
    "1 when capital per head is above its start value",
)
CAPITAL.aux(
    "population_growth", "population / INIT(population)", "1", "population relative to start"
)

SECTORS = (POPULATION, CAPITAL)
LEVERS = (LeverInput("subsidy", "1"),)
OUTPUTS = (
    "population",
    "capital",
    "output",
    "investment",
    "depreciation",
    "capital_per_head",
    "growth_regime",
    "population_growth",
    "price_index",
)


def build(sectors=SECTORS, levers=LEVERS, outputs=OUTPUTS) -> Model:
    """The toy :class:`Model` (arguments: to build variants in tests)."""
    return Model(list(sectors), levers=list(levers), outputs=list(outputs), name="toy")


TOY = build()
