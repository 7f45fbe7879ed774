"""Layer-wise relevance propagation (LRP): which inputs made a network give its answer.

LRP (Bach et al. 2015, PLoS ONE 10, e0130140) starts from the explained output
:math:`R = f_c(x)` and walks back through the network, layer by layer, sharing the relevance of
each neuron :math:`k` among its inputs :math:`j` in proportion to their contributions
:math:`a_j w_{jk}`:

.. math::

    R_j = \\sum_k \\frac{a_j w_{jk}}{z_k + \\epsilon\\,\\mathrm{sign}(z_k)} R_k,
    \\qquad z_k = \\sum_j a_j w_{jk} + b_k .

Element-wise activations (ReLU, Tanh) and Dropout pass relevance through unchanged. The total
relevance is conserved layer by layer (:math:`\\sum_j R_j = \\sum_k R_k`) up to what the biases and
:math:`\\epsilon` absorb: it is exact for a network without biases as :math:`\\epsilon \\to 0`.

Each step is computed with the "gradient trick" of Montavon et al. (2019): with
:math:`s_k = R_k / (z_k + \\epsilon\\,\\mathrm{sign}\\,z_k)`, :math:`R_j = a_j\\,\\partial (z \\cdot s)/\\partial a_j`,
so one autograd call per layer handles dense, convolution and pooling layers alike.

:func:`saliency` is the simpler, older attribution: the gradient of the explained output with
respect to each input (one row of the network's Jacobian; Simonyan, Vedaldi & Zisserman 2014). It
says how *sensitive* the output is to each input, whatever that input's value, where LRP says how
much each input *contributed*. Fabbro et al. (2018) studied StarNet with these Jacobians. For a ReLU
network the LRP-0 rule (:math:`\\epsilon \\to 0`) equals gradient :math:`\\times` input
(``saliency(..., times_input=True)``).
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from astrolab.nn._models import MLP, CNN1d, CNN2d

__all__ = ["lrp", "saliency"]

_RULES = ("epsilon", "zplus")
_INPUT_RULES = (None, "epsilon", "zplus", "w2")
_PASS_THROUGH = (nn.ReLU, nn.Tanh, nn.Dropout, nn.Identity)
_WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d)
_POOLING = (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)
_NORM = (nn.BatchNorm1d, nn.BatchNorm2d)


def _layers(model):
    """The leaf layers of ``model`` in the order the forward pass applies them."""
    if isinstance(model, MLP):
        parts = [model.net]
    elif isinstance(model, CNN2d):
        parts = [model.features, model.head]
    elif isinstance(model, CNN1d):
        parts = [model.features, model.pooling, model.head]
    elif isinstance(model, nn.Sequential):
        parts = [model]
    else:
        raise ValueError(f"model must be an astrolab MLP, CNN1d, CNN2d or a torch.nn.Sequential, "
                         f"got {type(model).__name__}")
    layers = []

    def expand(module):
        if isinstance(module, nn.Sequential):
            for child in module:
                expand(child)
            return
        supported = _PASS_THROUGH + _WEIGHTED + _POOLING + _NORM + (nn.Flatten,)
        if not isinstance(module, supported):
            names = sorted({t.__name__ for t in supported})
            raise ValueError(f"lrp does not support layers of type {type(module).__name__}; "
                             f"supported layers are {', '.join(names)}")
        if isinstance(module, (nn.Conv1d, nn.Conv2d)) and module.padding_mode != "zeros":
            raise ValueError(f"lrp supports convolutions with padding_mode='zeros', got "
                             f"{module.padding_mode!r} in {module}")
        layers.append(module)

    for part in parts:
        expand(part)
    return layers


def _positive_forward(layer, a):
    """``layer`` with only its positive weights and no bias (the z+ rule)."""
    if isinstance(layer, nn.Linear):
        return F.linear(a, layer.weight.clamp(min=0))
    if isinstance(layer, _WEIGHTED):
        conv = F.conv1d if isinstance(layer, nn.Conv1d) else F.conv2d
        return conv(a, layer.weight.clamp(min=0), None, layer.stride, layer.padding, layer.dilation, layer.groups)
    if isinstance(layer, _NORM):
        # BatchNorm in evaluation mode is the per-channel map gamma / sigma * (a - mu) + beta: keep the
        # positive scale, drop the shift (a bias, which z+ ignores)
        scale = layer.weight / torch.sqrt(layer.running_var + layer.eps) if layer.affine else \
            1 / torch.sqrt(layer.running_var + layer.eps)
        shape = (1, -1) + (1,) * (a.ndim - 2)
        return a * scale.clamp(min=0).reshape(shape)
    return layer(a)  # pooling: positive weights already


def _square_forward(layer, ones):
    """``layer`` with squared weights and no bias (the w^2 rule; ``ones`` stands for the inputs)."""
    if isinstance(layer, nn.Linear):
        return F.linear(ones, layer.weight ** 2)
    conv = F.conv1d if isinstance(layer, nn.Conv1d) else F.conv2d
    return conv(ones, layer.weight ** 2, None, layer.stride, layer.padding, layer.dilation, layer.groups)


def _stabilise(z, epsilon):
    sign = torch.sign(z)
    sign[sign == 0] = 1
    return z + epsilon * sign


def _propagate(layer, a, relevance, rule, epsilon):
    """Relevance at the input ``a`` of ``layer`` from the relevance at its output."""
    if isinstance(layer, _PASS_THROUGH):
        return relevance
    if isinstance(layer, nn.Flatten):
        return relevance.reshape(a.shape)
    a = a.detach().requires_grad_(True)
    if rule == "w2":
        if not isinstance(layer, _WEIGHTED):
            raise ValueError(f"input_rule='w2' needs a Linear or Conv first layer, got {type(layer).__name__}")
        ones = torch.ones_like(a, requires_grad=True)
        z = _square_forward(layer, ones)
        s = (relevance / _stabilise(z, epsilon)).detach()
        (c,) = torch.autograd.grad(z, ones, grad_outputs=s)
        return c.detach()  # sum_k w_jk^2 / sum_j' w_j'k^2 R_k: independent of the input values
    z = layer(a) if rule == "epsilon" else _positive_forward(layer, a)
    s = (relevance / _stabilise(z, epsilon)).detach()
    (c,) = torch.autograd.grad(z, a, grad_outputs=s)
    return (a * c).detach()


def _as_tensor(x, device):
    if isinstance(x, torch.Tensor):
        return x.detach().to(device=device, dtype=torch.float32)
    try:
        array = np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"x must be a numeric array or torch tensor, got {type(x).__name__}") from None
    return torch.from_numpy(np.ascontiguousarray(array)).to(device)


def _input_batch(model, x):
    """``x`` as a float32 tensor on the model's device; ValueError unless it is a non-empty batch."""
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    x = _as_tensor(x, device)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x must be a batch of inputs, shape (n_samples, ...), got shape {tuple(x.shape)}")
    return x


