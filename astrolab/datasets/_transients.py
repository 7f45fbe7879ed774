"""Mock LSST-like multi-band light curves of transients and variables, in the PLAsTiCC format.

A compact, physically grounded stand-in for the PLAsTiCC data set (The PLAsTiCC team 2018,
arXiv:1810.00001; Kessler et al. 2019, PASP 131, 094501): six passbands ``ugrizy``, three years of
survey with observing seasons of six months, a wide-fast-deep (WFD) cadence of about one visit every
three nights in some band and a deep-drilling (DDF) cadence that visits every band and reaches one
magnitude deeper; difference-image fluxes in the PLAsTiCC calibration (AB zero point 27.5), errors
from the single-visit 5-sigma depth, a detection flag at ``|S/N| > 5``, host photometric redshifts with
catastrophic outliers (their errors computed from the photometry, as a photo-z code would, not from the
true redshift), and Milky-Way extinction.

Models (all cheap closed forms, evaluated for every visit at once):

* explosive transients (SN Ia, SN II, SN Ibc, superluminous SN, tidal disruption event, kilonova):
  the rest-frame 5000 A light curve -- a Bazin et al. (2009, A&A 499, 653) rise/decline shape, or for
  SNe II (plateau IIP and linear IIL) a rise, a plateau, a drop and the 56Co tail, after Villar et al.
  (2019, ApJ 884, 83) -- with the colours of a black body whose temperature cools after peak, the SED
  normalised at 5000 A at the current temperature; decline rates, rise times, colours and raw peak
  luminosity functions from the literature (the table at ``_EXPLOSIVE``), redshifted to the observer:
  time dilation ``(1+z)``, the rest wavelength
  ``lambda_b / (1+z)`` seen through each band (a K-correction from the spectrum) and the distance
  modulus of ``astropy.cosmology.Planck18``; redshifts drawn from the comoving volume (a constant
  volumetric rate, diluted by ``1/(1+z)``);
* AGN: a damped random walk in magnitude (Kelly, Bechtold & Siemiginowska 2009, ApJ 698, 895;
  MacLeod et al. 2010, ApJ 721, 1014), stronger in the blue, on a power-law spectrum;
* RR Lyrae: the RRab Fourier template of :mod:`astrolab.datasets._lightcurves` with band-dependent
  amplitudes; eclipsing binaries: two Gaussian eclipses per orbit plus ellipsoidal modulation;
* microlensing: the point-lens magnification of Paczynski (1986, ApJ 304, 1), achromatic.

Galactic objects have redshift 0 and ``hostgal_photoz = 0`` as in PLAsTiCC. Fluxes are
difference fluxes: a variable star's template (its mean, or its out-of-eclipse flux) is subtracted,
so fluxes can be negative. Only objects with at least two detections are kept (a detection trigger).

``survey="ztf"`` observes the same objects as a ZTF-like public survey whose alerts feed a
bright-transient sample such as the ZTF Bright Transient Survey (BTS): only g and r (kept under the
LSST passband codes 1 and 2), the public-survey cadence of a g and an r exposure of every field every
two or three nights (Bellm et al. 2019, PASP 131, 018002: every three nights in phase I, 2018-2020,
every two nights in phase II, from December 2020), weather losses and seasonal gaps, the median
single-exposure 5-sigma depths of 30-s exposures (g = 20.8, r = 20.6 mag; Bellm et al. 2019) with a
per-exposure scatter, detections only (alert light curves hold the ``|S/N| > 5`` detections of the
difference images, of either sign; the non-detections are dropped), host dust of supernovae (MLCS2k2's
prior) and the BTS selection: the published completeness of its classifications at the brightest detection,
complete to about 18 mag and nothing fainter than 19 mag (Fremling et al. 2020, ApJ 895, 32; Perley et al.
2020, ApJ 904, 35), which confines the extragalactic objects to low redshift. A survey's own sampling,
measured from its detections (:func:`astrolab.challenge.fit_cadence_model`), can replace the published
cadence (``cadence_model``), and the SNe Ia can get the spectra of the BayeSN model of observed SNe Ia (the Hsiao
template warped by a light-curve shape and residual colour variation; ``sn_ia_sed="bayesn"``) instead of the
black body. Every BTS transient is classified
spectroscopically, so the redshift given is the spectroscopic one (``hostgal_photoz = true_z``,
``hostgal_photoz_err = 0``); ZTF has no deep-drilling fields.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_rng, check_size

__all__ = ["LSST_PASSBANDS", "SN_IA_SEDS", "TRANSIENT_CLASSES", "TRANSIENT_TARGETS", "TRANSIENT_SURVEYS",
           "make_transients"]

#: The classes, in label order (label ``k`` is ``TRANSIENT_CLASSES[k]``).
TRANSIENT_CLASSES = ("SNIa", "SNII", "SNIbc", "SLSN", "TDE", "KN", "AGN", "RRL", "EB", "microlensing")
#: The PLAsTiCC ``target`` code of each class.
TRANSIENT_TARGETS = {"SNIa": 90, "SNII": 42, "SNIbc": 62, "SLSN": 95, "TDE": 15, "KN": 64, "AGN": 88,
                     "RRL": 92, "EB": 16, "microlensing": 6}
#: The LSST passbands, in the order of the integer ``passband`` column (0 = u ... 5 = y).
LSST_PASSBANDS = ("u", "g", "r", "i", "z", "y")

# Counts of these ten classes in the PLAsTiCC training set (Kaggle ``training_set_metadata``): the
# imbalance we reproduce (SN Ia 36 %, kilonovae 1.6 %).
_PLASTICC_COUNTS = {"SNIa": 2313, "SNII": 1193, "SNIbc": 484, "SLSN": 175, "TDE": 495, "KN": 102, "AGN": 370,
                    "RRL": 239, "EB": 924, "microlensing": 151}
_EXTRAGALACTIC = ("SNIa", "SNII", "SNIbc", "SLSN", "TDE", "KN", "AGN")

_LAMBDA = np.array([3671.0, 4827.0, 6223.0, 7546.0, 8691.0, 9712.0])     # effective wavelengths (Angstrom)
_M5_WFD = np.array([23.9, 25.0, 24.7, 24.0, 23.3, 22.1])                 # single-visit 5-sigma depth (AB)
_DDF_DEPTH_GAIN = 1.0                                                    # DDF nightly sequences: 1 mag deeper
_BAND_PROB = np.array([0.07, 0.10, 0.22, 0.22, 0.20, 0.19])              # WFD share of visits per band
_R_BAND = np.array([4.145, 3.237, 2.273, 1.684, 1.323, 1.088])           # A_b / E(B-V) for LSST bands
_ZP = 27.5                                                               # flux = 10**(-0.4 (m - 27.5))
_MJD0 = 60800.0
_FLOOR = 0.005                                                           # calibration floor (fraction of flux)
_SURVEY_DAYS = 1095
_SEASON_DAYS = 182

#: The surveys :func:`make_transients` can imitate.
TRANSIENT_SURVEYS = ("lsst", "ztf")

# ZTF-like public survey (survey="ztf"). Published facts: Bellm et al. (2019, PASP 131, 018002) give the
# public survey's cadence -- every field of the visible northern sky in g and r every three nights in phase
# I, every two nights in phase II -- and the median 5-sigma depths of a 30-s exposure, g = 20.8 and r = 20.6
# mag; the BTS peak-magnitude limit is 18.5 mag (Fremling et al. 2020; Perley et al. 2020). Assumed round
# numbers (not fitted to any data): three quarters of the nights usable at Palomar, fields observable eight
# months a year from a northern site, a per-exposure depth scatter of 0.4 mag (moon, seeing, airmass), and
# the g and r exposures of a night 30 minutes to 2.5 hours apart.
_ZTF_BANDS = np.array([1, 2])                                           # g, r as LSST passband codes
_ZTF_M5 = np.array([np.nan, 20.8, 20.6, np.nan, np.nan, np.nan])        # median 5-sigma depth, 30 s (AB)
_ZTF_M5_SCATTER = 0.4                                                   # per-exposure scatter of the depth
_ZTF_REVISIT = np.array([2, 3])                                         # nights between visits: phase II, I
_ZTF_CLEAR = 0.75                                                       # share of usable nights
_ZTF_SEASON_DAYS = 240                                                  # nights a year a field is observed
_ZTF_PAIR_GAP = (0.021, 0.104)                                          # g to r within a night (days)
_BTS_PEAK_MAG = 18.5                                                    # BTS: its nominal limit at peak
# The BTS selection function: BTS aims to classify every extragalactic transient that peaks brighter than 18.5
# mag and classifies fainter ones down to 19 mag as time allows (Fremling et al. 2020; Perley et al. 2020). Perley
# et al. (2020, ApJ 904, 35) give the completeness of the classified sample as 97 % for peaks brighter than 18
# mag, 93 % brighter than 18.5 mag and 75 % brighter than 19 mag (cumulative shares). The differential
# completeness c(m) = c0 / (1 + exp((m - m50) / w)) that reproduces those three numbers exactly for Euclidean
# counts (dN/dm ~ 10^(0.6 m)) has c0 = 0.976, m50 = 18.867, w = 0.238 (c = 0.95 at 18, 0.80 at 18.5, 0.35 at
# 19 mag); nothing fainter than 19 mag is classified.
_BTS_COMPLETENESS = (0.976, 18.867, 0.238)
_BTS_FAINTEST = 19.0
_BTS_MARGIN = 1.0   # mag: no simulated object farther than where it would peak at 19.0 + 1.0 mag
# Host dust on by default for survey="ztf": MLCS2k2's prior, an exponential A_V of scale 0.46 mag (Jha, Riess &
# Kirshner 2007); the luminosity functions of _EXPLOSIVE are corrected for host extinction (Richardson et al.
# 2014), so a survey that sees SNe in their hosts must add it back.
_ZTF_HOST_DUST = 0.46

# Explosive transients. Every light curve is the rest-frame light curve at 5000 A (a Bazin rise and
# decline, or for SNe II a rise, a plateau, a drop and the 56Co tail); the colour comes from a black body
# whose temperature T(t) evolves, normalised at the CURRENT temperature, so that the 5000 A light curve is
# the shape itself and the other bands follow the colour (dividing by the peak temperature's Planck value
# instead would count the cooling twice: every band would fade faster than its shape). Numbers and sources
# (rest frame; colours are Vega B - V, computed from the black body at 4400 and 5500 A plus 0.11 mag, the
# AB-to-Vega offset of B - V, Blanton & Roweis 2007):
#
# ==========  ====================================  ===========================================================
# class       the generator's median object         literature (tests/test_transients.py checks them)
# ==========  ====================================  ===========================================================
# SN Ia       M_B -19.25, sd 0.50 (raw, no dust)    Richardson et al. 2014 (AJ 147, 118): normal Ia, bias-
#                                                   corrected, host extinction removed
#             rise: 10 % of peak to peak 12.3 d     t^2 fireball with an 18-19 d rise (Riess et al. 1999;
#                                                   Firth et al. 2015): 0.68 x 18.5 = 12.7 d
#             Delta m15(B) 1.15, (V) 0.59           Phillips 1993 (B 1.1 for a normal SN Ia); V ~0.6-0.7
#             B-V 0.03 at peak, 1.04 at +30 d       Phillips et al. 1999 (-0.07 at B max); Lira 1995 (+30 d)
#             stretch: sd 0.1 in ln                 the spread of SALT2 stretch, x1 sd ~1 (Guy et al. 2007)
# SN Ibc      M_B -17.45, sd 1.12                   Richardson et al. 2014 (Ibc)
#             rise 10 % -> peak 9.8 d               12-20 d from explosion in V, R (Drout et al. 2011;
#                                                   Taddia et al. 2015)
#             Delta m15(V) 0.82 (B 1.34)            0.7-1.0 (Drout et al. 2011; Taddia et al. 2015)
#             B-V 0.34 at peak, 1.10 at +30 d       redder than SNe Ia at peak (Drout et al. 2011: V-R 0.26
#                                                   at +10 d; Stritzinger et al. 2018: B-V ~1.1 at +20 d)
# SN II       IIP 88 %, IIL 12 % (volume)           Smith et al. 2011 (LOSS): IIP 48.2 %, IIL 6.4 % of CCSNe
#             M_B IIP -16.75 sd 0.98;               Richardson et al. 2014
#             IIL -17.98 sd 0.90
#             rise 10 % -> peak 8.3 d (IIL 6.8)     ~7-10 d from explosion (Gall et al. 2015;
#                                                   Gonzalez-Gaitan et al. 2015)
#             Delta m15(V) IIP 0.03, IIL 0.26;      a plateau (< 0.4) / a linear decline
#             plateau slope IIP 0.8 +- 0.4,         s2 (Anderson et al. 2014: mean 1.27 mag/100 d, a
#             IIL 2.8 +- 0.6 mag/100 d              continuum); IIL 2-3.5 mag/100 d (Faran et al. 2014)
#             end of plateau 84 +- 17 d, a drop     OPTd 83.7 d, sd 16.7 (Anderson et al. 2014); drop of
#             of 2 mag, then 0.98 mag/100 d         1-2.5 mag (Olivares et al. 2010); 56Co decay
#             B-V -0.05 at peak, 0.59 at +30 d      blue early, red on the plateau (de Jaeger et al. 2018)
# SLSN, TDE,  unchanged shapes (Bazin), peak magnitudes and temperatures of the PLAsTiCC models (Kessler et al.
# KN          2019): only the double count is gone
# ==========  ====================================  ===========================================================
#
# ``M`` is the peak absolute magnitude at rest 5000 A; for SNe the literature's M_B is converted with the
# black body at peak temperature. ``rise``/``fall`` are the Bazin times (d), ``T``/``Tmin``/``tT`` the peak
# temperature, the floor it cools to and the e-folding time of the cooling (d); SN II: ``rise`` is the
# logistic rise time, ``plateau`` (mean, sd), ``slope`` per subtype (mag/100 d), ``drop`` (mag).
_B_AB_MINUS_VEGA = -0.09  # B_AB - B_Vega (Blanton & Roweis 2007)
_V_AB_MINUS_VEGA = 0.02   # V_AB - V_Vega: so (B - V)_Vega = (B - V)_AB + 0.11
_CO_TAIL = 0.98            # mag / 100 d: 56Co -> 56Fe, full trapping
_II_DROP_WIDTH = 3.0       # d: the fall from the plateau (Olivares et al. 2010: a few days)
_EXPLOSIVE = {
    "SNIa": dict(shape="bazin", MB=-19.25, sM=0.50, rise=2.5, fall=17.0, T=12000.0, Tmin=3900.0, tT=10.0,
                 stretch=0.1, zmax=1.1),
    "SNII": dict(shape="plateau", subtypes={"IIP": dict(frac=0.88, MB=-16.75, sM=0.98, slope=(0.8, 0.4)),
                                            "IIL": dict(frac=0.12, MB=-17.98, sM=0.90, slope=(2.8, 0.6))},
                 rise=1.2, plateau=(84.0, 17.0), drop=2.0, T=15000.0, Tmin=4800.0, tT=14.0, zmax=0.6),
    "SNIbc": dict(shape="bazin", MB=-17.45, sM=1.12, rise=2.0, fall=14.0, T=7600.0, Tmin=4000.0, tT=9.0,
                  stretch=0.15, zmax=0.6),
    "SLSN": dict(shape="bazin", M=-21.3, sM=0.5, rise=12.0, fall=50.0, T=15000.0, Tmin=8000.0, tT=60.0,
                 stretch=0.15, zmax=2.5),
    "TDE": dict(shape="bazin", M=-19.5, sM=0.5, rise=9.0, fall=45.0, T=30000.0, Tmin=25000.0, tT=200.0,
                stretch=0.15, zmax=1.0),
    "KN": dict(shape="bazin", M=-16.0, sM=0.5, rise=0.4, fall=2.0, T=7000.0, Tmin=2500.0, tT=2.0,
               stretch=0.15, zmax=0.15),
}
_H_OVER_K = 1.438777e8  # h c / k_B in Angstrom Kelvin

# Volumetric rates at z ~ 0 (events / Mpc^3 / yr, H0 = 70), for the class mix of a magnitude-limited survey
# (class_mix="survey"): SN Ia 2.43e-5 (Frohmaier et al. 2019, MNRAS 486, 2308; PTF); core-collapse 9.10e-5
# (Frohmaier et al. 2021, MNRAS 500, 5142) split as LOSS found it (Smith et al. 2011, MNRAS 412, 1522: IIP
# 48.2 % + IIL 6.4 % of CCSNe for our SN II, Ib 7.1 % + Ic 14.9 % for our SN Ibc; IIn and IIb are not
# modelled); SLSN-I 35 / Gpc^3 / yr (Frohmaier et al. 2021); TDE 3.1e-7 (Yao et al. 2023, ApJL 955, L6);
# kilonovae as the binary neutron-star merger rate, 320 / Gpc^3 / yr (Abbott et al. 2021, GWTC-2). The BTS
# classifies "every transient that is not a Galactic source or an AGN" (Fremling et al. 2020): no AGN,
# RR Lyrae, eclipsing binary or microlensing event enters its sample.
_VOLUMETRIC_RATES = {"SNIa": 2.43e-5, "SNII": 9.10e-5 * (0.482 + 0.064), "SNIbc": 9.10e-5 * (0.071 + 0.149),
                     "SLSN": 3.5e-8, "TDE": 3.1e-7, "KN": 3.2e-7}
#: The class mixes :func:`make_transients` can draw.
TRANSIENT_CLASS_MIXES = ("plasticc", "survey")


def _planck_nu(lam, temperature):
    """B_nu (arbitrary units) at wavelength ``lam`` (Angstrom): nu^3 / (exp(h nu / k T) - 1)."""
    x = np.minimum(_H_OVER_K / (lam * temperature), 700.0)
    return lam ** -3.0 / np.expm1(x)


class _Cosmology:
    """Planck18 distance modulus and the volumetric redshift distribution, tabulated once."""

    def __init__(self, zmax=3.2):
        from astropy.cosmology import Planck18

        self.z = np.linspace(1e-3, zmax, 800)
        self.mu = np.asarray(Planck18.distmod(self.z).value)
        dvdz = np.asarray(Planck18.differential_comoving_volume(self.z).value)
        self.weight = dvdz / (1 + self.z)

    def distmod(self, z):
        return np.interp(z, self.z, self.mu)

    def sample(self, zmax, n, rng):
        w = np.where(self.z <= zmax, self.weight, 0.0)
        cdf = np.cumsum(w)
        return np.interp(rng.random(n) * cdf[-1], cdf, self.z)


def _cadence(n, ddf, rng):
    """Visits of ``n`` objects: (object index, time in days since survey start, passband, 5-sigma depth)."""
    nights = np.arange(_SURVEY_DAYS)
    phase = rng.integers(0, 365, n)                        # where each object's season starts (its RA)
    in_season = (np.arange(365) < _SEASON_DAYS).astype(np.float32)
    p_night = np.where(ddf, 0.25, 1 / 3).astype(np.float32)  # WFD: a visit every ~3 nights; DDF: every ~4
    threshold = in_season[(nights[None, :] - phase[:, None]) % 365] * p_night[:, None]
    observed = rng.random((n, _SURVEY_DAYS), dtype=np.float32) < threshold
    obj, night = np.nonzero(observed)
    deep = ddf[obj]
    # WFD: one band per visit, a second visit in another band on half of the nights; DDF: all six bands
    first = rng.choice(6, size=obj.size, p=_BAND_PROB)
    pair = (~deep) & (rng.random(obj.size) < 0.5)
    second = (first + rng.integers(1, 6, obj.size)) % 6
    parts_obj = [obj[~deep], obj[pair], np.repeat(obj[deep], 6)]
    parts_night = [night[~deep], night[pair], np.repeat(night[deep], 6)]
    parts_band = [first[~deep], second[pair], np.tile(np.arange(6), int(deep.sum()))]
    parts_hour = [np.full(int((~deep).sum()), 0.0), np.full(int(pair.sum()), 0.025),
                  np.tile(np.arange(6) * 0.006, int(deep.sum()))]
    o = np.concatenate(parts_obj)
    b = np.concatenate(parts_band)
    t = np.concatenate(parts_night) + 0.5 + np.concatenate(parts_hour) + rng.uniform(-0.15, 0.15, o.size)
    m5 = _M5_WFD[b] + np.where(ddf[o], _DDF_DEPTH_GAIN, 0.0) + rng.normal(0.0, 0.25, o.size)
    order = np.lexsort((t, o))
    return o[order], t[order], b[order], m5[order]


def _cadence_ztf(n, rng, window=None, m5=_ZTF_M5):
    """ZTF-like visits of ``n`` objects: (object index, time in days, passband 1 or 2, 5-sigma depth).

    ``window`` (two arrays, first and last night) keeps only the nights in which an object can be
    detected at all (a saving of time for transients: elsewhere their flux is ~1e-4 of the peak)."""
    nights = np.arange(_SURVEY_DAYS)
    phase = rng.integers(0, 365, n)                        # where each object's season starts (its RA)
    every = rng.choice(_ZTF_REVISIT, size=n)               # the public survey's revisit time of its field
    offset = rng.integers(0, 6, n)
    clear = rng.random(_SURVEY_DAYS) < _ZTF_CLEAR          # the weather is the same for every field
    # tables of the few distinct rows (season start; revisit time and its phase), gathered per object
    season = (np.arange(365) < _ZTF_SEASON_DAYS)[(nights[None, :] - np.arange(365)[:, None]) % 365]
    revisit = [(nights + r) % e == 0 for e in _ZTF_REVISIT for r in range(e)]
    first_row = np.cumsum(np.r_[0, _ZTF_REVISIT[:-1]])
    which = np.searchsorted(_ZTF_REVISIT, every)
    observed = season[phase] & np.asarray(revisit)[first_row[which] + offset % every] & clear[None, :]
    if window is not None:
        observed &= (nights[None, :] >= window[0][:, None]) & (nights[None, :] <= window[1][:, None])
    obj, night = np.nonzero(observed)
    o = np.repeat(obj, 2)                                  # a g and an r exposure on every visited night
    b = np.tile(_ZTF_BANDS, obj.size)
    return _ztf_exposures(o, np.repeat(night, 2), b, rng, m5)


def _ztf_exposures(o, night, b, rng, m5=_ZTF_M5):
    """Times and 5-sigma depths of ZTF-like exposures (object, night, band), sorted by object and time; ``m5``
    holds the median depth of each passband code."""
    first = np.r_[True, (o[1:] != o[:-1]) | (night[1:] != night[:-1])]      # one time of night per visit
    t = (night + 0.5 + rng.uniform(-0.15, 0.15, int(first.sum()))[np.cumsum(first) - 1]
         + np.where(b == 2, rng.uniform(*_ZTF_PAIR_GAP, o.size), 0.0))
    m5 = m5[b] + rng.normal(0.0, _ZTF_M5_SCATTER, o.size)
    order = np.lexsort((t, o))
    return o[order], t[order], b[order], m5[order]


def _cadence_measured(n, rng, cadence_model, window=None, m5=_ZTF_M5):
    """ZTF-like visits drawn from a measured cadence model (:func:`astrolab.challenge.fit_cadence_model`).

    Per object, the nights visited are a renewal process: gaps drawn independently from the measured
    distribution of night gaps, started one longest gap before the window so that the first visit falls
    anywhere in a gap (as in a survey already running), and kept inside the field's observing season.
    On a visited night both bands are observed with the measured probability ``p_both``, otherwise one band
    drawn from the measured shares of one-band nights. Returns what :func:`_cadence_ztf` returns."""
    gap_prob = np.asarray(cadence_model["gap_prob"], dtype=float)
    max_gap = gap_prob.size
    lo = np.zeros(n) if window is None else np.maximum(window[0], 0)
    hi = np.full(n, _SURVEY_DAYS - 1.0) if window is None else np.minimum(window[1], _SURVEY_DAYS - 1)
    start = lo - max_gap + rng.integers(0, max_gap, n)
    components = cadence_model.get("components")
    if components is None:                                 # one cadence for every object
        laws = gap_prob[None, :]
        which = np.zeros(n, dtype=np.int64)
    else:                                                  # a cadence per object, drawn from the mixture
        laws = components["gap_prob"]
        which = rng.choice(len(laws), size=n, p=components["weights"])
    mean_gap = float(np.min(laws @ np.arange(1, max_gap + 1)))
    steps = int(np.ceil((np.max(hi - start, initial=0) + 1) / mean_gap * 1.3)) + 8
    cdf = np.cumsum(laws, axis=1)

    def gaps():                                            # n x steps night gaps drawn from each object's law
        u = rng.random((n, steps))
        drawn = np.empty(u.shape, dtype=np.int64)
        for k in range(len(laws)):
            drawn[which == k] = np.searchsorted(cdf[k], u[which == k], side="right")
        return np.minimum(drawn, max_gap - 1) + 1

    nights = start[:, None] + np.cumsum(gaps(), axis=1)
    while np.any(nights[:, -1] <= hi):                     # a long run of short gaps: draw more
        nights = np.c_[nights, nights[:, -1:] + np.cumsum(gaps(), axis=1)]
    phase = rng.integers(0, 365, n)                        # where each object's season starts (its RA)
    season = ((nights - phase[:, None]) % 365) < _ZTF_SEASON_DAYS
    keep = (nights >= lo[:, None]) & (nights <= hi[:, None]) & season
    obj, col = np.nonzero(keep)
    night = nights[obj, col].astype(np.int64)
    both = rng.random(obj.size) < cadence_model["p_both"]
    single = cadence_model["single_band"]
    bands = np.array(sorted(single), dtype=np.int64)
    one = bands[np.minimum(np.searchsorted(np.cumsum([single[k] for k in bands]), rng.random(obj.size),
                                           side="right"), bands.size - 1)] if bands.size else np.full(obj.size, 2)
    o = np.r_[np.repeat(obj[both], 2), obj[~both]]
    nt = np.r_[np.repeat(night[both], 2), night[~both]]
    b = np.r_[np.tile(_ZTF_BANDS, int(both.sum())), one[~both]]
    order = np.lexsort((b, nt, o))
    return _ztf_exposures(o[order], nt[order], b[order], rng, m5)


def _log_bazin(t, rise, fall):
    """Natural log of the Bazin shape with its peak at t = 0, normalised to 1 there."""
    t0 = -rise * np.log(fall / rise - 1)

    def log_shape(x):
        return -(x - t0) / fall - np.logaddexp(0.0, -(x - t0) / rise)

    return log_shape(t) - log_shape(0.0)


def _temperature(trest, T, Tmin, tT):
    """Black-body temperature: ``T`` until the peak, then cooling exponentially towards ``Tmin``."""
    return np.where(trest < 0, T, Tmin + (T - Tmin) * np.exp(-np.maximum(trest, 0.0) / tT))


def _log_plateau(t, rise, slope, plateau, drop):
    """Natural log of an SN II light curve (peak near t = 0): a logistic rise of time ``rise``, a linear
    decline of ``slope`` mag/100 d, the drop of ``drop`` mag at ``plateau`` days and the 56Co tail after it
    (the piecewise shape of Villar et al. 2019, written in magnitudes)."""
    t0 = -3.0 * rise
    log_rise = -np.logaddexp(0.0, -(t - t0) / rise) + np.logaddexp(0.0, t0 / rise)
    tp = np.maximum(t, 0.0)
    x = (tp - plateau) / _II_DROP_WIDTH
    below = (slope * tp + (_CO_TAIL - slope) * _II_DROP_WIDTH * np.logaddexp(0.0, x)) / 100.0 \
        + drop * 0.5 * (1.0 + np.tanh(x / 2.0))
    below = below - ((_CO_TAIL - slope) * _II_DROP_WIDTH * np.logaddexp(0.0, -plateau / _II_DROP_WIDTH) / 100.0
                     + drop * 0.5 * (1.0 + np.tanh(-plateau / _II_DROP_WIDTH / 2.0)))
    return log_rise - np.log(10.0) / 2.5 * below


def _rest_log_flux(p, q, trest, lam_rest, reference="current"):
    """ln F_nu of explosive transients at rest time ``trest`` (d) and rest wavelength ``lam_rest`` (A),
    relative to the peak at 5000 A. ``p`` is the class's entry of ``_EXPLOSIVE``, ``q`` the per-object shape
    (``rise, fall, T, Tmin, tT`` and for SNe II ``slope, plateau``), already broadcast to ``trest``.

    The SED is normalised at 5000 A at the current temperature: the shape is the 5000 A light curve.
    ``reference="peak"`` divides by the peak temperature's Planck value instead (the double count of the
    cooling that the tests must catch)."""
    if p["shape"] == "plateau":
        shape = _log_plateau(trest, q["rise"], q["slope"], q["plateau"], p["drop"])
    else:
        shape = _log_bazin(trest, q["rise"], q["fall"])
    temp = _temperature(trest, q["T"], q["Tmin"], q["tT"])
    ref = _planck_nu(5000.0, temp if reference == "current" else q["T"])
    sed = _planck_nu(lam_rest, temp) / ref
    return shape + np.log(np.maximum(sed, 1e-300))


def _absmag_5000(p, MB, T):
    """Peak absolute magnitude at rest 5000 A (AB) from the literature's M_B (Vega; the black body at peak)."""
    return MB + _B_AB_MINUS_VEGA + 2.5 * np.log10(_planck_nu(4400.0, T) / _planck_nu(5000.0, T))


