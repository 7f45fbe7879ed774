"""Chapter 2 (dimensionality reduction): PCA helpers and a readable SelfOrganizingMap.

Filled in by its chapter's issue; public names are listed in ``__all__``.
"""

__all__: list[str] = []
