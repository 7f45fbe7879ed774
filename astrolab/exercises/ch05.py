"""Exercises of chapter 5, machine learning (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data
and fitted models -- so it follows the notebook's seed (and a student's variant of it). The two
``judgement`` exercises of the chapter (05-01 ``snia-purity``: a probability threshold for a pure
SN Ia sample; 05-04 ``hvs-threshold``: an anomaly-score cut) grade the learner's choice on a *new*
mock survey drawn here, against its truth.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_real
from astrolab.exercises._core import exercise

_FRESH = 7919  # offset of the seed of the new mock surveys the judgement exercises are graded on


# ------------------------------------------------------------------------- 05-01 supervised learning
def _outlier_010(ns) -> float:
    import astrolab as al

    return float(al.ml.photoz_metrics(ns["z_test"], ns["z_phot"], outlier_threshold=0.10)["outlier_fraction"])


exercise(
    "05-01", "photoz-outliers",
    title="A stricter outlier cut",
    answer="outlier_010",
    name="the outlier fraction",
    rtol=1e-6,
    expected=_outlier_010,
    hints=("An outlier has |z_phot - z_spec| / (1 + z_spec) above the cut: build that array for the test "
           "galaxies and compare it with 0.10.",
           "The mean of a boolean array is the fraction of True: "
           "`np.mean(np.abs(z_phot - z_test) / (1 + z_test) > 0.10)`."),
    solution="""
        outlier_010 = np.mean(np.abs(z_phot - z_test) / (1 + z_test) > 0.10)
        print(f"{outlier_010:.3f} of the test galaxies are outliers at the 0.10 cut")
        ex.photoz_outliers.check(outlier_010)
    """,
)

_PURITY_TARGET = 0.98
_COMPLETENESS_SLACK = 0.15  # a 3200-object training set measures a 2 % contamination only to ~0.7 %


def _grade_snia(answer, ns):
    import astrolab as al

    threshold = check_real("threshold", answer, min=0, max=1)
    forest, columns = ns["forest"], list(ns["X"].columns)
    features, truth = al.datasets.make_variable_features(20_000, seed=int(ns["SEED"]) + _FRESH)
    k = list(forest.classes_).index("SNIa")
    p = forest.predict_proba(features.to_pandas()[columns])[:, k]
    is_snia = np.asarray(truth["label"]) == "SNIa"

    def purity_completeness(t):
        sel = p >= t
        return (float(np.mean(is_snia[sel])) if sel.any() else 1.0), float(np.mean(sel[is_snia]))

    purity, completeness = purity_completeness(threshold)
    grid = [purity_completeness(t) for t in np.linspace(0.0, 1.0, 101)]
    best = max((c for pu, c in grid if pu >= _PURITY_TARGET), default=0.0)
    message = (f"on 20,000 new mock objects, P(SNIa) >= {threshold:.3g} selects {int(np.sum(p >= threshold))} "
               f"with purity {purity:.3f} and completeness {completeness:.3f}")
    if purity < _PURITY_TARGET - 0.005:
        return False, message + f": the sample is not pure enough (target {_PURITY_TARGET})."
    if completeness < best - _COMPLETENESS_SLACK:
        return False, message + ": pure enough, but a lower threshold meets the target and keeps more SNe Ia."
    return True, message + "."


exercise(
    "05-01", "snia-purity",
    title="A pure SN Ia sample",
    answer="threshold",
    kind="judgement",
    name="your probability threshold",
    grade=_grade_snia,
    hints=("Do not tune on the test set (too few SNe Ia to measure 2 % contamination): score the training "
           "set with probabilities from models that did not see each object, e.g. a forest with "
           "`oob_score=True` (its `oob_decision_function_`) or `cross_val_predict(..., method='predict_proba')`; "
           "the SNIa column is `list(forest.classes_).index('SNIa')`.",
           "For a grid of thresholds compute the purity (fraction of the selected that are SNIa) and the "
           "completeness (fraction of the SNIa selected); take the lowest threshold whose purity clears the "
           "target with a little margin."),
    solution="""
        # out-of-bag probabilities: each training object scored by the trees that did not see it
        oob = RandomForestClassifier(n_estimators=N_TREES, oob_score=True, random_state=SEED, n_jobs=2)
        k = list(oob.fit(X_train, y_train).classes_).index("SNIa")
        p_oob = oob.oob_decision_function_[:, k]
        thresholds = np.linspace(0.3, 0.95, 14)
        purity = np.array([np.mean(y_train[p_oob >= t] == "SNIa") for t in thresholds])
        completeness = np.array([np.mean(p_oob[y_train == "SNIa"] >= t) for t in thresholds])
        first = np.argmax(purity >= 0.98)  # the lowest threshold on target (out-of-bag purities run low)
        threshold = thresholds[first]
        print(f"threshold {threshold:.2f}: out-of-bag purity {purity[first]:.3f}, "
              f"completeness {completeness[first]:.3f}")
        ex.snia_purity.check(threshold)
    """,
)


# ------------------------------------------------------------------------- 05-02 open clusters
exercise(
    "05-02", "ex-52-positions",
    title="Positions alone",
    answer="why_fewer",
    kind="choice",
    name="your choice",
    choices={"a": "DBSCAN needs at least five features to work",
             "b": "in 3-D the field is about as dense as the clusters' outskirts; in velocity the members sit far "
                  "closer together than the field stars",
             "c": "an epsilon of 3 or 5 pc is smaller than every cluster, so each one shatters",
             "d": "positions carry no information about cluster membership"},
    expected=lambda ns: "b",
    hints=("Compare, for a member and for a field star, how many neighbours lie within epsilon in the three "
           "position coordinates and in the two velocity coordinates.",
           "The members' internal velocity dispersions are 0.3-1 km/s, the field's tens of km/s; their "
           "half-mass radii are 1-5 pc, and the field fills the whole volume."),
    solution="""
        why_fewer = "b"
        # The field is about as dense as the clusters' outskirts in 3-D; in velocity the members are
        # 30x closer together than field stars, so adding (v_l, v_b) separates what positions cannot.
        ex.ex_52_positions.check(why_fewer)
    """,
)


exercise(
    "05-02", "field-in-clusters",
    title="Field stars in the clusters",
    answer="n_field_in_clusters",
    name="the number of field stars DBSCAN puts in clusters",
    rtol=0,
    expected=lambda ns: int(np.sum((np.asarray(ns["labels"]) >= 0) & (np.asarray(ns["label_true"]) < 0))),
    hints=("`labels >= 0` marks the stars DBSCAN put in a cluster (noise is -1), `label_true == -1` the "
           "true field stars.",
           "Combine the two boolean arrays with `&` and sum; do the same with the true members for the "
           "comparison."),
    solution="""
        field = label_true == -1
        n_field_in_clusters = int(np.sum((labels >= 0) & field))
        n_members_in_clusters = int(np.sum((labels >= 0) & ~field))
        print(f"{n_field_in_clusters} field stars and {n_members_in_clusters} members in clusters: overall purity "
              f"{n_members_in_clusters / (n_members_in_clusters + n_field_in_clusters):.3f}")
        ex.field_in_clusters.check(n_field_in_clusters)
    """,
)


# ------------------------------------------------------------------------- 05-03 sharper CMD
exercise(
    "05-03", "sigma-m",
    title="How bad is a parallax error?",
    answer="sigma_m",
    name="the median error of M",
    rtol=1e-3,
    expected=lambda ns: float(np.median(5 / np.log(10) * ns["PARALLAX_ERROR"]
                                        / ns["parallax"][ns["parallax"] > 50])),
    hints=("sigma_M = (5 / ln 10) * sigma_parallax / parallax, star by star.",
           "Select the stars with `parallax > 50` (mas) and take the median of their sigma_M."),
    solution="""
        near = parallax > 50
        sigma_m = np.median(5 / np.log(10) * PARALLAX_ERROR / parallax[near])
        print(f"{near.sum()} stars within 20 pc: median sigma_M = {sigma_m:.3f} mag "
              f"(all stars: {np.median(abs_mag_error):.2f} mag)")
        ex.sigma_m.check(sigma_m)
    """,
)

exercise(
    "05-03", "gmm-limit",
    title="More components do not deconvolve",
    answer="gmm_limit",
    kind="choice",
    name="your choice",
    choices={"a": "the true, error-free CMD",
             "b": "the observed CMD: the true one blurred by the errors",
             "c": "the XD density",
             "d": "a single Gaussian"},
    expected=lambda ns: "b",
    hints=("A Gaussian mixture maximises the likelihood of the data it is given, with no knowledge of "
           "their errors: which density generated the numbers in `X`?",
           "Compare the likelihoods in section 3: the GMM models p(x), XD models p(v) and convolves it with "
           "each star's S_i to get p(x)."),
    solution="""
        gmm_limit = "b"  # a GMM fits the density of the noisy data, p(x); only XD, told the errors, models p(v)
        ex.gmm_limit.check(gmm_limit)
    """,
)


# ------------------------------------------------------------------------- 05-04 anomaly detection
def _recall_30(ns) -> float:
    import astrolab as al

    return float(al.ml.precision_recall_at(ns["is_hvs"], ns["scores"][("LOF", "Galactocentric")], 30)[1])


exercise(
    "05-04", "recall-at-30",
    title="A smaller follow-up budget",
    answer="recall_30",
    name="the recall at 30 candidates",
    rtol=1e-6,
    expected=_recall_30,
    hints=("`np.argsort(-s)` lists the stars from the most to the least anomalous.",
           "Take the first 30 indices and count the HVS among them (`is_hvs[top30].sum()`), divided by "
           "the number of HVS."),
    solution="""
        s = scores[("LOF", "Galactocentric")]
        top30 = np.argsort(-s)[:30]
        recall_30 = is_hvs[top30].sum() / is_hvs.sum()
        print(f"{is_hvs[top30].sum()} of {is_hvs.sum()} HVS in the top 30")
        ex.recall_at_30.check(recall_30)
    """,
)

_GALACTOCENTRIC = ("r_gc", "v_r_gc", "v_phi", "v_z")
_RECALL_TARGET = 0.8


def _grade_hvs(answer, ns):
    from sklearn.preprocessing import StandardScaler

    import astrolab as al

    threshold = check_real("threshold", answer)
    iso = ns["iso"]
    if getattr(iso, "n_features_in_", None) != len(_GALACTOCENTRIC):
        raise ValueError("the notebook's `iso` is not the isolation forest of the Galactocentric features: "
                         "run section 2 again")
    cat = ns["cat"]
    scaler = StandardScaler().fit(np.column_stack([cat[c].value for c in _GALACTOCENTRIC]))
    new, truth = al.datasets.make_hypervelocity_sample(int(ns["N_STARS"]), n_hvs=400,
                                                       seed=int(ns["SEED"]) + _FRESH)
    hvs = np.asarray(truth["is_hvs"])
    s = -iso.score_samples(scaler.transform(np.column_stack([new[c].value for c in _GALACTOCENTRIC])))
    sel = s >= threshold
    recall, n_false = float(np.mean(sel[hvs])), int(np.sum(sel & ~hvs))
    per_20k = n_false * 20_000 / np.sum(~hvs)
    # the fewest field stars any cut reaching the target lets through
    cut = np.quantile(s[hvs], 1 - _RECALL_TARGET)
    fewest = int(np.sum((s >= cut) & ~hvs))
    message = (f"on a new mock survey with {hvs.sum()} HVS, a cut at {threshold:.4g} keeps {recall:.0%} of them "
               f"and sends {per_20k:.0f} field stars per 20,000 to the spectrograph")
    if recall < _RECALL_TARGET - 0.05:
        return False, message + f": too few HVS (target {_RECALL_TARGET:.0%})."
    if n_false > 4 * max(fewest, 1):
        return False, message + ": the HVS are there, but a higher cut reaches the target with far fewer field stars."
    return True, message + "."


exercise(
    "05-04", "hvs-threshold",
    title="A cut for the next survey",
    answer="threshold",
    kind="judgement",
    name="your score threshold",
    grade=_grade_hvs,
    hints=("Twenty HVS measure a recall only to about +-9 %: inject many more. Draw a calibration survey "
           "with `al.datasets.make_hypervelocity_sample(N_STARS, n_hvs=400, seed=...)` (a seed of your own), "
           "standardise its Galactocentric features with a `StandardScaler` fitted on `cat` (as in section 2) "
           "and score it with the notebook's forest: `-iso.score_samples(...)`.",
           "The cut that keeps a fraction f of the HVS is the (1 - f) quantile of their scores; aim a little "
           "above 80 % to leave a margin, and count the field stars above the cut."),
    solution="""
        cols = feature_sets["Galactocentric"]
        scaler = StandardScaler().fit(np.column_stack([cat[c].value for c in cols]))  # section 2's scaling
        calib, calib_truth = al.datasets.make_hypervelocity_sample(N_STARS, n_hvs=400, seed=SEED + 1)
        s_calib = -iso.score_samples(scaler.transform(np.column_stack([calib[c].value for c in cols])))
        calib_hvs = np.asarray(calib_truth["is_hvs"])
        threshold = np.quantile(s_calib[calib_hvs], 0.15)  # keeps 85 % of the injected HVS: a margin over 80 %
        print(f"cut {threshold:.3f}: {np.mean(s_calib[calib_hvs] >= threshold):.0%} of 400 injected HVS, "
              f"{np.sum((s_calib >= threshold) & ~calib_hvs)} field stars in the calibration survey")
        ex.hvs_threshold.check(threshold)
    """,
)
