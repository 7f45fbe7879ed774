"""The book, offline and without placeholders: a Sphinx extension loaded by jupyter-book.yml.

* Widget snapshots: myst-nb renders a notebook's saved widget state with require.js and the embed
  bundle of ``@jupyter-widgets/html-manager`` (``nb_ipywidgets_js`` in jupyter-book.yml), which it
  would load from CDNs. Both come from the npm registry instead, fetched once at build time with
  ``npm pack`` (pinned version and sha512 below, checked) into the virtual environment
  (``.venv/share/astrolab/book-assets/``, kept by ``make clean``, so that later builds work offline;
  ``_build/vendor/`` where the environment is not writable), and are copied into the book's
  ``_static/``. ``python -m coursetools.book_offline`` fetches them ahead of time.
* Math: MathJax comes from the ``sphinx-mathjax-offline`` wheel (listed next to this extension).
* ``_static/astrolab.css`` (coursetools/static/): Japanese fallback fonts for the glossary's terms.
* The repository URL is one setting, ``repository: url:`` in jupyter-book.yml, or the environment
  variable ``ASTROLAB_REPOSITORY_URL`` at build time (it wins). Empty (the default): no launch
  buttons and no clone or ``pip install git+`` line (directive ``{course-get-the-code}``).
* The bibliography's style ``astrolab`` (coursetools/bibstyle.py): a DOI or an ADS link per article.
* One search box: no "persistent" header search button next to the sidebar's search field.
* pydata-sphinx-theme logs "Got invalid theme mode" on a visitor's first page when the theme's
  ``default_mode`` (html_context) is empty: it is set to "auto".
"""

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive

REPO = Path(__file__).resolve().parents[1]


def _vendor_folder():
    folder = Path(sys.prefix) / "share" / "astrolab" / "book-assets"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return REPO / "_build" / "vendor"


STATIC = Path(__file__).resolve().parent / "static"

# npm packages copied into the book's _static: spec, sha512 of the tarball (npm's dist.integrity),
# and {file in the package: path under _static}. A path ending in "/" takes every file of that folder.
NPM_ASSETS = [
    ("requirejs@2.3.8",
     "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
     {"package/require.js": "requirejs/require.js"}),
    ("@jupyter-widgets/html-manager@1.0.15",
     "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
     # the embed bundle and the Font Awesome files its CSS loads from the bundle's own folder
     {"package/dist/embed-amd.js": "jupyter-widgets/embed-amd.js",
      "package/dist/*.woff2": "jupyter-widgets/", "package/dist/*.woff": "jupyter-widgets/",
      "package/dist/*.ttf": "jupyter-widgets/", "package/dist/*.eot": "jupyter-widgets/",
      "package/dist/*.svg": "jupyter-widgets/"}),
]


def _stamp(spec, integrity):
    return hashlib.sha1(f"{spec} {integrity}".encode()).hexdigest()[:12]