def _draw_explosive(name, size, rng):
    """Per-object peak magnitude at 5000 A and light-curve shape of ``size`` objects of class ``name``."""
    p = _EXPLOSIVE[name]
    q = {"T": p["T"] * np.exp(rng.normal(0, 0.05, size)), "Tmin": np.full(size, p["Tmin"])}
    if p["shape"] == "plateau":
        names = list(p["subtypes"])
        sub = rng.choice(len(names), size=size, p=[p["subtypes"][s]["frac"] for s in names])
        MB, slope = np.empty(size), np.empty(size)
        for k, s in enumerate(names):
            d, pick = p["subtypes"][s], sub == k
            MB[pick] = rng.normal(d["MB"], d["sM"], pick.sum())
            slope[pick] = np.maximum(rng.normal(*d["slope"], pick.sum()), 0.0)
        q.update(rise=p["rise"] * np.exp(rng.normal(0, 0.15, size)), slope=slope,
                 plateau=np.maximum(rng.normal(*p["plateau"], size), 20.0), fall=np.full(size, np.nan),
                 tT=np.full(size, p["tT"]), subtype=sub)
    else:
        stretch = np.exp(rng.normal(0, p["stretch"], size))
        if name == "SNIa":          # one stretch for the whole light curve (SALT2's x1)
            fall, tT = p["fall"] * stretch, p["tT"] * stretch
        else:
            fall, tT = p["fall"] * np.exp(rng.normal(0, 0.2, size)), np.full(size, p["tT"])
        rise = p["rise"] * stretch
        MB = rng.normal(p["MB"], p["sM"], size) if "MB" in p else None
        q.update(rise=rise, fall=np.maximum(fall, 2.5 * rise), tT=tT)
    M = _absmag_5000(p, MB, q["T"]) if MB is not None else rng.normal(p["M"], p["sM"], size)
    return M, q


