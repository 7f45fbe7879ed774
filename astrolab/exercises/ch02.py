"""Exercises of chapter 2, dimensionality reduction (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data
and fits -- so it follows the notebook's seed (and a student's variant of it). The judgement
exercises (the number of components of noisy spectra, Isomap's neighbourhood on a noisy roll) are
graded against the mock's ground truth.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_int
from astrolab.exercises._core import exercise

# ------------------------------------------------------------------------- 02-01 PCA on spectra
exercise(
    "02-01", "pca-k99",
    title="How many components for 99 %?",
    answer="k99",
    name="the number of components",
    rtol=0,
    expected=lambda ns: int(np.searchsorted(np.cumsum(ns["pca"].explained_variance_ratio_), 0.99) + 1),
    hints=("The cumulative sum of `pca.explained_variance_ratio_` says how much the first k components explain.",
           "`np.searchsorted(cumulative, 0.99)` is the index of the first component that reaches 99 %; "
           "components are counted from 1."),
    solution="""
        k99 = int(np.searchsorted(np.cumsum(pca.explained_variance_ratio_), 0.99) + 1)
        print(k99, "components for 99 %; the truth says", best_k)
        # The 99 % rule ignores the noise: with SNR 50, ~0.4 % of the variance is noise that no
        # component should fit. Against known truth (or cross-validation) is the honest criterion.
        ex.pca_k99.check(k99)
    """,
)


def _feh_scatter(ns) -> float:
    from sklearn.linear_model import LinearRegression

    Z = ns["pca"].transform(ns["stars"].flux)[:, :5]
    feh = ns["feh"]
    return float(np.std(feh - LinearRegression().fit(Z, feh).predict(Z)))


exercise(
    "02-01", "pca-metallicity",
    title="Metallicity from five numbers",
    answer="feh_scatter",
    name="the [Fe/H] scatter",
    rtol=0.01,
    expected=_feh_scatter,
    hints=("The scores are `pca.transform(stars.flux)`; keep the first five columns.",
           "`LinearRegression().fit(Z, feh).predict(Z)` is the fitted [Fe/H]; take `np.std` of the residuals."),
    solution="""
        Z = pca.transform(stars.flux)[:, :5]
        feh_scatter = float(np.std(feh - LinearRegression().fit(Z, feh).predict(Z)))
        print(f"{feh_scatter:.3f} dex")  # a linear model of five scores is not enough: chapter 5 does better
        ex.pca_metallicity.check(feh_scatter)
    """,
)

_K_MAX = 40
_K_TOLERANCE = 0.05  # the RMS error against the truth may exceed the best k's by 5 %
_PCA_ERRORS: dict = {}


def _errors_vs_truth(noisy, truth) -> np.ndarray:
    """RMS error per pixel, against ``truth``, of the rank-k PCA reconstruction of ``noisy``, k = 0.._K_MAX.

    One truncated SVD (randomized, exact enough for the leading components) and running sums:
    ||T - m - sum_j z_j v_j||^2 = ||T - m||^2 - 2 sum_j <T - m, v_j> z_j + sum_j z_j^2.
    """
    from sklearn.utils.extmath import randomized_svd

    key = (id(noisy), noisy.shape, float(noisy.ravel()[0]), float(noisy.ravel()[-1]))
    if key not in _PCA_ERRORS:
        mean = noisy.mean(axis=0)
        _, _, vt = randomized_svd(noisy - mean, _K_MAX, n_oversamples=20, n_iter=6, random_state=0)
        scores = (noisy - mean) @ vt.T
        residual = truth - mean
        cross = ((residual @ vt.T) * scores).sum(axis=0)
        squares = (scores**2).sum(axis=0)
        err = np.sum(residual**2) - 2 * np.concatenate([[0.0], np.cumsum(cross)]) + np.concatenate(
            [[0.0], np.cumsum(squares)])
        _PCA_ERRORS[key] = np.sqrt(np.maximum(err, 0) / truth.size)
    return _PCA_ERRORS[key]


def _grade_noisy_k(answer, ns):
    k = check_int("k_noisy", answer, min=0, max=_K_MAX)
    noisy = np.asarray(ns["noisy_flux"], dtype=float)
    truth = np.asarray(ns["stars"].noiseless, dtype=float)
    if noisy.shape != truth.shape:
        raise ValueError(f"noisy_flux must have the shape of stars.noiseless, {truth.shape}")
    errors = _errors_vs_truth(noisy, truth)
    noise = float(np.std(noisy - truth))
    ratio = errors[k] / errors.min()
    achieved = (f"with k = {k} the reconstruction is {errors[k]:.4f} per pixel from the noiseless spectra "
                f"({errors[k] / noise:.0%} of the noise), {ratio - 1:.0%} above the best any k achieves")
    if ratio > 1 + _K_TOLERANCE:
        return False, achieved + (": too few components miss real structure, too many fit noise; "
                                  f"the target is within {_K_TOLERANCE:.0%} of the best.")
    return True, achieved + f" (target: within {_K_TOLERANCE:.0%})."


exercise(
    "02-01", "pca-noisy-k",
    title="How many components for noisier spectra?",
    answer="k_noisy",
    kind="judgement",
    name="the number of components",
    grade=_grade_noisy_k,
    hints=("Fit `al.reduction.PCA(n_components=N_COMPONENTS)` to `noisy_flux` and look at "
           "`explained_variance_`: beyond the signal, every direction carries the noise variance, "
           "(1/10)**2 per pixel, so the spectrum flattens at that floor.",
           "Or measure it as section 3 did: `al.reduction.reconstruction_error(pca_noisy, noisy_flux, ks, "
           "reference=stars.noiseless)` against the truth the mock gives you, and take its minimum."),
    solution="""
        pca_noisy = al.reduction.PCA(n_components=N_COMPONENTS).fit(noisy_flux)
        truth_flux = stars.noiseless  # the mock's truth: the check measures against it too
        error_noisy = al.reduction.reconstruction_error(pca_noisy, noisy_flux, ks, reference=truth_flux).mean(axis=1)
        k_noisy = int(ks[np.argmin(error_noisy)])
        print(f"k = {k_noisy} at SNR 10 (k = {best_k} at SNR {SNR}): noisier data support fewer components")
        ex.pca_noisy_k.check(k_noisy)
    """,
)


# ------------------------------------------------------------------------- 02-02 self-organizing map
def _hot_node(ns):
    node = ns["som"].predict(ns["X"])
    n_rows, n_cols = ns["N_ROWS"], ns["N_COLS"]
    sums = np.bincount(node, weights=ns["teff"], minlength=n_rows * n_cols)
    counts = np.bincount(node, minlength=n_rows * n_cols)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    row, col = np.unravel_index(np.nanargmax(means), (n_rows, n_cols))
    return [int(row), int(col)]


exercise(
    "02-02", "som-hot-node",
    title="Where are the hottest stars?",
    answer="hot_node",
    name="the hottest node",
    rtol=0,
    expected=_hot_node,
    hints=("`node_mean(teff)` is the map of the mean temperature of the stars of each node (NaN where empty).",
           "`np.unravel_index(np.nanargmax(means), means.shape)` turns the flat index of the maximum into "
           "(row, col)."),
    solution="""
        means = node_mean(teff)
        row, col = np.unravel_index(np.nanargmax(means), means.shape)
        hot_node = [int(row), int(col)]
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.plot(wave, som.weights_[row, col], lw=0.8)
        al.plotting.label_axes(ax, "wavelength", "flux", xunit=u.nm,
                               title=f"Prototype of node {hot_node}: Balmer lines")
        plt.show()
        ex.som_hot_node.check(hot_node)
    """,
)


def _qe_small(ns) -> float:
    from astrolab.reduction import SelfOrganizingMap

    small = SelfOrganizingMap(n_rows=6, n_cols=6, n_epochs=ns["N_EPOCHS"], random_state=ns["SEED"]).fit(ns["X"])
    return float(small.quantization_error(ns["X"]))


exercise(
    "02-02", "som-small-map",
    title="A smaller map",
    answer="qe_small",
    name="the quantization error",
    rtol=1e-6,
    expected=_qe_small,
    hints=("Build it like `som` in section 3, with `n_rows=6, n_cols=6`, and `.fit(X)`.",
           "`small.quantization_error(X)` is the mean distance of each spectrum to its best-matching prototype."),
    solution="""
        small = al.reduction.SelfOrganizingMap(n_rows=6, n_cols=6, n_epochs=N_EPOCHS, random_state=SEED).fit(X)
        qe_small = small.quantization_error(X)
        print(f"6x6: {qe_small:.3f}, 12x12: {som.quantization_error(X):.3f}")
        # Fewer prototypes must each stand for more diverse spectra. A map with as many nodes as samples
        # would reach zero error and learn nothing: the map size is a trade-off, like k in PCA.
        ex.som_small_map.check(qe_small)
    """,
)

exercise(
    "02-02", "som-bigger-map",
    title="Is a bigger map better?",
    answer="bigger_choice",
    kind="choice",
    name="your choice",
    choices={"a": "yes: a lower quantization error always means a better map",
             "b": "no: with about as many nodes as stars, most nodes hold one star or none, the prototypes "
                  "follow the noise, and the map no longer summarises the data",
             "c": "no: a bigger map cannot be trained with the batch algorithm",
             "d": "yes: a bigger map always has a lower topographic error"},
    expected=lambda ns: "b",
    hints=("How many stars does each node of a 40 x 40 map hold, on average, with 2000 stars?",
           "Compare the quantization error with the noise floor printed in section 3: a prototype closer to a "
           "spectrum than its noise is fitting that noise."),
    solution="""
        print(f"{len(X) / (40 * 40):.1f} stars per node on a 40 x 40 map; noise floor {np.sqrt(X.shape[1]) / 50:.2f}")
        bigger_choice = "b"
        ex.som_bigger_map.check(bigger_choice)
    """,
)


# ------------------------------------------------------------------------- 02-03 manifold learning
def _trust_iso5(ns) -> float:
    from sklearn.manifold import Isomap, trustworthiness

    features = ns["features"]
    return float(trustworthiness(features, Isomap(n_neighbors=5, n_components=2).fit_transform(features),
                                 n_neighbors=10))


exercise(
    "02-03", "manifold-isomap5",
    title="A smaller neighbourhood for the spectra",
    answer="trust_iso5",
    name="the trustworthiness",
    rtol=1e-6,
    expected=_trust_iso5,
    hints=("`Isomap(n_neighbors=5, n_components=2).fit_transform(features)` is the embedding.",
           "`trustworthiness(features, embedding, n_neighbors=10)` scores it, as in section 2."),
    solution="""
        embedding = Isomap(n_neighbors=5, n_components=2).fit_transform(features)
        trust_iso5 = trustworthiness(features, embedding, n_neighbors=10)
        print(f"{trust_iso5:.3f} (with 15: {trust['spectra', 'Isomap']:.3f})")
        # With few neighbours the graph can fall apart into pieces, and geodesic distances between pieces
        # are undefined (scikit-learn warns and patches the graph): the global layout becomes arbitrary.
        ex.manifold_isomap5.check(trust_iso5)
    """,
)


def _iso5_letter(ns) -> str:
    return "a" if _trust_iso5(ns) > ns["trust"]["spectra", "Isomap"] else "b"


exercise(
    "02-03", "manifold-isomap5-better",
    title="Better or worse with 5 neighbours?",
    answer="iso5_choice",
    kind="choice",
    name="your choice",
    choices={"a": "better: a higher trustworthiness than with 15 neighbours",
             "b": "worse: a lower trustworthiness than with 15 neighbours"},
    expected=_iso5_letter,
    hints=("Compare your `trust_iso5` with `trust['spectra', 'Isomap']` (15 neighbours), printed in section 3.",
           "Trustworthiness is higher when fewer false neighbours intrude into the embedding."),
    solution="""
        iso5_choice = "a" if trust_iso5 > trust["spectra", "Isomap"] else "b"
        print(f"5 neighbours: {trust_iso5:.3f}; 15 neighbours: {trust['spectra', 'Isomap']:.3f}")
        ex.manifold_isomap5_better.check(iso5_choice)
    """,
)


def _shared(ns) -> int:
    from sklearn.neighbors import NearestNeighbors

    def near(X):
        return set(NearestNeighbors(n_neighbors=11).fit(X).kneighbors(X[:1])[1][0, 1:])

    return len(near(ns["features"]) & near(ns["embeddings"]["spectra", "UMAP"]))


exercise(
    "02-03", "manifold-shared-neighbours",
    title="Neighbours kept",
    answer="n_shared",
    name="the number of shared neighbours",
    rtol=0,
    expected=_shared,
    hints=("`NearestNeighbors(n_neighbors=11).fit(X).kneighbors(X[:1])[1][0, 1:]` are the indices of the 10 "
           "nearest neighbours of star 0 in X (its first neighbour is itself).",
           "Do it for `features` and for `embeddings['spectra', 'UMAP']`, make sets, and count their "
           "intersection."),
    solution="""
        def neighbours(X, i, k=10):
            return set(NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X[i:i + 1])[1][0, 1:])


        n_shared = len(neighbours(features, 0) & neighbours(embeddings["spectra", "UMAP"], 0))
        print(f"{n_shared} of 10 neighbours kept")
        ex.manifold_shared_neighbours.check(n_shared)
    """,
)

_UNROLL_TARGET = 0.99


def _unrolled(embedding, t) -> float:
    """Spearman's rank correlation of ``t`` with the best linear direction of a 2-D embedding (section 4)."""
    from scipy import stats

    angles = np.linspace(0, np.pi, 91)
    projections = embedding @ np.array([np.cos(angles), np.sin(angles)])
    rho = stats.spearmanr(t, projections).statistic[0, 1:]
    return float(np.nanmax(np.abs(rho)))


