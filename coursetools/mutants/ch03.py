"""Mutants of chapter 3's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

# 03-03: close the triangle the wrong way round (a -> b -> c, then a -> c instead of c -> a). The
# station phases then no longer cancel: the "closure" phase is arg V_ab + arg V_bc + arg V_ac.
_CLOSURE_ORIENTATION = '''
import inspect

import astrolab.sparse
from astrolab.sparse import _calibration

_source = inspect.getsource(_calibration.closure_phases)
assert _source.count("edge.get((c, a))") == 1
exec(compile(_source.replace("edge.get((c, a))", "edge.get((a, c))"), _calibration.__file__, "exec"),
     _calibration.__dict__)
astrolab.sparse.closure_phases = _calibration.closure_phases
'''

# 03-05: the refit quotes the diagonal of the covariance (variances) as the frequencies' standard errors.
_ERRORS_ARE_VARIANCES = '''
from astrolab.sparse import _periodogram

_refit = _periodogram.LassoPeriodogram._refit


def _refit_variances(*args):
    params, chi2, errors = _refit(*args)
    return params, chi2, errors**2


_periodogram.LassoPeriodogram._refit = staticmethod(_refit_variances)
'''

# 03-06: the distributed A^T u adds the partial sums of all row blocks but the last: one block's
# observations vanish from every update of the unknowns (while |u| still counts them).
_DASK_DROPS_A_BLOCK = '''
import inspect
import textwrap

from astrolab.sparse import _distributed

_source = textwrap.dedent(inspect.getsource(_distributed._DaskEngine._round))
assert _source.count("for p in parts[1:]:") == 1
_namespace = dict(_distributed.__dict__)
exec(compile(_source.replace("for p in parts[1:]:", "for p in parts[1:-1]:"), _distributed.__file__, "exec"),
     _namespace)
_distributed._DaskEngine._round = _namespace["_round"]
'''

MUTANTS: list[Mutant] = [
    # 03-01 LASSO from scratch
    Mutant("03-01", "ista-threshold-lambda",
           "the ISTA step soft-thresholds at lambda instead of lambda / L (the proximal step of a gradient step "
           "of size 1/L)",
           replace=[("X.T @ (X @ beta_ista - y) / L, lam / L)", "X.T @ (X @ beta_ista - y) / L, lam)")]),
    Mutant("03-01", "sklearn-alpha-without-1-over-m",
           "scikit-learn's alpha set to lambda, forgetting that its misfit is divided by the number of data M "
           "(alpha = lambda / M)",
           replace=[("alpha = lam_cv / M", "alpha = lam_cv")]),
    Mutant("03-01", "cv-fits-all-data",
           "cross-validation fits every fold's path on all the data, held-out fold included (test data leak "
           "into training)",
           replace=[("al.sparse.lasso_path(X[train], y[train], lams, tol=1e-8, max_iter=5000)",
                     "al.sparse.lasso_path(X, y, lams, tol=1e-8, max_iter=5000)")]),
    # 03-02 imaging with LASSO + TSV
    Mutant("03-02", "conjugate-visibilities",
           "the visibilities are read with the opposite Fourier sign convention (conjugated): the image comes "
           "out rotated by 180 degrees",
           replace=[("op, vis = mock.operator, mock.vis", "op, vis = mock.operator, np.conj(mock.vis)")]),
    Mutant("03-02", "cv-unweighted",
           "the cross-validation score forgets the noise weighting: squared Jy instead of chi-squared per "
           "held-out real degree of freedom",
           replace=[("np.mean(np.abs((predicted - vis[test]) / sigma[test]) ** 2) / 2",
                     "np.mean(np.abs(predicted - vis[test]) ** 2) / 2")]),
    Mutant("03-02", "no-error-floor",
           "the residual 5 % station gains are ignored: the visibilities are weighted by their thermal errors "
           "alone, and the fit chases the gain errors",
           replace=[("sigma = np.hypot(mock.sigma, 0.05 * np.abs(vis))", "sigma = mock.sigma")]),
    # 03-03 the real M87 data
    Mutant("03-03", "closure-wrong-orientation",
           "closure phases summed around the triangle with the third leg the wrong way round (arg V_ac "
           "instead of arg V_ca): the station phases no longer cancel",
           prelude=_CLOSURE_ORIENTATION),
    Mutant("03-03", "conjugate-visibilities",
           "the visibilities are read with the opposite Fourier sign convention (conjugated): every closure "
           "phase flips sign and the image is rotated by 180 degrees",
           replace=[("days = {day: compact(table) for day, table in days.items()}\n",
                     "days = {day: compact(table) for day, table in days.items()}\n"
                     "for _t in days.values():\n    _t[\"vis\"] = np.conj(_t[\"vis\"])\n")]),
    Mutant("03-03", "no-systematic-error",
           "the LASSO + TSV step weights the self-calibrated visibilities by their thermal errors only, without "
           "the 5 % error floor for the residual gain errors",
           replace=[("field_of_view=FOV, prior_fwhm=None, mu_cp=MU_CP)",
                     "field_of_view=FOV, prior_fwhm=None, mu_cp=MU_CP, systematic=0.0)")]),
    Mutant("03-03", "field-of-view-radius",
           "the field-of-view rule is applied to the radius instead of the diameter (a field half as wide as "
           "the rule asks: the flux piles up in a blob)",
           replace=[("FOV = 1.5 * d_fit", "FOV = 1.5 * d_fit / 2")]),
    Mutant("03-03", "all-triangles",
           "every triangle's closure phase is used, as if all were independent (the redundant ones share noise "
           "and are counted several times)",
           replace=[("cphase = al.sparse.closure_phases(data, min_snr=2.0)\n",
                     "cphase = al.sparse.closure_phases(data, min_snr=2.0, independent=False)\n")]),
    # 03-04 blind test
    Mutant("03-04", "conjugate-visibilities",
           "the pipeline images the conjugated visibilities of the table (the opposite Fourier sign convention): "
           "every image is rotated by 180 degrees and a crescent's bright side points the wrong way",
           replace=[('    table = data["table"]\n',
                     '    table = data["table"].copy()\n    table["vis"] = np.conj(table["vis"])\n')]),
    Mutant("03-04", "ring-radius-in-uas",
           "the decision rule samples the ring at its radius in microarcseconds, used as a number of pixels "
           "(wrong units): the samples fall off the image and no ring is ever closed",
           replace=[("radius = fit.diameter / 2 / pix  # in pixels", "radius = fit.diameter / 2  # in pixels")]),
    # 03-05 LASSO periodogram
    Mutant("03-05", "prewhitening-adds-the-model",
           "prewhitening adds the fitted first-overtone model to the light curve instead of subtracting it",
           replace=[("residual = lc.mag - LombScargle(", "residual = lc.mag + LombScargle(")]),
    Mutant("03-05", "errors-are-variances",
           "the refit quotes the diagonal of the covariance matrix (variances) as the frequencies' standard "
           "errors: the square root is forgotten",
           prelude=_ERRORS_ARE_VARIANCES),
    Mutant("03-05", "false-alarm-without-prewhitening",
           "the double-mode test looks for a second mode in the light curve itself instead of in the residual "
           "after removing the main mode: the main mode's own power is taken for a second mode",
           replace=[("    ls_res = LombScargle(t, residual, dy)\n", "    ls_res = LombScargle(t, y, dy)\n")]),
    Mutant("03-05", "window-aliases-ignored",
           "the LASSO on real stars ignores the window function (no alias_periods): daily aliases of the "
           "true period win",
           replace=[('"alias_periods": (1.0, 365.25), ', '"alias_periods": None, ')]),
    # 03-06 astrometry with LSQR
    Mutant("03-06", "skip-gauge",
           "the astrometric solution is computed without the gauge constraint: the frame (mean position, "
           "parallax and proper motion) is left free and drifts",
           replace=[("sol = al.sparse.astrometric_solution(data, n_stars, data.knots, b, data.sigma)\n",
                     "sol = al.sparse.astrometric_solution(data, n_stars, data.knots, b, data.sigma, gauge=None)\n")]),
    Mutant("03-06", "computed-minus-observed",
           "the right-hand side is computed minus observed instead of observed minus computed: every "
           "correction has the wrong sign",
           replace=[("b = data.w - data.w_ref", "b = data.w_ref - data.w")]),
    Mutant("03-06", "sigma-in-mas",
           "the measurement errors are passed in mas while the residuals are in uas (wrong units)",
           replace=[("sol = al.sparse.astrometric_solution(data, n_stars, data.knots, b, data.sigma)\n",
                     "sol = al.sparse.astrometric_solution(data, n_stars, data.knots, b, data.sigma / 1e3)\n")]),
    Mutant("03-06", "dask-drops-a-block",
           "the distributed LSQR sums the partial products D_k^T u_k of all row blocks but the last: one worker's "
           "observations are missing from D^T u",
           prelude=_DASK_DROPS_A_BLOCK),
]