def _rest_frame_stats(name, subtype=None, reference="current"):
    """Rest-frame light-curve numbers of the median object of an explosive class (for the literature checks).

    Returns a dict: ``dm15_B``, ``dm15_V`` (mag, 15 d after each band's own peak; B at 4400 A, V at 5500 A),
    ``rise`` (d, from 10 % of the 5000 A peak flux to the peak), ``BV_peak`` and ``BV_30`` (Vega B - V at
    B maximum and 30 d later). ``subtype`` picks an SN II subtype ("IIP", "IIL"); ``reference="peak"`` plants
    the double count of the cooling (see :func:`_rest_log_flux`)."""
    p = _EXPLOSIVE[name]
    t = np.linspace(-80.0, 250.0, 16501)
    q = {"T": p["T"], "Tmin": p["Tmin"], "tT": p["tT"], "rise": p["rise"], "fall": p.get("fall", np.nan)}
    if p["shape"] == "plateau":
        q.update(slope=p["subtypes"][subtype or "IIP"]["slope"][0], plateau=p["plateau"][0])
    q = {k: np.full(t.size, v) for k, v in q.items()}
    m = {lam: -2.5 / np.log(10) * _rest_log_flux(p, q, t, np.full(t.size, lam), reference)
         for lam in (4400.0, 5000.0, 5500.0)}
    out = {}
    for band, lam in (("B", 4400.0), ("V", 5500.0)):
        k = int(np.argmin(m[lam]))
        out[f"dm15_{band}"] = float(np.interp(t[k] + 15, t, m[lam]) - m[lam][k])
    k = int(np.argmin(m[5000.0]))
    out["rise"] = float(t[k] - t[: k][m[5000.0][: k] > m[5000.0][k] + 2.5][-1])
    kb = int(np.argmin(m[4400.0]))
    vega = _V_AB_MINUS_VEGA - _B_AB_MINUS_VEGA                      # (B - V)_Vega - (B - V)_AB = 0.11
    out["BV_peak"] = float(m[4400.0][kb] - m[5500.0][kb] + vega)
    out["BV_30"] = float(np.interp(t[kb] + 30, t, m[4400.0]) - np.interp(t[kb] + 30, t, m[5500.0]) + vega)
    return out


