"""Exercises of chapter 6, neural networks (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data,
truths and trained networks, defined in cells that the student edition keeps -- so it follows the
notebook's seed (and a student's variant of it). The two ``judgement`` exercises (06-03: a probability
threshold for a target purity of barred spirals; 06-07: the scale factor that calibrates MC-dropout
intervals) are graded against the true labels and true [Fe/H] of held-out objects.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_real
from astrolab.exercises._core import exercise

_CACHE: dict = {}


def _memo(key, compute):
    """``compute()`` once per key (the key holds the ids of the notebook objects it depends on)."""
    if key not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = compute()
    return _CACHE[key]


# ------------------------------------------------------------------------- 06-01 a network is a function
def _mlp_parameters(ns) -> int:
    import astrolab as al

    return al.nn.count_parameters(al.nn.MLP(2, 3, hidden=(16, 8)))


exercise(
    "06-01", "nn-count-parameters",
    title="Count the parameters",
    answer="n_params_mlp",
    name="the number of parameters",
    rtol=0,
    expected=_mlp_parameters,
    hints=("A dense layer from p to q units has a q x p weight matrix and q biases: q (p + 1) parameters.",
           "There are three layers: 2 -> 16, 16 -> 8 and 8 -> 3. Add up q (p + 1) over them."),
    solution="""
        n_params_mlp = (2 * 16 + 16) + (16 * 8 + 8) + (8 * 3 + 3)   # (weights + biases) per layer
        print(n_params_mlp, al.nn.count_parameters(al.nn.MLP(2, 3, hidden=(16, 8))))
        ex.nn_count_parameters.check(n_params_mlp)
    """,
)


def _tiny_gradient(ns) -> float:
    import astrolab as al

    # one hidden tanh unit: y_hat = w2 * tanh(w1 * x + b1) + b2, one data point, loss 1/2 (y_hat - y)^2
    tiny = al.nn.NumpyMLPRegressor(hidden_layer_sizes=(1,), max_iter=1, random_state=0).fit([[0.0]], [0.0])
    tiny.coefs_ = [np.array([[0.8]]), np.array([[1.5]])]
    tiny.intercepts_ = [np.array([-0.1]), np.array([0.2])]
    return float(tiny.loss_and_gradients([[0.5]], [1.0])[1][0][0, 0])


exercise(
    "06-01", "nn-backprop-by-hand",
    title="One backpropagation step by hand",
    answer="dL_dw1",
    name="dL/dw1",
    rtol=1e-6,
    expected=_tiny_gradient,
    hints=("Forward pass first: z = w1 x + b1, h = tanh(z), y_hat = w2 h + b2. Then walk back from the loss.",
           "dL/dw1 = (y_hat - y) * w2 * (1 - h**2) * x: one factor per step of the forward pass."),
    solution="""
        w1, b1, w2, b2, x0, y0 = 0.8, -0.1, 1.5, 0.2, 0.5, 1.0
        z = w1 * x0 + b1                      # forward pass
        h = np.tanh(z)
        y_hat = w2 * h + b2
        dL_dyhat = y_hat - y0                 # backward pass, one factor per step
        dL_dh = dL_dyhat * w2
        dL_dz = dL_dh * (1 - h**2)
        dL_dw1 = dL_dz * x0
        print(f"y_hat = {y_hat:.4f}, dL/dw1 = {dL_dw1:.6f}")
        ex.nn_backprop_by_hand.check(dL_dw1)
    """,
)


def _periodic_rms(ns) -> float:
    import astrolab as al

    phase, y, wide = ns["phase"], ns["y"], ns["wide_phase"]

    def compute():
        def inputs(ph):
            return np.column_stack([np.cos(2 * np.pi * ph), np.sin(2 * np.pi * ph)])

        net = al.nn.NumpyMLPRegressor(hidden_layer_sizes=ns["HIDDEN"], learning_rate=1e-2, max_iter=ns["MAX_ITER"],
                                      random_state=ns["SEED"]).fit(inputs(phase), y)
        pred = net.predict(inputs(wide)) + ns["mag_mean"]
        outside = ns["outside"]
        return float(np.sqrt(np.mean((pred[outside] - ns["true_mag"](wide[outside])) ** 2)))

    key = ("06-01-periodic", id(phase), id(y), id(wide), ns["SEED"], ns["MAX_ITER"], tuple(ns["HIDDEN"]))
    return _memo(key, compute)


exercise(
    "06-01", "nn-periodic-inputs",
    title="Teach the network that phase is periodic",
    answer="rms_outside_periodic",
    name="the RMS outside the training range",
    rtol=1e-3,
    expected=_periodic_rms,
    hints=("Build the inputs with `np.column_stack([np.cos(2 * np.pi * ph), np.sin(2 * np.pi * ph)])` "
           "for the training phases and for `wide_phase`; the network's target `y` stays the same.",
           "The network predicts magnitudes minus `mag_mean`: add it back, then take "
           "`rms(pred[outside] - true_mag(wide_phase[outside]))`."),
    solution="""
        def periodic_inputs(ph):
            return np.column_stack([np.cos(2 * np.pi * ph), np.sin(2 * np.pi * ph)])


        periodic = al.nn.NumpyMLPRegressor(hidden_layer_sizes=HIDDEN, learning_rate=1e-2, max_iter=MAX_ITER,
                                           random_state=SEED).fit(periodic_inputs(phase), y)
        pred = periodic.predict(periodic_inputs(wide_phase)) + mag_mean
        rms_outside_periodic = rms(pred[outside] - true_mag(wide_phase[outside]))
        print(f"RMS outside [0, 1]: {rms_outside_periodic:.4f} mag (plain phase input: {rms_outside:.3f} mag)")
        ex.nn_periodic_inputs.check(rms_outside_periodic)
    """,
)


# ------------------------------------------------------------------------- 06-02 convolution
def _conv_parameters(ns) -> int:
    import torch

    import astrolab as al

    return al.nn.count_parameters(torch.nn.Conv2d(16, 32, 3))


exercise(
    "06-02", "conv-params",
    title="Exercise 1: weights of a convolutional layer",
    answer="n_params",
    name="the number of weights",
    rtol=0,
    expected=_conv_parameters,
    hints=("Each output channel has one kernel that spans all the input channels, plus one bias.",
           "One kernel of Conv2d(16, 32, 3) has 16 x 3 x 3 weights; there are 32 of them, each with a bias."),
    solution="""
        n_params = 32 * (16 * 3 * 3 + 1)   # 32 kernels of 16x3x3 weights, plus 32 biases
        print(n_params, al.nn.count_parameters(torch.nn.Conv2d(16, 32, 3)))
        ex.conv_params.check(n_params)
    """,
)


def _edge_response(ns):
    import astrolab as al

    edge = al.nn.filter_image(np.full((20, 20), 100.0), ns["FILTERS"]["edge_5x5"])
    return np.array([edge[10, 10], edge[0, 0]])


exercise(
    "06-02", "edge-constant",
    title="Exercise 2: the edge filter on a flat image",
    answer="response",
    name="the middle and corner responses",
    rtol=1e-6,
    expected=_edge_response,
    hints=("In the middle every weight sees the value 100: the response is 100 times the sum of the weights.",
           "At the corner [0, 0], zero padding hides the rows and columns of the kernel that fall outside the "
           "image: only its lower-right 3x3 block multiplies 100s. Check with "
           "`al.nn.filter_image(flat, FILTERS['edge_5x5'])`."),
    solution="""
        flat = np.full((20, 20), 100.0)
        edge_map = al.nn.filter_image(flat, FILTERS["edge_5x5"])
        response = np.array([edge_map[10, 10], edge_map[0, 0]])
        # middle: 100 x 0.02 = 2. Corner: only the lower-right 3x3 block of the kernel overlaps the image,
        # 4 x 1.78 - 5 x 1 = 2.12, times 100 = 212: zero padding makes the frame itself look like an edge.
        print(response)
        ex.edge_constant.check(response)
    """,
)


# ------------------------------------------------------------------------- 06-03 CNNs for galaxies and spectra
exercise(
    "06-03", "doppler-pixels",
    title="Exercise 1: a Doppler shift in pixels",
    answer="pixel_shift",
    name="the shift in pixels",
    rtol=1e-3,
    expected=lambda ns: float(np.log1p(300.0 / ns["c_kms"]) / ns["dlnl"]),
    hints=("On a grid uniform in ln(lambda), a factor (1 + v/c) in wavelength is a constant shift "
           "ln(1 + v/c) in ln(lambda).",
           "Divide ln(1 + v/c) by the pixel step `dlnl` (use `np.log1p(300.0 / c_kms)`)."),
    solution="""
        pixel_shift = np.log1p(300.0 / c_kms) / dlnl   # about v / (c dlnl) for v << c
        print(f"{pixel_shift:.3f} pixels")
        ex.doppler_pixels.check(pixel_shift)
    """,
)

exercise(
    "06-03", "cnn-recall",
    title="Exercise 2: the recall of each class",
    answer="recall",
    name="the recall per class",
    rtol=1e-6,
    expected=lambda ns: np.diag(ns["cm"]) / ns["cm"].sum(axis=1),
    hints=("Rows of `cm` are the true classes, columns the predicted ones.",
           "Recall of class k: the diagonal element cm[k, k] divided by the sum of row k (`np.diag`, "
           "`cm.sum(axis=1)`)."),
    solution="""
        recall = np.diag(cm) / cm.sum(axis=1)   # rows are the true classes
        for name, r in zip(names, recall, strict=True):
            print(f"{name:14s} {r:.2f}")
        ex.cnn_recall.check(recall)
    """,
)

_TARGET_PURITY = 0.8


def _bar_probability(ns, images):
    """The CNN's softmax probability of 'barred_spiral' for ``images`` (cached per model and sample)."""
    from scipy.special import softmax

    import astrolab as al

    cnn = ns["cnn"]
    k = list(ns["names"]).index("barred_spiral")
    return _memo(("06-03-bar", id(cnn), id(images)),
                 lambda: softmax(al.nn.predict(cnn, images), axis=1)[:, k])


