"""Exercises of chapter 7, data challenges (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data,
truths and fitted models, defined in cells that the student edition keeps -- so it follows the
notebook's seed (and a student's variant of it). The two ``judgement`` exercises (07-01: how much to
smooth the booster's probabilities towards uniform; 07-03: the threshold of an out-of-distribution
score for a target false-alarm rate) are graded against the blind set's true classes and against
held-out mocks, never against the notebook's own output.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_real
from astrolab.exercises._core import exercise


# ------------------------------------------------------------------------- 07-01 run a challenge
def _prior_loss(ns) -> float:
    classes, weights = ns["CLASSES"], ns["WEIGHTS"]
    prior = ns["submissions"]["class prior"].iloc[0][classes].to_numpy(dtype=float)
    w = np.array([weights[c] for c in classes])
    return float(-np.sum(w * np.log(prior)) / w.sum())


exercise(
    "07-01", "ex-prior-loss",
    title="Exercise 1: the class prior's score without the test set",
    answer="prior_loss",
    name="the class prior's weighted log-loss",
    rtol=1e-9,
    expected=_prior_loss,
    hints=("Every object of class i gets the probability pi_i for its true class, so the mean of ln p over the "
           "members of class i is just ln pi_i, whoever they are.",
           "Put ln pi_i into the metric: L = -sum_i w_i ln pi_i / sum_i w_i, with "
           "`w = np.array([WEIGHTS[c] for c in CLASSES])`."),
    solution="""
        w = np.array([WEIGHTS[c] for c in CLASSES])
        prior_loss = -np.sum(w * np.log(p_prior_row)) / w.sum()
        # -sum w ln(pi) / sum w >= ln M by Jensen's inequality when the weights are equal, with equality only for
        # pi = 1/M; up-weighting the rare classes (small pi) makes it worse still
        ex.ex_prior_loss.check(prior_loss)
    """,
)


def _kn_gap(ns) -> float:
    weights = dict(ns["WEIGHTS"], KN=10.0)
    truth = ns["truth_for_plots"].reset_index()     # in memory: the notebook removes the kit's files at its end
    scores = {name: ns["score"](ns["submissions"][name], truth, class_weights=weights)
              for name in ("features + boosting", "1D CNN")}
    return float(scores["1D CNN"] - scores["features + boosting"])


exercise(
    "07-01", "ex-kn-weight",
    title="Exercise 2: a kilonova-hunting metric",
    answer="kn_gap",
    name="the CNN - boosting gap with w_KN = 10",
    rtol=1e-6,
    expected=_kn_gap,
    hints=("Build the new weights with `dict(WEIGHTS, KN=10.0)` and pass them to `score` as `class_weights`.",
           "Score `submissions['features + boosting']` and `submissions['1D CNN']` against `kit.truth` with "
           "these weights, and subtract: CNN minus boosting."),
    solution="""
        kn_weights = dict(WEIGHTS, KN=10.0)
        kn_scores = {name: score(submissions[name], kit.truth, class_weights=kn_weights)
                     for name in ("features + boosting", "1D CNN")}
        kn_gap = kn_scores["1D CNN"] - kn_scores["features + boosting"]
        print(kn_scores, "PLAsTiCC-weights gap:", board.ranking().set_index("name").loc["1D CNN", "score"]
              - board.ranking().set_index("name").loc["features + boosting", "score"])
        print("KN loss:", per_class_loss(submissions["features + boosting"])["KN"],
              per_class_loss(submissions["1D CNN"])["KN"])
        ex.ex_kn_weight.check(kn_gap)
    """,
)

_ALPHA_GRID = np.r_[0.0, np.geomspace(1e-4, 0.5, 60)]
_ALPHA_SHARE = 0.5     # a good choice gains at least this share of what the best smoothing gains on the blind set


def _smoothed_blind_loss(ns, alpha) -> float:
    from astrolab.challenge import weighted_log_loss

    classes = ns["CLASSES"]
    p = np.asarray(ns["p_boost"], dtype=float)
    truth = ns["truth_for_plots"].loc[ns["X_test"].index, "class_name"].to_numpy()
    return weighted_log_loss(truth, (1 - alpha) * p + alpha / len(classes), labels=classes,
                             class_weights=ns["WEIGHTS"])


def _grade_smoothing(answer, ns):
    alpha = check_real("alpha", answer, min=0.0, max=1.0)
    loss = _smoothed_blind_loss(ns, alpha)
    raw = _smoothed_blind_loss(ns, 0.0)
    best = min(raw, *(_smoothed_blind_loss(ns, a) for a in _ALPHA_GRID))
    gain, possible = raw - loss, raw - best
    said = (f"with your alpha the booster scores {loss:.3f} on the blind set (unsmoothed: {raw:.3f}), a gain of "
            f"{gain:+.3f} where the best smoothing gains {possible:.3f}")
    if loss - best <= max(0.005, (1 - _ALPHA_SHARE) * possible):
        return True, said + "."
    return False, said + (": too little smoothing, the confident mistakes still cost." if alpha < 0.5 and
                          _smoothed_blind_loss(ns, min(1.0, alpha * 2 + 1e-3)) < loss else
                          ": too much smoothing, the right answers lose their confidence.")


exercise(
    "07-01", "ex-smoothing",
    title="Exercise 3: smooth the probabilities without looking at the blind set",
    answer="alpha",
    kind="judgement",
    name="the smoothing weight alpha",
    grade=_grade_smoothing,
    hints=("Get honest probabilities for the *training* objects: "
           "`sklearn.model_selection.cross_val_predict(booster, X_train, y_train, cv=5, method='predict_proba')` "
           "(the columns are in the order of `booster.classes_`; reorder them with `columns`).",
           "For a grid of alpha (e.g. `np.r_[0, np.geomspace(1e-4, 0.5, 40)]`), score "
           "`(1 - alpha) * p_cv + alpha / len(CLASSES)` against `y_train` with `weighted_log_loss` and keep the "
           "alpha with the lowest score."),
    solution="""
        from sklearn.model_selection import cross_val_predict

        with threadpool_limits(THREADS):
            p_cv = cross_val_predict(booster, X_train, y_train, cv=5, method="predict_proba")[:, columns]
        alphas = np.r_[0, np.geomspace(1e-4, 0.5, 40)]
        cv_loss = [weighted_log_loss(y_train, (1 - a) * p_cv + a / len(CLASSES), labels=CLASSES, class_weights=WEIGHTS)
                   for a in alphas]
        alpha = alphas[int(np.argmin(cv_loss))]
        print(f"alpha = {alpha:.4f}: cross-validated loss {min(cv_loss):.3f} (unsmoothed {cv_loss[0]:.3f})")
        ex.ex_smoothing.check(alpha)
    """,
)


# ------------------------------------------------------------------------- 07-02 more data vs better algorithms
exercise(
    "07-02", "ex-slope",
    title="Exercise 1: accuracy per decade of data",
    answer="slope",
    name="accuracy per decade",
    rtol=1e-6,
    expected=lambda ns: float(np.polyfit(np.log10(ns["SIZES"]), ns["acc_g"], 1)[0]),
    hints=("A straight line in log N: fit accuracy = a log10(N) + b; a is what a factor of ten buys.",
           "`np.polyfit(np.log10(SIZES), acc_g, 1)` returns (a, b)."),
    solution="""
        slope, intercept = np.polyfit(np.log10(SIZES), acc_g, 1)
        ex.ex_slope.check(slope)
        print(f"+{slope:.3f} per decade; the line reaches 1 at N ~ {10 ** ((1 - intercept) / slope):.2g}")
        # The line must bend before that: the classes overlap (SN Ibc and SN II light curves are alike at low
        # S/N), so the error has a floor (the Bayes error) that no N removes; the power law has its floor.
    """,
)


def _p_missing(ns) -> float:
    y_pool, n, k = ns["y_pool"], int(ns["SIZES"][0]), ns["K"]
    draws = np.random.default_rng(ns["SEED"] + 1)
    return float(np.mean([np.unique(y_pool[draws.choice(y_pool.size, n, replace=False)]).size < k
                          for _ in range(2000)]))


exercise(
    "07-02", "ex-stratify",
    title="Exercise 2: why stratify?",
    answer="p_missing",
    name="P(a class is missing)",
    rtol=1e-6,
    expected=_p_missing,
    hints=("For each of the 2000 draws, `np.unique(y_pool[idx]).size` is the number of classes present.",
           "Draw with `draws.choice(y_pool.size, int(SIZES[0]), replace=False)` from "
           "`draws = np.random.default_rng(SEED + 1)`, in a loop of 2000, and average `size < K`."),
    solution="""
        missing = [np.unique(y_pool[draws.choice(y_pool.size, int(SIZES[0]), replace=False)]).size < K
                   for _ in range(2000)]
        p_missing = np.mean(missing)
        ex.ex_stratify.check(p_missing)
        print(f"a class is missing in {p_missing:.0%} of random 64-object sets")
        # The kilonovae (1.6 %) alone are missing with probability (1 - 0.016)^64 ~ 0.36; the SLSN (2.7 %),
        # microlensing (2.4 %) and RR Lyrae (3.7 %) add the rest.
        # A model that never saw a class gives it p ~ 0 (clipped to 1e-15): each such test object adds
        # -ln(1e-15) = 34.5 to its class's mean, and the weighted log-loss explodes.
    """,
)

exercise(
    "07-02", "ex-missing-class",
    title="Exercise 3: what a missing class costs",
    answer="missing_class_effect",
    kind="choice",
    name="your choice",
    choices={"a": "nothing: the weighted log-loss only averages over the classes the model was trained on",
             "b": "a little: the missing class's objects are scored as if the model had guessed uniformly",
             "c": "a lot: every test object of that class gets p ~ 0 (clipped to 1e-15) and adds ~34.5 to its "
                  "class's mean, whatever the other classes score",
             "d": "it improves the score: the model has fewer classes to confuse"},
    expected=lambda ns: "c",
    hints=("What probability does a classifier give to a class it never saw in training? Look at "
           "`fit_and_score`: `full[:, model.classes_] = proba`.",
           "The metric averages -ln p per class first; what is -ln(1e-15)?"),
    solution="""
        missing_class_effect = "c"   # p = 0, clipped to 1e-15: -ln(1e-15) = 34.5 per object of that class
        ex.ex_missing_class.check(missing_class_effect)
    """,
)


# ------------------------------------------------------------------------- 07-03 from simulation to a real survey
def _single_feature_auc(X_a, X_b):
    """max(AUC, 1 - AUC) of each feature alone, separating sample a (0) from sample b (1); NaNs dropped."""
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    out = {}
    for column in X_a.columns:
        a, b = X_a[column].dropna(), X_b[column].dropna()
        if len(a) and len(b) and pd.concat([a, b]).nunique() > 1:
            auc = roc_auc_score(np.r_[np.zeros(len(a)), np.ones(len(b))], np.r_[a, b])
            out[column] = max(auc, 1 - auc)
    return pd.Series(out).sort_values(ascending=False)


def _top_auc(ns) -> float:
    X_ztf_test, y_ztf_test = ns["X_ztf_test"], ns["y_ztf_test"]
    return float(_single_feature_auc(X_ztf_test[y_ztf_test == "SNIa"], ns["X_new"][ns["X_ztf"].columns]).iloc[0])


exercise(
    "07-03", "ex-shift-feature",
    title="Exercise 1: where does the remaining shift live?",
    answer="top_auc",
    name="the largest single-feature AUC",
    rtol=1e-9,
    expected=_top_auc,
    hints=("For one feature, `roc_auc_score(labels, values)` with label 0 for the mock SNe Ia and 1 for the new "
           "survey's, after `.dropna()` on each sample.",
           "Loop over `X_ztf.columns`, skip a feature with a single value, keep max(AUC, 1 - AUC) and take the "
           "largest over the features."),
    solution="""
        mock_ia, new = X_ztf_test[y_ztf_test == "SNIa"], X_new
        aucs = {}
        for column in X_ztf.columns:
            a, b = mock_ia[column].dropna(), new[column].dropna()
            if len(a) and len(b) and pd.concat([a, b]).nunique() > 1:
                auc = roc_auc_score(np.r_[np.zeros(len(a)), np.ones(len(b))], np.r_[a, b])
                aucs[column] = max(auc, 1 - auc)
        aucs = pd.Series(aucs).sort_values(ascending=False)
        print(aucs.head(6).round(3))
        top_auc = aucs.iloc[0]
        # with the real data the top features are the rise times (rest frame and observed): the source model's rise,
        # not the number of points, the depth or the noise, which the measured cadence, the survey settings and the
        # measured error model match
        ex.ex_shift_feature.check(top_auc)
    """,
)

_FALSE_ALARMS = 0.05


def _grade_ood_threshold(answer, ns):
    threshold = check_real("threshold", answer, min=0.0)
    ood = ns["ood_ztf"]
    held_out = np.asarray(ood.distance(ns["X_ztf_test"]), dtype=float)   # mocks the OOD score never saw
    new = np.asarray(ood.distance(ns["X_new"][ood.feature_names_in_]), dtype=float)
    false_alarms, flagged_new = np.mean(held_out > threshold), np.mean(new > threshold)
    said = (f"your threshold flags {false_alarms:.1%} of the held-out ZTF-like mocks (the target is "
            f"{_FALSE_ALARMS:.0%}) and {flagged_new:.1%} of the new survey's objects")
    if abs(false_alarms - _FALSE_ALARMS) <= 0.025:
        return True, said + "."
    return False, said + (": too many false alarms, raise it." if false_alarms > _FALSE_ALARMS
                          else ": fewer false alarms than you may spend, lower it to flag more.")


exercise(
    "07-03", "ex-ood-threshold",
    title="Exercise 2: an alarm that rings 5 % of the time",
    answer="threshold",
    kind="judgement",
    name="the distance threshold",
    grade=_grade_ood_threshold,
    hints=("`ood_ztf.distance(X)` is the distance of each object from the training features; an object is "
           "flagged when its distance exceeds your threshold. You may only use the training half, `X_ztf_train`.",
           "The 95th percentile of the training half's distances flags 5 % of it. But `ood_ztf` was fitted on "
           "those very objects: do new objects of the same kind sit as close? Hold out part of the training half "
           "(fit a fresh `al.challenge.OODScore()` on the rest) to see."),
    solution="""
        part_fit, part_check = train_test_split(X_ztf_train, test_size=0.3, random_state=SEED)
        ood_part = al.challenge.OODScore().fit(part_fit)
        inflation = np.quantile(ood_part.distance(part_check), 0.95) / np.quantile(ood_part.distance(part_fit), 0.95)
        threshold = np.quantile(ood_ztf.distance(X_ztf_train), 0.95) * inflation
        print(f"in-sample 95th percentile x {inflation:.2f} for objects the score has not seen: {threshold:.2f}")
        ex.ex_ood_threshold.check(threshold)
    """,
)
