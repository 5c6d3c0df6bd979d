"""A client's journey in Spanish (``?lang=es``), in Chromium, against a real ``nextround serve``.

Every input is found by its Spanish label. On every step, no English interface
string is left: each text on the page (text nodes, button names, placeholders,
labels, options) is compared with the English of every catalogue entry whose
Spanish differs, and any that reads as the English fails the test. The coaching
content is not in the catalogue, so it is not checked here. The plan's ``.ics``
is read back and must be in Spanish. Screenshots of each step at 1280 and 390 px
go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

import pytest
from browser_harness import eventually, snapshot, wait_for_widgets
from icalendar import Calendar
from playwright.sync_api import expect

from nextround.i18n import _, catalogue_path, ngettext, using
from nextround.model import Action, Application
from nextround.steps import STEPS
from nextround.store import Store

CLIENT = "Lucía Prueba"
COMPANY = "Northwind Traders"
ROLE = "Analista de datos"
OWN_STEP = "Llamar a Jo para preguntar por el equipo"
TODAY = date.today()

#: Every text node, and the words of buttons, options, placeholders and labels on screen.
VISIBLE_TEXTS = """() => {
  const out = [];
  const shown = (el) => el && el.getClientRects().length > 0 &&
      getComputedStyle(el).visibility !== 'hidden';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE', 'TEXTAREA'].includes(parent.tagName)) continue;
    if (parent.tagName !== 'OPTION' && !shown(parent)) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (!shown(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value.trim());
    }
  }
  return out;
}"""


def english_patterns() -> list[tuple[str, re.Pattern]]:
    """Each catalogue string whose Spanish differs, as a pattern for a whole text."""
    from babel.messages.pofile import read_po

    with catalogue_path("es").open("rb") as po_file:
        catalogue = read_po(po_file, locale="es")
    patterns = []
    for entry in catalogue:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for english in ids:
            if english in strings or len(english.strip()) < 2:
                continue  # the same word in both languages ("No") cannot tell them apart
            parts = re.split(r"\{[^}]*\}", english.strip())
            if sum(ch.isalpha() for part in parts for ch in part) < 4:
                continue  # "{role} at {company}" alone would match any sentence with "at"
            pattern = ".+".join(re.escape(part) for part in parts)
            patterns.append((english, re.compile(rf"(?:\d+\. )?{pattern}[.:]?")))
    return patterns


def content_texts(folder) -> set[str]:
    """Every text of the content files in ``folder``, as written, spaces folded."""
    import yaml

    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            found.add(" ".join(value.split()))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in folder.glob("*.yaml"):
        walk(yaml.safe_load(path.read_text()))
    return found


def english_only_content() -> set[str]:
    """Texts of the English content that the Spanish content does not also use: seen
    on a Spanish page, they are English left behind (a name or a number the two
    languages share is not)."""
    from nextround.content import default_content_dir

    root = default_content_dir()
    return content_texts(root) - content_texts(root / "es")


ENGLISH_CONTENT = english_only_content()


def english_left(page, patterns) -> list[str]:
    """Visible texts that are an English interface string or English content."""
    texts = page.evaluate(VISIBLE_TEXTS)
    interface = {f"{text!r} (English: {english!r})" for text in texts
                 for english, pattern in patterns if pattern.fullmatch(text)}
    content = {f"{text!r} (English content)" for text in texts if text in ENGLISH_CONTENT}
    return sorted(interface | content)


def spanish(text: str) -> str:
    with using("es"):
        return _(text)


def check_step(page, patterns, number: int, key: str) -> None:
    """The step shows its Spanish title, no English interface string, and is photographed."""
    step = STEPS[number - 1]
    expect(page.locator(".nr-step-title")).to_have_text(spanish(step.title))
    left = english_left(page, patterns)
    assert not left, f"step {number} ({key}) still says in English:\n" + "\n".join(left)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"step {number} at {width} px scrolls sideways by {overflow} px"
        snapshot(page, f"spanish-{number}-{key}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def go_next(page, number: int) -> None:
    title = spanish(STEPS[number].title)
    page.get_by_role("button", name=f"{spanish('Next: {step}').format(step=title)}").click()
    expect(page.locator(".nr-step-title")).to_have_text(title)


def type_into(field, text: str) -> None:
    field.fill(text)
    field.press("Tab")


def test_every_step_in_spanish_finds_spanish_labels_and_no_english(page, app_server):
    patterns = english_patterns()
    store = Store(app_server.db)
    page.goto(app_server.url + "&lang=es")
    wait_for_widgets(page)
    expect(page.get_by_label("Idioma")).to_be_visible()

    page.get_by_label("Nombre del nuevo cliente").fill(CLIENT)
    page.get_by_role("button", name="Añadir cliente").click()
    expect(page.get_by_text("Cliente nuevo añadido.")).to_be_visible()
    client = eventually(lambda: [c for c in store.list_clients() if c.name == CLIENT],
                        lambda found: len(found) == 1, what="the new client")[0]
    expect(page.locator(".nr-step-title")).to_have_text("Registra el rechazo")

    # 1. The log, by its Spanish labels.
    type_into(page.get_by_label("Empresa", exact=True), COMPANY)
    type_into(page.get_by_label("Puesto", exact=True), ROLE)
    page.get_by_label("Fase a la que llegaste").select_option(label="Entrevista final")
    page.get_by_label("Fecha de la candidatura").fill((TODAY - timedelta(days=30)).isoformat())
    page.get_by_label("Resultado", exact=True).select_option(label="Rechazada")
    page.get_by_label("Fecha en que te respondieron").fill(
        (TODAY - timedelta(days=9)).isoformat())
    eventually(lambda: store.list(Application, client.id),
               lambda apps: len(apps) == 1 and apps[0].outcome == "rejected",
               what="the logged rejection")
    expect(page.locator("table.nr-table tbody tr")).to_have_count(1)
    check_step(page, patterns, 1, "log")

    # 2. Ask for feedback.
    go_next(page, 1)
    expect(page.get_by_label("A quién preguntaste")).to_be_visible()
    type_into(page.get_by_label("Lo que te dijeron", exact=True),
              "Me dijeron que el puesto fue para un candidato interno")
    check_step(page, patterns, 2, "feedback")

    # 3. Make sense of it: the Spanish feedback is read with the Spanish cues.
    go_next(page, 2)
    expect(page.get_by_text("El puesto fue para alguien de dentro").first).to_be_visible()
    page.get_by_role("button", name="Confirmar esta interpretación").click()
    expect(page.get_by_text("Confirmaste esta interpretación.")).to_be_visible()
    check_step(page, patterns, 3, "understand")

    # 4.–6. Look at yourself, look after yourself, stay gracious.
    go_next(page, 3)
    check_step(page, patterns, 4, "assess")
    go_next(page, 4)
    type_into(page.get_by_label("¿Qué pasó?"), "Me dijeron que no.")
    # The assumption check reads a Spanish guess with the Spanish cues of content/es/.
    type_into(page.get_by_label("¿Qué te estás diciendo sobre el porqué?"),
              "Creo que no les caí bien a los de la entrevista")
    expect(page.get_by_text("Esto parece una suposición: Simplemente no les caí bien")
           ).to_be_visible()
    check_step(page, patterns, 5, "wellbeing")
    go_next(page, 5)
    expect(page.get_by_label("Nombre del contacto")).to_be_visible()
    check_step(page, patterns, 6, "gracious")

    # 7. The plan, and its calendar file in Spanish.
    go_next(page, 6)
    page.get_by_role("button", name="Añadir un paso propio").click()
    type_into(page.get_by_label("Título del paso 1"), OWN_STEP)
    page.get_by_label("Fecha límite del paso 1").fill((TODAY + timedelta(days=12)).isoformat())
    eventually(lambda: store.list(Action, client.id),
               lambda actions: any(a.title == OWN_STEP and a.due_on for a in actions),
               what="the dated step")
    link = page.get_by_role("link", name="Descargar para tu calendario (.ics)")
    expect(link).to_be_visible()

    def calendar_file():
        href = link.get_attribute("href") or ""
        assert href.startswith("data:text/calendar;base64,"), href[:60]
        return Calendar.from_ical(base64.b64decode(href.split(",", 1)[1]))

    def events(calendar) -> dict[str, str]:
        return {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")}

    # The link is redrawn by the kernel after the save: wait for it to hold the step.
    calendar = eventually(calendar_file, lambda cal: OWN_STEP in events(cal),
                          what="the calendar file with the dated step")
    assert str(calendar["X-WR-CALNAME"]) == f"Plan de acción: {CLIENT}"
    assert events(calendar)[OWN_STEP] == "Pendiente, del plan de acción de NextRound."
    check_step(page, patterns, 7, "plan")

    # 8. Progress.
    go_next(page, 7)
    check_step(page, patterns, 8, "progress")
    store.close()


SPANISH_EMAIL = """12 de marzo de 2026