def _grade_bar_threshold(answer, ns):
    threshold = check_real("threshold", answer, min=0.0, max=1.0)
    k = list(ns["names"]).index("barred_spiral")
    p, truth = _bar_probability(ns, ns["X_test"]), np.asarray(ns["y_test"]) == k
    chosen = p >= threshold
    n = int(chosen.sum())
    if n == 0:
        return False, "your threshold selects no test galaxy at all: lower it."
    purity, completeness = truth[chosen].mean(), truth[chosen].sum() / truth.sum()
    # the best completeness any threshold reaches at the target purity, on the test set's true labels
    best = 0.0
    for t in np.unique(p):
        sel = p >= t
        if truth[sel].mean() >= _TARGET_PURITY:
            best = max(best, truth[sel].sum() / truth.sum())
    said = (f"your threshold selects {n} test galaxies, {purity:.0%} of them truly barred spirals, "
            f"and finds {completeness:.0%} of all the barred spirals of the test set")
    if purity < _TARGET_PURITY - 0.1:
        return False, said + f": the purity misses the {_TARGET_PURITY:.0%} target. Raise the threshold."
    if completeness < 0.6 * best:
        return False, said + ": a lower threshold would keep the purity on target and find many more bars."
    return True, said + "."


exercise(
    "06-03", "bar-threshold",
    title="Exercise 3: a sample of barred spirals for a follow-up",
    answer="threshold",
    kind="judgement",
    name="the probability threshold",
    grade=_grade_bar_threshold,
    hints=("The CNN's class probabilities are `scipy.special.softmax(al.nn.predict(cnn, X_val), axis=1)`; "
           "column `names.index('barred_spiral')` is the bar probability. Choose on the validation set, "
           "never on the test set.",
           "For a grid of thresholds t (e.g. `np.linspace(0.2, 0.99, 80)`), compute the purity "
           "`np.mean(y_val[p >= t] == k)` and the completeness; take the smallest t whose purity "
           "reaches the target, with some margin: the validation set is small."),
    solution="""
        from scipy.special import softmax

        k_bar = names.index("barred_spiral")
        p_val = softmax(al.nn.predict(cnn, X_val), axis=1)[:, k_bar]
        grid = np.linspace(0.2, 0.99, 80)
        purity_val = np.array([np.mean(y_val[p_val >= t] == k_bar) if np.any(p_val >= t) else 0.0 for t in grid])
        completeness_val = np.array([np.sum((p_val >= t) & (y_val == k_bar)) / np.sum(y_val == k_bar) for t in grid])
        threshold = grid[np.argmax(purity_val >= 0.85)]   # a margin above 0.8: the validation set is small
        print(f"threshold {threshold:.2f}: validation purity {purity_val[grid == threshold][0]:.2f}, "
              f"completeness {completeness_val[grid == threshold][0]:.2f}")
        ex.bar_threshold.check(threshold)
    """,
)


