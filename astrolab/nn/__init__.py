"""Chapter 6 (neural networks): compact torch models, one training loop, relevance propagation and uncertainty.

Models run on :func:`astrolab.device` (CUDA when present, else the CPU).

Filled in by its chapter's issue; public names are listed in ``__all__``.
"""

__all__: list[str] = []