def _zmax(zmax, bright_absmag, cosmo):
    """The largest redshift simulated for survey="ztf": no farther than where an object of absolute
    magnitude ``bright_absmag`` (3 sigma brighter than its class) could still pass the BTS cut (a saving
    of time only: the cut itself is applied to the simulated detections)."""
    apparent = bright_absmag + cosmo.mu - 2.5 * np.log10(1 + cosmo.z) - _BTS_MARGIN
    reach = cosmo.z[apparent <= _BTS_FAINTEST]
    return float(min(zmax, reach.max() if reach.size else cosmo.z[1]))


# Host-galaxy dust of supernovae: A_V drawn from an exponential of scale host_dust (MLCS2k2's prior,
# tau_V = 0.46 mag; Jha, Riess & Kirshner 2007) and an extinction curve A_lambda / A_V = (lambda / 5500 A)^-1.3,
# close to Cardelli et al. (1989) with R_V = 3.1 between 4000 and 7000 A.
_DUSTY = ("SNIa", "SNII", "SNIbc")
_DUST_SLOPE = -1.3


def _extinction(a_v, lam_rest):
    return a_v * (lam_rest / 5500.0) ** _DUST_SLOPE


def _bright_sample(draw, zmax, n, cosmo, rng, dust=0.0):
    """Peak absolute magnitudes, shapes and redshifts of ``n`` objects that could pass the BTS cut.

    The joint law of the survey, the class's luminosity function (``draw(size)`` returns the peak
    absolute magnitudes at 5000 A and a dict of per-object shape arrays) times the comoving volume up to
    ``zmax``, restricted to the redshifts from which an object of that magnitude could still appear
    brighter than 19 mag (with a margin of ``_BTS_MARGIN`` mag for colour, K-correction and noise):
    an absolute magnitude ``M`` is kept with probability ``V(z_max(M)) / V(zmax)`` and its redshift
    drawn from the volume below ``z_max(M)`` (the Malmquist bias of a magnitude-limited survey). This
    only saves time: the cut itself is applied to the simulated detections. With ``dust`` (the scale of
    an exponential ``A_V``), the reach uses the dimmed peak ``M + A_5000``; returns ``M`` (intrinsic),
    the shapes, ``z`` and ``A_V``."""
    cdf = np.cumsum(np.where(cosmo.z <= zmax, cosmo.weight, 0.0))
    apparent = cosmo.mu - 2.5 * np.log10(1 + cosmo.z)                   # m - M at peak, rising with z
    kept_M, kept_q, kept_dust, total, drawn = [], [], [], 0, 0
    while total < n:
        M, q = draw(4 * n + 64)
        drawn += M.size
        a_v = rng.exponential(dust, M.size) if dust > 0 else np.zeros(M.size)
        dimmed = M + _extinction(a_v, 5000.0)
        z_reach = np.interp(_BTS_FAINTEST + _BTS_MARGIN - dimmed, apparent, cosmo.z, left=0.0, right=cosmo.z[-1])
        volume = np.interp(np.minimum(z_reach, zmax), cosmo.z, cdf, left=0.0)
        keep = rng.random(M.size) * cdf[-1] < volume
        kept_M.append(M[keep])
        kept_q.append({k: v[keep] for k, v in q.items()})
        kept_dust.append(a_v[keep])
        total += int(keep.sum())
    M, a_v = np.concatenate(kept_M)[:n], np.concatenate(kept_dust)[:n]
    q = {k: np.concatenate([part[k] for part in kept_q])[:n] for k in kept_q[0]}
    dimmed = M + _extinction(a_v, 5000.0)
    z_reach = np.interp(_BTS_FAINTEST + _BTS_MARGIN - dimmed, apparent, cosmo.z, left=0.0, right=cosmo.z[-1])
    z = np.interp(rng.random(n) * np.interp(np.minimum(z_reach, zmax), cosmo.z, cdf), cdf, cosmo.z)
    return M, q, z, a_v, cdf[-1] * total / drawn


def _explosive(name, n, cosmo, rng, survey="lsst", host_dust=0.0, sn_ia_sed="blackbody"):
    """Per-object parameters and a magnitude function m(object index, t, band) for explosive classes."""
    if name == "SNIa" and sn_ia_sed == "bayesn":
        return _snia_bayesn(n, cosmo, rng, host_dust)
    p = _EXPLOSIVE[name]
    dust = host_dust if name in _DUSTY else 0.0
    if survey == "lsst":
        z = cosmo.sample(p["zmax"], n, rng)
        M, q = _draw_explosive(name, n, rng)
        a_v = rng.exponential(dust, n) if dust > 0 else np.zeros(n)
    else:
        M, q, z, a_v, volume = _bright_sample(lambda size: _draw_explosive(name, size, rng), p["zmax"], n, cosmo,
                                              rng, dust)
    t_peak = rng.uniform(-60, _SURVEY_DAYS + 30, n)
    mu = cosmo.distmod(z)

    def mag(i, t, b):
        trest = (t - t_peak[i]) / (1 + z[i])
        lam_rest = _LAMBDA[b] / (1 + z[i])
        log_flux = _rest_log_flux(p, {k: v[i] for k, v in q.items()}, trest, lam_rest)
        dimming = _extinction(a_v[i], lam_rest)
        return M[i] + dimming + mu[i] - 2.5 * np.log10(1 + z[i]) - 2.5 / np.log(10) * np.maximum(log_flux, -600.0)

    params = dict(true_z=z, t_peak=t_peak + _MJD0, period=np.full(n, np.nan), peak_absmag=M)
    if survey == "ztf":
        # the comoving volume (Mpc^3 / sr, time-diluted by 1 / (1 + z)) per candidate: what the class's
        # volumetric rate multiplies for the expected number of candidates (the class mix "survey")
        params["volume"] = np.full(n, volume)
    if survey == "ztf":    # nights within 10 e-folds of the peak flux (11 mag: no detection outside)
        before = 10 * q["rise"] + (q["rise"] * np.log(np.maximum(q["fall"] / q["rise"] - 1, 1.0))
                                   if p["shape"] == "bazin" else 3 * q["rise"])
        after = 10 * q["fall"] if p["shape"] == "bazin" else q["plateau"] + 100 * 9.0 / _CO_TAIL
        params["window"] = (np.floor(t_peak - before * (1 + z)) - 1, np.ceil(t_peak + after * (1 + z)) + 1)
    return params, mag, None


