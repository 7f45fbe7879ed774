"""Lecture mode: slide metadata on every cell, and reveal.js decks that build."""

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from jupyter_cache.base import CacheBundleIn
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursetools.course import annotate_slides, build_slides, main, strip_solutions
from coursetools.slides import SIZES, annotate_notebook, clean_outputs, estimate_height, fit_slides, slide_types

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
SMALL = REPO / "notebooks" / "00-welcome" / "01-how-to-use-this-course.ipynb"


def _course_notebook():
    cells = [
        new_markdown_cell("# Title 特徴量\n\n**You will learn**"),                      # slide
        new_code_cell("import astrolab as al"),                                         # -
        new_markdown_cell("## 1. Data"),                                                # slide
        new_code_cell("plt.plot(x)\nplt.show()"),                                       # -
        new_markdown_cell("### A detail"),                                              # subslide
        new_markdown_cell("Text, then\n\n## 2. A heading inside a cell"),               # - (split in decks)
        new_markdown_cell("```{important}\nRead {term}`深層学習 <deep learning>`.\n```"),  # -
        new_code_cell("assert True"),                                                   # skip
        new_markdown_cell("```{exercise-start} Try it\n:label: e1\n```"),              # subslide
        new_code_cell("answer = ..."),                                                  # -
        new_markdown_cell("```{exercise-end}\n```"),                                    # skip
        new_markdown_cell("```{solution-start} e1\n:class: dropdown\n```"),            # skip
        new_markdown_cell("The trick is..."),                                           # notes
        new_code_cell("answer = 42"),                                                   # notes
        new_markdown_cell("```{solution-end}\n```"),                                    # skip
        new_markdown_cell("## Further reading"),                                        # slide
        new_code_cell("x = 'hand-set'"),                                                # fragment (hand-set)
    ]
    cells[7].metadata["tags"] = ["remove-cell"]
    cells[13].metadata["tags"] = ["solution"]
    cells[16].metadata["slideshow"] = {"slide_type": "fragment"}
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


EXPECTED = ["slide", "-", "slide", "-", "subslide", "-", "-", "skip", "subslide", "-", "skip", "skip",
            "notes", "notes", "skip", "slide", "fragment"]


def _write_like_the_repo(nb, path):
    path.write_text(json.dumps(nbformat.from_dict(nb), indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                    encoding="utf-8")


def test_slide_types_of_a_course_notebook():
    assert slide_types(_course_notebook()) == EXPECTED


def test_annotate_notebook_keeps_hand_set_types_and_the_input():
    nb = _course_notebook()
    out = annotate_notebook(nb)
    assert [c.metadata.slideshow.slide_type for c in out.cells] == EXPECTED
    assert "slideshow" not in nb.cells[0].metadata  # the input is not modified
    assert list(out.cells[13].metadata) == ["slideshow", "tags"]  # sorted, as nbformat writes them
    assert annotate_notebook(out) == out


def test_annotate_slides_is_idempotent_and_changes_only_metadata(tmp_path):
    path = tmp_path / "nb.ipynb"
    _write_like_the_repo(_course_notebook(), path)
    before = path.read_text(encoding="utf-8")
    assert annotate_slides(path) == len(EXPECTED) - 1  # every cell but the hand-set one
    after = path.read_bytes()
    assert annotate_slides(path) == 0
    assert path.read_bytes() == after
    text = after.decode("utf-8")
    assert "特徴量" in text and text.endswith("}\n") and text.startswith('{\n "cells": [\n  {\n')
    raw = json.loads(text)
    assert [c["metadata"]["slideshow"]["slide_type"] for c in raw["cells"]] == EXPECTED
    for cell in raw["cells"][:-1]:
        del cell["metadata"]["slideshow"]
    assert raw == json.loads(before)
    assert not list(tmp_path.glob("*.tmp"))
    nbformat.validate(nbformat.read(path, as_version=4))


def test_annotate_slides_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="notebook_path"):
        annotate_slides(tmp_path / "missing.ipynb")
    nb = _course_notebook()
    nb.cells[0].metadata["slideshow"] = {"slide_type": "title"}
    with pytest.raises(ValueError, match="slide_type 'title'"):
        slide_types(nb)
    nb = new_notebook(cells=[new_markdown_cell("```{solution-start} a\n```") for _ in range(2)])
    with pytest.raises(ValueError, match="inside another"):
        slide_types(nb)


class _Sections(HTMLParser):
    """Count reveal.js slides (top-level <section>) and all slides (nested <section>)."""

    def __init__(self):
        super().__init__()
        self.depth, self.top, self.nested, self.notes = 0, 0, 0, 0

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.depth += 1
            self.top += self.depth == 1
            self.nested += self.depth == 2
        if tag == "aside" and ("class", "notes") in attrs:
            self.notes += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1


def _sections(html):
    parser = _Sections()
    parser.feed(html)
    assert parser.depth == 0, "unbalanced <section> tags"
    return parser


