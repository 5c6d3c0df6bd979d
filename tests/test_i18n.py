"""The interface in Spanish: a complete catalogue, per-page languages, dates and numbers."""

from __future__ import annotations

import ast
import io
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from nextround import i18n
from nextround.i18n import _, bound, ngettext, translator, using

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "widgets" / "nextround"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extracted() -> dict:
    """Every interface string in the package, extracted afresh as ``pybabel extract`` does."""
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=[("widgets/nextround/**.py", "python")],
            keywords=KEYWORDS):
        found[message if isinstance(message, str) else tuple(message)] = (filename, lineno)
    return found


def spanish_catalogue():
    with i18n.catalogue_path("es").open("rb") as po_file:
        return read_po(po_file, locale="es")


# --- the catalogue is complete ---------------------------------------------------------


def test_every_interface_string_has_a_spanish_translation():
    catalogue = spanish_catalogue()
    problems = []
    for message, (filename, lineno) in extracted().items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(msgid)
        where = f"{filename}:{lineno}"
        if entry is None:
            problems.append(f"{where}: not in the catalogue: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"{where}: fuzzy: {msgid!r}")
        elif isinstance(message, tuple):
            if not isinstance(entry.string, tuple) or not all(entry.string):
                problems.append(f"{where}: a plural form is empty: {msgid!r}")
        elif not entry.string:
            problems.append(f"{where}: empty translation: {msgid!r}")
    assert not problems, "run the steps in docs/languages.md:\n" + "\n".join(problems)


def test_the_catalogue_holds_no_string_the_code_no_longer_has():
    strings = {m[0] if isinstance(m, tuple) else m for m in extracted()}
    stale = [m.id for m in spanish_catalogue() if m.id and
             (m.id[0] if isinstance(m.id, tuple) else m.id) not in strings]
    assert not stale, f"strings no longer in the code: {stale}"


def test_every_marked_literal_is_seen_by_the_extractor():
    """A ``_("...")`` inside an f-string is invisible to ``pybabel extract`` on Python 3.11."""
    strings = {m[0] if isinstance(m, tuple) else m for m in extracted()}
    hidden = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in KEYWORDS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value not in strings):
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[0].value!r}")
    assert not hidden, "\n".join(hidden)


def test_the_check_fails_on_a_missing_translation(tmp_path, monkeypatch):
    """The completeness test can fail: a catalogue without one entry is caught."""
    catalogue = spanish_catalogue()
    some_id = next(m.id for m in catalogue if m.id and isinstance(m.id, str))
    catalogue.delete(some_id)
    monkeypatch.setattr(__import__(__name__), "spanish_catalogue", lambda: catalogue)
    with pytest.raises(AssertionError, match="not in the catalogue"):
        test_every_interface_string_has_a_spanish_translation()


def test_placeholders_match_their_english():
    import string

    def names(text: str) -> set:
        return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field}

    wrong = []
    for entry in spanish_catalogue():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set().union(*(names(i) for i in ids))
        wrong += [f"{ids[0]!r} -> {s!r}" for s in strings if names(s) != expected]
    assert not wrong, "\n".join(wrong)


# --- languages per page, no state shared ------------------------------------------------


def test_english_is_the_code_itself():
    assert _("Add client") == "Add client"
    assert ngettext("You have {count} open application.", "You have {count} open applications.",
                    1) == "You have {count} open application."


def test_spanish_strings_and_plural_forms():
    with using("es"):
        assert _("Add client") == "Añadir cliente"
        one = ngettext("You have {count} open application.",
                       "You have {count} open applications.", 1)
        two = ngettext("You have {count} open application.",
                       "You have {count} open applications.", 2)
    assert one == "Tienes {count} candidatura abierta."
    assert two == "Tienes {count} candidaturas abiertas."


def test_two_pages_in_two_languages_share_a_kernel_without_mixing():
    with using("es"):
        spanish = bound(lambda: _("Add client"))
    with using("en"):
        english = bound(lambda: _("Add client"))
    assert (spanish(), english(), spanish()) == ("Añadir cliente", "Add client", "Añadir cliente")
    assert _("Add client") == "Add client"  # nothing left behind


def test_dates_and_numbers_follow_the_language():
    day = date(2024, 3, 5)
    assert (translator("en").date(day), translator("en").short_date(day)) == (
        "5 March 2024", "5 Mar 2024")
    assert (translator("es").date(day), translator("es").short_date(day)) == (
        "5 de marzo de 2024", "5 mar 2024")
    assert translator("es").day_month(day) == "5 de marzo"
    assert translator("en").number(12345.5) == "12,345.5"
    assert translator("es").number(12345.5) == "12.345,5"


def test_language_tags():
    assert [i18n.supported(t) for t in ("es", "es-MX", "ES_es", "fr", "", None)] == [
        "es", "es", "es", None, None, None]
    assert i18n.language_from_query("client=abc&lang=es") == "es"
    assert i18n.language_from_query("lang=xx") is None