# ------------------------------------------------------------------------- 06-04 auto-encoders and GANs
def _pca_train_mse(ns) -> float:
    X_train, pca_full = ns["X_train"], ns["pca_full"]
    flat = X_train.reshape(len(X_train), -1)
    rec = pca_full.inverse_transform(pca_full.transform(flat)[:, :8])
    return float(np.mean((rec - flat) ** 2))


exercise(
    "06-04", "pca-mse-from-variance",
    title="PCA's error from its eigenvalues",
    answer="train_mse_8",
    name="the rank-8 training MSE",
    rtol=1e-4,
    expected=_pca_train_mse,
    hints=("The components beyond the 8th carry the variance that the rank-8 reconstruction throws away: "
           "`pca_full.explained_variance_[8:]`.",
           "Sum them, multiply by (n - 1) / n (the variances use n - 1, the mean squared error n) and divide "
           "by the number of pixels `n_pix`."),
    solution="""
        n = len(X_train)
        train_mse_8 = (n - 1) / n * pca_full.explained_variance_[8:].sum() / n_pix
        print(f"rank-8 training MSE {train_mse_8:.5f} u^2 (held-out: {mse['PCA'][8]:.5f})")
        ex.pca_mse_from_variance.check(train_mse_8)
    """,
)

def _decoder_ratio(ns) -> float:
    decoder = ns["autoencoders"][8].decoder
    return sum(p.numel() for p in decoder.parameters()) / (9 * ns["X_train"][0].size)


