"""Chapter 6 core: the torch models, the dataset wrapper and the training loop."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from astrolab.nn._data import ArrayDataset
from astrolab.nn._models import MLP, CNN1d, CNN2d, count_parameters
from astrolab.nn._training import TrainingHistory, predict, reproducible, train

SMALL = {
    "mlp": lambda seed: MLP(3, 2, hidden=(8, 8), dropout=0.1, seed=seed),
    "cnn2d": lambda seed: CNN2d(4, image_size=16, channels=(4, 8), seed=seed),
    "cnn1d": lambda seed: CNN1d(3, n_pixels=64, channels=(4, 8), seed=seed),
    "cnn1d_flat": lambda seed: CNN1d(3, n_pixels=64, channels=(4, 8), global_pool=False, seed=seed),
}
INPUTS = {"mlp": (5, 3), "cnn2d": (5, 1, 16, 16), "cnn1d": (5, 1, 64), "cnn1d_flat": (5, 1, 64)}
OUTPUTS = {"mlp": 2, "cnn2d": 4, "cnn1d": 3, "cnn1d_flat": 3}


def weights(model):
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize("name", SMALL)
def test_models_map_a_batch_to_outputs(name):
    model = SMALL[name](0)
    assert model(torch.zeros(INPUTS[name])).shape == (5, OUTPUTS[name])
    assert count_parameters(model) == sum(p.numel() for p in model.parameters()) > 0


def test_models_accept_inputs_without_the_channel_axis():
    assert CNN2d(2, image_size=16, channels=(4,))(torch.zeros(3, 16, 16)).shape == (3, 2)
    assert CNN1d(2, n_pixels=32, channels=(4,))(torch.zeros(3, 32)).shape == (3, 2)
    assert MLP(1, 1, hidden=(4,))(torch.zeros(7)).shape == (7, 1)
    assert CNN2d(2, in_channels=3, image_size=32)(torch.zeros(2, 3, 32, 32)).shape == (2, 2)


def test_parameter_counts_follow_the_layer_equations():
    assert count_parameters(MLP(1, 1, hidden=(32, 32))) == (32 + 32) + (32 * 32 + 32) + (32 + 1)
    assert count_parameters(MLP(4, 3, hidden=())) == 4 * 3 + 3
    cnn = CNN2d(5, image_size=8, channels=(2,), kernel_size=3, dropout=0.0)
    conv, bn, dense, out = 1 * 2 * 9 + 2, 2 * 2, 2 * 4 * 4 * 64 + 64, 64 * 5 + 5
    assert count_parameters(cnn) == conv + bn + dense + out
    cnn.features[0].weight.requires_grad_(False)
    assert count_parameters(cnn) == conv + bn + dense + out - 18
    assert count_parameters(cnn, trainable_only=False) == conv + bn + dense + out


@pytest.mark.parametrize("name", SMALL)
def test_the_same_seed_gives_the_same_weights_and_leaves_the_global_rng_alone(name):
    state = torch.random.get_rng_state()
    a, b, c = weights(SMALL[name](3)), weights(SMALL[name](3)), weights(SMALL[name](4))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a, b, strict=True))
    assert not all(torch.equal(p, q) for p, q in zip(a, c, strict=True))


def test_an_mlp_learns_a_sine_and_train_leaves_the_global_rng_alone():
    x = np.linspace(-3, 3, 128)[:, None]
    y = np.sin(x)
    model = MLP(1, 1, hidden=(32, 32), activation="tanh", seed=0)
    state = torch.random.get_rng_state()
    history = train(model, (x, y), loss="mse", epochs=50, batch_size=32, lr=1e-2, device="cpu", progress=False)
    assert torch.equal(torch.random.get_rng_state(), state)
    mse = np.mean((predict(model, x) - y) ** 2)
    assert mse < 2e-3
    assert history.train_loss[-1] < 0.01 * history.train_loss[0]
    assert history.val_loss == [] and history.val_accuracy is None and history.best_epoch == 50
    assert history.samples_per_second > 0 and history.seconds > 0


def bright_half_images(n, seed):
    """16 x 16 noise images with the top (label 0) or bottom (label 1) half brighter by 1 sigma."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.normal(0.0, 1.0, (n, 16, 16))
    images[labels == 0, :8] += 1.0
    images[labels == 1, 8:] += 1.0
    return images.astype(np.float32), labels