def test_deck_of_a_synthetic_notebook(tmp_path):
    path = tmp_path / "course.ipynb"
    nbformat.write(_course_notebook(), path)
    (deck,) = build_slides(tmp_path / "slides", [path])
    assert deck == tmp_path / "slides" / "course.slides.html"
    html = deck.read_text(encoding="utf-8")
    sections = _sections(html)
    # slides: Title, 1. Data, "## 2." split off its cell, Further reading; plus 2 subslides
    assert (sections.top, sections.nested) == (4, 6)
    assert sections.notes >= 1
    notes = html[html.index('<aside class="notes">'):]
    assert "The trick is" in notes[:notes.index("</aside>")]  # solutions go to the speaker view
    assert "{exercise-start}" not in html and "Exercise: Try it" in html
    assert "{important}" not in html and "{term}" not in html and "深層学習" in html
    assert "assert True" not in html  # remove-cell is dropped
    index = (tmp_path / "slides" / "index.html").read_text(encoding="utf-8")
    assert 'href="course.slides.html"' in index
    # offline: every script and style sheet from _static/ beside the decks, none from another host
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    assert "unpkg.com" not in html and "cdnjs" not in html and "mermaid" not in html and "jquery" not in html
    for asset in ("reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css", "reveal.js/dist/theme/white.css",
                  "reveal.js/plugin/notes/notes.js", "requirejs/require.js", "jupyter-widgets/embed-amd.js",
                  "mathjax/tex-chtml.js", "astrolab-widgets.js"):
        assert (tmp_path / "slides" / "_static" / asset).is_file(), asset
    assert '"_static/reveal.js/dist/reveal"' in html and '"_static/mathjax/tex-chtml.js"' in html
    assert "width: 1280" in html and "height: 720" in html


def test_deck_with_cdn_assets_when_not_offline(tmp_path):
    (deck,) = build_slides(tmp_path, [SMALL], offline=False, cache=None)
    assert "https://unpkg.com/reveal.js" in deck.read_text(encoding="utf-8")
    assert not (tmp_path / "_static").exists()


def test_deck_of_a_real_notebook_has_one_section_per_heading(tmp_path):
    nb = strip_solutions(nbformat.read(SMALL, as_version=4))
    headings, fence = 0, None
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        for line in cell.source.split("\n"):
            match = re.match(r"^\s*(`{3,}|~{3,}|:{3,})", line)
            if match and fence is None:
                fence = match.group(1)
            elif fence is not None and line.strip() == fence:
                fence = None
            elif fence is None and re.match(r"^##? ", line):
                headings += 1
    (deck,) = build_slides(tmp_path, [SMALL], assets={"reveal_url_prefix": "reveal.js"})
    assert deck == tmp_path / "00-welcome" / "01-how-to-use-this-course.slides.html"
    html = deck.read_text(encoding="utf-8")
    assert _sections(html).top == headings > 3  # long sections continue on subslides, not new slides
    assert '"../reveal.js/dist/reveal"' in html  # the asset given, relative to the deck
    assert '"../_static/requirejs/require.js"' in html


def test_build_slides_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="notebooks"):
        build_slides(tmp_path, [tmp_path / "missing.ipynb"])
    with pytest.raises(ValueError, match="notebooks"):
        build_slides(tmp_path, [])
    with pytest.raises(ValueError, match="assets"):
        build_slides(tmp_path, [SMALL], assets={"reveal": "x"})
    with pytest.raises(ValueError, match="cache"):
        build_slides(tmp_path, [SMALL], cache=tmp_path)
    with pytest.raises(TypeError, match="offline"):
        build_slides(tmp_path, [SMALL], offline="yes")


def test_command_line(tmp_path, capsys):
    assert main(["slides", "--out", str(tmp_path), "--filter", "00-welcome/01-"]) == 0
    assert (tmp_path / "00-welcome" / "01-how-to-use-this-course.slides.html").is_file()
    path = tmp_path / "nb.ipynb"
    _write_like_the_repo(_course_notebook(), path)
    assert main(["annotate-slides", str(path)]) == 0
    assert "1 of 1 notebooks changed" in capsys.readouterr().out
    assert main(["annotate-slides", str(path)]) == 0
    assert "0 of 1 notebooks changed" in capsys.readouterr().out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(REPO / "notebooks")) for p in NOTEBOOKS])
def test_every_cell_has_slide_metadata(path):
    """Run `python -m coursetools.course annotate-slides` after adding or splitting cells."""
    nb = nbformat.read(path, as_version=4)
    missing = [cell.get("id", i) for i, cell in enumerate(nb.cells)
               if "slide_type" not in cell.metadata.get("slideshow", {})]
    assert not missing, (f"{path.name}: cells {missing} have no slide metadata; "
                         "run `python -m coursetools.course annotate-slides`")


# --- what reaches a slide, and slides that fit the screen ---------------------------------------------

def _stream(name, text):
    return nbformat.v4.new_output("stream", name=name, text=text)


