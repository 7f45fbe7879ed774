"""Data for the course: mock generators that return data AND ground truth, and loaders of real data.

Generators are named ``make_*`` and are deterministic for a given ``seed``; loaders of real public
data are named ``fetch_*``, check SHA-256 checksums, cache under :func:`astrolab.data_dir` and,
when offline, raise :class:`DataUnavailableError` naming the mock to use instead.
"""

from astrolab.datasets._astrometry import GALACTIC_CENTRE, along_scan_position, make_astrometry, parallax_factors
from astrolab.datasets._bayes_toys import (
    make_cluster_data,
    make_power_spectrum_data,
    power_spectrum_model,
    simulate_cluster,
)
from astrolab.datasets._doppler import doppler_shift
from astrolab.datasets._fetch import DataUnavailableError, RemoteFile, fetch_file, load_registry
from astrolab.datasets._gaia import make_gaia_volume
from astrolab.datasets._gaia_clusters import load_gaia_dr2_cluster_members
from astrolab.datasets._galaxies import (
    GALAXY_CLASSES,
    load_galaxy_images,
    make_galaxy_images,
    morphology_features,
    sersic_bn,
)
from astrolab.datasets._helpers import real_or_mock
from astrolab.datasets._hipparcos import load_hipparcos
from astrolab.datasets._hipparcos_mock import make_hipparcos_volume
from astrolab.datasets._images import make_survey_image
from astrolab.datasets._lightcurves import LIGHTCURVE_KINDS, make_lightcurve, make_lightcurves
from astrolab.datasets._lines import fetch_hogg2010, load_hogg2010, make_line_data
from astrolab.datasets._mockspectra import make_galaxy_spectra, make_stellar_spectra
from astrolab.datasets._papers import ADS_API_URL, exponential_growth, fetch_ads_counts, make_paper_counts
from astrolab.datasets._radio import crescent_image, fetch_eht_m87, load_ehtim_m87, make_eht_mock
from astrolab.datasets._real_lightcurves import fetch_rrlyrae_s82, fetch_ztf_bts_snia
from astrolab.datasets._sdss_colours import fetch_sdss_colours
from astrolab.datasets._sky import make_sky_catalog, write_sky_catalog
from astrolab.datasets._skymodels import SkyModel
from astrolab.datasets._spectra import (
    fetch_calspec_astar,
    make_blackbody_spectrum,
    planck_lambda,
    wien_peak,
)
from astrolab.datasets._stars import gaia_parallax_error, make_star_catalog
from astrolab.datasets._supervised import (
    PHOTOZ_TEMPLATES,
    VARIABLE_CLASSES,
    make_hypervelocity_sample,
    make_photoz_catalog,
    make_variable_features,
    variable_features,
)
from astrolab.datasets._surveys import load_survey_facts
from astrolab.datasets._threebody import (
    integrate_threebody,
    load_threebody,
    make_threebody,
    threebody_energy,
    threebody_initial_conditions,
)
from astrolab.datasets._transients import LSST_PASSBANDS, TRANSIENT_CLASSES, TRANSIENT_TARGETS, make_transients
from astrolab.interferometry import M87_DEC, M87_RA, load_eht_stations, read_uvfits, uv_coverage, write_uvfits

__all__ = [
    "ADS_API_URL",
    "GALACTIC_CENTRE",
    "GALAXY_CLASSES",
    "LIGHTCURVE_KINDS",
    "LSST_PASSBANDS",
    "M87_DEC",
    "M87_RA",
    "PHOTOZ_TEMPLATES",
    "TRANSIENT_CLASSES",
    "TRANSIENT_TARGETS",
    "VARIABLE_CLASSES",
    "DataUnavailableError",
    "RemoteFile",
    "SkyModel",
    "along_scan_position",
    "crescent_image",
    "doppler_shift",
    "exponential_growth",
    "fetch_ads_counts",
    "fetch_calspec_astar",
    "fetch_eht_m87",
    "fetch_file",
    "fetch_hogg2010",
    "fetch_rrlyrae_s82",
    "fetch_sdss_colours",
    "fetch_ztf_bts_snia",
    "gaia_parallax_error",
    "integrate_threebody",
    "load_eht_stations",
    "load_ehtim_m87",
    "load_gaia_dr2_cluster_members",
    "load_galaxy_images",
    "load_hipparcos",
    "load_hogg2010",
    "load_registry",
    "load_survey_facts",
    "load_threebody",
    "make_astrometry",
    "make_blackbody_spectrum",
    "make_cluster_data",
    "make_eht_mock",
    "make_gaia_volume",
    "make_galaxy_images",
    "make_galaxy_spectra",
    "make_hipparcos_volume",
    "make_hypervelocity_sample",
    "make_lightcurve",
    "make_lightcurves",
    "make_line_data",
    "make_paper_counts",
    "make_photoz_catalog",
    "make_power_spectrum_data",
    "make_sky_catalog",
    "make_star_catalog",
    "make_stellar_spectra",
    "make_survey_image",
    "make_threebody",
    "make_transients",
    "make_variable_features",
    "variable_features",
    "morphology_features",
    "parallax_factors",
    "planck_lambda",
    "power_spectrum_model",
    "read_uvfits",
    "real_or_mock",
    "sersic_bn",
    "simulate_cluster",
    "threebody_energy",
    "threebody_initial_conditions",
    "uv_coverage",
    "wien_peak",
    "write_sky_catalog",
    "write_uvfits",
]

