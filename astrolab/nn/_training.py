"""One training loop for every model of chapter 6, with early stopping and a reproducibility switch.

:func:`train` is the loop students would otherwise write by hand (DataLoader, Adam, forward,
loss, backward, step), plus the bookkeeping: validation loss per epoch, early stopping with the
best weights restored, a tqdm progress bar and the throughput. :func:`predict` runs a trained model
on an array in evaluation mode, and :func:`reproducible` switches PyTorch to deterministic kernels.
"""

from __future__ import annotations

import contextlib
import copy
import numbers
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

from astrolab.nn._data import ArrayDataset
from astrolab.nn._models import _check_int, _check_seed, seeded

__all__ = ["TrainingHistory", "predict", "reproducible", "train"]

_LOSSES = {
    "cross_entropy": nn.functional.cross_entropy,
    "mse": nn.functional.mse_loss,
    "l1": nn.functional.l1_loss,
}


@dataclass
class TrainingHistory:
    """What happened during :func:`train`.

    Attributes
    ----------
    train_loss : list of float
        Mean training loss of each epoch (averaged over the batches while the weights changed,
        with dropout active).
    val_loss : list of float
        Loss on the validation data after each epoch (empty without validation data).
    val_accuracy : list of float or None
        Fraction of validation samples whose largest logit is the true class, per epoch
        (cross-entropy loss only, otherwise None).
    best_epoch : int
        Number (1-based) of the epoch whose weights the model holds at the end: the lowest
        validation loss, or the last epoch without validation data. Its loss is
        ``val_loss[best_epoch - 1]``.
    stopped_early : bool
        True when early stopping ended training before ``epochs``.
    seconds : float
        Wall time of the whole run.
    samples_per_second : float
        Training throughput: samples passed forward and backward per second of training
        (validation excluded).
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list | None = None
    best_epoch: int = 0
    stopped_early: bool = False
    seconds: float = 0.0
    samples_per_second: float = 0.0

    @property
    def epochs(self):
        """Number of epochs run."""
        return len(self.train_loss)

    def plot(self, ax=None):
        """Learning curves: loss against epoch for training and validation, best epoch marked.

        The loss axis is logarithmic when every loss is positive.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure is made when None.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        epochs = np.arange(1, len(self.train_loss) + 1)
        ax.plot(epochs, self.train_loss, "o-", ms=3, label="training")
        if self.val_loss:
            ax.plot(epochs, self.val_loss, "s-", ms=3, label="validation")
        if self.best_epoch:
            ax.axvline(self.best_epoch, color="0.5", ls=":", label=f"best epoch ({self.best_epoch})")
        losses = np.asarray(self.train_loss + self.val_loss, dtype=float)
        if losses.size and np.all(losses > 0):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend()
        return ax


def _resolve_device(device):
    if device is None or isinstance(device, str):
        from astrolab._environment import device as astrolab_device

        return astrolab_device(device)
    if isinstance(device, torch.device):
        return device
    raise ValueError(f"device must be None, a string such as 'cpu' or 'cuda', or a torch.device, got {device!r}")


def _as_dataset(data, name):
    if data is None:
        return None
    if isinstance(data, Dataset):
        return data
    if isinstance(data, tuple) and len(data) == 2:
        return ArrayDataset(*data)
    raise ValueError(f"{name} must be a torch Dataset or a tuple (X, y) of arrays, got {type(data).__name__}")