def _widget_notebook():
    """A notebook with a slider widget and a tqdm-style progress bar in its saved widget state."""
    state = {
        "box": {"model_name": "VBoxModel", "model_module": "@jupyter-widgets/controls",
                "state": {"children": ["IPY_MODEL_slider"]}},
        "slider": {"model_name": "FloatSliderModel", "model_module": "@jupyter-widgets/controls", "state": {}},
        "bar": {"model_name": "HBoxModel", "model_module": "@jupyter-widgets/controls",
                "state": {"children": ["IPY_MODEL_label", "IPY_MODEL_progress"]}},
        "label": {"model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls", "state": {"value": "50%"}},
        "progress": {"model_name": "FloatProgressModel", "model_module": "@jupyter-widgets/controls", "state": {}},
    }

    def view(model_id):
        return nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": model_id, "version_major": 2, "version_minor": 0},
            "text/plain": "widget"})

    cells = [new_markdown_cell("# Data"),
             new_code_cell("load()", outputs=[
                 _stream("stderr", "Downloading data from 'https://example.org/x.fits' to file '/tmp/x'.\n"),
                 _stream("stdout", "Downloading data from https://example.org/y\n42 stars\n"),
                 _stream("stdout", "  0%|          | 0/10\r100%|##########| 10/10 [00:01<00:00,  9.9it/s]\n"),
                 view("bar"), view("box")])]
    return new_notebook(cells=cells, metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {
        "state": state, "version_major": 2, "version_minor": 0}}})


def test_clean_outputs_keeps_results_and_drops_progress():
    nb = _widget_notebook()
    assert clean_outputs(nb) == 4
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["stream", "display_data"]
    assert outputs[0].text == "42 stars\n"
    assert outputs[1].data["application/vnd.jupyter.widget-view+json"]["model_id"] == "box"  # the slider stays
    assert clean_outputs(nb) == 0


def _groups(nb):
    groups = [[]]
    for cell in nb.cells:
        if cell.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide") and groups[-1]:
            groups.append([])
        groups[-1].append(cell)
    return groups


def test_fit_slides_spreads_a_long_slide_over_continuation_subslides():
    code = "\n".join(f"x{i} = {i}  # line {i}" for i in range(80))
    text = "\n\n".join(f"Paragraph {i}: " + "words " * 40 for i in range(12))
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {i} | {i * i} |" for i in range(40))
    long_output = _stream("stdout", "".join(f"result {i}\n" for i in range(90)))
    nb = annotate_notebook(new_notebook(cells=[
        new_markdown_cell("## A long section"), new_markdown_cell(text), new_code_cell(code, outputs=[long_output]),
        new_markdown_cell(table), new_markdown_cell("## Short"), new_code_cell("y = 1")]))
    before = [c.source for c in nb.cells]
    added = fit_slides(nb)
    assert added >= 6
    groups = _groups(nb)
    assert len(groups) == 2 + added
    for group in groups:
        assert sum(estimate_height(c) for c in group) <= SIZES["budget"], [c.source[:40] for c in group]
    continued = [g[0].source for g in groups if g[0].metadata.get("tags") == ["continued"]]
    assert continued and all(s == "### A long section (continued)" for s in continued)
    # nothing lost: the code's lines, the paragraphs, the table rows (each part of the table with its
    # header) and the output lines are all there, in order
    sources = [c.source for c in nb.cells if c.metadata.get("tags") != ["continued"]]
    assert "\n".join(s for s in sources if s.startswith("x")) == code
    assert all(f"Paragraph {i}:" in "".join(sources) for i in range(12))
    tables = [s for s in sources if s.startswith("| a | b |")]
    assert len(tables) >= 2 and sum(s.count("\n") - 1 for s in tables) == 40
    printed = "".join(o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert printed == long_output.text
    assert [c.source for c in groups[-1]] == before[-2:]  # a short slide is left alone
    assert fit_slides(nb) == 0


def test_deck_takes_outputs_from_the_jupyter_cache(tmp_path):
    from jupyter_cache import get_cache

    nb = new_notebook(cells=[new_markdown_cell("# Cached"), new_code_cell("print('hello')")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path = tmp_path / "cached.ipynb"
    nbformat.write(nb, path)
    executed = copy.deepcopy(nb)
    executed.cells[1].outputs = [_stream("stdout", "hello from the cache\n"),
                                 _stream("stderr", "Downloading data from somewhere\n")]
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(executed, uri=str(path)), check_validity=False)
    report = {}
    (deck,) = build_slides(tmp_path / "slides", [path], cache=tmp_path / "cache", report=report)
    html = deck.read_text(encoding="utf-8")
    assert "hello from the cache" in html and "Downloading" not in html
    assert report[deck]["outputs"] == "cache"
    (deck,) = build_slides(tmp_path / "slides", [path], cache=None, report=report)
    assert "hello from the cache" not in deck.read_text(encoding="utf-8") and report[deck]["outputs"] == "none"