def _forward(model, x, explainer):
    """The model's outputs for ``x``, shape (batch, n_out); a clear ValueError when they cannot be explained."""
    try:
        output = model(x)
    except (ValueError, RuntimeError) as error:
        raise ValueError(f"x of shape {tuple(x.shape)} does not fit the model: {error}") from None
    if output.ndim != 2:
        raise ValueError(f"{explainer} explains models with outputs of shape (batch, n_out), got {tuple(output.shape)}")
    return output


def _targets(target, output):
    n, n_out = output.shape
    if target is None:
        if n_out == 1:
            return torch.zeros(n, dtype=torch.long, device=output.device)
        return output.argmax(dim=1)
    if isinstance(target, torch.Tensor):
        target = target.detach().cpu().numpy()
    values = np.asarray(target)
    if isinstance(target, bool) or values.dtype.kind not in "iu" or values.ndim > 1:
        raise ValueError(f"target must be None, an integer or a 1-D integer array of length {n}, got {target!r}")
    values = np.broadcast_to(values, (n,)) if values.ndim == 0 else values
    if len(values) != n:
        raise ValueError(f"target must hold one class index per sample ({n}), got {len(values)} values")
    if values.min() < 0 or values.max() >= n_out:
        raise ValueError(f"target must be class indices in [0, {n_out - 1}], got values in "
                         f"[{values.min()}, {values.max()}]")
    return torch.as_tensor(values.astype(np.int64), device=output.device)


