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


# --- the progress charts, the caseload, the service report and import errors --------
#
# These views build their words from counts, dates and the client's records. The
# check builds each one twice from the same records, in English and in Spanish, and
# fails on any text the two share: a literal not marked for translation (or marked
# but left untranslated) reads the same in both. What may legitimately match is
# left out: what the client typed, numbers and dates without words, and the few
# words Spanish spells as English does ("Total").


def texts_of_html(markup: str) -> list[str]:
    """The text nodes and the labelling attributes of a piece of HTML."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(value for name, value in attrs
                         if name in ("aria-label", "title", "placeholder") and value)

        def handle_data(self, data):
            if data.strip() and self.lasttag not in ("style", "script"):
                found.append(" ".join(data.split()))

    Collect().feed(markup)
    return found


def texts_of_chart(chart) -> list[str]:
    """Every word a chart shows: title, sentence, axes, legend, hover text, table."""
    texts = [chart.title, chart.summary, chart.x_title, chart.y_title, *chart.head]
    texts += [str(cell) for row in chart.rows for cell in row]
    texts += [text for _value, text in chart.y_ticks]
    for trace in chart.traces:
        texts += [trace.name, *trace.hover]
        texts += [str(v) for v in (trace.x if trace.kind != "hbar" else trace.y)]
    return texts


def texts_of_figure(bundle: dict) -> list[str]:
    """The words plotly draws from a figure: title, axis titles, trace names, notes."""
    from nextround.components.progress import PLOTLY_MIME

    figure = bundle[PLOTLY_MIME]
    layout = figure["layout"]
    texts = [layout.get("title", {}).get("text", "")]
    texts += [layout.get(axis, {}).get("title", {}).get("text", "") for axis in ("xaxis", "yaxis")]
    texts += [note.get("text", "") for note in layout.get("annotations", [])]
    texts += [trace.get("name", "") for trace in figure["data"]]
    texts += [str(text) for axis in ("xaxis", "yaxis")
              for text in layout.get(axis, {}).get("ticktext", [])]
    return texts


def same_in_both() -> set[str]:
    """Catalogue strings Spanish writes exactly as English does."""
    return {entry.id for entry in spanish_catalogue()
            if entry.id and isinstance(entry.id, str) and entry.id == entry.string}


def english_left(english: list[str], spanish: list[str], typed: set[str]) -> list[str]:
    """Texts of the Spanish build that the English build has too, and are words."""
    import re

    allowed = same_in_both() | typed
    shared = set(english) & set(spanish)
    return sorted(text for text in shared if text not in allowed
                  and len(re.findall(r"[A-Za-z]", re.sub(r"<[^>]+>", "", text))) >= 4)


def in_both(build):
    """``build()`` in English and in Spanish (content in the same language)."""
    from nextround.content import load_content

    built = {}
    for lang in ("en", "es"):
        with using(lang):
            built[lang] = build(load_content(lang=lang))
    return built["en"], built["es"]


def test_the_check_finds_a_text_left_in_english():
    """The check can fail: a sentence the two builds share is English left behind."""
    left = english_left(["Your applications", "Total", "Ana", "12"],
                        ["Tus candidaturas", "Total", "Ana", "12", "Your applications"],
                        typed={"Ana"})
    assert left == ["Your applications"]


@pytest.fixture
def history(store):
    """A client with every kind of record the charts and the caseload read."""
    from datetime import UTC, datetime, timedelta

    from nextround import model

    today = date.today()
    cid = store.create_client("Ana Prueba").id
    week = today - timedelta(days=today.weekday() + 21)
    rejected = store.add(model.Application(
        client_id=cid, company="Northwind", role="Analyst", applied_on=week,
        outcome="rejected", outcome_on=week + timedelta(days=9)))
    store.add(model.Application(client_id=cid, company="Contoso", applied_on=week))
    store.add(model.Application(client_id=cid, company="Fabrikam", outcome="rejected",
                                applied_on=week + timedelta(days=8)))
    store.add(model.Application(client_id=cid, company="Tailspin", outcome="offer",
                                applied_on=week + timedelta(days=15)))
    store.add(model.Application(client_id=cid, company="Litware", outcome="withdrawn",
                                applied_on=week + timedelta(days=15)))
    store.add(model.Application(client_id=cid, company="Undated"))
    store.add(model.Feedback(client_id=cid, application_id=rejected.id, person="Jo",
                             heard="More SQL", scenario_id="skill_gap"))
    store.add(model.Feedback(client_id=cid, application_id=rejected.id, person="Kim",
                             asked_on=today - timedelta(days=12)))
    # Two check-ins six days ago (a mean of 1.5), the later one the latest mood (2).
    for days, hour, mood in ((20, 10, 4), (6, 8, 1), (6, 10, 2)):
        day = today - timedelta(days=days)
        store.add(model.CheckIn(client_id=cid, mood=mood, note="A long week",
                                at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC)))
    store.add(model.Action(client_id=cid, title="Learn SQL joins",
                           due_on=today - timedelta(days=3)))
    store.add(model.Action(client_id=cid, title="Practise answers", done=True,
                           due_on=today + timedelta(days=5)))
    store.add(model.Action(client_id=cid, title="Call Jo"))
    store.create_client("Ben Nuevo")
    return cid


TYPED = {"Ana Prueba", "Ben Nuevo", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware",
         "Undated", "Learn SQL joins", "Practise answers", "Call Jo", "A long week"}


def test_the_progress_charts_say_nothing_in_english(store, history):
    from nextround.charts import text_alternative
    from nextround.components.progress import ProgressModel, figure_bundle

    def build(content):
        model = ProgressModel(content=content, store=store, client_id=history)
        texts = []
        for chart in model.charts:
            texts += texts_of_chart(chart) + texts_of_html(text_alternative(chart))
            if chart.traces:
                texts += texts_of_figure(figure_bundle(chart))
        return texts

    english, spanish = in_both(build)
    assert "Tus candidaturas y cómo terminaron" in spanish
    left = english_left(english, spanish, TYPED)
    assert not left, "still in English on the Progress charts:\n" + "\n".join(left)


def test_a_spanish_chart_writes_its_dates_and_numbers_in_spanish(store, history):
    from nextround.components.progress import PLOTLY_MIME, ProgressModel, figure_bundle
    from nextround.content import load_content

    with using("es"):
        model = ProgressModel(content=load_content(lang="es"), store=store, client_id=history)
        mood = next(chart for chart in model.charts if chart.key == "mood")
        figure = figure_bundle(mood)[PLOTLY_MIME]
    locale = figure["config"]["locales"]["es"]
    assert figure["config"]["locale"] == "es" and figure["layout"]["separators"] == ",."
    assert locale["format"]["months"][2] == "marzo" and locale["format"]["shortMonths"][0] == "ene"
    assert locale["dictionary"]["Download plot as a png"] == "Descargar el gráfico como PNG"
    assert "1,5" in [row[1] for row in mood.rows]  # the day's mean, with a decimal comma
    with using("en"):
        english = figure_bundle(ProgressModel(content=load_content(), store=store,
                                              client_id=history).charts[2])[PLOTLY_MIME]
    assert "locale" not in english["config"] and "separators" not in english["layout"]


def test_the_caseload_says_nothing_in_english(store, history):
    from nextround.components.counsellor import CounsellorModel, attention_html, caseload_table

    def build(content):
        model = CounsellorModel(content=content, store=store)
        page = model.shown()
        texts = [page.showing()]
        texts += texts_of_html(caseload_table(page.rows, model.today, content.mood.max,
                                              model.labels))
        texts += texts_of_html(attention_html(model.row(history)))
        texts += texts_of_html(attention_html(None))
        model.query = "nobody"
        texts.append(model.shown().showing())
        model.query = "ana"
        texts.append(model.shown().showing())
        return texts

    english, spanish = in_both(build)
    assert "Último ánimo bajo (2 de 5)" in " ".join(spanish)
    left = english_left(english, spanish, TYPED)
    assert not left, "still in English on the caseload:\n" + "\n".join(left)


def test_the_service_report_says_nothing_in_english(store):
    from service_data import add_service

    from nextround.components.progress import figure_bundle
    from nextround.report import build_report
    from nextround.report_files import xlsx_bytes

    add_service(store)

    def build(content):
        from openpyxl import load_workbook

        report = build_report(store, content, since=date(2026, 1, 1), today=date(2026, 11, 28))
        texts = [text for pair in report.about() for text in pair if text != "2026-11-28"]
        for figure in report.figures:
            texts += [figure.sheet, figure.title, figure.summary, *figure.head]
            texts += [str(cell) for row in figure.rows for cell in row]
            texts += texts_of_chart(figure.chart)
            if figure.chart.traces:
                texts += texts_of_figure(figure_bundle(figure.chart))
        texts += load_workbook(io.BytesIO(xlsx_bytes(report))).sheetnames
        return texts

    english, spanish = in_both(build)
    assert "Clientes según la fase del recorrido" in spanish
    typed = {"Quiet", "Open", "C", "D"}
    left = english_left(english, spanish, typed)
    assert not left, "still in English in the service report:\n" + "\n".join(left)


@pytest.mark.parametrize("raw", [
    b"\xff\xfe not text", b'{"format": "nextround-workbook", "version": 2', b"[1, 2]",
    b'{"format": "other"}', b'{"format": "nextround-workbook", "version": 99}',
    b'{"format": "nextround-workbook", "version": 2, "checksum": "sha256:00"}',
    b'{"a": 1, "a": 2}', b"{nonsense}",
])
def test_a_workbook_file_refused_is_refused_in_the_pages_language(raw):
    from nextround.errors import WorkbookError
    from nextround.exports import parse_workbook

    said = {}
    for lang in ("en", "es"):
        with using(lang), pytest.raises(WorkbookError) as refused:
            parse_workbook(raw)
        said[lang] = str(refused.value)
    assert said["en"] != said["es"]
    assert said["es"].startswith(("Este", "La suma", "A este")), said["es"]


def problem_details(message: str) -> list[str]:
    """The detail lines of an import refusal, without where each problem is."""
    return [line.split(": ", 1)[1] for line in message.splitlines()[1:] if ": " in line]


def test_a_workbook_import_says_what_is_wrong_in_the_pages_language():
    """Each detail line, not only the headline: pydantic's own messages are English."""
    from nextround.errors import WorkbookError
    from nextround.exports import MAX_PROBLEMS, validate_records

    data = {
        "client": {"id": "abcdef123456", "name": "x" * 201, "language": "Spanish!"},
        "pets": [],
        "applications": [
            {"id": "a00001", "client_id": "abcdef123456", "company": "Acme",
             "applied_on": "soon", "colour": "red"},
            {"id": "a00002", "client_id": "abcdef123456", "stage": "hired"},
            {"id": "a00002", "client_id": "fedcba654321", "company": "Acme"},
        ],
        "feedback": [{"id": "f00001", "client_id": "abcdef123456", "application_id": "zzz999"}],
        "checkins": ["not a check-in"] * 60,
        "notes": "many",
    }
    said = {}
    for lang in ("en", "es"):
        with using(lang), pytest.raises(WorkbookError) as refused:
            validate_records(data)
        said[lang] = str(refused.value)
    english, spanish = problem_details(said["en"]), problem_details(said["es"])
    assert len(spanish) == len(english) >= MAX_PROBLEMS
    assert "String should have" not in said["es"] and "Input should" not in said["es"]
    left = english_left(english, spanish, set())
    assert not left, "still in English in the import's details:\n" + "\n".join(left)
    assert "debería ser una fecha (año-mes-día)" in spanish, spanish
    assert "puede tener como máximo 200 caracteres" in spanish, spanish
    assert said["es"].splitlines()[-1].startswith("... y "), said["es"]


