"""Test configuration for tests/ and the doctests in lrtheory/: float64, strict rank
promotion. Warnings are errors (pyproject's filterwarnings)."""

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