def lrp(model, x, target=None, *, rule="epsilon", epsilon=1e-6, input_rule=None, return_output=False):
    """Layer-wise relevance propagation: how much each input contributed to one output of a network.

    The relevance of the explained output :math:`f_c(x)` is passed back layer by layer with the
    chosen rule; the result has one value per input, and the values sum (nearly) to
    :math:`f_c(x)` (see the module docstring for the equation).

    Parameters
    ----------
    model : MLP, CNN1d, CNN2d or torch.nn.Sequential
        A network built from Linear, Conv1d, Conv2d, ReLU, Tanh, MaxPool1d/2d, AvgPool1d/2d,
        AdaptiveAvgPool1d/2d, Flatten, Dropout, BatchNorm1d/2d and Identity layers (nested
        Sequentials are fine). It is run in evaluation mode (Dropout off, BatchNorm with its
        running statistics) on its own device, then put back in the mode it was in.
    x : array_like or torch.Tensor
        A **batch** of inputs, shape ``(n_samples, ...)`` exactly as the model takes it (for one
        sample use ``x[None]``).
    target : int or array of int, optional
        Index of the explained output, one for all samples or one per sample. None explains the
        largest output (the predicted class) when the model has several outputs and the single
        output of a one-output regression network. For a regression network with several outputs,
        say which one.
    rule : {"epsilon", "zplus"}, default "epsilon"
        ``"epsilon"`` (LRP-epsilon; Captum's ``EpsilonRule``): shares according to the signed
        contributions :math:`a_j w_{jk}`, bias included in :math:`z_k`. ``"zplus"`` (z+ rule;
        Captum's ``Alpha1_Beta0_Rule(set_bias_to_zero=True)``): only positive weights, no bias;
        all relevances are then non-negative when the layer inputs are (as after a ReLU).
        BatchNorm is treated as a per-channel linear map (z+: its positive scale, no shift).
    epsilon : float, default 1e-6
        Stabiliser added to every denominator :math:`z_k` with its sign; larger values absorb
        relevance of weak, contradictory contributions (and make the maps less noisy).
    input_rule : {None, "epsilon", "zplus", "w2"}, optional
        Rule for the first layer, which sees the raw (signed) inputs. None uses ``rule``. With
        signed inputs z+ is not guaranteed positive and can be unstable; ``"w2"`` (the
        :math:`w^2` rule of Montavon et al. 2017) shares in proportion to :math:`w_{jk}^2`,
        independent of the input values (not available in Captum).
    return_output : bool, default False
        Also return the explained outputs :math:`f_c(x)`, one per sample, to check conservation.

    Returns
    -------
    relevance : numpy.ndarray
        float32, same shape as ``x``.
    output : numpy.ndarray
        Only with ``return_output=True``: the explained outputs, shape ``(n_samples,)``.

    Notes
    -----
    Conservation :math:`\\sum_i R_i = f_c(x)` holds, for the epsilon rule, for a network without
    biases in the limit :math:`\\epsilon \\to 0`; otherwise biases and :math:`\\epsilon` absorb part
    of the relevance (the sum is then close to, not equal to, :math:`f_c(x)`). The z+ rule conserves
    relevance when every layer input is non-negative (after ReLUs, and non-negative raw inputs or
    ``input_rule="w2"``) and the biases are zero; with signed raw inputs, first-layer units whose
    positive-weight contributions vanish lose their relevance.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> net = nn.Sequential(nn.Linear(3, 4, bias=False), nn.ReLU(), nn.Linear(4, 1, bias=False))
    >>> x = torch.tensor([[1.0, -2.0, 0.5]])
    >>> relevance, output = lrp(net, x, epsilon=1e-9, return_output=True)
    >>> relevance.shape
    (1, 3)
    >>> bool(abs(relevance.sum() - output[0]) < 1e-5)  # no biases: relevance is conserved
    True
    """
    layers = _layers(model)
    if rule not in _RULES:
        raise ValueError(f"rule must be one of {list(_RULES)}, got {rule!r}")
    if input_rule not in _INPUT_RULES:
        raise ValueError(f"input_rule must be one of {list(_INPUT_RULES)}, got {input_rule!r}")
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not epsilon >= 0:
        raise ValueError(f"epsilon must be a non-negative number, got {epsilon!r}")
    x = _input_batch(model, x)

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            output = _forward(model, x, "lrp")
            target = _targets(target, output)
            # the forward pass again, layer by layer, keeping each layer's input
            a = x
            if isinstance(model, (CNN1d, CNN2d)) and a.ndim == (3 if isinstance(model, CNN1d) else 4) - 1:
                a = a[:, None]
            inputs = []
            for layer in layers:
                inputs.append(a)
                a = layer(a)
            explained = output.gather(1, target[:, None])
            relevance = torch.zeros_like(output).scatter_(1, target[:, None], explained)
        first = next((i for i, layer in enumerate(layers) if not isinstance(layer, _PASS_THROUGH + (nn.Flatten,))),
                     None)
        with torch.enable_grad():
            for i in range(len(layers) - 1, -1, -1):
                layer_rule = (input_rule or rule) if i == first else rule
                relevance = _propagate(layers[i], inputs[i], relevance, layer_rule, epsilon)
    finally:
        model.train(was_training)
    relevance = relevance.reshape(x.shape).cpu().numpy()
    if return_output:
        return relevance, explained[:, 0].cpu().numpy()
    return relevance


