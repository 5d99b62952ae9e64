"""Imported first by each JAX layer of lrtheory: applies the 64-bit mode of
:mod:`lrtheory.config` before any JAX array is made (a module, so it runs once)."""

from lrtheory.config import setup_jax

setup_jax()