def npm_pack(spec: str, integrity: str, folder, who: str = "the book") -> Path:
    """Fetch the npm package ``spec`` as a tarball into ``folder``; check it against ``integrity``.

    ``integrity`` is npm's ``dist.integrity`` (``sha512-<base64>``); a mismatch raises.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"{who} needs {spec} from the npm registry but there is no `npm` (apt-get install npm)")
    subprocess.run([npm, "pack", spec, "--pack-destination", str(folder), "--silent"], check=True,
                   stdout=subprocess.DEVNULL)
    (tarball,) = Path(folder).glob("*.tgz")
    algorithm, expected = integrity.split("-", 1)
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise RuntimeError(f"{spec}: the tarball's {algorithm} is {digest}, not the pinned {expected}")
    return tarball


def vendor_static(vendor=None):
    """The folder (copied into _static) with every NPM_ASSETS file, fetched with npm if missing."""
    static = (vendor or _vendor_folder()) / "static"
    for spec, integrity, files in NPM_ASSETS:
        stamp = static / f".{_stamp(spec, integrity)}"
        if stamp.is_file():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            tarball = npm_pack(spec, integrity, tmp, "the book")
            with tarfile.open(tarball) as tar:
                members = {m.name: m for m in tar.getmembers() if m.isfile()}
                for pattern, target in files.items():
                    matched = [n for n in members if Path(n).match(pattern) and
                               Path(n).parent == Path(pattern).parent]
                    if not matched:
                        raise RuntimeError(f"{spec} has no {pattern}")
                    for name in matched:
                        dest = static / target / Path(name).name if target.endswith("/") else static / target
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(tar.extractfile(members[name]).read())
        stamp.write_text(spec + "\n")
    return static


def repository_url(config):
    """The repository URL: $ASTROLAB_REPOSITORY_URL, else jupyter-book.yml's repository.url, else ''."""
    url = os.environ.get("ASTROLAB_REPOSITORY_URL")
    if url is None:
        url = (config.html_theme_options or {}).get("repository_url") or ""
    return url.strip().rstrip("/")


def _config_inited(app, config):
    options = dict(config.html_theme_options or {})
    url = repository_url(config)
    if url:
        options["repository_url"] = url
    else:  # no launch buttons (Binder, Colab, JupyterHub) and no repository, issue or edit buttons
        options.pop("repository_url", None)
        options["launch_buttons"] = {}
        for key in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            options[key] = False
    # pydata-sphinx-theme's "persistent" header search button lands in the book theme's sidebar
    # above the sidebar's own search field: two search boxes on wide screens. Keep the sidebar's
    # (and the article header's search icon, shown when the sidebar is hidden).
    options["navbar_persistent"] = []
    config.html_theme_options = options
    # pydata-sphinx-theme's page template writes this (an html_context value, not a theme option)
    # where its script expects "auto", "light" or "dark"
    config.html_context = {"default_mode": "auto", **(config.html_context or {})}
    config.html_static_path = [*config.html_static_path, str(vendor_static()), str(STATIC)]
    config.html_css_files = [*config.html_css_files, "astrolab.css"]


def get_the_code(url):
    """The shell lines and the sentence after them of the directive below, for a repository URL or ''."""
    if url:
        lines = [f"git clone {url} && cd astrolab"]
        text = ("or in the cloud with the rocket button at the top of a notebook page: Binder builds "
                "the course environment from `environment.yml` (slow the first time); on Colab, first "
                f"run `!pip install git+{url}` in a new cell.")
    else:
        lines = ["cd astrolab   # the folder of the course's sources (ask your lecturer for them)"]
        text = ("This copy of the book was built without a public repository, so it has no Binder or "
                "Colab buttons: run the notebooks on your own computer or on your institution's "
                "JupyterHub.")
    lines += ["make lab     # first run: creates .venv and installs everything, then starts JupyterLab",
              "make test    # unit tests, every notebook, the book and its browser tests"]
    return "\n".join(lines), text


class GetTheCode(Directive):
    """How to get the course's code: a clone line and a Colab install line when the repository URL
    is set, otherwise the same steps without a URL (no placeholder reaches the reader)."""

    has_content = False

    def run(self):
        code, text = get_the_code(repository_url(self.state.document.settings.env.config))
        block = nodes.literal_block(code, code, language="bash")
        paragraph = nodes.paragraph()
        self.state.nested_parse(self._string_list(text), self.content_offset, paragraph)
        return [block, *paragraph.children]

    @staticmethod
    def _string_list(text):
        from docutils.statemachine import StringList
        return StringList([text], source="course-get-the-code")


def setup(app):
    from pybtex.plugin import register_plugin

    from coursetools.bibstyle import Style

    register_plugin("pybtex.style.formatting", "astrolab", Style)  # bibtex_default_style: astrolab
    app.connect("config-inited", _config_inited, priority=400)
    app.add_directive("course-get-the-code", GetTheCode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    print(vendor_static(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
