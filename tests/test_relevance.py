"""Layer-wise relevance propagation: conservation, agreement with Captum, z+ positivity, errors; gradient saliency."""

import numpy as np
import pytest
import torch
from torch import nn

from astrolab.nn._models import MLP, CNN1d, CNN2d, seeded
from astrolab.nn._relevance import lrp, saliency

MODELS = {
    "mlp": (lambda: MLP(6, 3, hidden=(16, 16), dropout=0.2, seed=1), (5, 6)),
    "mlp_tanh": (lambda: MLP(6, 1, hidden=(16,), activation="tanh", seed=2), (5, 6)),
    "cnn1d": (lambda: CNN1d(2, n_pixels=64, channels=(4, 8), seed=3), (5, 64)),
    "cnn1d_flat": (lambda: CNN1d(2, n_pixels=64, channels=(4, 8), global_pool=False, seed=4), (5, 1, 64)),
    "cnn2d": (lambda: CNN2d(3, image_size=16, channels=(4, 8), seed=5), (5, 16, 16)),
}


def randomise_batchnorm(model, seed=0, zero_shift=False):
    """Give BatchNorm layers non-trivial running statistics and affine parameters (as after training)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                n = module.num_features
                module.running_var.copy_(0.5 + torch.rand(n, generator=gen))
                module.weight.copy_(0.5 + torch.rand(n, generator=gen))
                if zero_shift:
                    module.running_mean.zero_()
                    module.bias.zero_()
                else:
                    module.running_mean.copy_(0.1 * torch.randn(n, generator=gen))
                    module.bias.copy_(0.1 * torch.randn(n, generator=gen))
    return model


def without_biases(model):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)) and module.bias is not None:
                module.bias.zero_()
    return randomise_batchnorm(model, zero_shift=True)


def inputs(shape, seed=0, positive=False):
    x = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    return np.abs(x) if positive else x


@pytest.mark.parametrize("name", MODELS)
def test_epsilon_rule_conserves_relevance_without_biases(name):
    build, shape = MODELS[name]
    model = without_biases(build())
    x = inputs(shape)
    relevance, output = lrp(model, x, epsilon=1e-9, return_output=True)
    assert relevance.shape == x.shape and relevance.dtype == np.float32
    totals = relevance.reshape(len(x), -1).sum(axis=1)
    np.testing.assert_allclose(totals, output, rtol=1e-4, atol=1e-6)
    assert np.all(np.abs(output) > 1e-4)  # the check is not trivial


def test_biases_absorb_part_of_the_relevance():
    model = MLP(6, 1, hidden=(16, 16), seed=0)
    x = inputs((20, 6))
    relevance, output = lrp(model, x, return_output=True)
    gap = np.abs(relevance.sum(axis=1) - output)
    assert gap.max() > 1e-3  # with biases the sum is close to, not equal to, the output


@pytest.mark.parametrize("name", ["mlp", "cnn1d", "cnn2d"])
def test_zplus_on_non_negative_inputs_gives_non_negative_conserved_relevance(name):
    build, shape = MODELS[name]
    model = randomise_batchnorm(build())
    x = inputs(shape, positive=True)
    target = np.arange(len(x)) % model(torch.zeros((1, *shape[1:]))).shape[1]
    relevance, output = lrp(model, x, target, rule="zplus", epsilon=1e-9, return_output=True)
    totals = relevance.reshape(len(x), -1).sum(axis=1)
    positive = output > 0
    assert relevance[positive].min() >= 0
    # z+ ignores biases, so it shares the pre-bias sum; for an MLP with zero biases that is the output
    if name == "mlp":
        model = without_biases(build())
        relevance, output = lrp(model, x, target, rule="zplus", epsilon=1e-9, return_output=True)
        np.testing.assert_allclose(relevance.sum(axis=1)[output > 0], output[output > 0], rtol=1e-4)
    assert np.all(np.isfinite(totals))


def test_w2_input_rule_conserves_and_ignores_input_sign():
    model = without_biases(MLP(6, 1, hidden=(16,), seed=0))
    x = inputs((4, 6))
    relevance, output = lrp(model, x, rule="zplus", input_rule="w2", return_output=True)
    mask = output > 0
    np.testing.assert_allclose(relevance.sum(axis=1)[mask], output[mask], rtol=1e-4)
    assert relevance[mask].min() >= 0


def test_target_and_output_follow_the_model():
    model = MLP(4, 3, hidden=(8,), seed=0)
    x = inputs((6, 4))
    logits = model(torch.from_numpy(x)).detach().numpy()
    _, output = lrp(model, x, return_output=True)
    np.testing.assert_allclose(output, logits.max(axis=1), rtol=1e-6)
    _, output = lrp(model, x, target=2, return_output=True)
    np.testing.assert_allclose(output, logits[:, 2], rtol=1e-6)
    per_sample = np.array([0, 1, 2, 0, 1, 2])
    _, output = lrp(model, torch.from_numpy(x), target=per_sample, return_output=True)
    np.testing.assert_allclose(output, logits[np.arange(6), per_sample], rtol=1e-6)


def test_model_state_and_gradients_are_left_alone():
    model = MLP(4, 2, hidden=(8,), dropout=0.5, seed=0)
    model.train()
    x = inputs((3, 4))
    first = lrp(model, x)
    assert model.training
    assert all(p.grad is None for p in model.parameters())
    np.testing.assert_array_equal(first, lrp(model, x))  # dropout was off: deterministic
    model.eval()
    lrp(model, x)
    assert not model.training


def test_plain_sequential_with_nested_blocks():
    with seeded(0):
        net = nn.Sequential(nn.Sequential(nn.Conv2d(1, 3, 3, bias=False), nn.ReLU()), nn.AvgPool2d(2),
                            nn.Flatten(), nn.Identity(), nn.Linear(27, 2, bias=False))
    x = inputs((2, 1, 8, 8))
    relevance, output = lrp(net, x, target=1, epsilon=1e-9, return_output=True)
    np.testing.assert_allclose(relevance.sum(axis=(1, 2, 3)), output, rtol=1e-4)


def test_errors():
    model = MLP(4, 3, hidden=(8,), seed=0)
    x = inputs((2, 4))
    with pytest.raises(ValueError, match="rule must be one of"):
        lrp(model, x, rule="alpha2beta1")
    with pytest.raises(ValueError, match="input_rule must be one of"):
        lrp(model, x, input_rule="zb")
    with pytest.raises(ValueError, match="epsilon must be"):
        lrp(model, x, epsilon=-1.0)
    with pytest.raises(ValueError, match="target must be class indices"):
        lrp(model, x, target=3)
    with pytest.raises(ValueError, match="target must be None, an integer"):
        lrp(model, x, target=1.5)
    with pytest.raises(ValueError, match="one class index per sample"):
        lrp(model, x, target=[0, 1, 2])
    with pytest.raises(ValueError, match="does not fit the model"):
        lrp(model, inputs((2, 5)))
    with pytest.raises(ValueError, match="x must be a batch"):
        lrp(model, inputs((4,)))
    with pytest.raises(ValueError, match="does not support layers of type GELU"):
        lrp(MLP(4, 1, hidden=(8,), activation="gelu"), x)
    with pytest.raises(ValueError, match="does not support layers of type LSTM"):
        lrp(nn.Sequential(nn.LSTM(4, 4)), x)
    with pytest.raises(ValueError, match="model must be an astrolab MLP"):
        lrp(nn.Linear(4, 1), x)


# --- agreement with Captum's LRP --------------------------------------------------------------


def captum_relevance(model, x, target, rule, epsilon):
    """Captum's LRP with a rule on every layer, including those Captum has no default for."""
    captum_attr = pytest.importorskip("captum.attr")
    # Captum documents its rules at captum.attr._utils.lrp_rules (there is no public re-export)
    captum_rules = pytest.importorskip("captum.attr._utils.lrp_rules")

    model.eval()
    for layer in model.modules():
        if len(list(layer.children())) > 0 or isinstance(layer, (nn.ReLU, nn.Tanh, nn.Dropout)):
            continue
        if isinstance(layer, nn.Flatten):
            # Flatten: not in Captum's defaults (and its IdentityRule does not reshape); a tiny epsilon passes
            # the relevance through unchanged
            layer.rule = captum_rules.EpsilonRule(epsilon=1e-12)
        elif rule == "zplus" and isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            layer.rule = captum_rules.Alpha1_Beta0_Rule(set_bias_to_zero=True)
        else:
            # Conv1d and AdaptiveAvgPool1d are not in Captum's defaults either; the epsilon rule applies as is
            layer.rule = captum_rules.EpsilonRule(epsilon=epsilon)
    x = torch.as_tensor(x)
    if isinstance(model, CNN2d) and x.ndim == 3 or isinstance(model, CNN1d) and x.ndim == 2:
        x = x[:, None]
    attribution = captum_attr.LRP(model).attribute(x.clone().requires_grad_(True), target=torch.as_tensor(target))
    return attribution.detach().numpy()


