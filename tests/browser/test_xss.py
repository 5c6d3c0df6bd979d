"""Hostile text typed into every free-text field, then viewed everywhere it shows.

Against a real ``nextround serve`` on a fresh database, in Chromium. The
corpus is ``tests/reliability/payloads.py``: each payload calls
``alert('<id>')`` if it ever runs. The test types the payloads through the
page, by each field's visible label, as a client and a counsellor would:

- the client's name;
- the log: company, role, how you heard, contact name;
- feedback: their name, what they said;
- the scenario's reflection question and the self-assessment's written answer;
- the day's note and the four thought-record fields;
- a new contact's name, company and how you met;
- plan step titles;
- a counsellor's session note.

It then views every place that shows that text: the log table and the
drop-down labels, the feedback list, the scenario suggestions, the
self-assessment summary, the assumption check, the contacts table, the plan
rows, the progress charts (their SVG text, and the hover label of points),
the caseload and the client's notes, and the session summary (HTML and
Markdown, each loaded into a page of its own).

Pass: no dialog opens, nothing calls ``alert``, ``confirm`` or ``prompt``
(an init script records any call in ``window.__xss``), and the text of
every plain payload shows literally where it is displayed.

By default every payload is typed once: the corpus is shared out among the
fields, several payloads to a field where its limit allows. With
``NEXTROUND_FULL=1`` each field gets every payload that fits it, over as
many rounds (one client each) as the tightest field needs.
"""

from __future__ import annotations

import base64
import contextlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from browser_harness import REPO, eventually, snapshot, wait_for_widgets
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from nextround.content import load_content
from nextround.model import Action, Application, CheckIn, Contact, Feedback, Note, ThoughtRecord
from nextround.store import Store

sys.path.insert(0, str(REPO / "tests" / "reliability"))
from payloads import PAYLOADS, Payload  # noqa: E402
from reliability_support import FULL  # noqa: E402

SCENARIO = "internal_candidate"
#: Added to the feedback so the suggestions find a scenario, and so one can be confirmed.
CUE = "They went with an internal candidate."
#: Added to the thought so the assumption check has something to show.
GUESS = "They wanted someone younger."
SEP = " ~ "
THOUGHTS = ("situation", "assumption", "evidence", "reframe")
#: Field limits from the model: a client's name, ``ShortText``, and what the test puts in
#: a ``LongText`` field (the model allows far more: room for the 20,030-character payload).
NAME_LIMIT = 200
SHORT = 500
LONG = 25_000
TODAY = date.today()
#: A step can take a while to draw on a busy machine (the progress step imports plotly).
STEP_TIMEOUT_MS = 30_000
#: Points hovered in each chart (every chart here has a few).
HOVER_POINTS = 8

#: Whatever a payload runs to call these is recorded here (belt and braces with
#: the dialog handler: it also catches calls in frames that would not show a dialog).
GUARD = """
(() => {
  const calls = [];
  Object.defineProperty(window, '__xss', {value: calls, configurable: false});
  for (const name of ['alert', 'confirm', 'prompt']) {
    window[name] = function (...args) {
      calls.push(name + '(' + args.map(String).join(', ') + ')');
      return name === 'confirm' ? false : null;
    };
  }
})();
"""


@dataclass(frozen=True)
class Field:
    key: str
    limit: int


FIELDS = (
    Field("client_name", NAME_LIMIT),
    Field("company", SHORT), Field("role", SHORT), Field("how_heard", SHORT),
    Field("contact_name", SHORT),
    Field("person", SHORT), Field("heard", LONG),
    Field("reflection", LONG), Field("next_time", LONG),
    Field("mood_note", LONG),
    Field("situation", LONG), Field("assumption", LONG), Field("evidence", LONG),
    Field("reframe", LONG),
    Field("contact", SHORT), Field("contact_company", SHORT), Field("how_met", SHORT),
    Field("step_1", SHORT), Field("step_2", SHORT),
    Field("session_note", LONG),
)
#: Text the test adds to a field, so the room left for payloads is smaller.
EXTRA = {"heard": CUE, "assumption": GUESS}


