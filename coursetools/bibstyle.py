"""The bibliography's entry style: pybtex's "alpha" plus a link to each article in NASA ADS.

An entry with a DOI links to it (pybtex's own ``doi`` field handling). An article without one, in a
journal that ADS indexes (ADS_JOURNALS: astronomy, physics and the general science journals), gets an
"ADS" link: an ADS search for its first author, year, volume and first page, which finds the paper
itself (references.bib records no guessed identifiers, so no bibcode is made up here). Statistics,
machine-learning and biology journals get no link: ADS does not index them reliably.
Registered as the pybtex style ``astrolab`` by coursetools/book_offline.py
(``bibtex_default_style: astrolab`` in jupyter-book.yml).
"""

from urllib.parse import quote

from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.template import href, join, sentence

ADS_SEARCH = "https://ui.adsabs.harvard.edu/search/q="
ADS_JOURNALS = {
    "Monthly Notices of the Royal Astronomical Society", "The Astrophysical Journal",
    "The Astronomical Journal", "Astronomy & Astrophysics", "The Astrophysical Journal Supplement Series",
    "Publications of the Astronomical Society of the Pacific", "The Astrophysical Journal Letters",
    "Publications of the Astronomical Society of Japan", "Astronomy & Astrophysics Supplement Series",
    "Annual Review of Astronomy and Astrophysics", "Nature Astronomy", "Astronomy and Computing",
    "Computational Astrophysics and Cosmology", "Communications of the Konkoly Observatory",
    "Acta Astronomica", "Annalen der Physik", "Philosophical Magazine", "Journal of Chemical Physics",
    "Nature", "Science", "Proceedings of the National Academy of Sciences",
    "Journal of Open Source Software",
}


def ads_url(entry):
    """The ADS search URL of a journal article (None for other entries or missing fields)."""
    fields = entry.fields
    authors = entry.persons.get("author", [])
    if entry.type != "article" or fields.get("journal", "").strip("{}") not in ADS_JOURNALS:
        return None
    if not authors or not all(fields.get(k) for k in ("year", "volume", "pages")):
        return None
    first = authors[0]
    surname = " ".join(first.last_names) or " ".join(first.rich_first_names and first.first_names)
    surname = surname.replace("{", "").replace("}", "").strip()
    page = fields["pages"].replace("--", "-").split("-")[0].strip()
    if not surname or not page:
        return None
    query = f'author:"^{surname}" year:{fields["year"]} volume:{fields["volume"]} page:{page}'
    return ADS_SEARCH + quote(query, safe=":")


class Style(AlphaStyle):
    default_label_style = "alpha"

    def format_web_refs(self, e):
        refs = super().format_web_refs(e)
        url = None if "doi" in e.fields else ads_url(e)
        if url is None:
            return refs
        return join(sep=" ")[refs, sentence[href[url, "ADS"]]]
