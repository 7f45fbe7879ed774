"""Error bars for neural networks: Monte Carlo dropout, deep ensembles and interval coverage.

A trained network returns a number, not a number with an error bar. Two cheap ways to get one:

- **MC dropout** (Gal & Ghahramani 2016): keep dropout switched on at prediction time and run
  the same input many times; the spread of the outputs approximates the posterior spread of a
  Bayesian network. The width depends on the dropout rate, which is a choice, not a measurement.
  The spread of the outputs is the *epistemic* part only; for the full predictive spread give the
  network a noise head (a second, log-variance output trained with :func:`gaussian_nll`) and add
  the mean of its variances over the passes (Kendall & Gal 2017):
  :math:`\\sigma^2 = \\overline{\\sigma_t^2} + \\mathrm{Var}_t(\\mu_t)`, the same decomposition as the
  ensemble's.
- **Deep ensembles** (Lakshminarayanan, Pritzel & Blundell 2017): train several networks from
  different random initialisations, each predicting a mean :math:`\\mu_i(x)` and a variance
  :math:`\\sigma_i^2(x)` (trained with the Gaussian negative log-likelihood); the mixture has
  variance :math:`\\overline{\\sigma_i^2} + \\mathrm{Var}(\\mu_i)` = aleatoric (noise in the data)
  + epistemic (disagreement between members, large far from the training data).

:func:`interval_coverage` checks whether the error bars mean what they say: the fraction of true
values inside the central :math:`p` intervals should be :math:`p`.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

from astrolab._validation import as_float_array
from astrolab.nn._models import MLP, _check_dropout, _check_int, _check_seed, _check_sizes, seeded
from astrolab.nn._training import _forward, _resolve_device, train

__all__ = ["DeepEnsembleRegressor", "gaussian_nll", "interval_coverage", "mc_dropout_predict"]

_LOG_VAR_RANGE = (-12.0, 12.0)
_DROPOUTS = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)


def mc_dropout_predict(model, X, *, n_samples=50, seed=0, batch_size=512):
    """Monte Carlo dropout: predictions with dropout switched on, repeated ``n_samples`` times.

    Dropout layers are put in training mode (random masks), everything else in evaluation mode
    (BatchNorm uses its running statistics); the model's modes are restored afterwards.

    Parameters
    ----------
    model : torch.nn.Module
        A trained network with at least one ``torch.nn.Dropout`` layer with ``p > 0``.
    X : array_like or torch.Tensor
        Inputs, shape ``(n, ...)`` as the model takes them.
    n_samples : int, default 50
        Number of stochastic forward passes.
    seed : int, default 0
        Seeds the dropout masks (inside ``torch.random.fork_rng``: the global state is untouched).
    batch_size : int, default 512
        Samples per forward pass.

    Returns
    -------
    mean, std : numpy.ndarray
        Mean and standard deviation over the passes, shape ``(n, n_out)``.
    samples : numpy.ndarray
        All passes, shape ``(n_samples, n, n_out)``.

    Notes
    -----
    For a network with a noise head (outputs mean and log-variance, trained with
    :func:`gaussian_nll`), ``std[:, 0]`` is only the epistemic spread of the means; the predictive
    variance is ``np.exp(samples[..., 1]).mean(axis=0) + samples[..., 0].var(axis=0)`` (aleatoric +
    epistemic; Kendall & Gal 2017). Comparing ``std[:, 0]`` of a network without a noise head with
    the total spread of a deep ensemble compares unlike things.

    Examples
    --------
    >>> import numpy as np
    >>> from astrolab.nn._models import MLP
    >>> net = MLP(2, 1, hidden=(32,), dropout=0.2, seed=0)
    >>> mean, std, samples = mc_dropout_predict(net, np.ones((4, 2)), n_samples=20)
    >>> samples.shape, bool(np.all(std > 0))
    ((20, 4, 1), True)
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    dropouts = [m for m in model.modules() if isinstance(m, _DROPOUTS) and m.p > 0]
    if not dropouts:
        raise ValueError("model must contain a Dropout layer with p > 0 for MC dropout, found none "
                         "(build it with dropout > 0, e.g. MLP(..., dropout=0.1))")
    n_samples = _check_int("n_samples", n_samples, minimum=2)
    batch_size = _check_int("batch_size", batch_size)
    seed = _check_seed(seed)
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    if not isinstance(X, torch.Tensor):
        from astrolab._validation import check_array

        X = torch.from_numpy(np.ascontiguousarray(check_array("X", X, dtype=np.float32)))
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"X must hold at least one sample, got shape {tuple(X.shape)}")
    from astrolab._validation import check_size

    # the passes are kept: at least 4 bytes per sample, output and pass
    check_size("n_samples", 4.0 * n_samples * len(X), request=f"n_samples={n_samples} for {len(X)} samples")
    modes = {m: m.training for m in model.modules()}
    model.eval()
    for m in dropouts:
        m.train()
    try:
        with torch.no_grad(), seeded(seed, device):
            passes = []
            for _ in range(n_samples):
                outputs = [_forward(model, X, X[i:i + batch_size].to(device)).cpu()
                           for i in range(0, len(X), batch_size)]
                passes.append(torch.cat(outputs))
    finally:
        for m, mode in modes.items():
            m.training = mode
    samples = torch.stack(passes).numpy()
    return samples.mean(axis=0), samples.std(axis=0), samples


