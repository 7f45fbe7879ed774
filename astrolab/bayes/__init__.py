"""Chapter 4 (Bayesian analysis): Metropolis, nested sampling, ABC and emulators.

Filled in by its chapter's issue; public names are listed in ``__all__``.
"""

__all__: list[str] = []
