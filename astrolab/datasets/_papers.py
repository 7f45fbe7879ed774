"""Yearly paper counts: an illustrative series with known time scales, and a loader for NASA ADS."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
from astropy.table import QTable

from astrolab._validation import check_array, check_int, check_real, check_rng
from astrolab.datasets._fetch import DataUnavailableError

__all__ = ["ADS_API_URL", "exponential_growth", "fetch_ads_counts", "make_paper_counts"]

ADS_API_URL = "https://api.adsabs.harvard.edu/v1"

# Time scales quoted in the talk: papers mentioning "Bayesian" grow with an e-folding time of about
# 7 yr; papers mentioning "neural net" grew slowly until about 2015 and with about 2.5 yr since.
_TALK_TIME_SCALES = {
    "bayesian": {"amplitude": 600.0, "pivot_year": 2010, "tau": 7.0, "tau_after": None, "break_year": None,
                 "first_year": 1980, "last_year": 2024},
    "neural net": {"amplitude": 60.0, "pivot_year": 2015, "tau": 15.0, "tau_after": 2.5, "break_year": 2015,
                   "first_year": 1990, "last_year": 2024},
}


def exponential_growth(year, amplitude, tau, pivot_year, tau_after=None, break_year=None):
    """Expected counts of an exponential, or broken exponential, growth law.

    ``N(t) = amplitude * exp((t - pivot_year) / tau)``; with ``tau_after`` and ``break_year`` the
    e-folding time changes to ``tau_after`` after ``break_year`` (the curve stays continuous).

    Parameters
    ----------
    year : array_like
        Years (float).
    amplitude : float
        Expected count at ``pivot_year`` (at ``break_year`` for a broken law).
    tau : float
        e-folding time in years (before the break).
    pivot_year : float
        Year where the count equals ``amplitude``; ignored when ``break_year`` is given.
    tau_after, break_year : float, optional
        e-folding time after the break, and the break year.

    Returns
    -------
    ndarray
        Expected counts.

    Examples
    --------
    >>> float(exponential_growth(2017.0, 100.0, 7.0, 2010.0) / 100.0)  # one e-folding time later
    2.718281828459045
    """
    t = check_array("year", year)
    amplitude = check_real("amplitude", amplitude)
    tau = check_real("tau", tau, min=0, min_inclusive=False)
    pivot_year = check_real("pivot_year", pivot_year)
    if tau_after is not None:
        tau_after = check_real("tau_after", tau_after, min=0, min_inclusive=False)
    if break_year is not None:
        break_year = check_real("break_year", break_year)
    if break_year is None or tau_after is None:
        return amplitude * np.exp((t - pivot_year) / tau)
    dt = t - break_year
    return amplitude * np.exp(np.where(dt < 0, dt / tau, dt / tau_after))


def make_paper_counts(query: str = "bayesian", *, first_year=None, last_year=None, seed=0):
    """An ILLUSTRATIVE series of yearly paper counts, generated from the time scales of the talk.

    These are not real ADS counts (which cannot be fetched offline): counts are Poisson draws
    around :func:`exponential_growth` with the talk's e-folding times, about 7 yr for "bayesian"
    and a break in 2015 to about 2.5 yr for "neural net". Use :func:`fetch_ads_counts` with an ADS
    token for the real numbers.

    Parameters
    ----------
    query : {"bayesian", "neural net"}
        Which growth law of the talk to simulate.
    first_year, last_year : int, optional
        Range of years (inclusive); defaults 1980-2024 ("bayesian") and 1990-2024 ("neural net").
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    counts : QTable
        Columns ``year`` and ``count``; ``meta["illustrative"]`` is True.
    truth : dict
        The generating parameters: ``amplitude``, ``tau`` (yr), ``pivot_year``, ``tau_after`` and
        ``break_year`` (None for an unbroken law), and the expected counts ``mean``.

    Examples
    --------
    >>> counts, truth = make_paper_counts("neural net", seed=1)
    >>> truth["tau_after"], truth["break_year"], counts.meta["illustrative"]
    (2.5, 2015, True)
    """
    if not isinstance(query, str) or query.lower() not in _TALK_TIME_SCALES:
        raise ValueError(f"query must be one of {sorted(_TALK_TIME_SCALES)}, got {query!r}")
    params = dict(_TALK_TIME_SCALES[query.lower()])
    default_first, default_last = params.pop("first_year"), params.pop("last_year")
    first = default_first if first_year is None else check_int("first_year", first_year, min=0, max=10_000)
    last = default_last if last_year is None else check_int("last_year", last_year, min=0, max=10_000)
    if last < first + 4:
        raise ValueError(f"last_year must be at least first_year + 4, got {first}..{last}")
    years = np.arange(first, last + 1)
    mean = exponential_growth(years, **params)
    rng = check_rng("seed", seed)
    counts = QTable(meta={"query": query.lower(), "illustrative": True,
                          "source": "astrolab.datasets.make_paper_counts (illustrative, not ADS)"})
    counts["year"] = years
    counts["count"] = rng.poisson(mean)
    truth = dict(params, mean=mean)
    return counts, truth


def _token(token):
    token = token or os.environ.get("ADS_API_TOKEN") or os.environ.get("ADS_DEV_KEY")
    if not token:
        raise ValueError(
            "token must be your NASA ADS API token (https://ui.adsabs.harvard.edu/user/settings/token); "
            "pass token=... or set ADS_API_TOKEN"
        )
    if not isinstance(token, str):
        raise ValueError(f"token must be a string, got {type(token).__name__}")
    return token


def fetch_ads_counts(query: str, token: str | None = None, *, years=range(1980, 2025),
                     collection: str = "astronomy", api_url: str | None = None, timeout: float = 30.0,
                     progressbar: bool = True) -> QTable:
    """Count the refereed papers whose abstract mentions ``query``, year by year, in NASA ADS.

    One request per year to the ADS search API (``q=abs:"query" year:Y``, ``rows=0``), reading
    ``numFound``. Needs a personal API token; never runs in the course's CI (no network there).

    Parameters
    ----------
    query : str
        Phrase to look for in abstracts, e.g. ``"bayesian"`` or ``"neural network"``.
    token : str, optional
        ADS API token; default from the ``ADS_API_TOKEN`` (or ``ADS_DEV_KEY``) environment variable.
    years : iterable of int, default 1980-2024
        Years to count.
    collection : str, default "astronomy"
        ADS collection to search; ``""`` searches all.
    api_url : str, optional
        Base URL of the API; default ``$ASTROLAB_ADS_URL`` if set, else :data:`ADS_API_URL` (tests
        point it at a local server).
    timeout : float, default 30
        Seconds to wait for each request.
    progressbar : bool, default True
        Show a tqdm progress bar.

    Returns
    -------
    QTable
        Columns ``year`` and ``count``; ``meta`` holds the query and the source.

    Raises
    ------
    ValueError
        Empty query, bad years, or a missing or refused token.
    DataUnavailableError
        When ADS cannot be reached (offline); use :func:`make_paper_counts` instead.
    """
    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"query must be a non-empty string, got {query!r}")
    years = [int(y) for y in years]
    if not years:
        raise ValueError("years must contain at least one year")
    token = _token(token)
    if api_url is None:
        api_url = os.environ.get("ASTROLAB_ADS_URL", "").strip() or ADS_API_URL
    if not isinstance(api_url, str) or not api_url.startswith(("https://", "http://")):
        raise ValueError(f"api_url must be an http(s) URL, got {api_url!r}")
    from tqdm.auto import tqdm

    counts = []
    for year in tqdm(years, desc=f"ADS: {query}", disable=not progressbar):
        q = f'abs:"{query}" year:{year} property:refereed'
        if collection:
            q += f" collection:{collection}"
        url = f"{api_url.rstrip('/')}/search/query?" + urllib.parse.urlencode({"q": q, "rows": 0, "fl": "id"})
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https URL)
                payload = json.load(response)
        except urllib.error.HTTPError as err:
            if err.code in (401, 403):
                raise ValueError(f"token was refused by ADS (HTTP {err.code}); check it at "
                                 "https://ui.adsabs.harvard.edu/user/settings/token") from None
            raise DataUnavailableError(f"ADS answered HTTP {err.code} for year {year}; try again later, or "
                                       "use astrolab.datasets.make_paper_counts() (illustrative)") from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            raise DataUnavailableError(f"cannot reach NASA ADS at {api_url} ({err}); are you offline? Use "
                                       "astrolab.datasets.make_paper_counts() (illustrative) instead") from None
        try:
            counts.append(int(payload["response"]["numFound"]))
        except (KeyError, TypeError, ValueError):
            raise DataUnavailableError(f"unexpected answer from ADS for year {year}: {str(payload)[:200]}") from None
    table = QTable(meta={"query": query, "illustrative": False,
                         "source": f"NASA ADS search API ({api_url}), refereed, collection={collection or 'all'}"})
    table["year"] = np.array(years)
    table["count"] = np.array(counts, dtype=np.int64)
    return table