exercise(
    "06-04", "compression-factor",
    title="The price of a non-linear decoder",
    answer="decoder_ratio",
    name="the ratio of decoder parameters to PCA's",
    rtol=1e-6,
    expected=_decoder_ratio,
    hints=("The decoder of the M = 8 auto-encoder is `autoencoders[8].decoder`, a torch module: sum "
           "`p.numel()` over its `.parameters()`.",
           "PCA decodes with M = 8 component images and the mean image, each of `n_pix` numbers: 9 * n_pix. "
           "Divide the decoder's count by it."),
    solution="""
        compression = n_pix / 8
        decoder_params = sum(p.numel() for p in autoencoders[8].decoder.parameters())
        decoder_ratio = decoder_params / (9 * n_pix)
        print(f"N/M = {compression:.0f}; decoder parameters: {decoder_params}, PCA's: {9 * n_pix}, "
              f"ratio {decoder_ratio:.1f}")
        ex.compression_factor.check(decoder_ratio)
    """,
)


# ------------------------------------------------------------------------- 06-05 Newton vs the machine
def _energy_at_rest(ns) -> float:
    x2 = np.asarray(ns["test_x2"][0], dtype=float)
    r = [np.hypot(1 - x2[0], x2[1]), np.hypot(2 + x2[0], x2[1]), np.hypot(1 + 2 * x2[0], 2 * x2[1])]
    return -float(sum(1 / ri for ri in r))