def _check_arrays(dataset, name, classes):
    """Refuse non-finite inputs, and non-integer or negative class labels, of an ArrayDataset.

    Returns the largest class label (``-1`` when there is nothing to check), so that the first batch
    can compare it with the number of outputs of the model.
    """
    if not isinstance(dataset, ArrayDataset):
        return -1
    if dataset.X.is_floating_point() and not bool(torch.isfinite(dataset.X).all()):
        bad = int((~torch.isfinite(dataset.X)).sum())
        raise ValueError(f"{name} inputs X must be finite, got {bad} NaN or inf value(s) of {dataset.X.numel()}")
    y = dataset.y
    if y is None:
        return -1
    if y.is_floating_point() and not bool(torch.isfinite(y).all()):
        raise ValueError(f"{name} targets y must be finite, got {int((~torch.isfinite(y)).sum())} NaN or inf value(s)")
    if not classes:
        return -1
    if y.is_floating_point():
        if y.ndim == 1:
            raise ValueError(f"{name} labels y must be integer classes 0, 1, ... for loss='cross_entropy', "
                             f"got floats (e.g. {float(y[0])}); convert them with y.astype(int)")
        return -1  # class probabilities, shape (n, n_classes)
    if len(y) and int(y.min()) < 0:
        raise ValueError(f"{name} labels y must be non-negative class numbers, got {int(y.min())}")
    return int(y.max()) if len(y) else -1


def _loader(dataset, batch_size, generator=None):
    """Batches of ``dataset``: shuffled with ``generator`` when one is given, in order otherwise."""
    if generator is not None:
        sampler = RandomSampler(dataset, generator=generator)
    else:
        sampler = SequentialSampler(dataset)
    if isinstance(dataset, ArrayDataset):
        # ArrayDataset slices a whole batch at once: the same batches as per-sample indexing
        # followed by stacking, without the Python loop over samples.
        return DataLoader(dataset, sampler=BatchSampler(sampler, batch_size, drop_last=False), batch_size=None,
                          generator=generator)
    return DataLoader(dataset, sampler=sampler, batch_size=batch_size, generator=generator)


def _loss_function(loss):
    if callable(loss):
        return loss
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {sorted(_LOSSES)} or a callable(output, target), got {loss!r}")
    function = _LOSSES[loss]
    if loss == "cross_entropy":
        return function

    def regression_loss(output, target):
        # (batch, 1) outputs against (batch,) targets: compare like with like instead of broadcasting
        if target.shape != output.shape and target.numel() == output.numel():
            target = target.reshape(output.shape)
        return function(output, target)

    return regression_loss


def _split(batch, name):
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"{name} must give (input, target) pairs; build it with targets, e.g. ArrayDataset(X, y)")
    return batch


def _evaluate(model, loader, loss_fn, device, accuracy):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for batch in loader:
            x, y = _split(batch, "val_data")
            x, y = x.to(device), y.to(device)
            out = model(x)
            total += float(loss_fn(out, y)) * len(x)
            if accuracy:
                correct += int((out.argmax(dim=1) == y).sum())
            n += len(x)
    return total / n, (correct / n if accuracy else None)