@pytest.mark.parametrize("name", ["mlp", "mlp_tanh", "cnn1d", "cnn1d_flat", "cnn2d"])
def test_epsilon_rule_agrees_with_captum(name):
    build, shape = MODELS[name]
    x = inputs(shape, seed=1)
    ours = lrp(randomise_batchnorm(build()), x, target=0, epsilon=1e-3)
    theirs = captum_relevance(randomise_batchnorm(build()), x, np.zeros(len(x), dtype=int), "epsilon", 1e-3)
    scale = np.abs(theirs).max()
    np.testing.assert_allclose(ours, theirs.reshape(ours.shape), rtol=1e-5, atol=1e-5 * scale)


@pytest.mark.parametrize("name", ["mlp", "cnn1d"])
def test_zplus_rule_agrees_with_captum_alpha1_beta0(name):
    build, shape = MODELS[name]
    x = inputs(shape, seed=2, positive=True)
    target = np.ones(len(x), dtype=int) if name == "mlp" else np.zeros(len(x), dtype=int)
    ours = lrp(build(), x, target=target, rule="zplus", epsilon=1e-9)
    theirs = captum_relevance(build(), x, target, "zplus", 1e-9)
    scale = np.abs(theirs).max()
    np.testing.assert_allclose(ours, theirs.reshape(ours.shape), rtol=1e-5, atol=1e-5 * scale)


