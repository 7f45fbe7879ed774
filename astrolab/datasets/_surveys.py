"""Survey facts: the small shipped table behind "the era of big data" (chapter 1)."""

from __future__ import annotations

from astropy.table import QTable

from astrolab._paths import shipped_data_dir

__all__ = ["load_survey_facts"]


def load_survey_facts() -> QTable:
    """Rounded facts about large astronomical surveys, from Hipparcos (1989) to JASMINE (2031).

    The table ships with the course as ``data/surveys.ecsv``; every value is rounded to about one
    significant figure (good to about a factor of two) and every row names its source paper.
    ``data_volume`` is the total over the survey, as quoted by the project or estimated as the
    ``volume_basis`` column says; ``nan`` (or a masked entry) means not published.

    Returns
    -------
    QTable
        Columns ``survey``, ``kind``, ``start_year``, ``end_year``, ``n_sources``, ``n_bands``,
        ``epochs`` (typical visits per source), ``sky_area`` (deg2), ``camera_pixels`` (Mpix),
        ``data_volume`` (TB), ``volume_basis`` and ``reference``.

    Examples
    --------
    >>> facts = load_survey_facts()
    >>> facts.loc["Rubin LSST"]["n_bands"]
    np.int64(6)
    >>> facts["data_volume"].unit
    Unit("Tbyte")
    """
    table = QTable.read(shipped_data_dir() / "surveys.ecsv", format="ascii.ecsv")
    table.add_index("survey")
    return table
