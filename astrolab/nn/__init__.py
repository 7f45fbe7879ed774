"""Chapter 6 (neural networks): compact torch models, one training loop, a numpy network to read.

Models run on :func:`astrolab.device` (CUDA when present, else the CPU). Every model takes a
``seed`` for its initial weights and :func:`train` takes one for shuffling and dropout; both use
``torch.random.fork_rng``, so the global random state is left as it was.

torch is imported when a name is first used, so ``import astrolab`` stays fast.
"""

from __future__ import annotations

import importlib

# public name -> private module that defines it
_NAMES = {
    # a network from scratch in numpy
    "NumpyMLPRegressor": "_numpy_mlp",
    "gradient_check": "_numpy_mlp",
    # torch models
    "MLP": "_models",
    "CNN1d": "_models",
    "CNN2d": "_models",
    "count_parameters": "_models",
    "ConvAutoencoder": "_autoencoder",
    "Generator": "_gan",
    "Discriminator": "_gan",
    "train_gan": "_gan",
    # data and training
    "ArrayDataset": "_data",
    "TrainingHistory": "_training",
    "predict": "_training",
    "reproducible": "_training",
    "train": "_training",
    # trusting a network: relevance and uncertainty
    "lrp": "_relevance",
    "saliency": "_relevance",
    "DeepEnsembleRegressor": "_uncertainty",
    "gaussian_nll": "_uncertainty",
    "interval_coverage": "_uncertainty",
    "mc_dropout_predict": "_uncertainty",
    # convolution filters
    "SLIDE_FILTERS": "_filters",
    "EXTRA_FILTERS": "_filters",
    "filter_image": "_filters",
    "fixed_conv2d": "_filters",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'astrolab.nn' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"astrolab.nn.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_NAMES))