def room(field: Field) -> int:
    extra = EXTRA.get(field.key)
    return field.limit - (len(extra) + len(SEP) if extra else 0)


def joined(payloads: list[Payload]) -> int:
    return sum(len(p) for p in payloads) + len(SEP) * max(len(payloads) - 1, 0)


def share_out(payloads, fields) -> dict[str, list[Payload]]:
    """Every payload into one field that holds it, spreading them evenly."""
    shares: dict[str, list[Payload]] = {f.key: [] for f in fields}
    for payload in sorted(payloads, key=len, reverse=True):
        fits = [f for f in fields if joined([*shares[f.key], payload]) <= room(f)]
        assert fits, f"no field holds {payload.id}"
        target = min(fits, key=lambda f: (len(shares[f.key]), -room(f)))
        shares[target.key].append(payload)
    return shares


def chunks(field: Field) -> list[list[Payload]]:
    """Every payload that fits the field, packed into as few texts as its limit allows."""
    packed: list[list[Payload]] = []
    for payload in sorted((p for p in PAYLOADS if len(p) <= room(field)), key=len,
                          reverse=True):
        for chunk in packed:
            if joined([*chunk, payload]) <= room(field):
                chunk.append(payload)
                break
        else:
            packed.append([payload])
    return packed


def plan_rounds() -> list[dict[str, list[Payload]]]:
    if not FULL:
        return [share_out(PAYLOADS, FIELDS)]
    packed = {f.key: chunks(f) for f in FIELDS}
    count = max(len(c) for c in packed.values())
    # Each field starts at a different chunk, so fields of one size hold different texts.
    return [{key: c[(n + i) % len(c)] for i, (key, c) in enumerate(packed.items())}
            for n in range(count)]


ROUNDS = plan_rounds()


def text_of(key: str, payloads: list[Payload], round_no: int) -> str:
    parts = [p.text for p in payloads] or [f"plain {key} {round_no}"]
    if key in EXTRA:  # first: the advice reads only the start of a very long text
        parts.insert(0, EXTRA[key])
    return SEP.join(parts)


def plain(payloads: list[Payload]) -> list[Payload]:
    """The payloads whose text a page shows character for character (once spaces collapse)."""
    return [p for p in payloads if p.kind not in ("rtl", "control")
            and "  " not in p.text and "\t" not in p.text]


def squash(text: str) -> str:
    return " ".join(text.split())


def shows_literally(locator, payloads: list[Payload], where: str) -> int:
    """Assert the element's visible text holds each plain payload verbatim; return how many."""
    seen = squash(locator.inner_text())
    checked = plain(payloads)
    missing = [p.id for p in checked if squash(p.text) not in seen]
    assert not missing, f"{where} does not show these payloads literally: {missing}"
    return len(checked)


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(serve_app, tmp_path_factory):
    return serve_app(db=tmp_path_factory.mktemp("xss") / "nextround.db")


@pytest.fixture(scope="module")
def store(served) -> Iterator[Store]:
    opened = Store(served.db)
    yield opened
    opened.close()