# SN Ia spectra for survey="ztf" with sn_ia_sed="bayesn": the BayeSN W22 model (Mandel et al. 2022, MNRAS
# 510, 3939; Ward et al. 2023, ApJ 956, 111), trained on low-redshift SNe Ia (Avelino et al. 2019; Foundation DR1),
# none of them from ZTF. Its rest-frame spectrum at phase t (d from B maximum) is the Hsiao et al. (2007) template
# warped by a smooth surface, F(t, lam) = H(t, lam) 10^(-0.4 W(t, lam)), with W = W0 + theta W1 + epsilon on a grid
# of knots (natural cubic splines in phase and wavelength): theta ~ N(0, 1) is the light-curve shape (the Phillips
# relation lives in W1), epsilon ~ N(0, Sigma_epsilon) the residual colour and spectral variation. The spectrum is
# integrated through the real ZTF P48 g and r curves shifted to the rest frame (the K-correction from the spectrum
# itself), so the r-band shoulder, line blanketing and the colour curve come from observed SNe Ia. BayeSN's model
# holds from -10 to +40 d and 3000 to 18500 A; outside, W keeps its value at the nearest edge (the Hsiao template
# alone shapes the rise before -10 d and the tail after +40 d) and after +85 d (the template's end) each band
# fades at its slope of +70 to +85 d. The peak luminosity function stays Richardson et al. (2014)'s M_B (as for the
# black-body model: -19.25, sd 0.50), given to the theta = 0, epsilon = 0 spectrum; an object's own theta and
# epsilon then move its peak as BayeSN's model says (total sd about 0.52). Host dust dims the spectrum itself.
# The arrays are written by coursetools/snia_template.py from the BayeSN 0.4.0 wheel (data/PROVENANCE.md).
SN_IA_SEDS = ("blackbody", "bayesn")
_SNIA_MODEL_FILE = "snia_bayesn_w22.npz"
_SNIA_TAIL = (70.0, 85.0)   # d: the template's last 15 days give the slope of each band after its end


def _natural_spline_matrix(x, knots):
    """J with J @ y = the natural cubic spline through (knots, y) at ``x`` (``x`` clipped to the knots' range)."""
    from scipy.interpolate import CubicSpline

    x = np.clip(x, knots[0], knots[-1])
    return np.stack([CubicSpline(knots, e, bc_type="natural")(x) for e in np.eye(knots.size)], axis=1)


_SNIA_CACHE = {}


def _snia_model():
    """The BayeSN W22 arrays, the spline matrices on the template's grid and the mean model's B-max offsets."""
    if not _SNIA_CACHE:
        from astrolab._paths import shipped_data_dir

        with np.load(shipped_data_dir() / _SNIA_MODEL_FILE) as f:
            d = {k: f[k] for k in f.files}
        d["J_l"] = _natural_spline_matrix(d["hsiao_wave"], d["l_knots"])          # n_wave x 11
        d["J_t"] = _natural_spline_matrix(d["hsiao_phase"], d["tau_knots"])       # n_phase x 6
        _SNIA_CACHE.update(d)
        mean = _snia_band_mags(np.zeros(1), np.zeros((1, 54)), np.zeros(1), np.zeros(1),
                               bands=("B", "5000"))                             # 1 x 2 x n_phase
        k = int(np.argmin(mean[0, 0]))
        _SNIA_CACHE["B_max"] = float(mean[0, 0, k])                                 # rest B (AB) at B maximum
        _SNIA_CACHE["m5000_minus_B"] = float(mean[0, 1, k] - mean[0, 0, k])
    return _SNIA_CACHE


def _band_weights(curve, lam_rest, z):
    """Photon-counting AB weights of a filter curve (2 x n: wavelength, transmission) blueshifted by 1 + z onto the
    rest-frame grid ``lam_rest``: numerator weights (for F_lambda) and the AB denominator."""
    trans = np.interp(lam_rest[None, :] * (1 + z[:, None]), curve[0], curve[1], left=0.0, right=0.0)
    return trans * lam_rest, (trans / lam_rest).sum(axis=1)


def _snia_band_mags(theta, eps, z, a_v, bands=("g", "r"), chunk=128):
    """Rest-frame AB magnitudes (up to one common constant) of BayeSN spectra through the observer's ``bands``
    blueshifted by ``1 + z``, on the template's phase grid: n x len(bands) x n_phase. ``eps`` holds the 54
    residuals of each object (BayeSN's order), ``a_v`` its host extinction."""
    d = _SNIA_CACHE
    lam = d["hsiao_wave"]
    curves = {"g": d["ztf_g"], "r": d["ztf_r"], "B": d["bessell_B"],
              "5000": np.array([[4799.0, 4800.0, 5200.0, 5201.0], [0.0, 1.0, 1.0, 0.0]])}
    z = np.broadcast_to(z, theta.shape)
    weights = [_band_weights(curves[b], lam, z) for b in bands]                   # per band: n x n_wave, n
    used = np.flatnonzero(np.any([np.any(num > 0, axis=0) for num, _ in weights], axis=0))   # wavelengths seen
    hsiao = d["hsiao_flux"][:, used].astype(np.float32)                           # n_phase x n_used
    J_l = d["J_l"][used]
    out = np.empty((theta.size, len(bands), hsiao.shape[0]))
    for start in range(0, theta.size, chunk):
        s = slice(start, start + chunk)
        m = theta[s].size
        e = np.zeros((m, d["l_knots"].size, d["tau_knots"].size))
        e[:, 1:-1, :] = eps[s].reshape(m, d["tau_knots"].size, d["l_knots"].size - 2).transpose(0, 2, 1)
        W = d["W0"][None] + theta[s, None, None] * d["W1"][None] + e                # m x 11 x 6
        WJ = np.einsum("wl,mlt->mwt", J_l, W)                                         # m x n_used x 6
        grid = np.einsum("mwt,pt->mpw", WJ, d["J_t"])                                 # m x n_phase x n_used
        grid += _extinction(a_v[s, None], lam[None, used])[:, None, :]
        spectra = hsiao[None] * np.exp(np.float32(-0.4 * np.log(10.0)) * grid.astype(np.float32))
        for j, (num, den) in enumerate(weights):
            flux = np.einsum("mpw,mw->mp", spectra, num[s][:, used].astype(np.float32)) / den[s, None]
            out[s, j] = -2.5 * np.log10(np.maximum(flux, 1e-30))
    return out


def _draw_snia_bayesn(size, rng):
    """Peak absolute magnitude at rest 5000 A of the theta = 0 spectrum (Richardson's M_B) of ``size`` SNe Ia."""
    d = _snia_model()
    p = _EXPLOSIVE["SNIa"]
    return rng.normal(p["MB"], p["sM"], size) + _B_AB_MINUS_VEGA + d["m5000_minus_B"], {}


def _snia_bayesn(n, cosmo, rng, host_dust):
    """Per-object parameters and the magnitude function of ZTF-like SNe Ia from the BayeSN spectra."""
    d = _snia_model()
    p = _EXPLOSIVE["SNIa"]
    M, _, z, a_v, volume = _bright_sample(lambda size: _draw_snia_bayesn(size, rng), p["zmax"], n, cosmo, rng,
                                          host_dust)
    # BayeSN's light-curve shape and residuals, drawn for the objects kept (the margin of the reach covers the
    # few tenths of a magnitude by which theta and epsilon move the peak)
    q = {"theta": rng.standard_normal(n),
         "eps": rng.standard_normal((n, d["L_sigma_epsilon"].shape[0])) @ d["L_sigma_epsilon"].T}
    t_peak = rng.uniform(-60, _SURVEY_DAYS + 30, n)
    mu = cosmo.distmod(z)
    # each object's g and r light curves (rows 1 and 2: the passband codes), rest-frame AB up to a constant
    # that puts the theta = 0 spectrum's rest 5000 A peak at M
    curves = np.full((n, 3, d["hsiao_phase"].size), np.nan)
    curves[:, 1:] = _snia_band_mags(q["theta"], q["eps"], z, a_v)
    const = M - (d["B_max"] + d["m5000_minus_B"])
    phase0, tail0, tail1 = d["hsiao_phase"][0], *(int(t - d["hsiao_phase"][0]) for t in _SNIA_TAIL)
    slope = (curves[:, :, tail1] - curves[:, :, tail0]) / (tail1 - tail0)

    def mag(i, t, b):
        phase = (t - t_peak[i]) / (1 + z[i])
        x = np.clip(phase - phase0, 0.0, curves.shape[2] - 1.0)
        k = np.minimum(x.astype(int), curves.shape[2] - 2)
        f = x - k
        flux = (1 - f) * 10 ** (-0.4 * curves[i, b, k]) + f * 10 ** (-0.4 * curves[i, b, k + 1])
        rest = -2.5 * np.log10(np.maximum(flux, 1e-30))
        late = phase > d["hsiao_phase"][-1]
        rest = np.where(late, curves[i, b, -1] + slope[i, b] * (phase - d["hsiao_phase"][-1]), rest)
        rest = np.where(phase < phase0, 99.0, rest)
        return const[i] + rest + mu[i] - 2.5 * np.log10(1 + z[i])

    params = dict(true_z=z, t_peak=t_peak + _MJD0, period=np.full(n, np.nan), peak_absmag=M,
                  volume=np.full(n, volume))
    after = d["hsiao_phase"][-1] + 100.0                 # the tail fades >= 1.5 mag / 100 d: gone 100 d later
    params["window"] = (np.floor(t_peak + phase0 * (1 + z)) - 1, np.ceil(t_peak + after * (1 + z)) + 1)
    return params, mag, None


def _agn(n, cosmo, rng, survey="lsst"):
    z = cosmo.sample(3.0 if survey == "lsst" else _zmax(3.0, -23.0 - 3 * 1.0, cosmo), n, rng)
    M = rng.normal(-23.0, 1.0, n)
    mu = cosmo.distmod(z)
    tau = np.exp(rng.uniform(np.log(50), np.log(500), n)) * (1 + z)     # observed DRW timescale (d)
    sf = rng.uniform(0.15, 0.35, n)                                      # asymptotic rms at rest 5000 A (mag)
    # the damped random walk on the nightly grid, exact for any step (an Ornstein-Uhlenbeck process)
    walk = np.empty((n, _SURVEY_DAYS + 1))
    walk[:, 0] = rng.standard_normal(n)
    a = np.exp(-1.0 / tau)
    kicks = rng.standard_normal((_SURVEY_DAYS, n)) * np.sqrt(1 - a * a)
    for k in range(_SURVEY_DAYS):
        walk[:, k + 1] = a * walk[:, k] + kicks[k]

    def mag(i, t, b):
        lam_rest = _LAMBDA[b] / (1 + z[i])
        amp = sf[i] * (lam_rest / 5000.0) ** -0.5
        mean = M[i] + mu[i] - 2.5 * np.log10(1 + z[i]) - 2.5 * 0.5 * np.log10(lam_rest / 5000.0)
        x = walk[i, np.clip(np.floor(t).astype(int), 0, _SURVEY_DAYS)]
        return mean + amp * x

    params = dict(true_z=z, t_peak=np.full(n, np.nan), period=np.full(n, np.nan), peak_absmag=M)
    return params, mag, "mean"


