"""Chapter 3 (sparsity): LASSO by FISTA, total squared variation, the LASSO periodogram and astrometric LSQR.

Filled in by its chapter's issue; public names are listed in ``__all__``.
"""

__all__: list[str] = []
