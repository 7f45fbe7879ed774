"""Data for the course: mock generators that return data AND ground truth, and loaders of real data.

Generators are named ``make_*`` and are deterministic for a given ``seed``; loaders of real public
data are named ``fetch_*``, check SHA-256 checksums, cache under :func:`astrolab.data_dir` and,
when offline, raise :class:`DataUnavailableError` naming the mock to use instead.
"""

from astrolab.datasets._fetch import DataUnavailableError, RemoteFile, fetch_file, load_registry
from astrolab.datasets._helpers import real_or_mock
from astrolab.datasets._images import make_survey_image
from astrolab.datasets._mockspectra import make_galaxy_spectra, make_stellar_spectra
from astrolab.datasets._papers import ADS_API_URL, exponential_growth, fetch_ads_counts, make_paper_counts
from astrolab.datasets._sky import make_sky_catalog, write_sky_catalog
from astrolab.datasets._spectra import (
    fetch_calspec_astar,
    make_blackbody_spectrum,
    planck_lambda,
    wien_peak,
)
from astrolab.datasets._stars import gaia_parallax_error, make_star_catalog
from astrolab.datasets._surveys import load_survey_facts

__all__ = [
    "ADS_API_URL",
    "DataUnavailableError",
    "RemoteFile",
    "exponential_growth",
    "fetch_ads_counts",
    "fetch_calspec_astar",
    "fetch_file",
    "gaia_parallax_error",
    "load_registry",
    "load_survey_facts",
    "make_blackbody_spectrum",
    "make_galaxy_spectra",
    "make_paper_counts",
    "make_sky_catalog",
    "make_star_catalog",
    "make_stellar_spectra",
    "make_survey_image",
    "planck_lambda",
    "real_or_mock",
    "wien_peak",
    "write_sky_catalog",
]