def saliency(model, x, target=None, *, times_input=False, return_output=False):
    """Gradient saliency: the derivative of one output of a network with respect to every input.

    One row of the network's Jacobian, :math:`\\partial f_c(x) / \\partial x_i`, per sample
    (Simonyan, Vedaldi & Zisserman 2014), computed with torch autograd. Fabbro et al. (2018) used
    these partial derivatives to see which parts of a spectrum drive each label of StarNet. A large
    :math:`|\\partial f_c / \\partial x_i|` means the output is sensitive to input :math:`i`, even
    where that input is near zero and so contributes little (compare :func:`lrp`).

    Parameters
    ----------
    model : torch.nn.Module
        Any differentiable network whose output has shape ``(n_samples, n_out)``. It is run in
        evaluation mode (Dropout off, BatchNorm with its running statistics) on its own device,
        then put back in the mode it was in; its parameters' gradients are left untouched.
    x : array_like or torch.Tensor
        A **batch** of inputs, shape ``(n_samples, ...)`` exactly as the model takes it.
    target : int or array of int, optional
        Index of the explained output, as in :func:`lrp` (None: the largest output, or the single
        output of a one-output network).
    times_input : bool, default False
        Return gradient :math:`\\times` input instead of the gradient (for a ReLU network without
        ``epsilon`` this is LRP-0).
    return_output : bool, default False
        Also return the explained outputs :math:`f_c(x)`, one per sample.

    Returns
    -------
    gradient : numpy.ndarray
        float32, same shape as ``x``.
    output : numpy.ndarray
        Only with ``return_output=True``: the explained outputs, shape ``(n_samples,)``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> net = nn.Sequential(nn.Linear(3, 1))
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor([[1.0, -2.0, 0.5]]))
    >>> saliency(net, torch.zeros(2, 3))   # a linear model: the gradient is its weight row
    array([[ 1. , -2. ,  0.5],
           [ 1. , -2. ,  0.5]], dtype=float32)
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(times_input, bool):
        raise ValueError(f"times_input must be True or False, got {times_input!r}")
    x = _input_batch(model, x)
    x = x.clone().requires_grad_(True)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            output = _forward(model, x, "saliency")
            target = _targets(target, output.detach())
            explained = output.gather(1, target[:, None])[:, 0]
            # samples do not interact in evaluation mode: the gradient of the sum is each sample's own
            (gradient,) = torch.autograd.grad(explained.sum(), x)
    finally:
        model.train(was_training)
    if times_input:
        gradient = gradient * x.detach()
    gradient = gradient.detach().cpu().numpy().astype(np.float32)
    if return_output:
        return gradient, explained.detach().cpu().numpy()
    return gradient
