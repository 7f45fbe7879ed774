"""Chapter 6: the numpy network - backpropagation against finite differences, fits, the scikit-learn contract."""

import numpy as np
import pytest
from sklearn.neural_network import MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from astrolab.nn._numpy_mlp import NumpyMLPRegressor, gradient_check


@parametrize_with_checks([NumpyMLPRegressor(max_iter=50), NumpyMLPRegressor(max_iter=50, batch_size=16,
                                                                            activation="relu", alpha=1e-3)])
def test_numpy_mlp_follows_the_scikit_learn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_backpropagation_equals_finite_differences(activation, alpha):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    net = NumpyMLPRegressor(hidden_layer_sizes=(6, 5), activation=activation, alpha=alpha, random_state=2)
    assert gradient_check(net, X, y) < 1e-6
    net.set_params(max_iter=30).fit(X, y)  # also away from the initial weights
    assert gradient_check(net, X, y) < 1e-6


def test_a_wrong_gradient_is_caught():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 2)), rng.normal(size=10)
    net = NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    net.alpha = 1.0  # the penalty enters the loss and the gradient alike...
    assert gradient_check(net, X, y) < 1e-6
    original = net._loss_and_gradients

    def forgets_the_bias_gradient(X, y):
        loss, dW, db = original(X, y)
        return loss, dW, [0 * g for g in db]

    net._loss_and_gradients = forgets_the_bias_gradient  # ...a broken backward pass does not match
    assert gradient_check(net, X, y) > 0.5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # sklearn's 20 iterations, on purpose
def test_loss_matches_the_formula_and_scikit_learn_shapes():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    ours = NumpyMLPRegressor(hidden_layer_sizes=(7, 5), max_iter=20, alpha=0.5, random_state=0).fit(X, y)
    theirs = MLPRegressor(hidden_layer_sizes=(7, 5), max_iter=20, random_state=0).fit(X, y)
    assert [w.shape for w in ours.coefs_] == [w.shape for w in theirs.coefs_] == [(4, 7), (7, 5), (5, 1)]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert ours.n_iter_ == len(ours.loss_curve_) == 20
    loss, dW, db = ours.loss_and_gradients(X, y)
    expected = 0.5 * np.mean((ours.predict(X) - y) ** 2) + 0.25 * sum(np.sum(w**2) for w in ours.coefs_) / 30
    assert loss == pytest.approx(expected, rel=1e-12)
    assert [g.shape for g in dW] == [w.shape for w in ours.coefs_]


def test_fits_a_sine_and_stops_when_converged():
    x = np.linspace(-3, 3, 100)[:, None]
    net = NumpyMLPRegressor(hidden_layer_sizes=(16,), learning_rate=2e-2, max_iter=1500, random_state=0)
    net.fit(x, np.sin(x[:, 0]))
    assert np.mean((net.predict(x) - np.sin(x[:, 0])) ** 2) < 0.01
    assert net.loss_curve_[-1] < 0.01 * net.loss_curve_[0]
    easy = NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=5000, tol=1e-3, random_state=0)
    assert easy.fit(x, 0 * x[:, 0]).n_iter_ < 5000  # a flat target converges long before max_iter


def test_mini_batches_and_seeds():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(64, 2)), rng.normal(size=64)
    a = NumpyMLPRegressor(batch_size=16, max_iter=10, random_state=5).fit(X, y)
    b = NumpyMLPRegressor(batch_size=16, max_iter=10, random_state=5).fit(X, y)
    c = NumpyMLPRegressor(batch_size=16, max_iter=10, random_state=6).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert not np.allclose(a.predict(X), c.predict(X))
    assert a.predict(X).shape == (64,)
    assert NumpyMLPRegressor(max_iter=3).fit(X, np.column_stack([y, y])).predict(X).shape == (64, 2)


@pytest.mark.parametrize(("params", "match"), [
    ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes must be a sequence of positive integers"),
    ({"activation": "softplus"}, "activation must be one of"),
    ({"learning_rate": 0.0}, "learning_rate must be a positive number"),
    ({"alpha": -1.0}, "alpha must be a non-negative number"),
    ({"batch_size": 0}, "batch_size must be a positive integer or None"),
    ({"max_iter": 1.5}, "max_iter must be a positive integer"),
    ({"n_iter_no_change": 0}, "n_iter_no_change must be a positive integer"),
])
def test_bad_hyperparameters_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        NumpyMLPRegressor(**params).fit(np.zeros((5, 1)), np.zeros(5))


def test_gradient_check_validates_its_arguments():
    with pytest.raises(ValueError, match="model must be a NumpyMLPRegressor"):
        gradient_check(MLPRegressor(), np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="eps must be a positive number"):
        gradient_check(NumpyMLPRegressor(), np.zeros((3, 1)), np.zeros(3), eps=0)
