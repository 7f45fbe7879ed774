"""Chapter 7 (data challenges): the weighted log-loss metric, a blind-set kit and a leaderboard.

An instructor runs :func:`make_challenge` (training set with labels, blind test set, the truth kept
apart), learners submit a CSV of class probabilities, :func:`score` checks it with
:func:`validate_submission` and returns the PLAsTiCC weighted log-loss (:func:`weighted_log_loss`),
and a :class:`Leaderboard` ranks the submissions. Without an explicit seed the kit is blind (a secret
128-bit seed), and :class:`BlindChallenge` runs the class's competition: a rounded public score on the
public part, a daily submission limit, the final ranking on the private part; the no-data score to beat
is that of :func:`weight_prior_submission`. :class:`OODScore` flags inputs unlike the training set
(another survey's light curves) before anyone trusts a classifier's prediction; :func:`from_magnitudes`
brings real survey photometry into the kit's format, and :func:`fit_error_model` and :func:`fit_cadence_model`
measure its noise and its sampling for a survey-like mock.
"""

from astrolab.challenge._baselines import class_prior_submission, extract_features
from astrolab.challenge._blind import BlindChallenge, SubmissionLimitError
from astrolab.challenge._kit import (
    Leaderboard,
    make_challenge,
    make_submission,
    score,
    validate_submission,
    weight_prior_submission,
)
from astrolab.challenge._metric import PLASTICC_CLASS_WEIGHTS, weight_prior, weighted_log_loss
from astrolab.challenge._ood import OODScore
from astrolab.challenge._real import fit_cadence_model, fit_error_model, from_magnitudes
from astrolab.challenge._sequences import bin_lightcurves

__all__ = [
    "PLASTICC_CLASS_WEIGHTS",
    "BlindChallenge",
    "Leaderboard",
    "OODScore",
    "bin_lightcurves",
    "class_prior_submission",
    "extract_features",
    "fit_cadence_model",
    "fit_error_model",
    "from_magnitudes",
    "make_challenge",
    "make_submission",
    "SubmissionLimitError",
    "score",
    "validate_submission",
    "weight_prior",
    "weight_prior_submission",
    "weighted_log_loss",
]