Hola, Lucía:

Gracias por tu interés en el puesto de Analista de datos en Northwind Traders y por el
tiempo que nos dedicaste en la entrevista. Hemos recibido muchas candidaturas.
Finalmente buscábamos a alguien con más experiencia en logística internacional, así que
no vamos a seguir adelante con tu candidatura.

Un cordial saludo,
Marta Gil
"""


def test_a_pasted_spanish_rejection_shows_a_spanish_reading(page, app_server):
    """The paste box on the log step, in Spanish: the letter's company, role, sender and
    date fill the log (Spanish letter conventions), the date shows in Spanish, and the
    reading card names the Spanish scenario, quotes the skill and marks the sentence
    that led to it."""
    page.goto(app_server.url + "&lang=es")
    wait_for_widgets(page)
    page.get_by_label("Nombre del nuevo cliente").fill("Marta Pega")
    page.get_by_role("button", name="Añadir cliente").click()
    expect(page.locator(".nr-step-title")).to_have_text("Registra el rechazo")
    page.get_by_label("El correo de rechazo que recibiste").fill(SPANISH_EMAIL)
    page.get_by_role("button", name="Leer este correo").click()
    result = page.get_by_role("region", name="Lo que dice el correo")
    expect(result).to_contain_text("Revisa estos datos")
    expect(result).to_contain_text("Faltaba una habilidad concreta")
    expect(result).to_contain_text("logística internacional")
    expect(result.locator("mark")).to_contain_text("más experiencia en logística")
    assert "A specific skill was missing" not in result.inner_text()
    expect(page.get_by_label("Empresa", exact=True)).to_have_value(COMPANY)
    expect(page.get_by_label("Puesto", exact=True)).to_have_value(ROLE)
    expect(page.get_by_label("Nombre del contacto", exact=True)).to_have_value("Marta Gil")
    expect(page.get_by_label("Fecha en que te respondieron")).to_have_value("2026-03-12")
    expect(result).to_contain_text("12 de marzo de 2026")
    left = english_left(page, english_patterns())
    left += [month for month in ENGLISH_MONTH.findall(result.inner_text())]
    assert not left, "the read email still says in English:\n" + "\n".join(left)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        result.scroll_into_view_if_needed()
        snapshot(page, f"spanish-pasted-email-{width}")


#: An English month on a date axis ("3 Nov 2026"); Spanish writes "3 nov 2026".
ENGLISH_MONTH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* \d{4}\b")


def chart_texts(page) -> list[str]:
    """The words plotly drew: titles, axis titles and ticks, legends (SVG text)."""
    return [" ".join(text.split()) for text in
            page.locator(".nr-plotly svg text").all_text_contents() if text.strip()]


def wait_for_charts(page) -> None:
    """Every chart on the page drawn (or none to draw): never a fixed wait."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nr-plotly')].every("
        "el => el.getAttribute('data-drawn') === 'yes')", timeout=60_000)
    assert page.locator(".nr-plotly[data-drawn='failed']").count() == 0