@pytest.fixture
def dialogs(page) -> list[str]:
    """Every dialog the page opens (each is dismissed); the guard installed first."""
    seen: list[str] = []

    def on_dialog(dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.context.on("page", lambda other: other.on("dialog", on_dialog))
    page.add_init_script(GUARD)
    return seen


# --- helpers --------------------------------------------------------------------------


def open_step(page, number: int, title: str) -> None:
    page.get_by_role("button", name=f"{number}. {title}").click()
    expect(page.locator(".nr-step-title")).to_have_text(title, timeout=STEP_TIMEOUT_MS)


def type_into(field, text: str) -> None:
    """Type, then leave the field (text boxes save on leaving)."""
    field.fill(text)
    field.press("Tab")


def select_by_text(select, text: str) -> None:
    """Choose the option whose label is ``text`` (compared with spaces collapsed)."""
    labels = [squash(t) for t in select.locator("option").all_text_contents()]
    assert squash(text) in labels, f"no option {text!r} in {labels}"
    select.select_option(index=labels.index(squash(text)))


#: Inline handlers, active elements and payload scripts inside the app's own cells.
#: The widgets make none of these; Voilà's own scripts there never name a payload.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('#rendered_cells *')) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'script' && /nrx\\d\\d/.test(el.textContent + (el.src || ''))) {
      found.push('script');
    }
    if (['iframe', 'object', 'embed', 'math'].includes(tag)) {
      found.push(tag);
    }
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on') || /^\\s*javascript:/i.test(attr.value)) {
        found.push(tag + '[' + attr.name + ']');
      }
    }
  }
  return found;
}"""


def no_script_ran(page, dialogs: list[str], where: str) -> None:
    calls = page.evaluate("window.__xss")
    assert calls == [], f"script ran in {where}: {calls}"
    assert dialogs == [], f"a dialog opened in {where}: {dialogs}"
    if page.locator("#rendered_cells").count():
        injected = page.evaluate(INJECTED)
        assert injected == [], f"{where} holds elements the text made: {injected}"


def decoded(link, mime: str) -> str:
    href = link.get_attribute("href")
    prefix = f"data:{mime};base64,"
    assert href and href.startswith(prefix), href
    return base64.b64decode(href[len(prefix):]).decode("utf-8")


#: Elements or attributes through which a page can run script or load something.
ACTIVE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if ((['script', 'img', 'iframe', 'object', 'embed', 'svg', 'math', 'base', 'details',
          'input', 'form', 'body'].includes(tag) && el !== document.body)
        || (tag === 'meta' && el.hasAttribute('http-equiv'))) {
      found.push(tag);
    }
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on') || /^\\s*(javascript|data):/i.test(attr.value)) {
        found.push(tag + '[' + attr.name + ']');
      }
    }
  }
  return found;
}"""


def view_document(page, html: str, dialogs: list[str], where: str) -> str:
    """Load a document in a new guarded page; return its visible text."""
    other = page.context.new_page()
    try:
        other.add_init_script(GUARD)
        other.goto("about:blank")
        other.set_content(html, wait_until="load")
        other.wait_for_timeout(200)  # any onload, onerror or timer payload has fired by now
        assert other.evaluate("Array.isArray(window.__xss)"), "the guard is not installed"
        no_script_ran(other, dialogs, where)
        assert other.evaluate(ACTIVE) == [], f"{where} holds active elements"
        return other.locator("body").inner_text()
    finally:
        other.close()


# --- the test -------------------------------------------------------------------------