def test_a_workbook_whose_records_disagree_is_refused_in_the_pages_language():
    from nextround.errors import WorkbookError
    from nextround.exports import validate_records

    client = "abcdef123456"
    answer = {"client_id": client, "key": "q1", "value": "yes"}
    data = {
        "client": {"id": client, "name": "Ana"},
        "applications": [{"id": "a00001", "client_id": client, "company": "Acme"},
                         {"id": "a00001", "client_id": client, "company": "Acme"},
                         {"id": "a00002", "client_id": "fedcba654321", "company": "Acme"}],
        "feedback": [{"id": "f00001", "client_id": client, "application_id": "a99999"}],
        "answers": [{"id": "b00001", **answer}, {"id": "b00002", **answer}],
    }
    said = {}
    for lang in ("en", "es"):
        with using(lang), pytest.raises(WorkbookError) as refused:
            validate_records(data)
        said[lang] = problem_details(str(refused.value))
    assert len(said["es"]) == len(said["en"]) == 4, said
    assert not english_left(said["en"], said["es"], set()), said["es"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "Ana\u202eB", "Ana\x07B"])
def test_a_client_name_refused_is_refused_in_the_pages_language(store, name):
    from nextround.errors import NextRoundError

    said = {}
    for lang in ("en", "es"):
        with using(lang), pytest.raises(NextRoundError) as refused:
            store.create_client(name)
        said[lang] = str(refused.value)
    assert not english_left([said["en"]], [said["es"]], set())
    assert said["es"].startswith(("Cada cliente", "Este nombre", "El nombre")), said["es"]
    assert store.list_clients() == []