#: Charts whose legend box overlaps their x axis's title (longer words must not collide).
LEGEND_ON_TITLE = """() => [...document.querySelectorAll('.nr-plotly')].filter(chart => {
  const legend = chart.querySelector('.legend'), title = chart.querySelector('.g-xtitle');
  if (!legend || !title) return false;
  const a = legend.getBoundingClientRect(), b = title.getBoundingClientRect();
  return a.width && b.width && a.left < b.right && b.left < a.right
      && a.top < b.bottom && b.top < a.bottom;
}).map(chart => chart.getAttribute('aria-label'))"""


def check_view(page, patterns, name: str) -> None:
    """No English interface string, chart word or English month, no legend over an axis
    title; photographed at both widths."""
    overlapping = page.evaluate(LEGEND_ON_TITLE)
    assert not overlapping, f"the {name}: a legend covers the axis title of {overlapping}"
    left = english_left(page, patterns)
    svg = chart_texts(page)
    left += [f"{text!r} (English on a chart)" for text in svg
             if any(pattern.fullmatch(text) for _english, pattern in patterns)
             or ENGLISH_MONTH.search(text)]
    assert not left, f"the {name} still says in English:\n" + "\n".join(left)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the {name} at {width} px scrolls sideways by {overflow} px"
        snapshot(page, f"spanish-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_progress_caseload_and_report_in_spanish(page, app_server):
    """The views built from counts and dates (Progress charts, the counsellor's caseload
    and the service report) speak Spanish too, plotly's own words included."""
    from nextround.caseload import caseload
    from nextround.content import load_content
    from nextround.model import CheckIn

    patterns = english_patterns()
    store = Store(app_server.db)
    rows = caseload(store, load_content())
    busiest = max(rows, key=lambda row: (len(store.list(Application, row.client_id))
                                         + len(store.list(CheckIn, row.client_id))))
    page.goto(f"{app_server.url}&client={busiest.client_id}&lang=es")
    wait_for_widgets(page)
    progress = spanish(STEPS[-1].title)
    page.get_by_role("button", name=re.compile(re.escape(progress))).first.click()
    expect(page.locator(".nr-step-title")).to_have_text(progress)
    expect(page.locator(".nr-plotly").first).to_be_visible()
    wait_for_charts(page)
    drawn = chart_texts(page)
    for words in ("Your applications and how they ended", "Week you applied",
                  "How you have been feeling"):
        assert spanish(words) in drawn, (words, drawn)
    check_view(page, patterns, "progress")

    page.get_by_role("button", name=spanish("Counsellor view")).click()
    expect(page.get_by_role("heading", name=spanish("Your caseload"))).to_be_visible()
    flagged = sum(row.needs_attention for row in rows)
    with using("es"):
        caption = ngettext("{count} client; {flagged} may need attention",
                           "{count} clients; {flagged} may need attention",
                           len(rows)).format(count=len(rows), flagged=flagged)
    expect(page.locator("table.nr-caseload caption")).to_have_text(caption)
    check_view(page, patterns, "caseload")

    page.get_by_role("button", name=spanish("Service report")).click()
    expect(page.get_by_role("heading", name=spanish("Service report"))).to_be_visible()
    expect(page.get_by_role("heading", name=spanish("Mood over time"))).to_be_visible()
    wait_for_charts(page)
    check_view(page, patterns, "report")
    store.close()


def test_the_check_would_see_english(page, app_server):
    """The no-English check can fail: the same page in English is full of catalogue strings."""
    page.goto(app_server.url)
    wait_for_widgets(page)
    left = english_left(page, english_patterns())
    assert any("Add client" in line for line in left), left


@pytest.mark.parametrize("lang", ["es"])
def test_the_session_summary_is_in_the_clients_language(app_server, lang):
    from nextround.content import load_content
    from nextround.summary import session_summary

    store = Store(app_server.db)
    client = store.create_client("Sofía Resumen")
    store.set_client_language(client.id, lang)
    summary = session_summary(store, load_content(), client.id)
    assert '<html lang="es">' in summary.html
    assert summary.title == "Resumen de la sesión de Sofía Resumen"
    assert "Lo que hemos tratado" in summary.html and "What we covered" not in summary.html
    assert "## Próximos pasos" in summary.markdown
    store.close()
