"""The rendered book and JupyterLab, checked in a real (headless) browser.

The browser is Debian's chromium (``apt-get install chromium``; ``.ci/run`` installs it), driven by
Python playwright, which needs no ``playwright install``. Set ``ASTROLAB_CHROMIUM`` to use another
chromium binary. Without a chromium these tests skip, unless ``ASTROLAB_REQUIRE_BROWSER=1`` (set by
``.ci/run``): then they fail, so CI never passes without having looked at the book.

The book is the one built by the ``built_book`` fixture (tests/conftest.py), or the prebuilt html
folder named by ``ASTROLAB_BOOK_HTML``. Screenshots go to ``ASTROLAB_SCREENSHOTS`` (default
``_build/screenshots``). Every request that leaves 127.0.0.1 is blocked, as on an offline machine.
"""

import functools
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import nbformat
import offline_guard
import pytest

REPO = Path(__file__).resolve().parents[1]
WELCOME = "notebooks/00-welcome/01-how-to-use-this-course"

pytestmark = [pytest.mark.slow, pytest.mark.book, pytest.mark.xdist_group("book")]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# Console errors that are not bugs of ours. Each entry is a substring of the message text. (The
# theme's "Got invalid theme mode" on a first visit was one: coursetools/book_offline.py fixed it.)
ALLOWED_CONSOLE_ERRORS = []


# --- browser, server and artefact fixtures ---------------------------------------------------------