def train(model, train_data, val_data=None, *, loss="cross_entropy", epochs=20, batch_size=64, lr=1e-3,
          weight_decay=0.0, patience=None, seed=0, device=None, progress=True, desc=None):
    """Train a torch model with Adam, mini-batches and (optionally) early stopping.

    Each epoch shuffles the training data, takes one Adam step per batch, then computes the loss
    on the validation data with the model in evaluation mode (dropout off, BatchNorm with running
    statistics). When validation data are given, the weights of the epoch with the lowest
    validation loss are put back into the model at the end.

    Parameters
    ----------
    model : torch.nn.Module
        The network; it is moved to ``device`` (and left there) and trained in place.
    train_data, val_data : torch Dataset or tuple (X, y) of arrays
        Training and (optional) validation samples; tuples are wrapped in :class:`ArrayDataset`
        (integer ``y`` becomes int64 class labels, anything else float32 targets).
    loss : {"cross_entropy", "mse", "l1"} or callable, default "cross_entropy"
        The loss to minimise; a callable gets ``(output, target)`` and returns a scalar tensor
        (mean over the batch).
    epochs : int, default 20
        Maximum number of passes over the training data.
    batch_size : int, default 64
    lr : float, default 1e-3
        Adam learning rate.
    weight_decay : float, default 0.0
        L2 penalty on the weights (Adam's ``weight_decay``).
    patience : int, optional
        Stop when the validation loss has not improved for this many epochs (needs ``val_data``).
    seed : int, default 0
        Seeds the shuffling (a ``torch.Generator``) and dropout, inside ``torch.random.fork_rng``:
        the same seed gives the same losses, and the global random state is left untouched.
    device : None, str or torch.device
        Where to compute; None picks :func:`astrolab.device` (CUDA when present).
    progress : bool, default True
        Show a tqdm progress bar over epochs with the current losses.
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    TrainingHistory

    Examples
    --------
    >>> import numpy as np
    >>> from astrolab.nn._models import MLP
    >>> x = np.linspace(-1, 1, 64)[:, None]
    >>> history = train(MLP(1, 1, hidden=(16,)), (x, 2 * x), loss="mse", epochs=3, device="cpu", progress=False)
    >>> len(history.train_loss), history.best_epoch
    (3, 3)
    """
    from tqdm.auto import tqdm

    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    loss_fn = _loss_function(loss)
    epochs = _check_int("epochs", epochs)
    batch_size = _check_int("batch_size", batch_size)
    for name, value, low in (("lr", lr, False), ("weight_decay", weight_decay, True)):
        if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value)
                or not (value >= 0 if low else value > 0)):
            raise ValueError(f"{name} must be a {'non-negative' if low else 'positive'} number, got {value!r}")
    if patience is not None:
        patience = _check_int("patience", patience)
        if val_data is None:
            raise ValueError("patience (early stopping) needs val_data, got val_data=None")
    seed = _check_seed(seed)
    train_set = _as_dataset(train_data, "train_data")
    val_set = _as_dataset(val_data, "val_data")
    if len(train_set) == 0:
        raise ValueError("train_data must hold at least one sample, got an empty dataset")
    label_max = _check_arrays(train_set, "train_data", loss == "cross_entropy")
    if val_set is not None:
        label_max = max(label_max, _check_arrays(val_set, "val_data", loss == "cross_entropy"))
    device = _resolve_device(device)
    accuracy = loss == "cross_entropy"

    start = time.perf_counter()
    model.to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = TrainingHistory(val_accuracy=[] if accuracy and val_set is not None else None)
    best_loss, best_state, waited = np.inf, None, 0
    train_seconds, n_seen = 0.0, 0
    with seeded(seed, device):
        generator = torch.Generator().manual_seed(seed)
        loader = _loader(train_set, batch_size, generator)
        val_loader = _loader(val_set, max(batch_size, 256)) if val_set is not None else None
        bar = tqdm(range(epochs), desc=desc, disable=not progress, unit="epoch")
        for epoch in bar:
            model.train()
            t0 = time.perf_counter()
            total, n = torch.zeros((), device=device), 0
            for batch in loader:
                x, y = _split(batch, "train_data")
                x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
                optimiser.zero_grad(set_to_none=True)
                out = model(x)
                if label_max >= 0 and epoch == 0 and n == 0 and out.ndim == 2 and label_max >= out.shape[1]:
                    raise ValueError(f"class labels must be in [0, {out.shape[1] - 1}] for a model with "
                                     f"{out.shape[1]} outputs, got a label {label_max}")
                batch_loss = loss_fn(out, y)
                batch_loss.backward()
                optimiser.step()
                total += batch_loss.detach() * len(x)
                n += len(x)
            history.train_loss.append(float(total) / n)  # float() waits for the GPU, so the time is honest
            if not np.isfinite(history.train_loss[-1]):
                bar.close()
                raise FloatingPointError(
                    f"the training loss became {history.train_loss[-1]} in epoch {epoch + 1}; lower lr "
                    f"(now {lr}), scale the inputs, or check the data and the model for NaN or inf")
            train_seconds += time.perf_counter() - t0
            n_seen += n
            postfix = {"train": f"{history.train_loss[-1]:.4g}"}
            if val_loader is not None:
                val_loss, val_acc = _evaluate(model, val_loader, loss_fn, device, accuracy)
                if not np.isfinite(val_loss):
                    bar.close()
                    raise FloatingPointError(f"the validation loss became {val_loss} in epoch {epoch + 1}; "
                                             f"check val_data and the model for NaN or inf")
                history.val_loss.append(val_loss)
                postfix["val"] = f"{val_loss:.4g}"
                if accuracy:
                    history.val_accuracy.append(val_acc)
                    postfix["val_acc"] = f"{val_acc:.3f}"
                if val_loss < best_loss:
                    best_loss, waited, history.best_epoch = val_loss, 0, epoch + 1
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
            bar.set_postfix(postfix, refresh=False)  # drawn at tqdm's own pace, not every epoch
            if patience is not None and waited >= patience:
                history.stopped_early = epoch + 1 < epochs
                break
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        history.best_epoch = len(history.train_loss)
    history.seconds = time.perf_counter() - start
    history.samples_per_second = n_seen / train_seconds if train_seconds > 0 else float("inf")
    return history