def _rrlyrae(n, rng):
    from astrolab.datasets._lightcurves import _TEMPLATES

    tpl = _TEMPLATES["RRab"]
    period = np.exp(rng.uniform(np.log(0.45), np.log(0.75), n))
    dist_kpc = np.exp(rng.uniform(np.log(8), np.log(80), n))
    m_mean = 0.6 + 5 * np.log10(dist_kpc * 100)                        # M_V ~ 0.6
    phi1 = rng.uniform(0, 2 * np.pi, n)
    amp_scale = rng.uniform(0.7, 1.3, n)
    colour = np.array([0.9, 0.35, 0.15, 0.1, 0.1, 0.1])                 # mean m_b - m_V of an F-type star
    band_amp = np.array([1.25, 1.15, 0.85, 0.65, 0.55, 0.5])

    def mag(i, t, b):
        phase = 2 * np.pi * t / period[i]
        dm = np.zeros(t.size)
        for k, (ratio, dphi) in enumerate(zip(tpl["R"], tpl["phi"], strict=True), start=1):
            dm += tpl["A1"] * ratio * np.sin(k * phase + dphi + k * phi1[i])
        return m_mean[i] + colour[b] + amp_scale[i] * band_amp[b] * dm

    params = dict(true_z=np.zeros(n), t_peak=np.full(n, np.nan), period=period, peak_absmag=np.full(n, 0.6))
    return params, mag, "mean"


def _eclipsing(n, rng):
    period = np.exp(rng.uniform(np.log(0.3), np.log(10.0), n))
    m_base = rng.uniform(17.0, 22.0, n)
    depth1 = rng.uniform(0.15, 0.8, n)                                  # fraction of flux lost at primary
    depth2 = depth1 * rng.uniform(0.1, 1.0, n)
    width = rng.uniform(0.02, 0.07, n)                                  # eclipse width in phase (sigma)
    ellip = rng.uniform(0.0, 0.05, n)
    t0 = rng.uniform(0, 1, n)
    temp = np.exp(rng.uniform(np.log(3500), np.log(10000), n))

    def mag(i, t, b):
        ph = (t / period[i] + t0[i]) % 1.0
        d1 = np.minimum(np.abs(ph), 1 - ph)
        d2 = np.abs(ph - 0.5)
        # the secondary (cooler star) eclipse is deeper in the red
        chroma = (_LAMBDA[b] / 6223.0) ** 0.3
        frac = (1 - depth1[i] * np.exp(-0.5 * (d1 / width[i]) ** 2)
                - np.minimum(depth2[i] * chroma, 0.95) * np.exp(-0.5 * (d2 / width[i]) ** 2)
                - ellip[i] * (1 - np.cos(4 * np.pi * ph)) / 2)
        sed = -2.5 * np.log10(_planck_nu(_LAMBDA[b], temp[i]) / _planck_nu(6223.0, temp[i]))
        return m_base[i] + sed - 2.5 * np.log10(np.maximum(frac, 1e-3)), m_base[i] + sed

    params = dict(true_z=np.zeros(n), t_peak=np.full(n, np.nan), period=period, peak_absmag=np.full(n, np.nan))
    return params, mag, "given"


def _microlensing(n, rng):
    u0 = rng.uniform(0.02, 1.0, n)
    t_e = np.exp(rng.uniform(np.log(10), np.log(150), n))
    t_peak = rng.uniform(-30, _SURVEY_DAYS + 30, n)
    m_base = rng.uniform(18.0, 22.5, n)
    temp = np.exp(rng.uniform(np.log(3500), np.log(8000), n))

    def mag(i, t, b):
        u = np.sqrt(u0[i] ** 2 + ((t - t_peak[i]) / t_e[i]) ** 2)
        amplification = (u * u + 2) / (u * np.sqrt(u * u + 4))
        sed = -2.5 * np.log10(_planck_nu(_LAMBDA[b], temp[i]) / _planck_nu(6223.0, temp[i]))
        return m_base[i] + sed - 2.5 * np.log10(amplification), m_base[i] + sed

    params = dict(true_z=np.zeros(n), t_peak=t_peak + _MJD0, period=np.full(n, np.nan), peak_absmag=np.full(n, np.nan))
    return params, mag, "given"


def _class_counts(n_objects):
    """Counts proportional to the PLAsTiCC training set (largest remainder), at least 1 per class."""
    share = np.array([_PLASTICC_COUNTS[c] for c in TRANSIENT_CLASSES], dtype=float)
    share /= share.sum()
    raw = share * n_objects
    counts = np.maximum(np.floor(raw).astype(int), 1)
    for k in np.argsort(raw - np.floor(raw), kind="stable")[::-1][: max(n_objects - counts.sum(), 0)]:
        counts[k] += 1
    while counts.sum() > n_objects:                         # the "at least 1" took objects from the largest
        counts[int(np.argmax(counts))] -= 1
    return counts


