"""The documentation site builds offline, runs its examples, and loads nothing from outside."""

from __future__ import annotations

import html
import inspect
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from docs_build import DOCS, REPO, built_docs

from nextround import content as content_module

pytestmark = pytest.mark.slow

PAGES = ["index", "getting-started-counsellors", "getting-started-clients",
         "guides/own-notebook", "guides/own-step", "content-reference", "api", "changelog",
         "report", "reliability", "performance", "accessibility", "judgement"]
#: Attributes through which a page loads something (a link's href is not a load).
LOADS = re.compile(r"<(script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=\"([^\"]*)\""
                   r"|<link\b[^>]*\bhref=\"([^\"]*)\"", re.I)


def page_text(name: str) -> str:
    return (built_docs().html / f"{name}.html").read_text(encoding="utf-8")


def visible_text(name: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", page_text(name)))
    return re.sub(r"\s+", " ", text)


def test_the_site_builds_with_warnings_as_errors():
    built = built_docs()
    print(f"documentation build: {built.seconds:.0f} s")
    for name in PAGES:
        assert (built.html / f"{name}.html").is_file(), f"{name} was not built"


def test_nothing_is_loaded_from_outside():
    built = built_docs()
    for page in built.html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in LOADS.finditer(text):
            url = match.group(2) or match.group(3)
            assert not re.match(r"^(https?:)?//", url), f"{page.name} loads {url}"
            for name in ("mathjax", "require", "fonts", "plotly", "widget"):
                assert name not in url.lower(), f"{page.name} loads {url}"
    for sheet in built.html.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), f"{sheet.name} loads a URL"
        assert "@import" not in text or not re.search(r"@import\s+url\(\s*['\"]?https?:", text)


def test_the_guides_were_executed_and_show_what_was_saved():
    notebook = visible_text("guides/own-notebook")
    assert "Northwind Traders - Data analyst - rejected" in notebook
    assert "{'scenario': 'skill_gap'}" in notebook
    assert "Data is kept in the SQLite file" in notebook
    step = visible_text("guides/own-step")
    assert step.count("Bring one story about working with data under time pressure.") >= 3


def test_the_content_reference_names_every_field_of_every_content_model():
    text = visible_text("content-reference")
    for filename in content_module.FILES:
        assert f"content/{filename}" in text
    seen: list = []
    for model in content_module.FILES.values():
        _collect(model, seen)
    for model in seen:
        assert model.__name__ in text, f"{model.__name__} is missing"
        for name, info in model.model_fields.items():
            assert f"{info.alias or name}" in text, f"{model.__name__}.{name} is missing"
    assert "matches ^[a-z][a-z0-9_]*$" in text


def _collect(model, seen: list) -> None:
    if model in seen:
        return
    seen.append(model)
    for info in model.model_fields.values():
        for found in _models(info.annotation):
            _collect(found, seen)


def _models(annotation) -> list:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_the_api_reference_documents_every_public_name():
    import nextround
    import nextround.components

    text = page_text("api")
    for module in (nextround, nextround.components):
        for name in module.__all__:
            if name != "__version__":
                assert f'id="{module.__name__}.{name}"' in text, f"{name} is not documented"


def test_the_api_reference_shows_each_classs_traits_events_saves_and_example():
    """The reference sections reach the page, their markup rendered (no raw roles)."""
    import nextround.components

    text = page_text("api")
    for name in nextround.components.__all__:
        start = text.find(f'id="nextround.components.{name}"')
        if name in ("saves", "labelled", "typed", "chosen"):
            continue
        block = text[start:text.find('<dl class="py class', start + 1)]
        shown = html.unescape(re.sub(r"<[^>]+>", "", block))
        doc = inspect.getdoc(getattr(nextround.components, name))
        headings = re.findall(r"^(\w+)\n-+$", doc, re.M)
        assert {"Parameters", "Events", "Saves", "Example"} <= set(headings), name
        for heading in headings:
            assert heading in shown, f"{name}'s reference shows no {heading}"
        assert "&gt;&gt;&gt;" in block or ">>>" in shown, f"{name}'s example is not shown"
        assert ":class:`" not in shown and "``" not in shown, f"raw markup in {name}'s reference"


def test_the_existing_notes_are_included_where_they_are():
    for note in ("reliability", "performance", "accessibility", "judgement"):
        first = (DOCS / f"{note}.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
        assert html.escape(first, quote=False) in page_text(note)


def test_a_broken_example_fails_the_build(tmp_path: Path):
    """The site's own settings, with one example that raises: the build must fail."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        "from runpy import run_path\n"
        f"globals().update(run_path({str(DOCS / 'conf.py')!r}))\n")
    (source / "index.md").write_text("# Broken\n\n```{toctree}\nbroken\n```\n")
    (source / "broken.md").write_text(
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n"
        "---\n\n# An example that fails\n\n```{code-cell} ipython3\n"
        "raise RuntimeError('this example is broken')\n```\n")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                             str(source), str(tmp_path / "out")], capture_output=True,
                            text=True, cwd=REPO, timeout=300)
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "ExecutionError" in said and "broken.md" in said, said[-2000:]


def test_nextround_docs_says_plainly_when_sphinx_is_missing(tmp_path: Path):
    """Without the docs extra the command says what to install, in one line."""
    blocker = tmp_path / "sphinx"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('no sphinx here')\n")
    code = ("import importlib.util, sys\n"
            "real = importlib.util.find_spec\n"
            "importlib.util.find_spec = lambda name, *a: None if name == 'sphinx' "
            "else real(name, *a)\n"
            "from nextround.cli import main\n"
            "sys.exit(main(['docs', '-o', sys.argv[1]]))\n")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == ("nextround docs: building the documentation needs the "
                                     "docs extra: pip install -e '.[docs]'")
    assert not (tmp_path / "out").exists()


def test_nextround_docs_outside_a_checkout_says_where_to_build(tmp_path: Path, monkeypatch,
                                                              capsys):
    """An installed wheel has no docs sources: one plain line, no traceback."""
    import nextround.paths
    from nextround.cli import main

    monkeypatch.setattr(nextround.paths, "CHECKOUT_DIR", tmp_path)
    assert main(["docs"]) == 1
    assert capsys.readouterr().err.strip() == (
        "nextround docs: the documentation sources are not installed with the package; "
        "build them in a checkout of NextRound")