def gaussian_nll(output, target):
    """Gaussian negative log-likelihood of a network with a mean and a log-variance output.

    The loss of a heteroscedastic ("noise head") regression network (Nix & Weigend 1994;
    Lakshminarayanan et al. 2017; Kendall & Gal 2017): the network's first output is the mean
    :math:`\\mu(x)`, its second the log-variance :math:`\\log\\sigma^2(x)` of a Gaussian for the
    target, and the loss is the mean over the batch of
    :math:`\\tfrac12[\\log\\sigma^2 + (y-\\mu)^2/\\sigma^2]` (constants dropped). The log-variance
    is clamped to [-12, 12] for stability. Pass it to :func:`astrolab.nn.train` as ``loss=``.

    Parameters
    ----------
    output : torch.Tensor, shape (n, 2)
        Mean and log-variance per sample.
    target : torch.Tensor, shape (n,) or (n, 1)

    Returns
    -------
    torch.Tensor
        A scalar.

    Examples
    --------
    >>> import torch
    >>> out = torch.tensor([[0.0, 0.0], [1.0, 0.0]])   # mean 0 and 1, variance 1
    >>> float(gaussian_nll(out, torch.tensor([1.0, 1.0])))   # (0.5 * 1 + 0.5 * 0) / 2
    0.25
    """
    for name, value in (("output", output), ("target", target)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if output.ndim != 2 or output.shape[1] != 2:
        raise ValueError(f"output must have shape (n, 2): a mean and a log-variance per sample, got "
                         f"{tuple(output.shape)}")
    mean = output[:, 0]
    log_var = output[:, 1].clamp(*_LOG_VAR_RANGE)
    if target.numel() != mean.numel():
        raise ValueError(f"target must hold one value per row of output ({mean.numel()}), got shape "
                         f"{tuple(target.shape)}")
    target = target.reshape(mean.shape)
    return 0.5 * (log_var + (target - mean) ** 2 * torch.exp(-log_var)).mean()


class DeepEnsembleRegressor(RegressorMixin, BaseEstimator):
    """A deep ensemble of MLP regressors with predictive uncertainty (Lakshminarayanan et al. 2017).

    ``n_members`` networks (:class:`astrolab.nn.MLP`) are trained on the same data from different
    random initialisations and batch orders (seeds ``random_state + i``). With
    ``heteroscedastic=True`` each network has two outputs, a mean :math:`\\mu_i` and a
    log-variance :math:`\\log\\sigma_i^2`, and is trained with the Gaussian negative
    log-likelihood :math:`\\tfrac12[\\log\\sigma_i^2 + (y-\\mu_i)^2/\\sigma_i^2]`. The prediction is the
    mixture: mean :math:`\\bar\\mu = \\overline{\\mu_i}` and variance
    :math:`\\overline{\\sigma_i^2} + \\overline{\\mu_i^2} - \\bar\\mu^2` (aleatoric + epistemic).
    Without ``heteroscedastic`` the members are trained with the squared error and the
    variance is the epistemic part only. Inputs and targets are standardised inside.

    Parameters
    ----------
    n_members : int, default 5
    hidden : sequence of int, default (64, 64)
        Hidden layer widths of every member.
    dropout : float, default 0.0
    epochs : int, default 60
    lr : float, default 1e-3
    batch_size : int, default 64
    weight_decay : float, default 0.0
    heteroscedastic : bool, default True
    random_state : int, default 0
        Member ``i`` uses seed ``random_state + i`` for its weights and its batches.
    device : None, str or torch.device
        None picks :func:`astrolab.device` (CUDA when present).
    progress : bool, default True
        A tqdm bar over members.

    Attributes
    ----------
    members_ : list of MLP
    history_ : list of TrainingHistory
    n_features_in_ : int
    x_mean_, x_scale_, y_mean_, y_scale_ : numpy.ndarray or float
        The standardisation of inputs and targets.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, (200, 1))
    >>> y = X[:, 0] ** 2 + rng.normal(0, 0.1, 200)
    >>> ens = DeepEnsembleRegressor(n_members=2, hidden=(16,), epochs=5, device="cpu", progress=False)
    >>> mean, std = ens.fit(X, y).predict(X[:3], return_std=True)
    >>> mean.shape, std.shape, bool(np.all(std > 0))
    ((3,), (3,), True)
    """

    def __init__(self, *, n_members=5, hidden=(64, 64), dropout=0.0, epochs=60, lr=1e-3, batch_size=64,
                 weight_decay=0.0, heteroscedastic=True, random_state=0, device=None, progress=True):
        self.n_members = n_members
        self.hidden = hidden
        self.dropout = dropout
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.heteroscedastic = heteroscedastic
        self.random_state = random_state
        self.device = device
        self.progress = progress

    def fit(self, X, y):
        """Train the members on ``X`` of shape ``(n_samples, n_features)`` and ``y`` of shape ``(n_samples,)``.

        Returns
        -------
        self
        """
        from tqdm.auto import tqdm

        n_members = _check_int("n_members", self.n_members)
        hidden = _check_sizes("hidden", self.hidden, allow_empty=True)
        dropout = _check_dropout(self.dropout)
        from astrolab._validation import check_seed, check_size

        seed = check_seed("random_state (the seed)", self.random_state, allow_none=False)
        if not isinstance(self.heteroscedastic, bool):
            raise ValueError(f"heteroscedastic must be True or False, got {self.heteroscedastic!r}")
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2)
        self.x_mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.x_scale_ = np.where(scale > 0, scale, 1.0)
        self.y_mean_ = float(y.mean())
        y_scale = float(y.std())
        self.y_scale_ = y_scale if y_scale > 0 else 1.0
        Xs = ((X - self.x_mean_) / self.x_scale_).astype(np.float32)
        ys = ((y - self.y_mean_) / self.y_scale_).astype(np.float32)
        device = _resolve_device(self.device)
        loss = gaussian_nll if self.heteroscedastic else "mse"
        n_out = 2 if self.heteroscedastic else 1
        sizes = [X.shape[1], *hidden, n_out]
        n_weights = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        check_size("n_members", 4.0 * n_weights * n_members, request=f"n_members={n_members} kept members")
        self.members_, self.history_ = [], []
        for i in tqdm(range(n_members), desc="ensemble", unit="member", disable=not self.progress):
            member = MLP(X.shape[1], n_out, hidden=hidden, dropout=dropout, seed=seed + i)
            history = train(member, (Xs, ys), loss=loss, epochs=self.epochs, batch_size=self.batch_size,
                            lr=self.lr, weight_decay=self.weight_decay, seed=seed + i, device=device,
                            progress=False)
            member.eval()
            self.members_.append(member)
            self.history_.append(history)
        return self

    def members_predictions(self, X):
        """Mean and standard deviation predicted by every member.

        Returns
        -------
        means, stds : numpy.ndarray
            Shape ``(n_members, n_samples)``; ``stds`` is zero without ``heteroscedastic``.
        """
        check_is_fitted(self, "members_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Xs = torch.from_numpy(((X - self.x_mean_) / self.x_scale_).astype(np.float32))
        means, stds = [], []
        with torch.no_grad():
            for member in self.members_:
                was_training = member.training
                member.eval()
                device = next(member.parameters()).device
                out = member(Xs.to(device)).cpu().numpy().astype(np.float64)
                member.train(was_training)
                means.append(out[:, 0] * self.y_scale_ + self.y_mean_)
                if self.heteroscedastic:
                    log_var = np.clip(out[:, 1], *_LOG_VAR_RANGE)
                    stds.append(np.exp(0.5 * log_var) * self.y_scale_)
                else:
                    stds.append(np.zeros(len(X)))
        return np.array(means), np.array(stds)

    def predict(self, X, return_std=False):
        """Mixture mean (and total standard deviation: aleatoric + epistemic) for ``X``.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
        return_std : bool, default False

        Returns
        -------
        mean : numpy.ndarray, shape (n_samples,)
        std : numpy.ndarray, shape (n_samples,)
            Only with ``return_std=True``: :math:`\\sqrt{\\overline{\\sigma_i^2} + \\mathrm{Var}(\\mu_i)}`.
        """
        means, stds = self.members_predictions(X)
        mean = means.mean(axis=0)
        if not return_std:
            return mean
        return mean, np.sqrt((stds ** 2).mean(axis=0) + means.var(axis=0))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


def interval_coverage(y_true, mean, std, levels=(0.5, 0.68, 0.9, 0.95)):
    """Fraction of true values inside the central Gaussian intervals ``mean +- z_p * std``.

    For calibrated error bars the fraction equals the nominal level ``p``; plotted against ``p``
    it gives the coverage (calibration) plot. Below the diagonal: error bars too small.

    Parameters
    ----------
    y_true, mean, std : array_like
        Same shape; ``std >= 0``.
    levels : float or sequence of float, default (0.5, 0.68, 0.9, 0.95)
        Nominal probabilities of the central intervals, each in (0, 1).

    Returns
    -------
    numpy.ndarray
        One fraction per level (a float for a single level).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=100_000)
    >>> interval_coverage(y, np.zeros_like(y), np.ones_like(y), levels=(0.68, 0.95)).round(2)
    array([0.68, 0.95])
    """
    y_true, mean, std = (as_float_array(name, a) for name, a in (("y_true", y_true), ("mean", mean), ("std", std)))
    if not (y_true.shape == mean.shape == std.shape) or y_true.size == 0:
        raise ValueError(f"y_true, mean and std must have the same non-empty shape, got {y_true.shape}, "
                         f"{mean.shape} and {std.shape}")
    if np.any(~(std >= 0)):
        raise ValueError("std must be non-negative (and not NaN) everywhere")
    for name, values in (("y_true", y_true), ("mean", mean)):
        if np.isnan(values).any():
            raise ValueError(f"{name} must hold no NaN, got {int(np.isnan(values).sum())} of {values.size}")
    scalar = isinstance(levels, numbers.Real)
    levels_arr = np.atleast_1d(as_float_array("levels", levels))
    if levels_arr.ndim != 1 or np.any(~((levels_arr > 0) & (levels_arr < 1))):
        raise ValueError(f"levels must be probabilities in (0, 1), got {levels!r}")
    z = stats.norm.ppf(0.5 + levels_arr / 2)
    inside = np.abs(y_true - mean)[..., None] <= z * std[..., None]
    fractions = inside.reshape(-1, len(levels_arr)).mean(axis=0)
    return float(fractions[0]) if scalar else fractions