exercise(
    "06-05", "threebody-energy",
    title="Exercise 1: the energy of a start from rest",
    answer="e0",
    name="E0",
    rtol=1e-10,
    expected=_energy_at_rest,
    hints=("With unit masses and G = 1 the potential energy is the sum of -1/r over the three pairs; at rest "
           "there is no kinetic energy.",
           "Build x1 = (1, 0) and x3 = -(x1 + x2_ex), then add -1/|xi - xj| for the pairs (1,2), (1,3), (2,3) "
           "with `np.linalg.norm`."),
    solution="""
        x1, x3 = np.array([1.0, 0.0]), -(np.array([1.0, 0.0]) + x2_ex)
        e0 = -(1 / np.linalg.norm(x1 - x2_ex) + 1 / np.linalg.norm(x1 - x3) + 1 / np.linalg.norm(x2_ex - x3))
        print(f"E0 = {e0:.4f}, al.datasets.threebody_energy says {test.initial_energy[0]:.4f}")
        ex.threebody_energy.check(e0)
    """,
)

exercise(
    "06-05", "threebody-speedup",
    title="Exercise 2: the speed-up",
    answer="speedup",
    name="speed-up",
    rtol=1e-6,
    expected=lambda ns: ns["integrator_per_trajectory"] / ns["emulator_per_trajectory"],
    hints=("The speed-up is a ratio of the time per trajectory of the two methods.",
           "Divide `integrator_per_trajectory` by `emulator_per_trajectory`."),
    solution="""
        speedup = integrator_per_trajectory / emulator_per_trajectory
        print(f"{speedup:.0f}x: in the time of 10 000 emulations the integrator does {10_000 / speedup:.0f}")
        # the integrator must step through all of [0, t]; the emulator needs one forward pass per time
        ex.threebody_speedup.check(speedup)
    """,
)


# ------------------------------------------------------------------------- 06-06 can we trust it?
exercise(
    "06-06", "bias-observed",
    title="Exercise 1: the bias of a domain shift",
    answer="bias_observed",
    name="the bias on observed spectra",
    rtol=1e-4,
    expected=lambda ns: float(np.mean(ns["predict_feh"](ns["test_observed"]) - ns["feh_test"])),
    hints=("`predict_feh(test_observed)` gives the synthetic-trained network's [Fe/H] for the observed "
           "test spectra, in dex.",
           "The bias is the mean of predicted minus true: `np.mean(predict_feh(test_observed) - feh_test)`."),
    solution="""
        bias_observed = float(np.mean(predict_feh(test_observed) - feh_test))
        print(f"{bias_observed:+.3f} dex")
        ex.bias_observed.check(bias_observed)
    """,
)


def _flip_fraction(ns) -> float:
    import astrolab as al

    X, net = ns["X_intact"], ns["shortcut_net"]
    flipped = X.copy()
    flipped[:, -1] *= -1
    return float(np.mean(al.nn.predict(net, flipped).argmax(axis=1) != al.nn.predict(net, X).argmax(axis=1)))


exercise(
    "06-06", "counterfactual",
    title="Exercise 2: a counterfactual test",
    answer="flip_fraction",
    name="the fraction of flipped predictions",
    rtol=1e-6,
    expected=_flip_fraction,
    hints=("Copy `X_intact` and multiply its last column by -1: every star now has the other observer.",
           "Compare `al.nn.predict(shortcut_net, ...).argmax(axis=1)` before and after the flip and take the "
           "mean of the differences."),
    solution="""
        flipped = X_intact.copy()
        flipped[:, -1] *= -1          # observer A <-> B
        before = al.nn.predict(shortcut_net, X_intact).argmax(axis=1)
        after = al.nn.predict(shortcut_net, flipped).argmax(axis=1)
        flip_fraction = float(np.mean(before != after))
        print(f"{flip_fraction:.1%} of the predictions follow the observer")
        ex.counterfactual.check(flip_fraction)
    """,
)