def _bts_completeness(peak_mag):
    """The chance that the BTS classifies a transient whose brightest detection is ``peak_mag`` (AB mag)."""
    c0, m50, width = _BTS_COMPLETENESS
    peak_mag = np.asarray(peak_mag, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        c = c0 / (1.0 + np.exp(np.minimum((peak_mag - m50) / width, 700.0)))
    return np.where(peak_mag <= _BTS_FAINTEST, c, 0.0)


def _survey_shares(cosmo, rng, host_dust=0.0, error_model=None, n_pilot=400, cadence_model=None, faintest=None,
                   sn_ia_sed="blackbody"):
    """The class mix of the ZTF Bright Transient Survey predicted from physics: each class's volumetric rate
    (``_VOLUMETRIC_RATES``) times the time-diluted volume its candidates are drawn from times the share of a
    pilot batch of ``n_pilot`` candidates that passes the generator's own selection (two detections, and the
    BTS completeness at the brightest detection, :func:`_bts_completeness`): the Malmquist bias of each
    luminosity function and light curve decides the mix. Classes the BTS does not classify get 0. ``faintest``
    (mag) also drops the candidates fainter than that (to compare with a published sample cut there). Returns
    shares in label order."""
    expected = np.zeros(len(TRANSIENT_CLASSES))
    for k, name in enumerate(TRANSIENT_CLASSES):
        if name in _VOLUMETRIC_RATES:
            _, params = _simulate(name, n_pilot, 0.0, cosmo, rng, "ztf", host_dust, error_model, cadence_model,
                                  sn_ia_sed)
            passed = (params["n_det"] >= 2) * _bts_completeness(params["peak_mag"])
            if faintest is not None:
                passed = passed * (params["peak_mag"] <= faintest)
            expected[k] = _VOLUMETRIC_RATES[name] * params["volume"][0] * passed.mean()
    return expected / expected.sum()


def _counts_from_shares(share, n_objects):
    """Counts proportional to ``share`` summing to ``n_objects`` (largest remainder; zero shares stay 0)."""
    raw = np.asarray(share, dtype=float) * n_objects
    counts = np.floor(raw).astype(int)
    for k in np.argsort(raw - counts, kind="stable")[::-1][: n_objects - counts.sum()]:
        counts[k] += 1
    return counts


def _simulate(name, n, ddf_fraction, cosmo, rng, survey="lsst", host_dust=0.0, error_model=None, cadence_model=None,
              sn_ia_sed="blackbody"):
    """One batch of ``n`` candidates of class ``name``: rows of the light curves and the per-object truth."""
    if name in _EXPLOSIVE:
        params, mag, template = _explosive(name, n, cosmo, rng, survey, host_dust, sn_ia_sed)
    elif name == "AGN":
        params, mag, template = _agn(n, cosmo, rng, survey)
    elif name == "RRL":
        params, mag, template = _rrlyrae(n, rng)
    elif name == "EB":
        params, mag, template = _eclipsing(n, rng)
    else:
        params, mag, template = _microlensing(n, rng)
    window = params.pop("window", None)
    ddf = rng.random(n) < ddf_fraction
    mwebv = rng.exponential(0.04, n)
    median_m5 = _ZTF_M5.copy()                              # ZTF: measured median depths replace the published
    for k, v in ((error_model or {}).get("depth") or {}).items():
        median_m5[int(k)] = v
    if survey == "lsst":
        obj, t, band, m5 = _cadence(n, ddf, rng)
    elif cadence_model is None:
        obj, t, band, m5 = _cadence_ztf(n, rng, window, median_m5)
    else:
        obj, t, band, m5 = _cadence_measured(n, rng, cadence_model, window, median_m5)
    out = mag(obj, t, band)
    if template is None:                                    # transients: nothing in the template image
        m_true, m_template = out, None
    elif template == "mean":                                # variables: template = mean magnitude
        m_true = out
        m_template = None
    else:
        m_true, m_template = out
    ext = _R_BAND[band] * mwebv[obj]
    flux_true = 10 ** (-0.4 * (m_true + ext - _ZP))
    if template == "mean":
        # the template is the mean flux of each band over the survey
        key = obj * 6 + band
        mean_flux = np.bincount(key, flux_true, minlength=6 * n) / np.maximum(np.bincount(key, minlength=6 * n), 1)
        flux_true = flux_true - mean_flux[key]
    elif m_template is not None:
        flux_true = flux_true - 10 ** (-0.4 * (m_template + ext - _ZP))
    sigma_sky = 10 ** (-0.4 * (m5 - _ZP)) / 5
    source, floor = (0.0, _FLOOR) if error_model is None else (error_model["source"], error_model["floor"])
    flux_err = np.sqrt(sigma_sky**2 + source * np.abs(flux_true) + (floor * flux_true) ** 2) \
        * np.exp(rng.normal(0, 0.05, obj.size))
    flux = flux_true + flux_err * rng.standard_normal(obj.size)
    detected = np.abs(flux / flux_err) > 5
    rows = dict(obj=obj, mjd=t + _MJD0, passband=band, flux=flux, flux_err=flux_err, detected=detected)
    if survey == "ztf":                                     # alert light curves: detections only
        rows = {k: v[detected] for k, v in rows.items()}
        obj, detected = rows["obj"], rows["detected"]
        brightest = np.zeros(n)
        np.maximum.at(brightest, obj, np.abs(rows["flux"]))
        with np.errstate(divide="ignore"):
            params["peak_mag"] = _ZP - 2.5 * np.log10(brightest)      # inf for objects never detected
    n_det = np.bincount(obj, detected, minlength=n)
    n_obs = np.bincount(obj, minlength=n)
    params.update(ddf=ddf, mwebv=mwebv, n_obs=n_obs, n_det=n_det.astype(int))
    return rows, params


def _check_cadence_model(cadence_model, survey):
    """The cadence model in the form :func:`_cadence_measured` uses, or a ValueError naming the argument."""
    if survey != "ztf":
        raise ValueError(f"cadence_model needs survey='ztf' (the LSST mock keeps its PLAsTiCC-like cadence), "
                         f"got survey={survey!r}")
    ok = isinstance(cadence_model, dict) and {"gap_prob", "p_both", "single_band"} <= set(cadence_model)
    if ok:
        try:
            gap_prob = np.asarray(cadence_model["gap_prob"], dtype=float)
            p_both = float(cadence_model["p_both"])
            single = {int(k): float(v) for k, v in dict(cadence_model["single_band"]).items()}
        except (TypeError, ValueError):
            ok = False
    if ok:
        ok = (gap_prob.ndim == 1 and 1 <= gap_prob.size <= 366 and np.all(np.isfinite(gap_prob))
              and np.all(gap_prob >= 0) and gap_prob.sum() > 0 and 0 <= p_both <= 1
              and set(single) <= {1, 2} and all(np.isfinite(v) and v >= 0 for v in single.values())
              and (p_both == 1 or sum(single.values()) > 0))
    if not ok:
        raise ValueError("cadence_model must be a dict like astrolab.challenge.fit_cadence_model's: 'gap_prob' (1 to "
                         "366 non-negative probabilities of gaps of 1, 2, ... nights), 'p_both' in [0, 1] and "
                         "'single_band' ({1: share of g, 2: share of r} on one-band nights), "
                         f"got {cadence_model!r}"[:400])
    total = sum(single.values())
    single = {k: v / total for k, v in sorted(single.items()) if v > 0} if total > 0 else {2: 1.0}
    checked = {"gap_prob": gap_prob / gap_prob.sum(), "p_both": p_both, "single_band": single}
    if cadence_model.get("components") is not None:
        components = cadence_model["components"]
        try:
            weights = np.asarray(components["weights"], dtype=float)
            laws = np.asarray(components["gap_prob"], dtype=float)
            ok = (weights.ndim == 1 and laws.shape == (weights.size, gap_prob.size) and np.all(np.isfinite(weights))
                  and np.all(weights >= 0) and weights.sum() > 0 and np.all(np.isfinite(laws)) and np.all(laws >= 0)
                  and np.all(laws.sum(axis=1) > 0))
        except (TypeError, ValueError, KeyError, IndexError):
            ok = False
        if not ok:
            raise ValueError("cadence_model['components'] must be a dict like astrolab.challenge.fit_cadence_model's: "
                             "'weights' (K non-negative shares) and 'gap_prob' (K rows of non-negative probabilities, "
                             f"as long as cadence_model['gap_prob']), got {components!r}"[:400])
        checked["components"] = {"weights": weights / weights.sum(), "gap_prob": laws / laws.sum(axis=1, keepdims=True)}
    return checked


def make_transients(n_objects: int = 3000, *, ddf_fraction=None, survey: str = "lsst", host_dust=None,
                    error_model=None, cadence_model=None, class_mix: str = "plasticc", sn_ia_sed: str = "blackbody",
                    seed=0):
    """Mock LSST (or ZTF-like) light curves of ten classes of transients and variables, with truth.

    Parameters
    ----------
    n_objects : int, default 3000
        Number of objects (at least 10). Classes come in the proportions of the PLAsTiCC training
        set (SN Ia 36 %, SN II 19 %, EB 14 %, ..., kilonovae 1.6 %), every class at least once, unless
        ``class_mix="survey"``.
    ddf_fraction : float, optional
        Fraction of objects in the deep-drilling fields (every band every ~4 nights, 1 mag deeper);
        the rest get the wide-fast-deep cadence (one or two visits every ~3 nights). Default 0.1 for
        ``survey="lsst"``; ZTF has no deep fields, so ``survey="ztf"`` accepts only ``None`` or 0.
    survey : {"lsst", "ztf"}, default "lsst"
        ``"lsst"``: six bands, PLAsTiCC-like cadence and depth, every visit kept. ``"ztf"``: a ZTF-like
        public survey seen through a bright-transient selection (see the module docstring): g and r
        only (passband codes 1 and 2), a g and an r exposure every two or three nights with weather
        and seasonal gaps, 5-sigma depths of about 20.7 mag, detections only (so ``detected`` is 1 on
        every row and ``n_obs == n_det``), the BTS selection function at the brightest detection
        (complete to about 18 mag, 80 % at 18.5, nothing fainter than 19; Perley et al. 2020), host dust, and
        spectroscopic redshifts (``hostgal_photoz = true_z``, ``hostgal_photoz_err = 0``). The class
        mix is the same for both surveys unless ``class_mix="survey"``.
    host_dust : float, optional
        Host-galaxy extinction of supernovae (Ia, II, Ibc): ``A_V`` drawn from an exponential of this
        scale in mag, dimming and reddening each band by ``A_V (lambda_rest / 5500 A)^-1.3``. 0 means no
        dust; 0.46 is MLCS2k2's prior for SNe Ia (Jha et al. 2007). Default: 0 for ``survey="lsst"`` (the
        chapter's challenge mocks), 0.46 for ``survey="ztf"`` (the luminosity functions are corrected for
        host extinction, Richardson et al. 2014, and a real survey sees the supernovae in their hosts).
    error_model : dict, optional
        The photometric noise beyond the sky: ``{"source": s, "floor": f}`` gives each point the flux
        variance ``sigma_sky^2 + s |F| + (f F)^2`` (``sigma_sky`` from the 5-sigma depth, ``F`` the true
        difference flux at zero point 27.5), e.g. measured on a real survey's photometry by
        :func:`astrolab.challenge.fit_error_model`. Default: a sky-limited exposure with a 0.5 %
        calibration floor (``{"source": 0, "floor": 0.005}``). With ``survey="ztf"`` an optional
        ``"depth"`` (``{1: g, 2: r}``, median 5-sigma depths in mag, e.g. measured by
        :func:`astrolab.challenge.fit_error_model`) replaces the published median depths of the exposures
        (their scatter stays).
    cadence_model : dict, optional
        ``survey="ztf"`` only: the survey's sampling measured from its own detections by
        :func:`astrolab.challenge.fit_cadence_model` (``gap_prob``, ``p_both``, ``single_band``). Each
        object's nights are then a renewal process with the measured night gaps (inside its observing
        season), each night observed in both bands with probability ``p_both`` and otherwise in one band
        drawn from ``single_band``, instead of the published "g and r every two or three nights" with
        weather losses. With a mixture of cadences (``components``, from ``fit_cadence_model(...,
        n_components=...)``), each object draws its own cadence from it and keeps it. Depth and
        detections-only apply as before.
    class_mix : {"plasticc", "survey"}, default "plasticc"
        ``"plasticc"``: the proportions of the PLAsTiCC training set for either survey (so that models
        trained on the two surveys solve the same problem). ``"survey"`` (``survey="ztf"`` only): the mix
        a magnitude-limited survey sees, from physics -- each class's published volumetric rate times the
        volume in which its luminosity function and light curve pass the bright-transient selection
        (measured on a pilot batch of the generator's own candidates); the BTS classifies no AGN or
        Galactic source, so those classes (and any class too rare for ``n_objects``) are absent.
    sn_ia_sed : {"blackbody", "bayesn"}, default "blackbody"
        The spectra of SNe Ia. ``"blackbody"``: the 5000 A Bazin light curve with a cooling black body,
        like every other explosive class. ``"bayesn"`` (``survey="ztf"`` only): the BayeSN W22 spectral
        model of SNe Ia (Mandel et al. 2022; Ward et al. 2023), the Hsiao et al. (2007) template warped by
        a light-curve shape ``theta ~ N(0, 1)`` and residual spectral variation, integrated through the ZTF
        g and r filter curves in the rest frame (so the r-band shoulder and the colour curve of observed
        SNe Ia appear); the peak luminosity function is the black-body model's.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    sklearn.utils.Bunch
        ``lightcurves``: a pandas DataFrame with one row per visit, ``object_id, mjd, passband``
        (0-5 for ``ugrizy``), ``flux, flux_err`` (difference flux, AB zero point 27.5) and
        ``detected`` (0/1, ``|flux / flux_err| > 5``), sorted by object and time;
        ``metadata``: one row per object, ``object_id, ddf, hostgal_photoz, hostgal_photoz_err,
        distmod`` (from the photo-z, NaN for galactic objects), ``mwebv, target`` (PLAsTiCC code)
        and ``true_z``; ``class_names`` (:data:`TRANSIENT_CLASSES`); ``truth``: one row per object,
        ``object_id, label, class_name, target, true_z, t_peak`` (MJD of peak, NaN for periodic and
        stochastic sources), ``period`` (d, NaN for non-periodic), ``peak_absmag`` (rest 5000 A),
        ``ddf, n_obs, n_det``; ``passbands`` (:data:`LSST_PASSBANDS`).

    Examples
    --------
    >>> data = make_transients(60, seed=1)
    >>> len(data.metadata), data.class_names[0], int(data.truth.n_det.min()) >= 2
    (60, 'SNIa', True)
    >>> sorted(data.lightcurves.columns)
    ['detected', 'flux', 'flux_err', 'mjd', 'object_id', 'passband']
    >>> ztf = make_transients(30, survey="ztf", seed=1)
    >>> sorted(set(ztf.lightcurves.passband)), int(ztf.lightcurves.detected.min())
    ([1, 2], 1)
    """
    import pandas as pd
    from sklearn.utils import Bunch

    if not (isinstance(n_objects, (int, np.integer)) and not isinstance(n_objects, bool) and n_objects >= 10):
        raise ValueError(f"n_objects must be an integer >= 10, got {n_objects!r}")
    if not (isinstance(survey, str) and survey in TRANSIENT_SURVEYS):
        raise ValueError(f"survey must be one of {TRANSIENT_SURVEYS}, got {survey!r}")
    if not (isinstance(class_mix, str) and class_mix in TRANSIENT_CLASS_MIXES):
        raise ValueError(f"class_mix must be one of {TRANSIENT_CLASS_MIXES}, got {class_mix!r}")
    if class_mix == "survey" and survey != "ztf":
        raise ValueError("class_mix='survey' needs survey='ztf' (the LSST mock is the PLAsTiCC training set, whose "
                         f"mix is 'plasticc'), got survey={survey!r}")
    if ddf_fraction is None:
        ddf_fraction = 0.1 if survey == "lsst" else 0.0
    if host_dust is None:
        host_dust = 0.0 if survey == "lsst" else _ZTF_HOST_DUST
    if not (isinstance(host_dust, (int, float, np.floating)) and not isinstance(host_dust, bool)
            and 0 <= host_dust <= 5):
        raise ValueError(f"host_dust must be a scale of A_V in mag between 0 and 5, got {host_dust!r}")
    if error_model is not None:
        ok = isinstance(error_model, dict) and set(error_model) >= {"source", "floor"}
        values = [error_model[k] for k in ("source", "floor")] if ok else []
        if not (ok and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                           and np.isfinite(v) and v >= 0 for v in values) and values[1] < 1):
            raise ValueError("error_model must be None or a dict with finite 'source' >= 0 (flux variance per unit "
                             f"flux) and 0 <= 'floor' < 1 (fraction of the flux), got {error_model!r}")
        depth = error_model.get("depth") or {}
        if depth and survey != "ztf":
            raise ValueError("error_model['depth'] needs survey='ztf' (the LSST mock keeps its PLAsTiCC-like depths), "
                             f"got survey={survey!r}")
        if not (isinstance(depth, dict) and all(
                isinstance(k, (int, np.integer)) and not isinstance(k, bool) and int(k) in (1, 2)
                and isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                and np.isfinite(v) and 15 <= v <= 25 for k, v in depth.items())):
            raise ValueError("error_model['depth'] must be a dict {passband 1 (g) or 2 (r): median 5-sigma depth in "
                             f"mag between 15 and 25}}, e.g. fit_error_model's, got {depth!r}")
    if cadence_model is not None:
        cadence_model = _check_cadence_model(cadence_model, survey)
    if not (isinstance(sn_ia_sed, str) and sn_ia_sed in SN_IA_SEDS):
        raise ValueError(f"sn_ia_sed must be one of {SN_IA_SEDS}, got {sn_ia_sed!r}")
    if sn_ia_sed == "bayesn" and survey != "ztf":
        raise ValueError("sn_ia_sed='bayesn' needs survey='ztf' (the spectra are integrated through the ZTF g and r "
                         f"filter curves; the LSST mock keeps the black body), got survey={survey!r}")
    if not (isinstance(ddf_fraction, (int, float, np.floating)) and 0 <= ddf_fraction <= 1):
        raise ValueError(f"ddf_fraction must be a number in [0, 1], got {ddf_fraction!r}")
    if survey == "ztf" and ddf_fraction != 0:
        raise ValueError(f"ddf_fraction must be None or 0 for survey='ztf' (ZTF has no deep fields), "
                         f"got {ddf_fraction!r}")
    # the light curves of the candidates drawn and their selection: about 150 kB per object at the peak
    check_size("n_objects", 150e3 * n_objects, request=f"n_objects={n_objects}")
    rng = check_rng("seed", seed)
    cosmo = _Cosmology()
    if class_mix == "plasticc":
        counts = _class_counts(int(n_objects))
    else:
        counts = _counts_from_shares(_survey_shares(cosmo, rng, host_dust, error_model, cadence_model=cadence_model,
                                                    sn_ia_sed=sn_ia_sed), int(n_objects))
    lc_parts, meta_parts = [], []
    for label, (name, need) in enumerate(zip(TRANSIENT_CLASSES, counts, strict=True)):
        kept, acceptance = 0, 0.5
        if need == 0:                                        # a class the survey's selection does not keep
            continue
        for _ in range(50):                                  # draw candidates until the trigger keeps enough
            batch = int(np.ceil(1.3 * (need - kept) / max(acceptance, 0.02))) + 4
            rows, params = _simulate(name, batch, ddf_fraction, cosmo, rng, survey, host_dust, error_model,
                                     cadence_model, sn_ia_sed)
            params.pop("volume", None)
            trigger = params["n_det"] >= 2
            if survey == "ztf":                              # the bright-transient selection
                trigger &= rng.random(batch) < _bts_completeness(params["peak_mag"])
            ok = np.flatnonzero(trigger)[: need - kept]
            acceptance = max(np.mean(trigger), 1e-3)
            if ok.size:
                remap = np.full(batch, -1)
                remap[ok] = np.arange(ok.size) + kept
                sel = remap[rows["obj"]] >= 0
                part = {k: v[sel] for k, v in rows.items()}
                part["obj"] = remap[part["obj"]]
                part["label"] = np.full(int(sel.sum()), label)
                lc_parts.append(part)
                meta_parts.append({k: np.asarray(v)[ok] for k, v in params.items()}
                                  | {"label": np.full(ok.size, label), "local": np.arange(ok.size) + kept})
                kept += ok.size
            if kept >= need:
                break
        else:  # pragma: no cover - the trigger keeps > 2 % of every class
            raise RuntimeError(f"could not draw {need} detectable {name} objects for survey={survey!r}")

    meta = {k: np.concatenate([p[k] for p in meta_parts]) for k in meta_parts[0]}
    n = meta["label"].size
    # shuffle the objects and give them random ids, so that neither order nor id betrays the class
    ids = np.sort(rng.choice(np.arange(1000, 100 * n + 1000), size=n, replace=False))
    perm = rng.permutation(n)
    object_id = np.empty(n, dtype=np.int64)
    object_id[perm] = ids                                   # object k of the concatenation gets ids[perm^-1]
    key = meta["label"] * 10**7 + meta["local"]              # (class, index within class) -> object id
    lookup = dict(zip(key.tolist(), object_id.tolist(), strict=True))

    lc = {k: np.concatenate([p[k] for p in lc_parts]) for k in lc_parts[0]}
    lc_ids = np.array([lookup[k] for k in (lc["label"] * 10**7 + lc["obj"]).tolist()], dtype=np.int64)
    order = np.lexsort((lc["mjd"], lc_ids))
    lightcurves = pd.DataFrame({"object_id": lc_ids[order], "mjd": np.round(lc["mjd"][order], 4),
                                "passband": lc["passband"][order].astype(np.int64),
                                "flux": lc["flux"][order], "flux_err": lc["flux_err"][order],
                                "detected": lc["detected"][order].astype(np.int64)})

    z = meta["true_z"]
    galactic = z == 0
    if survey == "lsst":
        # The host's photo-z: a scatter 0.03 (1 + z) q about the true z, where q (log-normal, independent of z)
        # stands for the quality of the host's photometry (its S/N and how well its colours pin the redshift),
        # and 5 % catastrophic outliers drawn anywhere in 0.02-2.5. The error *reported* is what a photo-z code
        # computes from the photometry, 0.03 (1 + photoz) q: it follows the measured photo-z, never the true z,
        # so an outlier reports an error that fits its wrong photo-z (as real outliers do) instead of giving
        # the true z away. (Same draws as before: the photo-z of every object is unchanged.)
        quality = np.exp(rng.normal(0, 0.3, n))
        photoz = z + 0.03 * (1 + z) * quality * rng.standard_normal(n)
        outlier = (~galactic) & (rng.random(n) < 0.05)
        photoz = np.where(outlier, rng.uniform(0.02, 2.5, n), photoz)
        photoz = np.where(galactic, 0.0, np.maximum(photoz, 0.01))
        photoz_err = np.where(galactic, 0.0, 0.03 * (1 + photoz) * quality)
    else:                                                   # spectroscopic redshifts of a classified sample
        photoz, photoz_err = z, np.zeros(n)
    distmod = np.where(galactic, np.nan, cosmo.distmod(np.maximum(photoz, 1e-3)))
    names = np.array(TRANSIENT_CLASSES)[meta["label"]]
    targets = np.array([TRANSIENT_TARGETS[c] for c in TRANSIENT_CLASSES])[meta["label"]]
    metadata = pd.DataFrame({"object_id": object_id, "ddf": meta["ddf"].astype(np.int64),
                             "hostgal_photoz": np.round(photoz, 4), "hostgal_photoz_err": np.round(photoz_err, 4),
                             "distmod": distmod, "mwebv": np.round(meta["mwebv"], 4), "target": targets,
                             "true_z": z})
    truth = pd.DataFrame({"object_id": object_id, "label": meta["label"].astype(np.int64), "class_name": names,
                          "target": targets, "true_z": z, "t_peak": meta["t_peak"], "period": meta["period"],
                          "peak_absmag": meta["peak_absmag"], "ddf": meta["ddf"].astype(bool),
                          "n_obs": meta["n_obs"].astype(np.int64), "n_det": meta["n_det"].astype(np.int64)})
    metadata = metadata.sort_values("object_id", ignore_index=True)
    truth = truth.sort_values("object_id", ignore_index=True)
    return Bunch(lightcurves=lightcurves, metadata=metadata, class_names=TRANSIENT_CLASSES, truth=truth,
                 passbands=LSST_PASSBANDS)