# --- gradient saliency (the Jacobian) -----------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_saliency_is_the_jacobian_row_of_the_explained_output(name):
    build, shape = MODELS[name]
    model = randomise_batchnorm(build())
    x = inputs(shape, seed=3)
    gradient, output = saliency(model, x, target=0, return_output=True)
    assert gradient.shape == x.shape and gradient.dtype == np.float32
    model.eval()
    jacobian = torch.autograd.functional.jacobian(lambda t: model(t)[:, 0], torch.from_numpy(x))
    # (n, n, ...) -> each sample's own derivatives; the off-diagonal blocks vanish (samples independent)
    own = jacobian[np.arange(len(x)), np.arange(len(x))].numpy()
    np.testing.assert_allclose(gradient, own, rtol=1e-5, atol=1e-6 * np.abs(own).max())
    np.testing.assert_allclose(output, model(torch.from_numpy(x))[:, 0].detach().numpy(), rtol=1e-6)
    # a finite difference on one input of one sample
    step = np.zeros_like(x)
    step.reshape(len(x), -1)[1, 3] = 1e-2
    f = lambda a: model(torch.from_numpy(a))[1, 0].item()  # noqa: E731
    assert abs((f(x + step) - f(x - step)) / 2e-2 - gradient.reshape(len(x), -1)[1, 3]) < 2e-3


def test_saliency_times_input_is_lrp_zero_for_relu_networks():
    """Gradient x input equals LRP-epsilon as epsilon -> 0 for a ReLU network, biases included."""
    model = MLP(6, 3, hidden=(16, 16), seed=7)
    x = inputs((5, 6), seed=4)
    np.testing.assert_allclose(saliency(model, x, times_input=True), lrp(model, x, epsilon=1e-12),
                               rtol=1e-4, atol=1e-6)


def test_saliency_agrees_with_captum_and_leaves_the_model_alone():
    captum_attr = pytest.importorskip("captum.attr")
    model = MLP(6, 3, hidden=(16,), dropout=0.5, seed=0)
    model.train()
    x = inputs((4, 6), seed=5)
    ours = saliency(model, x, target=2)
    assert model.training and all(p.grad is None for p in model.parameters())
    np.testing.assert_array_equal(ours, saliency(model, x, target=2))  # dropout was off
    model.eval()
    theirs = captum_attr.Saliency(model).attribute(torch.from_numpy(x).requires_grad_(True), target=2, abs=False)
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_saliency_errors():
    model = MLP(4, 3, hidden=(8,), seed=0)
    with pytest.raises(ValueError, match="torch.nn.Module"):
        saliency(lambda t: t, inputs((2, 4)))
    with pytest.raises(ValueError, match="batch of inputs"):
        saliency(model, inputs((4,)))
    with pytest.raises(ValueError, match="does not fit the model"):
        saliency(model, inputs((2, 5)))
    with pytest.raises(ValueError, match="target must be class indices"):
        saliency(model, inputs((2, 4)), target=3)
    with pytest.raises(ValueError, match="times_input"):
        saliency(model, inputs((2, 4)), times_input=1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_runs_on_the_gpu_and_matches_the_cpu():
    model = CNN2d(3, image_size=16, channels=(4, 8), seed=5)
    x = inputs((4, 16, 16))
    cpu = lrp(model, x, target=1)
    model.to("cuda")
    gpu = lrp(model, x, target=1)
    assert next(model.parameters()).device.type == "cuda"
    np.testing.assert_allclose(gpu, cpu, rtol=1e-3, atol=1e-4 * np.abs(cpu).max())