# ------------------------------------------------------------------------- 06-07 uncertainty and non-uniqueness
def _coverage90(ns) -> float:
    import astrolab as al

    return float(al.nn.interval_coverage(ns["feh"][ns["test"]], ns["ens_mean"], ns["ens_std"], levels=0.9))


exercise(
    "06-07", "ex-uncertainty-coverage90",
    title="Exercise 1: coverage by hand",
    answer="cov90",
    name="90% coverage",
    rtol=0.01,
    expected=_coverage90,
    hints=("A central 90 % Gaussian interval leaves 5 % in each tail: z = `stats.norm.ppf(0.95)`.",
           "Count the stars with |true - mean| <= z * sigma: `np.mean(np.abs(feh[test] - ens_mean) <= z * ens_std)`."),
    solution="""
        from scipy import stats

        z = stats.norm.ppf(0.95)
        cov90 = np.mean(np.abs(feh[test] - ens_mean) <= z * ens_std)
        ex.ex_uncertainty_coverage90.check(cov90)
    """,
)


def _grade_recalibration(answer, ns):
    k = check_real("k", answer, min=0.0)
    n_test = ns["N_TEST"]
    held_out = np.arange(n_test) >= n_test // 2            # the half the learner must not have used
    truth = ns["feh"][ns["test"]][held_out]
    coverage = float(np.mean(np.abs(truth - ns["mc_mean"][held_out]) <= k * ns["mc_std"][held_out]))
    said = f"mu +- k sigma with your k contains {coverage:.1%} of the true [Fe/H] of the held-out half"
    if abs(coverage - 0.68) <= 0.04:
        return True, said + " (68 % wanted): calibrated."
    return False, said + (": too few, the intervals are still too narrow." if coverage < 0.68
                          else ": too many, the intervals are now too wide.")


exercise(
    "06-07", "ex-uncertainty-recalibrate",
    title="Exercise 2: recalibrate MC dropout on a validation set",
    answer="k",
    kind="judgement",
    name="the scale factor k",
    grade=_grade_recalibration,
    hints=("If the intervals were calibrated, |y - mu| / sigma would be inside 1 for 68 % of the stars. "
           "Compute that ratio on the validation half only.",
           "k is the 68th percentile of |y - mu| / sigma on the validation half: "
           "`np.quantile(np.abs(mc_mean - feh[test])[valid] / mc_std[valid], 0.68)`."),
    solution="""
        k = np.quantile(np.abs(mc_mean - feh[test])[valid] / mc_std[valid], 0.68)
        ex.ex_uncertainty_recalibrate.check(k)
        print(f'k = {k:.2f}; 68% coverage on the other half:',
              al.nn.interval_coverage(feh[test][~valid], mc_mean[~valid], k * mc_std[~valid], levels=0.68))
    """,
)

exercise(
    "06-05", "threebody-one-time",
    title="Exercise 3: the state at one time",
    answer="one_time_reason",
    kind="choice",
    name="your choice",
    choices={"a": "the emulator is more accurate at late times than the integrator",
             "b": "the integrator must step through the whole of [0, t] to reach t, while the emulator needs one "
                  "forward pass for that t alone",
             "c": "the emulator's time per trajectory was measured on a GPU",
             "d": "the integrator's energy error grows with t, so it must be rerun"},
    expected=lambda ns: "b",
    hints=("Our timing integrated each trajectory for all `N_TIMES` output times. What does each method have "
           "to compute if you want the positions at a single time t only?",
           "An ODE solver advances step by step from t = 0; the emulator takes (x2, t) as its input."),
    solution="""
        one_time_reason = "b"   # the solver's cost grows with t; the emulator's does not
        ex.threebody_one_time.check(one_time_reason)
    """,
)
