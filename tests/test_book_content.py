"""The book's reference pages (glossary, bibliography) and the alt text of notebook figures."""

import json
import re
from pathlib import Path

import pytest

from coursetools.alt_text import annotate_alt_text, figure_alt_text, has_alt_text, is_figure_cell
from coursetools.course import toc_files

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
GLOSSARY = REPO / "glossary.md"
BIBLIOGRAPHY = REPO / "bibliography.md"
BIBFILE = REPO / "references.bib"


def _glossary_terms():
    text = GLOSSARY.read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    # Terms are the unindented lines of the directive's body (options start with ':').
    return [line.strip() for line in body.splitlines()
            if line.strip() and not line.startswith((" ", ":"))]


def _bib_keys():
    return re.findall(r"^@\w+\{([^,\s]+),", BIBFILE.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_reference_pages_are_in_the_book():
    listed = {p.relative_to(REPO).with_suffix("").as_posix() for p in toc_files(REPO / "toc.yml")}
    assert {"glossary", "bibliography"} <= listed, "add glossary and bibliography to toc.yml"
    config = (REPO / "jupyter-book.yml").read_text(encoding="utf-8")
    assert "references.bib" in config, "jupyter-book.yml must list references.bib in bibtex_bibfiles"
    assert "```{bibliography}\n:all:" in BIBLIOGRAPHY.read_text(encoding="utf-8")


@pytest.mark.parametrize("term", ["特徴量", "誤差逆伝播法", "深層学習", "機械学習", "次元削減", "主成分分析",
                                  "スパースモデリング", "過学習", "正則化", "ベイズ推定", "尤度", "事前分布",
                                  "事後分布", "マルコフ連鎖モンテカルロ法", "ニューラルネットワーク", "畳み込み"])
def test_glossary_has_the_japanese_terms_of_the_talk(term):
    assert term in _glossary_terms(), f"{term} is not a glossary term"


def test_glossary_size_and_unique_terms():
    terms = _glossary_terms()
    assert len(terms) == len({t.casefold() for t in terms}), "a glossary term is defined twice"
    for english in ["feature", "backpropagation", "deep learning", "likelihood", "evidence", "LASSO",
                    "nested sampling", "DBSCAN", "LRP", "log-loss", "fourth paradigm", "blind test"]:
        assert english in terms, english
    entries = re.split(r"\n\n(?=\S)", GLOSSARY.read_text(encoding="utf-8").split("```{glossary}")[1])
    assert 40 <= len(entries) - 1 <= 60


def test_doc_links_of_the_reference_pages_exist():
    for page in (GLOSSARY, BIBLIOGRAPHY, REPO / "intro.md"):
        for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", page.read_text(encoding="utf-8")):
            base = (page.parent / target)
            assert base.with_suffix(".ipynb").is_file() or base.with_suffix(".md").is_file(), (
                f"{page.name}: {{doc}} link to missing page {target}")


def test_bib_keys_are_unique_and_well_formed():
    keys = _bib_keys()
    assert len(keys) >= 100
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"duplicate BibTeX keys: {duplicates}"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys), keys
    pybtex = pytest.importorskip("pybtex.database")
    data = pybtex.parse_file(str(BIBFILE))
    assert sorted(data.entries) == sorted(keys)
    for key, entry in data.entries.items():
        assert "title" in entry.fields, key
        assert entry.persons.get("author") or entry.persons.get("editor"), key


def test_bib_notes_name_existing_notebooks():
    chapters = {int(p.parent.name[:2]): p.parent for p in NOTEBOOKS}
    for numbers in re.findall(r"Course notebooks? ([0-9., ]+)\}", BIBFILE.read_text(encoding="utf-8")):
        for number in numbers.split(","):
            chapter, notebook = (int(x) for x in number.strip().split("."))
            assert list(chapters[chapter].glob(f"{notebook:02d}-*.ipynb")), number


# Words with which a reference admits that it was left blank.
_BLANK_REFERENCE = re.compile(r"could not be checked|not given here|details (?:are )?unknown|\bTODO\b|\?\?\?",
                              re.IGNORECASE)


