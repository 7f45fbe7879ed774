"""A torch Dataset over numpy arrays, with an optional per-sample transform for augmentation."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["ArrayDataset"]


class ArrayDataset(Dataset):
    """Samples ``X[i]`` (and targets ``y[i]``) of numpy arrays as torch tensors.

    ``X`` is stored as float32. Integer labels ``y`` are stored as int64 (what
    ``torch.nn.functional.cross_entropy`` expects), anything else as float32 (regression targets).
    The arrays are converted once; indexing returns views, so a dataset costs no extra memory.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
        Inputs (features, spectra, images).
    y : array_like, shape (n_samples, ...), optional
        Targets. Without them an item is the input tensor alone.
    transform : callable, optional
        Applied to each input tensor when it is fetched, for example a random flip for
        augmentation. It receives and returns one sample (no batch axis).

    Examples
    --------
    >>> import numpy as np
    >>> data = ArrayDataset(np.zeros((4, 2)), np.array([0, 1, 1, 0]))
    >>> len(data)
    4
    >>> x, y = data[1]
    >>> x.dtype, y.dtype, int(y)
    (torch.float32, torch.int64, 1)
    >>> data[[0, 2]][0].shape  # a list of indices gives a whole batch
    torch.Size([2, 2])
    """

    def __init__(self, X, y=None, *, transform=None):
        X = np.asarray(X)
        if X.ndim < 1 or len(X) == 0:
            raise ValueError(f"X must be an array with at least one sample, got shape {X.shape}")
        if not np.issubdtype(X.dtype, np.number) and X.dtype != bool:
            raise ValueError(f"X must hold numbers, got dtype {X.dtype}")
        self.X = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
        if y is not None:
            y = np.asarray(y)
            if y.ndim < 1 or len(y) != len(X):
                raise ValueError(f"X and y must have the same number of samples, got {len(X)} and "
                                 f"{len(y) if y.ndim else 'a scalar'}")
            if np.issubdtype(y.dtype, np.integer):
                y = np.ascontiguousarray(y, dtype=np.int64)
            elif np.issubdtype(y.dtype, np.number) or y.dtype == bool:
                y = np.ascontiguousarray(y, dtype=np.float32)
            else:
                raise ValueError(f"y must hold numbers, got dtype {y.dtype}")
            self.y = torch.from_numpy(y)
        else:
            self.y = None
        if transform is not None and not callable(transform):
            raise ValueError(f"transform must be a callable or None, got {type(transform).__name__}")
        self.transform = transform

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        """One sample for an integer index; a batch (stacked tensors) for a list, array or slice of indices."""
        batch = not isinstance(index, numbers.Integral)
        if batch and not isinstance(index, slice):
            index = torch.as_tensor(index, dtype=torch.int64)
        x = self.X[index]
        if self.transform is not None:
            x = torch.stack([self.transform(xi) for xi in x]) if batch else self.transform(x)
        if self.y is None:
            return x
        return x, self.y[index]
