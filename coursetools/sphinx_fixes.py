"""Work-arounds for bugs in the pinned Sphinx stack, loaded by jupyter-book.yml (sphinx: extra_extensions).

Sphinx < 8.2 adds every inline script registered after ``Builder.init()`` twice (a ``None`` and a
``''`` filename compare unequal; fixed upstream in sphinx-doc/sphinx#13402). sphinx-thebe's inline
``const THEBE_JS_URL = ...`` then throws "Identifier 'THEBE_JS_URL' has already been declared" on
every page. Drop the duplicates before the page is rendered.
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = tuple(sorted(getattr(script, "attributes", {}).items()))
        key = (getattr(script, "filename", script) or "", attributes)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