def predict(model, X, *, batch_size=512, device=None):
    """Outputs of a model for every sample of ``X``, in evaluation mode and without gradients.

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like or torch.Tensor or ArrayDataset
        Inputs, shape ``(n_samples, ...)`` as the model expects them.
    batch_size : int, default 512
        Samples per forward pass (bounds the memory used).
    device : None, str or torch.device
        Where to compute; None keeps the model where it is (where :func:`train` left it).

    Returns
    -------
    numpy.ndarray
        The outputs, shape ``(n_samples, ...)``, float32 (logits for a classifier).

    Examples
    --------
    >>> import numpy as np
    >>> from astrolab.nn._models import MLP
    >>> predict(MLP(2, 3, hidden=(4,)), np.zeros((10, 2))).shape
    (10, 3)
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    batch_size = _check_int("batch_size", batch_size)
    if device is None:
        parameter = next(model.parameters(), None)
        device = parameter.device if parameter is not None else torch.device("cpu")
    else:
        device = _resolve_device(device)
        model.to(device)
    if isinstance(X, ArrayDataset):
        X = X.X
    elif not isinstance(X, torch.Tensor):
        from astrolab._validation import check_array

        X = torch.from_numpy(np.ascontiguousarray(check_array("X", X, dtype=np.float32)))
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"X must hold at least one sample, got shape {tuple(X.shape)}")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            outputs = [_forward(model, X, X[i:i + batch_size].to(device)).cpu() for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(outputs).numpy()


def _forward(model, X, batch):
    """``model(batch)``; a model that refuses the input's shape or type names ``X``."""
    try:
        return model(batch)
    except (ValueError, TypeError, RuntimeError) as err:
        raise ValueError(f"X of shape {tuple(X.shape)} does not fit the model: {err}") from err


@contextlib.contextmanager
def reproducible(enabled=True):
    """The reproducibility switch: deterministic kernels inside the block, previous settings after.

    With ``enabled=True`` it calls ``torch.use_deterministic_algorithms(True)``, sets
    ``torch.backends.cudnn.deterministic = True`` and ``benchmark = False`` and, if unset,
    ``CUBLAS_WORKSPACE_CONFIG=":4096:8"`` (needed by deterministic cuBLAS on the GPU). Then two runs
    with the same seeds give bit-identical results on the same machine, at some cost in speed. With
    ``enabled=False`` it does the opposite (fast, non-deterministic kernels, cuDNN autotuning).
    On the CPU most kernels are deterministic anyway; the switch matters on GPUs.

    Examples
    --------
    >>> import torch
    >>> with reproducible():
    ...     torch.are_deterministic_algorithms_enabled()
    True
    """
    cudnn = torch.backends.cudnn
    saved = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),
             cudnn.deterministic, cudnn.benchmark)
    saved_env = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
    try:
        enabled = bool(enabled)
        if enabled and saved_env is None:
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
        torch.use_deterministic_algorithms(enabled)
        cudnn.deterministic = enabled
        cudnn.benchmark = not enabled
        yield
    finally:
        torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])
        cudnn.deterministic, cudnn.benchmark = saved[2], saved[3]
        if saved_env is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
