"""Chapter 5 (machine learning): DBSCAN, extreme deconvolution and feature extraction.

Filled in by its chapter's issue; public names are listed in ``__all__``.
"""

__all__: list[str] = []