def test_a_cnn_separates_bright_top_from_bright_bottom():
    model = CNN2d(2, image_size=16, channels=(4, 8), dropout=0.0, seed=1)
    history = train(model, bright_half_images(256, 0), bright_half_images(200, 1), epochs=6, batch_size=32,
                    lr=3e-3, device="cpu", progress=False)
    X, labels = bright_half_images(200, 2)
    accuracy = np.mean(predict(model, X).argmax(axis=1) == labels)
    assert accuracy > 0.95
    assert history.val_accuracy[history.best_epoch - 1] > 0.95
    assert len(history.val_accuracy) == len(history.val_loss) == 6


def test_early_stopping_stops_and_restores_the_best_weights():
    # validation targets are the negated training targets: fitting the training data makes the
    # validation loss worse, so the best epoch is an early one and training stops `patience` later
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 2))
    y = x @ np.array([[2.0], [-1.0]]) + 1.0
    model = MLP(2, 1, hidden=(16,), seed=0)
    history = train(model, (x, y), (x, -y), loss="mse", epochs=50, batch_size=16, lr=1e-2, patience=3,
                    device="cpu", progress=False)
    assert history.stopped_early
    assert len(history.val_loss) == history.best_epoch + 3 < 50
    assert history.val_loss[history.best_epoch - 1] == min(history.val_loss)
    restored = np.mean((predict(model, x) + y) ** 2)
    assert restored == pytest.approx(history.val_loss[history.best_epoch - 1], rel=1e-5)
    ax = history.plot()
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert any("best epoch" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(ax.figure)


def test_two_runs_with_the_same_seed_give_identical_losses():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 3))
    labels = (x.sum(axis=1) > 0).astype(int)

    def run(seed):
        model = MLP(3, 2, hidden=(16,), dropout=0.3, seed=0)
        return train(model, (x, labels), (x, labels), epochs=4, batch_size=16, seed=seed, device="cpu",
                     progress=False)

    first, second, other = run(5), run(5), run(6)
    assert first.train_loss == second.train_loss and first.val_loss == second.val_loss
    assert first.val_accuracy == second.val_accuracy
    assert first.train_loss != other.train_loss  # a different seed shuffles (and drops out) differently


def test_a_global_pooled_cnn1d_ignores_where_a_line_is():
    # Zero padding and pooling by 2 three times: a feature whose receptive field stays clear of the
    # edges, moved by a multiple of 2**3 pixels, gives the same feature values in other places, so the
    # averaged head sees the same input (a shift that is not a multiple of 8 changes the pooling).
    x = torch.zeros(1, 128)
    x[0, 56:60] = torch.tensor([1.0, 3.0, 2.0, 0.5])
    shifted = torch.roll(x, 16, dims=1)
    pooled = CNN1d(2, n_pixels=128, channels=(4, 8, 8), seed=0).eval()
    flat = CNN1d(2, n_pixels=128, channels=(4, 8, 8), global_pool=False, seed=0).eval()
    with torch.no_grad():
        torch.testing.assert_close(pooled(x), pooled(shifted), rtol=0, atol=1e-6)
        assert not torch.allclose(flat(x), flat(shifted), rtol=0, atol=1e-4)


def test_array_dataset_keeps_integer_labels_and_applies_the_transform():
    data = ArrayDataset(np.arange(12).reshape(6, 2), np.arange(6), transform=lambda x: -x)
    x, y = data[2]
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert x.tolist() == [-4.0, -5.0] and int(y) == 2
    xb, yb = data[[1, 3]]
    assert xb.tolist() == [[-2.0, -3.0], [-6.0, -7.0]] and yb.tolist() == [1, 3]
    assert ArrayDataset(np.zeros((3, 1)), np.array([0.5, 1.0, 2.0])).y.dtype == torch.float32
    assert ArrayDataset(np.zeros((3, 1)))[0].shape == (1,)


def test_predict_batches_and_restores_the_training_mode():
    model = MLP(2, 1, hidden=(8,), dropout=0.5, seed=0)
    X = np.random.default_rng(0).normal(size=(50, 2))
    model.train()
    one, many = predict(model, X, batch_size=7), predict(model, X, batch_size=512)
    assert model.training
    assert one.shape == (50, 1) and one.dtype == np.float32
    np.testing.assert_allclose(one, many, rtol=1e-6, atol=1e-7)


