"""Helpers for testing ecomrules and code built on it.

- :mod:`ecomrules.testing.golden`: compare a JSON document with a golden file.
- :mod:`ecomrules.testing.conformance`: the robustness checks every parser passes.
- :mod:`ecomrules.testing.strategies`: hypothesis strategies for core values.
- :mod:`ecomrules.testing.race`: one function in several threads released at once.

pytest and hypothesis are not runtime dependencies: the modules that need them
import them, and this package imports none of its modules eagerly.
"""
