"""Chapter 6d: the convolutional autoencoder and the DCGAN (layouts, seeds, learning on toys, errors)."""

import numpy as np
import pytest
import torch

from astrolab.nn._autoencoder import ConvAutoencoder
from astrolab.nn._gan import Discriminator, GANHistory, Generator, train_gan
from astrolab.nn._training import train


def blobs(n, size=16, seed=0):
    """Gaussian blobs of random width and amplitude, and their amplitudes."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:size, :size] - (size - 1) / 2
    amp = rng.uniform(0.3, 0.9, n)
    width = rng.uniform(1.5, 3.0, n)
    img = amp[:, None, None] * np.exp(-(x**2 + y**2) / (2 * width[:, None, None] ** 2))
    return img.astype(np.float32), amp


def same_weights(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


# ---------------------------------------------------------------- autoencoder

def test_autoencoder_layouts_and_shapes():
    ae = ConvAutoencoder(image_size=16, latent_dim=3, channels=(4, 8), seed=0)
    x3 = torch.zeros(5, 16, 16)
    assert ae(x3).shape == (5, 16, 16)
    assert ae(x3[:, None]).shape == (5, 1, 16, 16)
    assert ae.encode(x3).shape == ae.encode(x3[:, None]).shape == (5, 3)
    assert ae.decode(torch.zeros(2, 3)).shape == (2, 16, 16)
    big = ConvAutoencoder(seed=0)  # defaults: 32x32 images, 8 latent numbers
    assert big(torch.zeros(2, 32, 32)).shape == (2, 32, 32) and big.encode(torch.zeros(2, 32, 32)).shape == (2, 8)


def test_autoencoder_seed_fixes_the_weights_and_leaves_the_global_rng_alone():
    state = torch.random.get_rng_state()
    a, b = ConvAutoencoder(image_size=16, seed=3), ConvAutoencoder(image_size=16, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert same_weights(a, b)
    assert not same_weights(a, ConvAutoencoder(image_size=16, seed=4))


def test_autoencoder_learns_blobs_with_the_course_training_loop():
    X, _ = blobs(128, seed=1)
    ae = ConvAutoencoder(image_size=16, latent_dim=2, channels=(4, 8), seed=0)
    baseline = float(np.mean((X - X.mean(axis=0)) ** 2))  # MSE of predicting the mean image
    history = train(ae, (X, X), loss="mse", epochs=12, batch_size=16, lr=1e-2, device="cpu", progress=False)
    assert history.train_loss[-1] < 0.05 * history.train_loss[0]
    with torch.no_grad():
        out = ae(torch.from_numpy(X)).numpy()
    # two latent numbers describe width and amplitude: far better than the mean image
    assert np.mean((out - X) ** 2) < 0.4 * baseline  # 0.23 at these seeds


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"image_size": 30}, "image_size must be divisible by 2\\*\\*len\\(channels\\) = 4"),
    ({"image_size": 2}, "image_size must be an integer >= 4"),
    ({"latent_dim": 0}, "latent_dim must be an integer >= 1"),
    ({"channels": ()}, "channels must hold at least one size"),
    ({"channels": (8, -1)}, "channels must be a sequence of positive integers"),
    ({"seed": -1}, "seed must be an integer >= 0"),
])
def test_autoencoder_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ConvAutoencoder(**kwargs)


def test_autoencoder_rejects_bad_inputs():
    ae = ConvAutoencoder(image_size=16, latent_dim=2, channels=(4,))
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 16, 16\)"):
        ae(torch.zeros(2, 32, 32))
    with pytest.raises(ValueError, match=r"x must have shape"):
        ae(torch.zeros(2, 3, 16, 16))
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 2\)"):
        ae.decode(torch.zeros(2, 3))


# ---------------------------------------------------------------- GAN

def test_generator_and_discriminator_shapes():
    g = Generator(seed=0)
    assert g(torch.zeros(3, 32)).shape == (3, 1, 32, 32)
    images = g.sample(4, seed=1)
    assert images.shape == (4, 32, 32) and images.dtype == np.float32
    assert np.all(np.abs(images) <= 1)
    d = Discriminator(seed=0)
    assert d(torch.zeros(3, 32, 32)).shape == d(torch.zeros(3, 1, 32, 32)).shape == (3,)
    assert g.training  # sample() puts the network back in the mode it was in


def test_gan_seeds():
    state = torch.random.get_rng_state()
    g1, g2 = Generator(image_size=16, channels=(16, 8), seed=2), Generator(image_size=16, channels=(16, 8), seed=2)
    assert same_weights(g1, g2)
    assert not same_weights(g1, Generator(image_size=16, channels=(16, 8), seed=3))
    assert same_weights(Discriminator(seed=5), Discriminator(seed=5))
    np.testing.assert_array_equal(g1.sample(6, seed=1), g1.sample(6, seed=1))
    assert not np.array_equal(g1.sample(6, seed=1), g1.sample(6, seed=2))
    assert torch.equal(torch.random.get_rng_state(), state)


def small_gan(seed=0):
    return (Generator(latent_dim=8, image_size=16, channels=(16, 8), seed=seed),
            Discriminator(image_size=16, channels=(8, 16), seed=seed))


def test_train_gan_is_deterministic_and_leaves_the_global_rng_alone():
    X, _ = blobs(64, seed=2)
    X = 2 * X - 1
    state = torch.random.get_rng_state()
    runs = []
    for _ in range(2):
        g, d = small_gan()
        h = train_gan(g, d, X, epochs=2, batch_size=16, seed=7, device="cpu", progress=False)
        runs.append((h, g.sample(4, seed=0)))
    assert torch.equal(torch.random.get_rng_state(), state)
    (h1, s1), (h2, s2) = runs
    assert isinstance(h1, GANHistory) and len(h1.d_loss) == len(h1.g_loss) == len(h1.d_real) == 2
    assert h1 == h2
    np.testing.assert_array_equal(s1, s2)
    g, d = small_gan()
    h3 = train_gan(g, d, X, epochs=2, batch_size=16, seed=8, device="cpu", progress=False)
    assert h3.d_loss != h1.d_loss
    assert all(0 < p < 1 for p in h1.d_real + h1.d_fake)


def test_gan_learns_the_background_and_brightness_of_blobs():
    """A toy with a known answer: images that are blobs of random amplitude on an empty sky.

    The untrained generator puts out ~0 everywhere (tanh of small numbers); the data are -1 on the
    sky. After a few epochs the generated mean pixel value has moved most of the way to the data's.
    """
    X, _ = blobs(256, seed=0)
    X = 2 * X - 1
    g, d = small_gan()
    before = g.sample(256, seed=1).mean()
    h = train_gan(g, d, X, epochs=8, batch_size=32, lr=1e-3, device="cpu", progress=False)
    after = g.sample(256, seed=1).mean()
    gap_before, gap_after = abs(before - X.mean()), abs(after - X.mean())
    assert gap_before > 0.8
    assert gap_after < 0.4 * gap_before, (before, after, X.mean())
    assert np.all(np.isfinite(h.d_loss + h.g_loss))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"images": np.zeros((64, 16, 16)) + 2}, r"images must be finite and scaled to \[-1, 1\]"),
    ({"images": np.full((64, 16, 16), np.nan)}, r"images must be finite"),
    ({"images": np.zeros((64, 32, 32))}, r"images must have shape \(n, 16, 16\)"),
    ({"images": np.zeros((64, 3, 16, 16))}, r"images must have shape"),
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"batch_size": 1}, "batch_size must be an integer >= 2"),
    ({"batch_size": 65}, r"batch_size must be at most the number of images \(64\)"),
    ({"lr": 0.0}, "lr must be a positive number"),
    ({"betas": (0.5,)}, r"betas must be two numbers in \[0, 1\)"),
    ({"betas": (0.5, 1.0)}, r"betas must be two numbers in \[0, 1\)"),
    ({"seed": 1.5}, "seed must be an integer >= 0"),
    ({"device": 3.0}, "device must be None"),
])
def test_train_gan_rejects_bad_arguments(kwargs, match):
    g, d = small_gan()
    args = {"images": np.zeros((64, 16, 16)), "epochs": 1, "batch_size": 16, "device": "cpu", "progress": False}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        train_gan(g, d, **args)


def test_train_gan_rejects_mismatched_models():
    g, _ = small_gan()
    with pytest.raises(ValueError, match="same image_size, got 16 and 32"):
        train_gan(g, Discriminator(), np.zeros((8, 16, 16)), progress=False)
    with pytest.raises(ValueError, match="generator must be an astrolab.nn.Generator"):
        train_gan(ConvAutoencoder(), Discriminator(), np.zeros((8, 32, 32)), progress=False)
    with pytest.raises(ValueError, match="discriminator must be an astrolab.nn.Discriminator"):
        train_gan(g, g, np.zeros((8, 16, 16)), progress=False)


@pytest.mark.parametrize(("cls", "kwargs", "match"), [
    (Generator, {"image_size": 20}, "image_size must be divisible by 2\\*\\*len\\(channels\\) = 8"),
    (Generator, {"latent_dim": 0}, "latent_dim must be an integer >= 1"),
    (Discriminator, {"channels": "abc"}, "channels must be a sequence of positive integers"),
    (Discriminator, {"seed": True}, "seed must be an integer >= 0"),
])
def test_gan_models_reject_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_gan_models_reject_bad_inputs():
    g, d = small_gan()
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 8\)"):
        g(torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 16, 16\)"):
        d(torch.zeros(2, 8, 8))
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        g.sample(0)


def test_history_plot():
    import matplotlib.pyplot as plt

    h = GANHistory(d_loss=[1.0, 1.2], g_loss=[2.0, 1.0], d_real=[0.6, 0.55], d_fake=[0.3, 0.4])
    ax1, ax2 = h.plot()
    assert len(ax1.lines) == 4 and ax2.get_ylim() == (0, 1)
    plt.close("all")