def test_a_workbook_answer_too_long_is_refused_in_spanish():
    from nextround.model import MAX_TEXT, Answer

    with using("es"), pytest.raises(ValueError, match="como máximo") as refused:
        Answer(client_id="abcdef123456", key="q", value="x" * (MAX_TEXT + 1))
    assert "characters" not in str(refused.value)


def test_serve_lang_es_speaks_spanish_on_the_command_line(monkeypatch, capsys, tmp_path):
    """What `nextround serve --lang es` prints, and a refusal, in Spanish. Voilà itself is
    not started (the browser tests serve the app for real); every step before it runs."""
    import socket

    from nextround import serve
    from nextround.cli import main

    monkeypatch.setattr(serve, "run_voila", lambda argv: None)
    saved = dict(os.environ)  # serve passes its settings to the kernels in the environment
    printed = {}
    try:
        os.environ["NEXTROUND_TOKEN"] = "a-token-long-enough-for-serve"
        for lang in ("en", "es"):
            assert main(["serve", "--lang", lang, "--no-browser", "--db",
                         str(tmp_path / f"{lang}.db")]) == 0
            printed[lang] = capsys.readouterr().out.splitlines()
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            assert main(["serve", "--lang", "es", "--no-browser", "--demo",
                         "--port", str(port)]) == 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert printed["es"][0].startswith("Se ha creado una base de datos nueva. Los datos se "
                                       "guardan en el archivo SQLite"), printed["es"]
    assert printed["es"][-1].startswith("NextRound está en http://"), printed["es"]
    assert len(printed["es"]) == len(printed["en"])
    for english, spanish in zip(printed["en"], printed["es"], strict=True):
        assert english.split()[:3] != spanish.split()[:3], (english, spanish)
    err = capsys.readouterr().err
    assert f"el puerto {port} ya está en uso" in err and len(err.strip().splitlines()) == 1


def test_a_record_gone_from_under_a_page_is_said_in_the_pages_language(store):
    """Another page erased the client or deleted the record this page shows."""
    from nextround.errors import NotFound
    from nextround.model import Application, CheckIn

    said = {}
    for lang in ("en", "es"):
        said[lang] = []
        with using(lang):
            for find in (lambda: store.get_client("0123456789abcdef"),
                         lambda: store.get(Application, "0123456789abcdef"),
                         lambda: store.get(CheckIn, "0123456789abcdef")):
                with pytest.raises(NotFound) as gone:
                    find()
                said[lang].append(str(gone.value))
    assert said["en"][1] == ("No application with id '0123456789abcdef' was found; it may "
                             "have been deleted.")
    assert all(text.startswith("No se ha encontrado") for text in said["es"]), said["es"]
