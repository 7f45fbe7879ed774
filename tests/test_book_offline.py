"""coursetools.book_offline and coursetools.bibstyle without building the book (fast; the built book is
checked by tests/test_browser.py)."""

from types import SimpleNamespace

import pytest
from pybtex.database import parse_string

from coursetools import book_offline
from coursetools.bibstyle import ads_url

LAUNCH = {"binderhub_url": "https://mybinder.org", "colab_url": "https://colab.research.google.com"}


def _config(url):
    return SimpleNamespace(html_theme_options={"repository_url": url, "launch_buttons": dict(LAUNCH),
                                               "use_repository_button": True},
                           html_context={}, html_static_path=[], html_css_files=[])


@pytest.fixture(autouse=True)
def _no_fetch(monkeypatch, tmp_path):
    monkeypatch.setattr(book_offline, "vendor_static", lambda vendor=None: tmp_path)
    monkeypatch.delenv("ASTROLAB_REPOSITORY_URL", raising=False)


def test_without_a_repository_url_there_are_no_launch_buttons_and_no_clone_line():
    config = _config("")
    book_offline._config_inited(None, config)
    options = config.html_theme_options
    assert "repository_url" not in options and options["launch_buttons"] == {}
    assert not options["use_repository_button"]
    code, text = book_offline.get_the_code(book_offline.repository_url(config))
    assert "git clone" not in code and "make lab" in code and "pip install git+" not in text
    assert config.html_context["default_mode"] == "auto" and options["navbar_persistent"] == []
    assert "astrolab.css" in config.html_css_files


@pytest.mark.parametrize("from_env", [False, True])
def test_the_repository_url_switches_launch_buttons_and_clone_line_on(monkeypatch, from_env):
    url = "https://github.com/someone/astrolab"
    if from_env:
        monkeypatch.setenv("ASTROLAB_REPOSITORY_URL", url + "/")
    config = _config("" if from_env else url)
    book_offline._config_inited(None, config)
    assert config.html_theme_options["repository_url"] == url
    assert config.html_theme_options["launch_buttons"] == LAUNCH
    code, text = book_offline.get_the_code(book_offline.repository_url(config))
    assert f"git clone {url} && cd astrolab" in code and f"!pip install git+{url}" in text


def test_ads_link_for_articles_only():
    db = parse_string("""
@article{a, author = {{Astropy Collaboration}}, title = {T}, journal = {Astronomy & Astrophysics}, volume = {558},
  pages = {A33}, year = {2013}}
@article{b, author = {Honma, M. and Akiyama, K.}, title = {T}, volume = {66}, pages = {95--104},
  journal = {Publications of the Astronomical Society of Japan}, year = {2014}}
@article{e, author = {Pritchard, J. K.}, title = {T}, journal = {Molecular Biology and Evolution},
  volume = {16}, pages = {1791}, year = {1999}}
@article{c, author = {Wattenberg, M.}, title = {T}, journal = {Distill}, year = {2016}}
@book{d, author = {Ivezic, Z.}, title = {T}, publisher = {P}, year = {2019}}
""", "bibtex")
    urls = {k: ads_url(e) for k, e in db.entries.items()}
    assert urls["a"].endswith("author:%22%5EAstropy%20Collaboration%22%20year:2013%20volume:558%20page:A33")
    assert urls["b"].endswith("author:%22%5EHonma%22%20year:2014%20volume:66%20page:95")
    assert urls["c"] is None and urls["d"] is None and urls["e"] is None  # not in ADS