def test_no_reference_is_left_blank():
    """The rendered text never shows a blank reference: no notebook's Markdown (which is what the book
    renders) and no BibTeX entry says that its details are missing, and the talk's papers that chapter 6
    cites by name give their journal, volume and page."""
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert not _BLANK_REFERENCE.search(text), f"{path.name}: {_BLANK_REFERENCE.search(text)[0]!r}"
    assert not _BLANK_REFERENCE.search(BIBFILE.read_text(encoding="utf-8"))
    pybtex = pytest.importorskip("pybtex.database")
    entries = pybtex.parse_file(str(BIBFILE)).entries
    for key in ("tajiri2020", "tadaki2020", "leung2019", "hon2017"):
        assert entries[key].type == "article", key
        assert {"journal", "volume", "pages", "year"} <= {f.lower() for f in entries[key].fields}, key


# --- alt text -------------------------------------------------------------------------------

def _cell(cell_type, source, **metadata):
    cell = {"cell_type": cell_type, "id": f"c{abs(hash(source)) % 10**8:08d}", "metadata": metadata,
            "source": source.splitlines(keepends=True)}
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


@pytest.fixture
def synthetic(tmp_path):
    cells = [
        _cell("markdown", "# Titel: 特徴量\n\n## 2. Data: the light curve"),
        _cell("code", 'fig, ax = plt.subplots()\nax.plot(t, f)\nax.set_title("Flux rises, then fades")\n'
                      'fig.suptitle(f"Star {name}: a supernova")\nplt.show()'),
        _cell("code", '%matplotlib inline\nplt.plot(t, f)\nplt.xlabel("time [d]")\nplt.ylabel("flux [Jy]")\n'
                      'plt.show()'),
        _cell("code", 'ax.imshow(img)\nax.set_title("auto")\nplt.show()',
              mystnb={"image": {"alt": "Hand-written: a barred spiral galaxy"}}),
        _cell("code", 'plt.plot(x)\nplt.title("Checked, never shown")\nplt.show()', tags=["remove-cell"]),
        _cell("code", "print(1)"),
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                       "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "synthetic.ipynb"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_annotate_alt_text_sets_alt_from_titles_and_headings(synthetic):
    changed = annotate_alt_text(synthetic)
    cells = json.loads(synthetic.read_text(encoding="utf-8"))["cells"]
    assert changed == [cells[1]["id"], cells[2]["id"]]
    alt = [c["metadata"].get("mystnb", {}).get("image", {}).get("alt") for c in cells]
    assert alt[1] == "Star …: a supernova; Flux rises, then fades"
    assert alt[2] == "Figure for the section '2. Data: the light curve', plotting flux [Jy] against time [d]"
    assert alt[3] == "Hand-written: a barred spiral galaxy", "hand-written alt text must be kept"
    assert alt[4] is None and alt[5] is None, "hidden or figure-less cells need no alt text"


def test_annotate_alt_text_is_idempotent_and_keeps_the_json_layout(synthetic):
    annotate_alt_text(synthetic)
    once = synthetic.read_bytes()
    assert annotate_alt_text(synthetic) == []
    assert synthetic.read_bytes() == once
    text = once.decode("utf-8")
    assert text.endswith("}\n") and "特徴量" in text and '\n "cells": [\n  {\n' in text
    assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"


def test_annotate_alt_text_rejects_what_is_not_a_notebook(tmp_path):
    with pytest.raises(ValueError, match="notebook_path"):
        annotate_alt_text(tmp_path / "missing.ipynb")
    (tmp_path / "notes.md").write_text("# no", encoding="utf-8")
    with pytest.raises(ValueError, match="notebook_path"):
        annotate_alt_text(tmp_path / "notes.md")


def test_figure_alt_text_cleans_mathtext_and_skips_bare_values():
    cells = [_cell("markdown", "## Section"),
             _cell("code", 'ax.set(title=r"$T_\\mathrm{eff}$ against [Fe/H]")\nax2.set_title(f"{name}")\n'
                           'ax.legend(title="Legend title words")\nplt.show()')]
    assert figure_alt_text(cells, 1) == "T_eff against [Fe/H]"
    with pytest.raises(ValueError, match="index"):
        figure_alt_text(cells, 2)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_figure_in_the_notebooks_has_alt_text(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    missing = [c.get("id") for c in cells if is_figure_cell(c) and not has_alt_text(c)]
    assert not missing, (f"{path.name}: figure cells {missing} have no alt text; "
                         "run `python -m coursetools.alt_text notebooks`")