def test_the_default_language_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "es")
    assert i18n.default_language() == "es"
    assert _("Add client") == "Añadir cliente"
    monkeypatch.setenv(i18n.LANG_ENV, "klingon")
    assert i18n.default_language() == "en"


# --- compiled catalogues -----------------------------------------------------------------


def test_a_missing_or_stale_mo_is_compiled_from_the_po(tmp_path, monkeypatch):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "nextround.po"
    po.write_bytes(i18n.catalogue_path("es").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n._mo_bytes("es") and (folder / "nextround.mo").exists()
    first = (folder / "nextround.mo").stat().st_mtime
    text = po.read_text().replace('msgstr "Añadir cliente"', 'msgstr "Agregar cliente"')
    po.write_text(text)
    os.utime(po, (first + 10, first + 10))
    data = i18n._mo_bytes("es")
    import gettext

    assert gettext.GNUTranslations(io.BytesIO(data)).gettext("Add client") == "Agregar cliente"


def test_a_read_only_package_compiles_in_memory(tmp_path, monkeypatch):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "nextround.po").write_bytes(i18n.catalogue_path("es").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)

    def refused(self, data):  # a read-only install (root writes anywhere, so simulated)
        raise PermissionError(f"read-only: {self}")

    monkeypatch.setattr(Path, "write_bytes", refused)
    assert i18n._mo_bytes("es") == i18n.compile_catalogue(folder / "nextround.po")
    assert not (folder / "nextround.mo").exists()


def test_fuzzy_entries_are_not_used(tmp_path):
    text = i18n.catalogue_path("es").read_text().replace(
        'msgid "Add client"', '#, fuzzy\nmsgid "Add client"', 1)
    po = tmp_path / "es" / "LC_MESSAGES" / "nextround.po"
    po.parent.mkdir(parents=True)
    po.write_text(text)
    import gettext

    compiled = gettext.GNUTranslations(io.BytesIO(i18n.compile_catalogue(po)))
    assert compiled.gettext("Add client") == "Add client"
    assert compiled.gettext("Cancel") == "Cancelar"


# --- the app in Spanish --------------------------------------------------------------------


@pytest.fixture
def store():
    from nextround import Store

    return Store(tempfile.mkdtemp() + "/notes.db")


def test_lang_in_the_address_and_the_picker_remembered_per_client(store):
    from nextround import App, load_content

    ana = store.create_client("Ana")
    ben = store.create_client("Ben")
    app = App.create(content=load_content(), store=store)
    assert app.add_button.description == "Add client"
    app.open_from_query(f"client={ana.id}&lang=es")
    assert app.add_button.description == "Añadir cliente"
    assert app.language_picker.description == "Idioma"
    assert store.get_client(ana.id).language is None  # the address is not a choice
    app.model.client_id = ben.id
    app.language_picker.value = "en"
    app.language_picker.value = "es"
    assert store.get_client(ben.id).language == "es"
    app.language_picker.value = "en"
    app.model.client_id = ana.id
    assert app.model.language == "en"
    app.model.client_id = ben.id
    assert app.model.language == "en"  # Ben chose English last
    app.language_picker.value = "es"
    app.model.client_id = ana.id
    app.model.client_id = ben.id
    assert app.model.language == "es"
    assert "Registra el rechazo" in app.menu.children[1].description


def test_an_english_page_reads_exactly_as_before(store):
    from nextround import App, load_content

    store.create_client("Ana")
    app = App.create(content=load_content(), store=store)
    assert (app.new_name.description, app.counsellor_button.description) == (
        "New client's name", "Counsellor view")
    assert "A no is not the end." in app.header.value


def test_serve_lang_sets_the_kernels_default(monkeypatch):
    from nextround.errors import NextRoundError
    from nextround.serve import language_for_kernels

    monkeypatch.setenv(i18n.LANG_ENV, "en")  # so the change below is undone after the test
    language_for_kernels("es")
    assert os.environ[i18n.LANG_ENV] == "es"
    with pytest.raises(NextRoundError, match="--lang 'xx'"):
        language_for_kernels("xx")


def test_the_notebook_start_keeps_the_language_for_the_client(store, monkeypatch):
    import ipywidgets as W

    from nextround import workbook

    monkeypatch.setattr(workbook, "_open", lambda lang=None: (
        __import__("nextround").load_content(), store))
    ana = store.create_client("Ana")
    page = workbook.start(lang="es")
    picker = page.children[0].children[-1] if isinstance(
        page.children[0], W.Box) else page.children[0]
    texts = repr(page)
    assert "Añadir y elegir" in [w.description for w in _walk(page) if hasattr(w, "description")]
    pickers = [w for w in _walk(page) if isinstance(w, W.Dropdown)]
    pickers[0].value = ana.id
    assert store.get_client(ana.id).language == "es"
    del picker, texts


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
