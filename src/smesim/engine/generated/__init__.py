"""Generated backends (see smesim.engine.codegen)."""
