"""Mutants of chapter 5's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    Mutant("05-03", "xd-without-errors",
           "extreme deconvolution is given zero measurement covariances, so it fits the blurred CMD "
           "like a plain Gaussian mixture",
           replace=[("xd = al.ml.ExtremeDeconvolution(N_COMPONENTS, max_iter=500, random_state=SEED)"
                     ".fit(X, X_err=X_err)",
                     "xd = al.ml.ExtremeDeconvolution(N_COMPONENTS, max_iter=500, random_state=SEED).fit(X, "
                     "X_err=np.zeros_like(X_err))")]),
    Mutant("05-03", "flux-factor-in-sigma-m",
           "the absolute-magnitude error uses 2.5/ln 10 (the flux-to-magnitude factor) instead of "
           "5/ln 10 (a distance modulus has 5 log10 d): every sigma_M is half the truth",
           replace=[("abs_mag_error = 5 / np.log(10) * PARALLAX_ERROR / parallax",
                     "abs_mag_error = 2.5 / np.log(10) * PARALLAX_ERROR / parallax")]),
    Mutant("05-03", "sd-as-variance",
           "the error covariance gets the standard deviations on its diagonal instead of the variances",
           replace=[("cov[:, 0, 0], cov[:, 1, 1] = color_err**2, mag_err**2",
                     "cov[:, 0, 0], cov[:, 1, 1] = color_err, mag_err")]),
]
MUTANTS += [
    Mutant("05-04", "isolation-score-sign",
           "the isolation forest's score_samples is used as it comes (higher = more normal in "
           "scikit-learn), so the ranking puts the most ordinary stars first",
           replace=[("scores[(\"isolation forest\", name)] = -iso.score_samples(X)",
                     "scores[(\"isolation forest\", name)] = iso.score_samples(X)")]),
    Mutant("05-04", "unscaled-features",
           "the features are not standardised, so distances (kpc) and velocities (km/s) enter LOF and "
           "the forest on their raw scales",
           replace=[("X = StandardScaler().fit_transform(np.column_stack([cat[c].value for c in cols]))",
                     "X = np.column_stack([cat[c].value for c in cols])")]),
    Mutant("05-04", "labels-misaligned",
           "the truth flags are sorted by population while the catalogue is not, so the HVS labels "
           "point at the wrong stars",
           replace=[('is_hvs = np.asarray(truth["is_hvs"])', 'is_hvs = np.sort(np.asarray(truth["is_hvs"]))')]),
]
MUTANTS += [
    Mutant("05-02", "standardised-velocities",
           "the velocities are standardised to unit variance (the pitfall 'standardising blindly'): "
           "the field's dispersion of tens of km/s sets their scale, and the clusters' kinematic "
           "coherence is lost",
           replace=[('print(X.shape, "all finite:", np.isfinite(X).all())',
                     'X[:, 3:] = (X[:, 3:] - X[:, 3:].mean(axis=0)) / X[:, 3:].std(axis=0)\n'
                     'print(X.shape, "all finite:", np.isfinite(X).all())')]),
    Mutant("05-02", "kdist-positions-only",
           "the k-distance curve that sets eps is computed from the positions alone, not from the "
           "five features DBSCAN clusters",
           replace=[("kdist = np.sort(cKDTree(X).query(X, k=N_MIN)[0][:, -1])",
                     "kdist = np.sort(cKDTree(X[:, :3]).query(X[:, :3], k=N_MIN)[0][:, -1])")]),
    Mutant("05-02", "proper-motion-not-velocity",
           "VELOCITY_SCALE forgets the factor 4.74 km/s per (mas/yr kpc): velocities shrink 4.74x "
           "and field stars crowd into the clusters' velocity range",
           replace=[("VELOCITY_SCALE = 1.0  # pc per km/s", "VELOCITY_SCALE = 1 / 4.74  # pc per km/s")]),
]
# 05-01: variable_features quotes phi21 in the cosine convention (the sine convention's + pi/2).
_PHI21_COSINE = '''
import numpy as np

import astrolab.datasets

_measure = astrolab.datasets.variable_features


def _cosine_phi21(*args, **kwargs):
    features = _measure(*args, **kwargs)
    features["phi21"] = float(np.mod(features["phi21"] + np.pi / 2, 2 * np.pi))
    return features


astrolab.datasets.variable_features = _cosine_phi21
'''

MUTANTS += [
    Mutant("05-01", "shuffled-labels",
           "the class labels are shuffled relative to the features (a join on the wrong key)",
           replace=[('y = np.asarray(truth["label"])', 'y = rng.permutation(np.asarray(truth["label"]))')]),
    Mutant("05-01", "test-in-training",
           "the final random forest is fitted on all objects, the test set included, and then scored "
           "on that test set",
           replace=[("forest.fit(X_train, y_train)", "forest.fit(X, y)")]),
    Mutant("05-01", "split-ignores-groups",
           "the 'honest' split is a plain KFold on the duplicated sample, so the two copies of a star "
           "fall on both sides of the split",
           replace=[("cv=GroupKFold(4), groups=groups", "cv=KFold(4)")]),
    Mutant("05-01", "photoz-test-in-training",
           "the photo-z forest is trained on all galaxies, the test galaxies included",
           replace=[("photoz.fit(Xz_train, z_train)", "photoz.fit(Xz, z)")]),
    Mutant("05-01", "phi21-cosine-convention",
           "the features measured on the real light curves quote phi21 of a cosine series (pi/2 larger) while "
           "the mock uses the sine series",
           prelude=_PHI21_COSINE),
]
# 05-02 section 9: the false-cluster control keeps the real clusters.
MUTANTS += [
    Mutant("05-02", "control-not-shuffled",
           "the false-cluster control copy keeps each star's own velocity, so the real clusters survive in "
           "it and the rule sets eps below the density of the clusters it should find",
           replace=[("fake[:, 3:] = features[order, 3:]", "fake[:, 3:] = features[:, 3:]")]),
]
# 05-01 section 6: the SDSS preset without its luminosity-dependent type mix (types about uniform on [0, 2],
# independent of luminosity, as in survey=None): the mock is too blue for a bright magnitude-limited sample.
_PRESET_WITHOUT_TYPE_MIX = '''
import astrolab.datasets._supervised as _supervised

_supervised._RED_FRACTION = {"floor": 0.0, "span": 0.0, "m_half": -20.5, "width": 0.8}
_supervised._type_mix = lambda dust=False: {"red": (1.0, 0.6), "blue": (1.0, 0.6)}
'''
MUTANTS += [
    Mutant("05-01", "photoz-preset-without-type-mix",
           "the SDSS preset draws spectral types about uniformly, whatever the galaxy's luminosity (no red fraction "
           "rising with M_r), so the bright magnitude-limited mock is too blue",
           prelude=_PRESET_WITHOUT_TYPE_MIX),
]
# 05-01 section 6: the SDSS preset without its galaxy-to-galaxy variation (no internal dust, every galaxy with its
# type's line strengths, point-source photometric errors): one spectrum per type and redshift, and r - i too blue.
_PRESET_WITHOUT_VARIATION = '''
import astrolab.datasets._supervised as _supervised

_supervised._check_variation = lambda variation, survey: frozenset()
'''
MUTANTS += [
    Mutant("05-01", "photoz-preset-without-variation",
           "the SDSS preset draws no dust, no line-strength scatter and point-source photometric errors: every galaxy "
           "of a type at a redshift has the same colours",
           prelude=_PRESET_WITHOUT_VARIATION),
]
# 05-02 section 9, the Hipparcos-like mock observed with Gaia-DR3 parallax errors (G ~ Hp), a hundred times smaller
# than Hipparcos's: far more stars pass the 10 % cut and the mock no longer looks like the real catalogue.
_HIPPARCOS_MOCK_GAIA_ERRORS = '''
import numpy as np
import astrolab.datasets._hipparcos_mock as _hm
from astrolab.datasets._stars import gaia_parallax_error

_hm._ERR_MEDIAN = gaia_parallax_error(_hm._ERR_HP)
_hm._ERR_LNSD = np.zeros_like(_hm._ERR_HP)
'''
MUTANTS += [
    Mutant("05-02", "hipparcos-mock-gaia-errors",
           "make_hipparcos_volume observes with Gaia-DR3 parallax errors instead of Hipparcos's: its counts and "
           "its error distribution no longer match the real catalogue",
           prelude=_HIPPARCOS_MOCK_GAIA_ERRORS),
]
# 05-02 section 9, the line-of-sight distance given no parallax errors: it is the Euclidean distance again, and the
# clusters smeared along the line of sight (IC 2391, alpha Per) are lost.
MUTANTS += [
    Mutant("05-02", "line-of-sight-errors-ignored",
           "line_of_sight_graph is given zero parallax errors, so it is the Euclidean distance again and the "
           "clusters smeared along the line of sight come back in pieces",
           replace=[('rel_real = (hip["parallax_error"] / hip["parallax"]).to_value(u.one)',
                     "rel_real = np.zeros(len(hip))"),
                    ('rel_hmock = (hcat["parallax_error"] / hcat["parallax"]).to_value(u.one)',
                     "rel_hmock = np.zeros(len(hcat))")]),
]
# 05-02 section 9, the purity estimate's copies keep each star's own velocity: every group member counts as a chance
# member, and the estimated purity falls to about 0.
MUTANTS += [
    Mutant("05-02", "purity-estimate-not-shuffled",
           "chance_members counts the stars of an unshuffled copy, so a group's own members count as chance "
           "interlopers and the estimated purity is about 0",
           replace=[("        fake[:, 3:], fake_noise[:, 3:] = features[order, 3:], noise[order, 3:]\n", "")]),
]