def _unavailable(reason):
    """Skip on a developer's machine; fail where a browser is required (CI)."""
    if os.environ.get("ASTROLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (ASTROLAB_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(f"{reason}; install it with `apt-get install chromium` or set ASTROLAB_CHROMIUM")


def _chromium():
    candidates = [os.environ.get("ASTROLAB_CHROMIUM"), "/usr/bin/chromium",
                  shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed")
    executable = _chromium()
    if executable is None:
        _unavailable("no chromium found")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots():
    folder = Path(os.environ.get("ASTROLAB_SCREENSHOTS", REPO / "_build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def book_html(built_book):
    if not (built_book.html / "index.html").is_file():
        pytest.fail(f"the book build produced no {built_book.html / 'index.html'}; see "
                    f"test_book_builds_without_warnings:\n{(built_book.log or '')[-3000:]}")
    return built_book.html


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a browser that drops a connection mid-response is not a failure of the book


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def book_url(book_html):
    """Base URL of the book served by a static file server on a free port of 127.0.0.1."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(book_html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


class PageWatch:
    """A browser page whose JavaScript errors and failed local requests are recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors = []
        self.external = []  # requests to any host but 127.0.0.1 (all blocked by _offline_context)
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        self.page.on("console", self._console)
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    @staticmethod
    def _local(url):
        return urlparse(url).hostname == "127.0.0.1"

    def _request(self, request):
        if not self._local(request.url) and not request.url.startswith(("data:", "blob:", "about:")):
            self.external.append(request.url)

    def _console(self, message):
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if source and not self._local(source):
            return  # reported as an external request by _request
        if any(allowed in message.text for allowed in ALLOWED_CONSOLE_ERRORS):
            return
        if message.text.startswith("Failed to load resource"):
            return  # reported with its URL by _request_failed / _response
        self.errors.append(f"console error: {message.text} ({source})")

    def _request_failed(self, request):
        # net::ERR_ABORTED: a load cancelled by a navigation (a redirect, the next page), not a broken file
        if self._local(request.url) and request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if self._local(response.url) and response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def goto(self, url):
        self.errors.clear()
        self.external.clear()
        self.page.goto(url, wait_until="load")
        return self.page


def _offline_context(browser, **kwargs):
    """A browser context that can only reach 127.0.0.1 (every other request is aborted)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)

    def route(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    return context


@pytest.fixture
def watched(browser):
    context = _offline_context(browser)
    yield PageWatch(context)
    context.close()


# --- the static book --------------------------------------------------------------------------------

def _pages(html):
    """Every HTML page of the book (not the theme's or Sphinx's static assets)."""
    skip = {"_static", "_sources", "_images", "_downloads"}
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if p.relative_to(html).parts[0] not in skip)


class _LinkCollector(HTMLParser):
    ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src", "source": "src", "iframe": "src"}

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        name = self.ATTRIBUTES.get(tag)
        value = dict(attrs).get(name) if name else None
        if value and not (tag == "link" and dict(attrs).get("rel") in ("canonical", "alternate")):
            self.links.append((tag, value))


def _broken_links(html, page):
    """Internal links and images of ``page`` that point to no file of the book (fragments ignored)."""
    collector = _LinkCollector()
    collector.feed((html / page).read_text(encoding="utf-8"))
    broken = []
    for tag, value in collector.links:
        url = urlparse(urljoin(f"http://book.invalid/{page}", value))
        if url.scheme not in ("http", "https") or url.hostname != "book.invalid":
            continue  # external, mailto:, data:, javascript:
        path = unquote(url.path).lstrip("/")
        target = html / path
        if not path or path.endswith("/") or target.is_dir():
            target = target / "index.html"
        if not target.resolve().is_relative_to(html.resolve()) or not target.is_file():
            broken.append(f"<{tag}> {value}")
    return broken


def test_no_broken_internal_links_or_images(book_html):
    pages = _pages(book_html)
    assert len(pages) > 30, pages
    broken = {page: links for page in pages if (links := _broken_links(book_html, page))}
    assert not broken, json.dumps(broken, indent=1)


# Math as Sphinx writes it (MathJax typesets these), and a widget's saved view (myst-nb; the widget
# manager renders it into a div.widget-subarea inserted just before the script).
MATH = "main .math"
WIDGET_VIEW = "main script[type='application/vnd.jupyter.widget-view+json']"

_MATH_TYPESET = """async () => {
    if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return "MathJax did not load";
    await MathJax.startup.promise;
    const raw = Array.from(document.querySelectorAll("main .math"))
        .filter(m => !m.querySelector("mjx-container") || m.querySelector("mjx-merror"));
    return raw.map(m => "raw TeX: " + m.textContent.trim().slice(0, 60));
}"""

_WIDGETS_RENDERED = """() => Array.from(document.querySelectorAll(
        "main script[type='application/vnd.jupyter.widget-view+json']"))
    .every(s => { const v = s.previousElementSibling;
                  return v && v.classList.contains("widget-subarea") && v.getBoundingClientRect().height > 0; })"""


def _page_problems(watched, loaded):
    """External requests, broken images, raw TeX and empty widget snapshots of a loaded page."""
    problems = []
    if loaded.locator(MATH).count():
        problems += loaded.evaluate(_MATH_TYPESET)
    widgets = loaded.locator(WIDGET_VIEW).count()
    if widgets:
        try:
            loaded.wait_for_function(_WIDGETS_RENDERED, timeout=15_000)
        except Exception:
            problems.append(f"a widget snapshot (of {widgets}) has no rendered view")
    broken_images = loaded.evaluate(
        "() => Array.from(document.images)"
        "  .filter(i => i.src.startsWith(location.origin) && i.complete && i.naturalWidth === 0)"
        "  .map(i => i.src)")
    problems += [f"broken image: {src}" for src in broken_images]
    problems += [f"external request: {url}" for url in watched.external]
    return problems + watched.errors


def test_every_page_renders_offline(book_html, book_url, watched):
    """Each page, with every non-local request blocked: no request leaves 127.0.0.1, no JavaScript
    error, math typeset by MathJax (no raw TeX left), every widget snapshot rendered, no broken image."""
    problems, counts = {}, {"math": 0, "widgets": 0}
    for page in _pages(book_html):
        loaded = watched.goto(book_url + page)
        if loaded.locator("meta[http-equiv='Refresh']").count():  # index.html redirects to intro.html
            loaded.wait_for_url(lambda url, page=page: not url.endswith(page))
            loaded.wait_for_load_state("load")
        counts["math"] += loaded.locator(MATH).count() > 0
        counts["widgets"] += loaded.locator(WIDGET_VIEW).count() > 0
        loaded.wait_for_load_state("networkidle")  # late requests (fonts, widget modules) count too
        if issues := _page_problems(watched, loaded):
            problems[page] = issues
    assert not problems, json.dumps(problems, indent=1)
    # the checks above must have had something to check
    assert counts["math"] >= 10 and counts["widgets"] >= 3, counts


def test_math_and_widget_snapshot_render_offline(book_url, watched, screenshots):
    """Screenshots of typeset math and of a widget's snapshot (the welcome notebook's explorer)."""
    page = watched.goto(book_url + WELCOME + ".html")
    assert not page.evaluate(_MATH_TYPESET), "math not typeset"
    page.wait_for_function(_WIDGETS_RENDERED, timeout=15_000)
    math = page.locator("main .math mjx-container").first
    math.scroll_into_view_if_needed()
    math.locator("xpath=ancestor::*[contains(@class, 'math')][1]").screenshot(path=screenshots / "book-math.png")
    view = page.locator(WIDGET_VIEW).first.locator("xpath=preceding-sibling::div[1]")
    view.scroll_into_view_if_needed()
    assert view.locator(".jupyter-widgets").count() > 0
    view.screenshot(path=screenshots / "book-widget-snapshot.png")
    assert not watched.external and not watched.errors, (watched.external, watched.errors)


def test_landing_chapter_and_notebook_pages_render_with_figures(book_url, watched, screenshots):
    landing = watched.goto(book_url + "index.html")  # a redirect to intro.html
    landing.wait_for_url("**/intro.html")
    assert landing.locator("main h1 >> visible=true").count() == 1
    landing.screenshot(path=screenshots / "book-landing.png", full_page=True)

    chapter = watched.goto(book_url + "notebooks/00-welcome/index.html")
    assert chapter.locator(f"main a[href*='{WELCOME.rsplit('/', 1)[1]}']").count() > 0
    chapter.screenshot(path=screenshots / "book-chapter.png", full_page=True)

    notebook = watched.goto(book_url + WELCOME + ".html")
    figures = notebook.locator("main .cell_output img")
    assert figures.count() >= 2, "the welcome notebook's figures did not reach the book"
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        src = figure.get_attribute("src")
        assert "_images/" in src or src.startswith("data:image/"), src
        assert figure.evaluate("img => img.complete && img.naturalWidth > 0"), f"figure {src} did not load"
    figures.first.screenshot(path=screenshots / "book-notebook-figure.png")
    notebook.screenshot(path=screenshots / "book-notebook.png", full_page=True)
    assert not watched.errors, watched.errors


def test_solution_dropdown_opens(book_url, watched, screenshots):
    page = watched.goto(book_url + WELCOME + ".html")
    solution = page.locator(".solution.dropdown").first
    content = solution.locator(".cell").first
    solution.scroll_into_view_if_needed()
    assert not content.is_visible(), "a solution must be hidden until its dropdown is opened"
    solution.locator("button.toggle-button").click()
    content.wait_for(state="visible", timeout=5_000)
    assert "wien_peak" in content.inner_text()
    solution.screenshot(path=screenshots / "book-solution-open.png")
    assert not watched.errors, watched.errors


@pytest.mark.parametrize("term", ["periodogram"])
def test_search_finds_a_term(book_url, watched, screenshots, term):
    page = watched.goto(f"{book_url}search.html?q={term}")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    assert results.count() > 0
    assert term in page.locator("#search-results").inner_text().lower()
    page.screenshot(path=screenshots / "book-search.png", full_page=False)
    assert not watched.errors, watched.errors


# --- JupyterLab: run a notebook, move a widget's slider, see the figure change ----------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab on a free port of 127.0.0.1, with a token, isolated settings, offline kernels and
    a copy of the welcome notebook (whose blackbody explorer has a slider) as its only file.

    ``ASTROLAB_BREAK_WIDGET_CALLBACK=1`` appends a cell that disconnects the slider's callback, to
    show that the widget test then fails."""
    root = tmp_path / "notebooks"
    root.mkdir()
    nb = nbformat.read(REPO / f"{WELCOME}.ipynb", as_version=4)
    if os.environ.get("ASTROLAB_BREAK_WIDGET_CALLBACK") == "1":
        nb.cells.append(nbformat.v4.new_code_cell('explorer.slider.unobserve(explorer._update, names="value")'))
    nbformat.write(nb, root / "welcome.ipynb")
    settings = tmp_path / "lab-settings" / "@jupyterlab"
    # Render every cell (no windowing), so the test sees all outputs; no news or update checks.
    _write_json(settings / "notebook-extension" / "tracker.jupyterlab-settings",
                {"windowingMode": "none", "autoStartDefaultKernel": True})
    _write_json(settings / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(IPYTHONDIR=str(offline_guard.write_profile(tmp_path / "ipython")),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"))
    port, token = _free_port(), secrets.token_hex(16)
    command = [str(Path(sys.executable).with_name("jupyter-lab")), "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={tmp_path / 'lab-settings'}",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")  # containers and CI runners often run as root
    log_path = tmp_path / "jupyterlab.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield {"url": base, "token": token, "log": log_path}
    finally:
        server.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _open_and_run_all(page, jupyterlab):
    """Open welcome.ipynb in JupyterLab and run every cell on one fresh kernel; fail if a cell raised.

    Opening a notebook can start a kernel, replace it at once by a second one and drop the requests sent
    meanwhile (seen on loaded machines): let it settle, then use Kernel > Restart Kernel and Run All
    Cells, which runs everything on one fresh kernel; retry if it stalls."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.goto(f"{jupyterlab['url']}/lab/tree/welcome.ipynb?token={jupyterlab['token']}")
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=60_000)
    page.wait_for_timeout(3_000)
    error = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    all_ran = ("() => { const p = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));"
               "        return (p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)))"
               "               || document.querySelector(\"[data-mime-type='application/vnd.jupyter.error']\"); }")
    for attempt in range(3):
        page.get_by_role("menuitem", name="Kernel", exact=True).click()
        page.get_by_role("menuitem", name=re.compile(r"^Restart Kernel and Run All Cells")).click()
        page.locator(".jp-Dialog .jp-mod-accept").click(timeout=15_000)  # "Restart Kernel?" > Confirm
        try:
            page.wait_for_function(all_ran, timeout=90_000)  # every prompt shows [n]: or a cell failed
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise AssertionError("JupyterLab did not run the notebook (3 attempts)") from None
    assert not error.count(), f"a cell raised an error:\n{error.first.inner_text()}"


def test_jupyterlab_widget_slider_updates_the_figure(browser, jupyterlab, screenshots):
    (screenshots / "lab-failure.png").unlink(missing_ok=True)
    context = _offline_context(browser)
    watch = PageWatch(context)
    page = watch.page
    try:
        _open_and_run_all(page, jupyterlab)

        widget = page.locator(".jp-OutputArea-output .widget-vbox").filter(has=page.locator(".widget-slider")).first
        widget.scroll_into_view_if_needed()
        figure = widget.locator("img").first
        readout = widget.locator(".widget-html-content").first
        figure.wait_for(timeout=30_000)
        before_src, before_text = figure.get_attribute("src"), readout.inner_text()
        assert figure.evaluate("img => img.complete && img.naturalWidth > 0"), "the widget's figure is empty"
        widget.screenshot(path=screenshots / "lab-widget-before.png")

        # Drag the slider's handle to the left, as a learner would.
        handle = widget.locator(".widget-slider .noUi-handle").first
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] - 120, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        # The kernel redraws the figure into the widget's Output: a new <img> with a new PNG.
        deadline, after_src = time.monotonic() + 30, before_src
        while after_src == before_src and time.monotonic() < deadline:
            page.wait_for_timeout(250)
            after_src = figure.get_attribute("src")
        widget.screenshot(path=screenshots / "lab-widget-after.png")
        page.screenshot(path=screenshots / "lab-notebook.png")
        figure_changed = after_src != before_src
        assert figure_changed, "moving the slider did not change the figure"
        assert readout.inner_text() != before_text, "the readout did not follow the slider"
        assert figure.evaluate("img => img.complete && img.naturalWidth > 0")
        js_errors = [e for e in watch.errors if "uncaught exception" in e]
        assert not js_errors, js_errors
    except BaseException:
        page.screenshot(path=screenshots / "lab-failure.png")
        print(page.evaluate(  # error outputs of the notebook's cells, shown by pytest with the failure
            "() => Array.from(document.querySelectorAll(\"[data-mime-type*='error'], [data-mime-type*='stderr']\"))"
            "  .map(e => e.innerText.slice(0, 1500))"))
        print(jupyterlab["log"].read_text()[-3000:])  # shown by pytest with the failure
        raise
    finally:
        context.close()


# --- what a reader sees: no placeholders, one search box, a sidebar that says each thing once -------

PLACEHOLDERS = ["your-org", "<this repository>", "&lt;this repository&gt;", "<you>", "&lt;you&gt;"]


def test_no_placeholders_and_launch_buttons_only_with_a_repository(book_html):
    """No page shows a placeholder URL; without a repository URL (jupyter-book.yml's repository.url or
    ASTROLAB_REPOSITORY_URL, both empty here) there are no launch buttons and no clone line."""
    url = os.environ.get("ASTROLAB_REPOSITORY_URL", "")
    found = {}
    for page in _pages(book_html):
        text = (book_html / page).read_text(encoding="utf-8")
        hits = [p for p in PLACEHOLDERS if p in text]
        if not url:
            hits += [f"launch button {m}" for m in re.findall(r"mybinder\.org|colab\.research|git clone ", text)]
        if hits:
            found[page] = hits
    assert not found, json.dumps(found, indent=1)
    intro = re.sub(r"<[^>]+>", "", (book_html / "intro.html").read_text(encoding="utf-8"))
    assert "make lab" in intro and (url in intro if url else "git clone" not in intro)


def test_glossary_shows_no_authoring_syntax(book_url, watched, screenshots):
    page = watched.goto(book_url + "glossary.html")
    text = page.locator("main").inner_text()
    assert "{term}" not in text and "{doc}" not in text and "``" not in text
    terms = page.locator("main dl.glossary dt")
    assert terms.count() > 50
    japanese = page.locator("main dl.glossary dt", has_text="誤差逆伝播法").first
    family = japanese.evaluate("e => getComputedStyle(e).fontFamily")
    assert "Noto Sans CJK JP" in family and "IPAexGothic" in family, family
    # Tofu: without a Japanese font every kanji is drawn as the same missing-glyph box.
    same = japanese.evaluate("""e => {
        const c = document.createElement("canvas"), g = c.getContext("2d");
        c.width = c.height = 64;
        const draw = ch => { g.clearRect(0, 0, 64, 64); g.font = "40px " + getComputedStyle(e).fontFamily;
                             g.fillText(ch, 8, 48); return Array.from(g.getImageData(0, 0, 64, 64).data).join(); };
        return draw("誤") === draw("差"); }""")
    assert not same, "Japanese text renders as tofu: no Japanese font (apt-get install fonts-ipaexfont-gothic)"
    japanese.screenshot(path=screenshots / "book-glossary-japanese.png")
    assert not watched.errors and not watched.external, (watched.errors, watched.external)


@pytest.mark.parametrize("width", [1366, 1920, 800])
def test_sidebar_and_search_box_say_each_thing_once(browser, book_url, screenshots, width):
    context = _offline_context(browser)
    try:
        watch = PageWatch(context)
        watch.page.set_viewport_size({"width": width, "height": 768})
        page = watch.goto(book_url + WELCOME + ".html")
        visible_search = page.evaluate(
            "() => Array.from(document.querySelectorAll('.search-button-field, .search-button, form.bd-search'))"
            "  .filter(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);"
            "                 return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'"
            "                        && !e.closest('.search-button__wrapper'); }).length")
        assert visible_search == 1, f"{visible_search} search boxes/buttons visible at {width} px"
        nav = page.locator("nav.bd-docs-nav")
        captions = [t.strip() for t in nav.locator(".caption-text").all_text_contents()]
        chapters = [t.strip() for t in nav.locator("li.toctree-l1 > a").all_text_contents()]
        assert len(chapters) >= 10, chapters
        assert len(chapters) == len(set(chapters)), chapters
        assert not set(captions) & set(chapters), f"captions repeat chapter titles: {set(captions) & set(chapters)}"
        if width == 1366:
            page.screenshot(path=screenshots / "book-1366.png")
        assert not watch.errors and not watch.external, (watch.errors, watch.external)
    finally:
        context.close()


def test_bibliography_links_each_article_to_its_doi_or_ads(book_html):
    """Every entry with a DOI links to it; every article without one in a journal that ADS indexes
    (first author, year, volume and page known) links to ADS."""
    from pybtex.database import parse_file

    from coursetools.bibstyle import ADS_JOURNALS

    entries = parse_file(REPO / "references.bib").entries.values()
    linkable = [e for e in entries if "doi" in e.fields or (
        e.type == "article" and e.fields.get("journal") in ADS_JOURNALS and e.persons.get("author")
        and all(e.fields.get(k) for k in ("year", "volume", "pages")))]
    astronomy = [e for e in entries if e.fields.get("journal") in ADS_JOURNALS]
    assert len(linkable) > 90 and len(astronomy) - len(linkable) < 3, (len(linkable), len(astronomy))
    html = (book_html / "bibliography.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(https://(?:doi\.org/|ui\.adsabs\.harvard\.edu/)[^"]+)"', html)
    assert len(links) == len(set(links)) == len(linkable), (len(links), len(set(links)), len(linkable))
    assert "{term}" not in html and "{doc}" not in html


# $$...$$ or $...$ (not \$, not $5 and $10 style prose: no space inside the delimiters), outside code
_SOURCE_MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$\w])\$(?=\S)[^$\n]+?(?<=\S)\$(?!\w)", re.S)


def _markdown_of(source):
    if source.suffix == ".ipynb":
        text = "\n".join(c.source for c in nbformat.read(source, as_version=4).cells if c.cell_type == "markdown")
    else:
        text = source.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def test_pages_whose_source_has_math_have_math_elements(book_html):
    """Math in a page's source reaches its HTML as the elements that MathJax typesets
    (test_every_page_renders_offline checks that each of them is typeset)."""
    from coursetools.course import toc_files

    with_math, missing = 0, []
    for source in toc_files(REPO / "toc.yml"):
        if not _SOURCE_MATH.search(_markdown_of(source)):
            continue
        with_math += 1
        page = book_html / source.relative_to(REPO).with_suffix(".html")
        if 'class="math' not in page.read_text(encoding="utf-8"):
            missing.append(source.relative_to(REPO).as_posix())
    assert with_math >= 10 and not missing, (with_math, missing)


# --- lecture mode: the slide decks of `make slides`, offline, on a 1280x720 projector ----------------

SLIDE_VIEWPORT = {"width": 1280, "height": 720}


class _DeckSlides(HTMLParser):
    """The leaf slides of a deck (a <section> with no <section> inside), in document order: for
    each, whether its text (not code) has math and whether it holds a widget's saved view."""

    def __init__(self):
        super().__init__()
        self.stack, self.leaves, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            if self.stack:
                self.stack[-1]["leaf"] = False
            self.stack.append({"leaf": True, "text": [], "widget": False})
        elif tag in ("pre", "code", "style", "script") and self.stack:
            self.skip += 1
            if tag == "script" and attrs.get("type") == "application/vnd.jupyter.widget-view+json":
                self.stack[-1]["widget"] = True

    def handle_endtag(self, tag):
        if tag == "section" and self.stack:
            slide = self.stack.pop()
            if slide["leaf"]:
                self.leaves.append({"math": bool(_SOURCE_MATH.search("".join(slide["text"]))),
                                    "widget": slide["widget"]})
        elif tag in ("pre", "code", "style", "script") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if self.stack and not self.skip:
            self.stack[-1]["text"].append(data)


def _deck_slides(path):
    parser = _DeckSlides()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.leaves


@pytest.fixture(scope="session")
def slide_decks(tmp_path_factory):
    """Every deck of `make slides`, built once, with the outputs from the jupyter-cache that make test
    filled (``ASTROLAB_SLIDES_CACHE``: another jupyter-cache folder)."""
    from coursetools.course import toc_notebooks
    from coursetools.slides import build_slides

    out, report = tmp_path_factory.mktemp("slides"), {}
    started = time.monotonic()
    decks = build_slides(out, toc_notebooks(), report=report,
                         cache=os.environ.get("ASTROLAB_SLIDES_CACHE", "default"))
    print(f"slides: {len(decks)} decks built in {time.monotonic() - started:.0f} s")
    without = [d.relative_to(out).as_posix() for d, r in report.items() if r["outputs"] != "cache"]
    if os.environ.get("ASTROLAB_BOOK_EXPECT_CACHED") == "1":
        assert not without, f"decks built without executed outputs (not in the jupyter-cache): {without}"
    return {"folder": out, "decks": decks, "report": report, "without_outputs": without}


@pytest.fixture(scope="session")
def slides_url(slide_decks):
    server = _QuietServer(("127.0.0.1", 0),
                          functools.partial(_QuietHandler, directory=str(slide_decks["folder"])))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


_DECK_READY = "() => window.astrolabReveal && astrolabReveal.isReady()"

# Every leaf slide, with all slides laid out (viewDistance), after the fit step of the deck: its
# height on the 1280x720 slide (its zoom included), code that runs off the right, math and widgets.
_MEASURE_SLIDES = """() => {
    const config = astrolabReveal.getConfig();
    const right = document.querySelector(".reveal .slides").getBoundingClientRect().right;
    const leaves = Array.from(document.querySelectorAll(".reveal .slides section"))
        .filter(s => !s.querySelector("section"));
    return leaves.map(s => {
        const zoom = parseFloat(getComputedStyle(s).zoom) || 1;
        const title = (s.querySelector("h1, h2, h3, h4") || {textContent: ""}).textContent.trim();
        const views = Array.from(s.querySelectorAll("script[type='application/vnd.jupyter.widget-view+json']"));
        return {
            title: title.replace(/¶$/, "").slice(0, 60),
            height: Math.round(s.scrollHeight * zoom),
            limit: config.height,
            tooWide: s.scrollWidth > s.clientWidth + 1 || s.getBoundingClientRect().right > right + 1,
            cutCode: Array.from(s.querySelectorAll("pre")).filter(p => p.scrollWidth > p.clientWidth + 1).length,
            zoom: zoom,
            math: s.querySelectorAll("mjx-container").length,
            mathErrors: s.querySelectorAll("mjx-merror").length,
            widgets: views.length,
            widgetsRendered: views.filter(v => { const e = v.previousElementSibling;
                return e && e.classList.contains("widget-subarea") && e.getBoundingClientRect().height > 0; }).length,
        };
    });
}"""

_WIDGET_VIEWS_RENDERED = """() => Array.from(document.querySelectorAll(
        "script[type='application/vnd.jupyter.widget-view+json']"))
    .every(s => { const v = s.previousElementSibling; return v && v.classList.contains("widget-subarea"); })"""


def test_every_slide_fits_a_projector_offline(browser, slide_decks, slides_url):
    """Every slide of every deck at 1280x720 with every non-local request blocked: no request leaves
    127.0.0.1, no JavaScript error; no slide taller than the screen, no code line cut at the right;
    math typeset on each slide whose text has math; each widget's saved view rendered; no stderr,
    download message or progress bar on any slide."""
    context = _offline_context(browser)
    watch = PageWatch(context)
    watch.page.set_viewport_size(SLIDE_VIEWPORT)
    problems, counts, zoomed, started = {}, {"slides": 0, "math": 0, "widgets": 0}, [], time.monotonic()
    try:
        for deck in slide_decks["decks"]:
            name = deck.relative_to(slide_decks["folder"]).as_posix()
            page = watch.goto(slides_url + name)
            page.wait_for_function(_DECK_READY, timeout=30_000)
            page.evaluate("() => MathJax.startup.promise")
            if page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
                try:
                    page.wait_for_function(_WIDGET_VIEWS_RENDERED, timeout=20_000)
                except Exception:
                    pass  # reported per slide below
            page.evaluate("() => { astrolabReveal.configure({viewDistance: 1000, transition: 'none'}); }")
            page.evaluate("() => astrolabFitAll()")
            slides = page.evaluate(_MEASURE_SLIDES)
            expected = _deck_slides(deck)
            assert len(expected) == len(slides), (name, len(expected), len(slides))
            issues = []
            for index, (slide, source) in enumerate(zip(slides, expected, strict=True)):
                where = f"slide {index + 1} '{slide['title']}'"
                if slide["height"] > slide["limit"]:
                    issues.append(f"{where}: {slide['height']} px tall (screen {slide['limit']} px)")
                if slide["tooWide"] or slide["cutCode"]:
                    issues.append(f"{where}: wider than the screen or a code line cut ({slide['cutCode']} <pre>)")
                if source["math"] and (not slide["math"] or slide["mathErrors"]):
                    issues.append(f"{where}: math in the source but {slide['math']} typeset, "
                                  f"{slide['mathErrors']} errors")
                if slide["widgets"] != slide["widgetsRendered"]:
                    issues.append(f"{where}: {slide['widgets'] - slide['widgetsRendered']} widget snapshot(s) empty")
                if slide["zoom"] < 1:
                    zoomed.append(f"{name} {where}: zoom {slide['zoom']}")
                counts["math"] += bool(slide["math"])
                counts["widgets"] += bool(slide["widgetsRendered"])
            counts["slides"] += len(slides)
            text = page.locator(".reveal .slides").inner_text()
            issues += [f"shows {m.group(0)!r}" for m in
                       re.finditer(r"Downloading data from|\d+%\|[\u2580-\u259f #]*\||it/s\]|\w+Warning:", text)]
            issues += [f"external request: {url}" for url in watch.external] + watch.errors
            if issues:
                problems[name] = issues
    finally:
        context.close()
    print(f"slides: {counts} checked in {time.monotonic() - started:.0f} s; "
          f"{len(zoomed)} slides shrunk to fit by the deck: {zoomed[:20]}")
    assert not problems, json.dumps(problems, indent=1)
    assert counts["slides"] > 300 and counts["math"] >= 20 and counts["widgets"] >= 1, counts


def test_slides_keyboard_math_and_widget_snapshot(browser, slide_decks, slides_url, screenshots):
    """Arrow keys move between slides and down into subslides; screenshots of a slide with math and
    of a slide with a widget's saved view (the welcome notebook's blackbody explorer)."""
    deck = next(d for d in slide_decks["decks"] if d.name.startswith("01-how-to-use-this-course"))
    name = deck.relative_to(slide_decks["folder"]).as_posix()
    leaves = _deck_slides(deck)
    math_slide = next(i for i, s in enumerate(leaves) if s["math"])
    widget_slide = next(i for i, s in enumerate(leaves) if s["widget"])
    context = _offline_context(browser)
    try:
        watch = PageWatch(context)
        watch.page.set_viewport_size(SLIDE_VIEWPORT)
        page = watch.goto(slides_url + name)
        page.wait_for_function(_DECK_READY, timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")
        indices = "() => { const i = astrolabReveal.getIndices(); return [i.h, i.v]; }"
        assert page.evaluate(indices) == [0, 0]
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => astrolabReveal.getIndices().h === 1", timeout=5_000)
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => astrolabReveal.getIndices().h === 0", timeout=5_000)
        # the first slide with a subslide below it: ArrowDown goes there, ArrowUp back
        column = page.evaluate("() => Array.from(document.querySelectorAll('.reveal .slides > section'))"
                               "  .findIndex(s => s.querySelectorAll(':scope > section').length > 1)")
        assert column >= 0, "no slide has a subslide"
        page.evaluate(f"() => astrolabReveal.slide({column}, 0)")
        page.keyboard.press("ArrowDown")
        page.wait_for_function(f"() => astrolabReveal.getIndices().h === {column} && "
                               "astrolabReveal.getIndices().v === 1", timeout=5_000)
        page.keyboard.press("ArrowUp")
        page.wait_for_function("() => astrolabReveal.getIndices().v === 0", timeout=5_000)

        go = """i => { const leaves = Array.from(document.querySelectorAll('.reveal .slides section'))
                         .filter(s => !s.querySelector('section'));
                       const ix = astrolabReveal.getIndices(leaves[i]); astrolabReveal.slide(ix.h, ix.v); }"""
        page.evaluate(go, math_slide)
        page.wait_for_timeout(1_000)  # the slide transition
        assert page.locator(".reveal section.present mjx-container").count() > 0
        page.screenshot(path=screenshots / "slides-math.png")
        page.evaluate(go, widget_slide)
        page.wait_for_function(_WIDGET_VIEWS_RENDERED, timeout=20_000)
        page.wait_for_timeout(1_000)
        view = page.locator(".reveal section.present .widget-subarea").first
        assert view.locator(".widget-slider").count() > 0 and view.locator("img").count() > 0
        page.screenshot(path=screenshots / "slides-widget.png")
        assert not watch.external and not watch.errors, (watch.external, watch.errors)
    finally:
        context.close()


def test_rise_presents_the_notebook_as_live_slides(browser, jupyterlab, screenshots):
    """Live lecture mode: in JupyterLab, View > Render as Reveal Slideshow (jupyterlab-rise) opens the
    welcome notebook as slides made by its cells' slideshow metadata, on the notebook's kernel; the
    blackbody explorer's cell runs on its slide and so does the cell that drives its slider from code;
    the explorer renders live on the slide (thanks to the labextension astrolab-rise-widgets), and
    moving its slider there redraws the figure and the Wien's-law line (the kernel's callback)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    notebook = nbformat.read(REPO / f"{WELCOME}.ipynb", as_version=4)
    slides = sum(c.metadata.get("slideshow", {}).get("slide_type") == "slide" for c in notebook.cells)
    explorer_cell = next(i for i, c in enumerate(notebook.cells) if "blackbody_explorer(" in c.source)
    (screenshots / "lab-rise-failure.png").unlink(missing_ok=True)
    context = _offline_context(browser)
    watch = PageWatch(context)
    page = watch.page
    try:
        _open_and_run_all(page, jupyterlab)
        # RISE starts at the active cell: the explorer's
        page.locator(".jp-Notebook .jp-Cell").nth(explorer_cell).locator(".jp-InputPrompt").click()
        page.get_by_role("menuitem", name="View", exact=True).click()
        page.get_by_role("menuitem", name="Render as Reveal Slideshow").click()
        frame = page.frame_locator("iframe[src*='rise/']")
        present = frame.locator(".reveal .slides > section.present")
        present.wait_for(timeout=60_000)
        assert frame.locator(".reveal .slides > section").count() == slides > 5
        cell = present.locator(".jp-CodeCell", has_text="blackbody_explorer(").first
        cell.wait_for(timeout=15_000)
        # run the explorer's cell, then the next one (Shift+Enter moves on), as a lecturer does
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        driven = frame.locator(".jp-CodeCell", has_text="explorer.slider.value = 10_000").first
        driven.locator(".jp-InputPrompt", has_text=re.compile(r"\[\d+\]")).wait_for(timeout=30_000)
        page.keyboard.press("Shift+Enter")
        driven.locator(".jp-OutputArea-output", has_text="290 nm").wait_for(timeout=30_000)
        slider = cell.locator(".widget-slider .noUi-handle").first
        try:
            slider.wait_for(timeout=30_000)
        except PlaywrightTimeoutError:
            raise AssertionError(
                "the explorer's widget did not render on the slide: is the labextension "
                "astrolab-rise-widgets installed (make lab / make test copy it into .venv)? Without it "
                "jupyterlab-rise 0.43.1 cannot load the ipywidgets 8 manager (jupyterlab-contrib/rise#119)") from None
        figure = cell.locator(".widget-vbox img").first
        readout = cell.locator(".widget-readout").first
        wien = cell.locator(".widget-html-content", has_text="Wien").first
        figure.wait_for(timeout=30_000)
        page.wait_for_timeout(2_000)  # the cells that ran may still be redrawing the figure
        before, before_readout, before_wien = figure.get_attribute("src"), readout.inner_text(), wien.inner_text()
        # A click on the slider's track moves its handle there (a drag's release inside RISE's iframe
        # is not seen by the slider under playwright: the handle moves but the value is only sent at
        # the next click).
        track = cell.locator(".widget-slider .noUi-base").first
        box = track.bounding_box()
        page.mouse.click(box["x"] + 0.2 * box["width"], box["y"] + box["height"] / 2)
        deadline, after = time.monotonic() + 30, before
        while after == before and time.monotonic() < deadline:
            page.wait_for_timeout(250)
            after = figure.get_attribute("src")
        frame.locator(".reveal").screenshot(path=screenshots / "lab-rise-slider-moved.png")
        assert readout.inner_text() != before_readout, "the slider did not move on the slide"
        assert after != before, "moving the slider on the slide did not redraw the figure"
        assert wien.inner_text() != before_wien, f"the Wien's-law line did not follow the slider: {before_wien}"
        # RISE's default reveal.js theme loads Google Fonts: the Makefile sets the theme "white" (overrides.json)
        assert not watch.external, f"RISE made external requests: {sorted(set(watch.external))}"
    except BaseException:
        page.screenshot(path=screenshots / "lab-rise-failure.png")
        print(jupyterlab["log"].read_text()[-3000:])
        raise
    finally:
        print(f"RISE: {len(watch.external)} external requests blocked: {sorted(set(watch.external))}")
        context.close()
