"""Mutants of chapter 1's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    Mutant("01-01", "ln-for-log10",
           "the doubling time is ln 2 / slope for a slope fitted to log10 volumes (it must be log10 2 / slope): "
           "2.3 times too long, 4.7 yr",
           replace=[("doubling_time = np.log10(2) / slope * u.yr", "doubling_time = np.log(2) / slope * u.yr")]),
    Mutant("01-01", "unscaled-covariance",
           "the slope error is taken from polyfit's unscaled covariance, which assumes each survey's log volume "
           "is known to 1 dex instead of using the scatter about the line (1.2 dex)",
           replace=[("np.polyfit(year - 2000, log_volume, 1, cov=True)",
                     "np.polyfit(year - 2000, log_volume, 1, cov=\"unscaled\")")]),
    Mutant("01-01", "rate-units-stripped",
           "the data rate strips the units and divides TB by years, then labels the result GB/day "
           "(2.7 times too large)",
           replace=[("(facts[\"data_volume\"] / duration).to(u.GB / u.day)",
                     "facts[\"data_volume\"].value / duration.value * u.GB / u.day")]),
    Mutant("01-02", "tau-error-no-jacobian",
           "the error of tau = 1/beta_1 is propagated as sigma_beta / beta, which is the relative error of tau, "
           "instead of sigma_beta / beta^2 (years): error bars 7 times too narrow",
           replace=[("tau_b_err = np.sqrt(cov_b[1, 1]) / beta_b[1] ** 2",
                     "tau_b_err = np.sqrt(cov_b[1, 1]) / beta_b[1]")]),
    Mutant("01-02", "deviance-without-factor-2",
           "the Poisson deviance drops its factor 2 (it is twice the log-likelihood ratio), so every deviance, "
           "and the evidence for the break, is halved",
           replace=[("    return 2 * np.sum(ratio - (n - mu))", "    return np.sum(ratio - (n - mu))")]),
    Mutant("01-02", "curve-fit-unweighted",
           "curve_fit is called without sigma, so every year counts the same whatever its count: an unweighted "
           "least-squares fit to Poisson counts",
           replace=[("sigma=np.sqrt(np.maximum(n, 1)), maxfev=20000", "maxfev=20000")]),
    Mutant("01-04", "noise-area-2pi",
           "the noise-equivalent area of a Gaussian PSF is taken as 2 pi sigma^2 instead of 4 pi sigma^2, so "
           "the predicted 5-sigma limit is sqrt(2) too faint",
           replace=[("np.sqrt(4 * np.pi) * sigma_psf\nprint", "np.sqrt(2 * np.pi) * sigma_psf\nprint")]),
    Mutant("01-04", "no-artefact-flags",
           "the catalogue keeps every detection, ignoring the sharpness and elongation flags: cosmic rays, hot "
           "pixels and trail fragments counted as sources",
           replace=[('kept = found[found["flag"] == "ok"]', "kept = found")]),
    Mutant("01-04", "flux-error-small-aperture",
           "the aperture-flux error counts the sky noise of a 1-FWHM aperture (a quarter of the pixels) while "
           "the flux sums a 2-FWHM one: error bars about half the right size",
           prelude=("import numpy as _np\n"
                    "import astrolab as _al\n"
                    "_detect = _al.bigdata.detect_sources\n"
                    "def _small_aperture_errors(*args, **kwargs):\n"
                    "    table = _detect(*args, **kwargs)\n"
                    "    sky_var = table['flux_err'] ** 2 - _np.clip(table['flux'], 0, None)\n"
                    "    table['flux_err'] = _np.sqrt(sky_var / 4 + _np.clip(table['flux'], 0, None))\n"
                    "    return table\n"
                    "_al.bigdata.detect_sources = _small_aperture_errors\n")),
    Mutant("01-03", "one-partition",
           "the lazy catalogue is repartitioned into a single partition, so Dask reads and holds the whole "
           "table at once: the answer is still right, but the computation is no longer out of core",
           replace=[("ddf = dd.read_parquet(path, columns=COLUMNS)",
                     "ddf = dd.read_parquet(path, columns=COLUMNS).repartition(npartitions=1)")]),
    Mutant("01-03", "sample-count-variance",
           "the sample estimate n_k / f is given the Poisson variance of the sample count n_k ~ f N_k, instead "
           "of N_k (1 - f) / f: errors 10 times too small, so a good estimate looks wrong",
           replace=[("(sky_memory[occupied] * (1 - fraction) / fraction)", "(sky_memory[occupied] * fraction)")]),
]