def test_reproducible_sets_and_restores_the_switches():
    before = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.deterministic,
              torch.backends.cudnn.benchmark)
    with reproducible():
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    after = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.deterministic,
             torch.backends.cudnn.benchmark)
    assert after == before


def test_history_is_a_plain_dataclass():
    history = TrainingHistory(train_loss=[1.0, 0.5], val_loss=[1.2, 0.9], best_epoch=2)
    assert history.epochs == 2 and not history.stopped_early
    plt.close(history.plot().figure)


@pytest.mark.parametrize(("build", "match"), [
    (lambda: MLP(2, 1, activation="sigmoid"), "activation must be one of"),
    (lambda: MLP(0, 1), "n_in must be an integer >= 1"),
    (lambda: MLP(2, 1, hidden=(8, 0)), "hidden must be a sequence of positive integers"),
    (lambda: MLP(2, 1, dropout=1.0), r"dropout must be a probability in \[0, 1\)"),
    (lambda: MLP(2, 1, seed=-1), "seed must be a non-negative integer"),
    (lambda: CNN2d(2, image_size=4, channels=(4, 8, 16)), "image_size must be at least"),
    (lambda: CNN2d(2, kernel_size=4), "kernel_size must be odd"),
    (lambda: CNN1d(2, n_pixels=4, channels=(4, 8, 16)), "n_pixels must be at least"),
    (lambda: ArrayDataset(np.zeros((5, 2)), np.zeros(4)), "same number of samples"),
])
def test_bad_arguments_are_named(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"loss": "hinge"}, "loss must be one of"),
    ({"device": "tpu"}, "prefer must be None, 'cpu' or 'cuda'"),
    ({"patience": 2}, "patience .* needs val_data"),
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"lr": -1.0}, "lr must be a positive number"),
])
def test_bad_training_arguments_are_named(kwargs, match):
    x = np.zeros((8, 2))
    with pytest.raises(ValueError, match=match):
        train(MLP(2, 2, hidden=(4,)), (x, np.zeros(8, dtype=int)), progress=False, **kwargs)


def test_wrong_input_shapes_are_explained():
    with pytest.raises(ValueError, match=r"MLP expects input of shape \(batch, 3\)"):
        MLP(3, 1)(torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"CNN2d expects images of shape \(batch, 1, 16, 16\)"):
        CNN2d(2, image_size=16, channels=(4,))(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="must give .input, target. pairs"):
        train(MLP(2, 1), ArrayDataset(np.zeros((4, 2))), progress=False, device="cpu")


def test_train_accepts_any_dataset_and_applies_the_augmentation():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(40, 3)).astype(np.float32), rng.normal(size=(40, 1)).astype(np.float32)
    seen = []

    def augment(x):
        seen.append(tuple(x.shape))
        return x + 0.01

    history = train(MLP(3, 1, hidden=(4,)), ArrayDataset(X, y, transform=augment), loss="l1", epochs=2,
                    batch_size=16, device="cpu", progress=False)
    assert len(seen) == 80 and set(seen) == {(3,)}  # every sample of every epoch, one at a time
    plain = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    a = train(MLP(3, 1, hidden=(4,)), plain, (X, y), loss="mse", epochs=2, batch_size=16, device="cpu",
              progress=False)
    b = train(MLP(3, 1, hidden=(4,)), (X, y), (X, y), loss="mse", epochs=2, batch_size=16, device="cpu",
              progress=False)
    np.testing.assert_allclose(a.train_loss, b.train_loss, rtol=1e-6)  # same batches, whole-batch indexing or not
    assert len(history.train_loss) == 2


def test_a_callable_loss_is_used_as_given():
    x = np.linspace(-1, 1, 32)[:, None]
    calls = []

    def loss(output, target):
        calls.append(output.shape)
        return torch.mean((output - target) ** 2)

    history = train(MLP(1, 1, hidden=(4,)), (x, 3 * x), loss=loss, epochs=1, batch_size=8, device="cpu",
                    progress=True, desc="callable loss")
    assert len(calls) == 4 and history.val_accuracy is None