@pytest.mark.parametrize("round_no", range(len(ROUNDS)))
def test_hostile_text_is_shown_literally_and_never_runs(round_no, page, page_log, dialogs,
                                                       served, store):
    share = ROUNDS[round_no]
    texts = {f.key: text_of(f.key, share[f.key], round_no) for f in FIELDS}
    for field in FIELDS:
        assert len(texts[field.key]) <= field.limit, field.key
    typed = {p.id for payloads in share.values() for p in payloads}
    if not FULL:
        assert typed == {p.id for p in PAYLOADS}, "every payload is typed at least once"
    content = load_content()
    checked = 0

    page.goto(served.url)
    wait_for_widgets(page)
    assert page.evaluate("Array.isArray(window.__xss)"), "the guard is not installed"

    # A new client whose name is hostile.
    name = texts["client_name"]
    page.get_by_label("New client's name").fill(name)
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_text("New client added.")).to_be_visible()
    # Names are stored with runs of white space folded to one space.
    client = eventually(lambda: [c for c in store.list_clients()
                                 if c.name == " ".join(name.split())],
                        lambda found: len(found) == 1, what="the new client")[0]
    # The new client opens by itself, on an empty log.
    picker = page.get_by_label("Client", exact=True)
    expect(page.locator(".nr-step-title")).to_have_text("Log the rejection",
                                                         timeout=STEP_TIMEOUT_MS)
    expect(page.get_by_label("The application you are editing").locator(
        "option:checked")).to_have_text("No applications yet")
    assert squash(picker.locator("option:checked").inner_text()) == squash(name)

    # 1. The log.
    for key, label in (("company", "Company"), ("role", "Role"),
                       ("how_heard", "How you heard"), ("contact_name", "Contact name")):
        type_into(page.get_by_label(label, exact=True), texts[key])
    page.get_by_label("Stage you reached").select_option(label="Final interview")
    page.get_by_label("Date you applied").fill((TODAY - timedelta(days=30)).isoformat())
    page.get_by_label("Outcome", exact=True).select_option(label="Rejected")
    page.get_by_label("Date you heard back").fill((TODAY - timedelta(days=9)).isoformat())
    application = eventually(
        lambda: store.list(Application, client.id),
        lambda apps: len(apps) == 1 and apps[0].outcome == "rejected"
        and apps[0].outcome_on is not None and apps[0].contact_name == texts["contact_name"],
        what="the logged rejection")[0]
    assert (application.company, application.role, application.how_heard) == (
        texts["company"], texts["role"], texts["how_heard"])
    chooser = page.get_by_label("The rejection you are working on")
    # The kernel has saved it; the chooser's new options may still be on their way.
    eventually(lambda: squash(" ".join(chooser.locator("option").all_text_contents())),
               lambda labels: squash(texts["company"]) in labels
               and squash(texts["role"]) in labels, what="the rejection in the chooser")
    chooser.select_option(index=1)
    eventually(lambda: store.get_state(client.id).get("application_id"),
               lambda chosen: chosen == application.id, what="the chosen rejection")
    log_table = page.locator("table.nr-table").first
    for key in ("company", "role", "how_heard", "contact_name"):
        checked += shows_literally(log_table, share[key], f"the log table ({key})")
    no_script_ran(page, dialogs, "the log")

    # 2. Feedback.
    open_step(page, 2, "Ask for feedback")
    page.get_by_label("Who you asked").select_option(label="The recruiter or HR contact")
    type_into(page.get_by_label("Their name", exact=True), texts["person"])
    type_into(page.get_by_label("What they said"), texts["heard"])
    eventually(lambda: store.list(Feedback, client.id),
               lambda found: len(found) == 1 and found[0].heard == texts["heard"]
               and found[0].person == texts["person"], what="the feedback")
    feedback_list = page.locator(".nr-feedback-list")
    expect(feedback_list).to_contain_text(CUE)
    checked += shows_literally(feedback_list, share["heard"], "the feedback list")
    checked += shows_literally(feedback_list, share["person"], "the feedback list (person)")
    no_script_ran(page, dialogs, "the feedback step")

    # 3. Make sense of it: the suggestions quote the feedback; confirm and reflect.
    open_step(page, 3, "Make sense of it")
    scenario = content.scenario(SCENARIO)
    suggestions = page.locator(".nr-reading")
    expect(suggestions).to_contain_text(scenario.title)
    own_markup = re.sub(r"</?(?:div|p|strong|span|br|blockquote|mark)\b[^>]*>", "",
                        suggestions.inner_html())
    assert "<" not in own_markup, "the suggestions hold markup of their own"
    page.get_by_label("Which fits best?").select_option(label=scenario.title)
    page.get_by_role("button", name="Confirm this reading").click()
    expect(page.get_by_text("You confirmed this reading.")).to_be_visible()
    question = scenario.questions[0]
    type_into(page.get_by_label(question.text, exact=True), texts["reflection"])
    eventually(lambda: store.answers(client.id, application.id).get(
        f"reflect.{SCENARIO}.{question.id}"), lambda value: value == texts["reflection"],
        what="the reflection")
    expect(page.get_by_label(question.text, exact=True)).to_have_value(texts["reflection"])
    no_script_ran(page, dialogs, "the scenario card")

    # 4. The self-assessment's written answer, and the summary beside it.
    open_step(page, 4, "Look at yourself honestly")
    next_time = content.question("next_time")
    type_into(page.get_by_label(next_time.text, exact=True), texts["next_time"])
    eventually(lambda: store.answers(client.id, application.id).get(next_time.id),
               lambda value: value == texts["next_time"], what="the written answer")
    expect(page.locator(".nr-summary")).to_be_visible()
    no_script_ran(page, dialogs, "the self-assessment")

    # 5. Wellbeing: a check-in note and a thought record.
    open_step(page, 5, "Look after yourself")
    page.get_by_role("radiogroup", name=content.mood.question, exact=True).get_by_role(
        "radio").nth(2).check()
    type_into(page.get_by_label("A note about today (optional)"), texts["mood_note"])
    eventually(lambda: store.list(CheckIn, client.id),
               lambda found: len(found) == 1 and found[0].note == texts["mood_note"],
               what="the check-in note")
    for key, label in (("situation", "What happened?"),  # the order of THOUGHTS
                       ("assumption", "What are you telling yourself about why?"),
                       ("evidence", "What do you actually know?"),
                       ("reframe", "What can you control next time?")):
        type_into(page.get_by_label(label, exact=True), texts[key])
    eventually(lambda: [(t.situation, t.assumption, t.evidence, t.reframe)
                        for t in store.list(ThoughtRecord, client.id)],
               lambda found: found == [tuple(texts[k] for k in THOUGHTS)],
               what="the thought record")
    assumption = page.locator(".nr-assumption")
    expect(assumption).to_be_visible()
    snapshot(page, f"xss-{round_no}-wellbeing")
    no_script_ran(page, dialogs, "the assumption check")

    # 6. A new contact.
    open_step(page, 6, "Stay gracious")
    for key, label in (("contact", "Contact's name"), ("contact_company", "Their company"),
                       ("how_met", "How you met")):
        type_into(page.get_by_label(label, exact=True), texts[key])
    page.get_by_role("button", name="Add this contact").click()
    eventually(lambda: store.list(Contact, client.id),
               lambda found: len(found) == 1 and found[0].name == texts["contact"]
               and found[0].how_met == texts["how_met"], what="the contact")
    contacts = page.locator("table.nr-table").filter(has_text="Your new contacts")
    for key in ("contact", "contact_company", "how_met"):
        checked += shows_literally(contacts, share[key], f"the contacts table ({key})")
    no_script_ran(page, dialogs, "the contacts table")

    # 7. Plan steps with hostile titles, due soon so the progress chart shows them.
    open_step(page, 7, "Your action plan")
    titles = [texts["step_1"], texts["step_2"]]
    for number, title in enumerate(titles, start=1):
        page.get_by_role("button", name="Add your own step").click()
        type_into(page.get_by_label(f"Step {number} title"), title)
        page.get_by_label(f"Step {number} due date").fill(
            (TODAY + timedelta(days=number)).isoformat())
    eventually(lambda: sorted(a.title for a in store.list(Action, client.id) if a.due_on),
               lambda found: found == sorted(titles), what="the plan steps")
    for number, title in enumerate(titles, start=1):
        expect(page.get_by_label(f"Step {number} title")).to_have_value(title)
    plan_markdown = decoded(page.get_by_role("link", name="Download as a checklist (Markdown)"),
                            "text/markdown")
    no_script_ran(page, dialogs, "the plan")

    # 8. Progress: the charts' own text, and the hover label of every point.
    open_step(page, 8, "Your progress")
    charts = page.locator(".js-plotly-plot")
    expect(charts.first).to_be_visible(timeout=30_000)
    hover_texts: list[str] = []
    label = page.locator(".hoverlayer .hovertext")
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        for point in chart.locator(".point").all()[:HOVER_POINTS]:
            page.mouse.move(0, 0)  # the last label goes, so the next one read is fresh
            expect(label).to_have_count(0)
            point.hover(force=True)
            with contextlib.suppress(PlaywrightTimeout):  # a bar may sit under another
                label.first.wait_for(state="visible", timeout=2_000)
                hover_texts.append(squash(" ".join(label.all_text_contents())))
    hovered = len(hover_texts)
    assert hovered, "no chart point showed a hover label"
    hover = " ".join(hover_texts)
    for key in ("company", "step_1", "step_2"):
        missing = [p.id for p in plain(share[key]) if squash(p.text) not in hover]
        assert not missing, (f"the chart hover labels do not show {key} literally: "
                             f"{missing}\n{hover_texts}")
        checked += len(plain(share[key]))
    svg_text = squash(" ".join(charts.locator("svg").all_text_contents()))
    assert "<script" not in page.locator(".js-plotly-plot").first.inner_html().lower()
    snapshot(page, f"xss-{round_no}-progress")
    no_script_ran(page, dialogs, "the progress charts")

    # The counsellor: the caseload, the client's page, a note, the summary.
    page.get_by_role("button", name="Counsellor view").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    caseload = page.get_by_role("table")
    checked += shows_literally(caseload, share["client_name"], "the caseload")
    select_by_text(page.get_by_label("Open a client"), name)
    marker = share["client_name"][0].id if share["client_name"] else name
    heading = page.locator("h2.nr-heading").filter(has_text=marker)
    expect(heading).to_be_visible()
    checked += shows_literally(heading, share["client_name"],
                               "the client's page heading")
    type_into(page.get_by_label("New session note"), texts["session_note"])
    page.get_by_role("button", name="Add note").click()
    eventually(lambda: [n.text for n in store.list(Note, client.id)],
               lambda found: found == [texts["session_note"]], what="the session note")
    checked += shows_literally(page.locator(".nr-notes"), share["session_note"],
                               "the client's notes")
    page.get_by_label("Include my private notes in the summary").check()
    expect(page.get_by_text("It includes your private notes.")).to_be_visible()
    snapshot(page, f"xss-{round_no}-counsellor")
    no_script_ran(page, dialogs, "the counsellor view")
    summary_html = decoded(page.get_by_role("link", name="Download the summary as a web page "
                                            "(HTML)"), "text/html")
    summary_md = decoded(page.get_by_role("link", name="Download the summary as Markdown"),
                         "text/markdown")

    # The summary page, opened as a browser would open the downloaded file.
    shown = view_document(page, summary_html, dialogs, "the summary page")
    for key in ("client_name", "step_1", "step_2", "session_note"):
        missing = [p.id for p in plain(share[key]) if squash(p.text) not in squash(shown)]
        assert not missing, f"the summary page does not show {key} literally: {missing}"
        checked += len(plain(share[key]))

    # The Markdown exports, rendered as a Markdown viewer would, then opened.
    import mistune

    for what, markdown, keys in (
            ("the summary Markdown", summary_md, ("step_1", "step_2", "session_note")),
            ("the plan Markdown", plan_markdown, ("step_1", "step_2"))):
        shown = squash(view_document(page, mistune.html(markdown), dialogs, what))
        for key in keys:
            missing = [p.id for p in plain(share[key]) if squash(p.text) not in shown]
            assert not missing, f"{what} does not show {key} literally: {missing}"
            checked += len(plain(share[key]))

    no_script_ran(page, dialogs, "the whole journey")
    print(f"\nround {round_no}: {len(typed)} payloads in {len(FIELDS)} fields, "
          f"{hovered} hover labels, {checked} literal checks, chart text {len(svg_text)} chars")