def _grade_noisy_roll(answer, ns):
    import warnings

    from sklearn.manifold import Isomap

    k = check_int("n_neighbors_noisy", answer, min=2, max=200)
    roll, t = np.asarray(ns["noisy_roll"], dtype=float), np.asarray(ns["noisy_t"], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a disconnected graph: scikit-learn warns and patches it
        score = _unrolled(Isomap(n_neighbors=k, n_components=2).fit_transform(roll), t)
    achieved = (f"with n_neighbors = {k}, Isomap's embedding of the noisy roll has a rank correlation of "
                f"{score:.3f} with the true coordinate t (target {_UNROLL_TARGET})")
    if score < _UNROLL_TARGET:
        return False, achieved + ": the roll is not unrolled."
    return True, achieved + "."


exercise(
    "02-03", "manifold-noisy-roll",
    title="Neighbours for a noisier roll",
    answer="n_neighbors_noisy",
    kind="judgement",
    name="your n_neighbors",
    grade=_grade_noisy_roll,
    hints=("Noise thickens the sheet: the gap between two layers of the roll shrinks relative to the scatter, "
           "so a neighbourhood that was safe on the clean roll can now reach across a layer (a short circuit).",
           "Embed `noisy_roll` with a few values of `n_neighbors` and score each with `unrolled(e, noisy_t)` "
           "from section 4; plot the embeddings coloured by `noisy_t`."),
    solution="""
        for k in (5, 8, 15):
            e = Isomap(n_neighbors=k, n_components=2).fit_transform(noisy_roll)
            print(f"n_neighbors = {k:2d}: rho(t) = {unrolled(e, noisy_t):.3f}")
        n_neighbors_noisy = 5  # 15, the default above, short-circuits most noisy rolls (not every draw)
        ex.manifold_noisy_roll.check(n_neighbors_noisy)
    """,
)
