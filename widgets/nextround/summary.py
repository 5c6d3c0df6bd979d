"""A session summary the client can keep: what was covered, the plan, next steps.

At the end of a session the counsellor hands the client a short record of it.
The summary is built once as plain data (:func:`gather`) and then written out
twice, as a printable HTML page and as Markdown, so the two never disagree.
Everything the client or counsellor typed is escaped for the format it lands
in. The counsellor's private notes appear only when asked for.

Example::

    from nextround.summary import session_summary
    summary = session_summary(store, content, client.id)
    Path("summary.html").write_text(summary.html, encoding="utf-8")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .advice import assessment_signals
from .caseload import confirmed_scenarios, scenario_title
from .content import Content
from .model import Action, Answer, Application, CheckIn, Contact, Feedback, Note
from .store import STATE_PREFIX
from .text import HARD_BREAK, esc, md_escape, nice_date


@dataclass(frozen=True)
class Summary:
    """One session summary in two formats."""

    title: str
    html: str
    markdown: str


@dataclass
class Heard:
    """One person's feedback on a rejection."""

    who: str
    text: str


@dataclass
class Rejection:
    """A rejection worked on, with how it was read and what was heard."""

    company: str
    role: str
    stage: str
    outcome_on: date | None
    scenario: str = ""
    heard: list[Heard] = field(default_factory=list)


@dataclass
class SummaryData:
    """Everything a summary shows, before it is written in a format."""

    client_name: str
    today: date
    rejections: list[Rejection]
    strengths: list[str]
    gaps: list[str]
    moods: list[tuple[date, str, str]]
    plan: list[Action]
    next_actions: list[Action]
    follow_ups: list[Contact]
    notes: list[Note] | None


# --- gathering ------------------------------------------------------------------


def _rejections(store, content: Content, client_id: str, answers: list[Answer]
                ) -> list[Rejection]:
    """Rejections worked on: every rejected application and the one in progress."""
    current = next((a.value for a in answers
                    if a.key == STATE_PREFIX + "application_id" and not a.application_id), "")
    all_feedback = store.list(Feedback, client_id)
    scenarios = confirmed_scenarios(all_feedback, answers, (s.id for s in content.scenarios))
    feedback: dict[str, list[Feedback]] = {}
    for item in all_feedback:
        feedback.setdefault(item.application_id, []).append(item)
    rejections = []
    for app in store.list(Application, client_id):
        if app.outcome != "rejected" and app.id != current:
            continue
        heard = [Heard(_who(content, f), _heard_text(f)) for f in feedback.get(app.id, [])]
        scenario = scenarios.get(app.id, "")
        rejections.append(Rejection(app.company or "A company", app.role, app.stage,
                                    app.outcome_on,
                                    scenario_title(content, scenario) if scenario else "",
                                    heard))
    return rejections


def _who(content: Content, item: Feedback) -> str:
    """The person asked, with their part in the hiring when it is known."""
    try:
        role = content.source(item.source_id).name
    except KeyError:
        role = ""
    if item.person and role:
        return f"{item.person} ({role})"
    return item.person or role or "Someone you asked"


def _heard_text(item: Feedback) -> str:
    if item.heard.strip():
        return item.heard.strip()
    if item.no_reply:
        return "No reply came."
    if item.asked_on:
        return f"Asked on {nice_date(item.asked_on)}; waiting for a reply."
    return "Not asked yet."


def _signals(content: Content, answers: list[Answer]) -> tuple[list[str], list[str]]:
    """Strengths and gaps from every self-assessment, each named once."""
    groups: dict[str, dict] = {}
    for answer in answers:
        if not answer.key.startswith(STATE_PREFIX):
            groups.setdefault(answer.application_id, {})[answer.key] = answer.value
    strengths: dict[str, None] = {}
    gaps: dict[str, None] = {}
    for group in groups.values():
        found_strengths, found_gaps = assessment_signals(group, content)
        strengths.update(dict.fromkeys(found_strengths))
        gaps.update(dict.fromkeys(found_gaps))
    return list(strengths), list(gaps)


def _moods(store, content: Content, client_id: str) -> list[tuple[date, str, str]]:
    scale = content.mood
    moods = []
    for checkin in store.list(CheckIn, client_id):
        label = scale.labels.get(checkin.mood, "")
        text = f"{checkin.mood} of {scale.max}" + (f" ({label})" if label else "")
        moods.append((checkin.at.date(), text, checkin.note.strip()))
    return moods


def _due_key(action: Action) -> tuple[bool, date]:
    return (action.due_on is None, action.due_on or date.max)


def gather(store, content: Content, client_id: str, *, include_notes: bool = False,
           today: date | None = None) -> SummaryData:
    """Read what the summary shows; private notes only when asked for."""
    today = today or date.today()
    client = store.get_client(client_id)
    answers = store.all_answers(client_id)
    strengths, gaps = _signals(content, answers)
    plan = store.list(Action, client_id)
    follow_ups = sorted((c for c in store.list(Contact, client_id) if c.follow_up_on),
                        key=lambda c: c.follow_up_on)
    return SummaryData(
        client_name=client.name,
        today=today,
        rejections=_rejections(store, content, client_id, answers),
        strengths=strengths,
        gaps=gaps,
        moods=_moods(store, content, client_id),
        plan=plan,
        next_actions=sorted((a for a in plan if not a.done), key=_due_key),
        follow_ups=follow_ups,
        notes=store.list(Note, client_id) if include_notes else None,
    )


def session_summary(store, content: Content, client_id: str, *, include_notes: bool = False,
                    today: date | None = None) -> Summary:
    """The session summary as a printable HTML page and as Markdown."""
    data = gather(store, content, client_id, include_notes=include_notes, today=today)
    title = f"Session summary for {data.client_name}"
    return Summary(title=title, html=to_html(data, title), markdown=to_markdown(data, title))


# --- wording shared by both formats -------------------------------------------


def _rejection_heading(item: Rejection) -> str:
    role = f"{item.role} at {item.company}" if item.role else item.company
    when = f", heard on {nice_date(item.outcome_on)}" if item.outcome_on else ""
    return f"{role} (reached: {item.stage}{when})"


def _kind_line(item: Rejection) -> str:
    if not item.scenario:
        return "Kind of feedback: not yet confirmed."
    return f"Kind of feedback: {item.scenario}."


def _action_due(action: Action, today: date) -> str:
    if action.due_on is None:
        return "No due date"
    late = " (overdue)" if not action.done and action.due_on < today else ""
    return nice_date(action.due_on) + late


def _contact_line(contact: Contact) -> str:
    where = f" ({contact.company})" if contact.company else ""
    return f"Follow up with {contact.name}{where} by {nice_date(contact.follow_up_on, 'no date')}"


# --- HTML -----------------------------------------------------------------------


def _multiline(text: str) -> str:
    """Escaped text whose line breaks survive as ``<br>``."""
    return "<br>".join(esc(line) for line in text.splitlines())


STYLE = """
:root { color-scheme: light; }
body { font: 11pt/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #1b1b1b; background: #fff; max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #888; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
.meta { color: #444; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
blockquote { margin: 0.3em 0 0.6em 1em; padding-left: 0.8em; border-left: 3px solid #999; }
table.plan td:last-child { white-space: nowrap; }
.private { border: 2px dashed #555; padding: 0.5em 1em; }
@page { margin: 15mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, li, blockquote { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _html_list(items: list[str], empty: str) -> str:
    if not items:
        return f"<p>{esc(empty)}</p>"
    return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def _html_rejections(data: SummaryData) -> str:
    if not data.rejections:
        return "<p>No rejection has been logged yet.</p>"
    parts = []
    for item in data.rejections:
        heard = "".join(f"<li><strong>{esc(h.who)}:</strong><blockquote>{_multiline(h.text)}"
                        f"</blockquote></li>" for h in item.heard)
        heard = f"<p>What you heard:</p><ul>{heard}</ul>" if heard else \
            "<p>No feedback recorded yet.</p>"
        parts.append(f"<h3>{esc(_rejection_heading(item))}</h3>"
                     f"<p>{esc(_kind_line(item))}</p>{heard}")
    return "".join(parts)


def _html_moods(data: SummaryData) -> str:
    if not data.moods:
        return "<p>No mood check-ins yet.</p>"
    rows = "".join(f"<tr><td>{esc(nice_date(day))}</td><td>{esc(mood)}</td>"
                   f"<td>{_multiline(note)}</td></tr>" for day, mood, note in data.moods)
    return ("<table><thead><tr><th scope='col'>Date</th><th scope='col'>Mood</th>"
            f"<th scope='col'>Note</th></tr></thead><tbody>{rows}</tbody></table>")


def _html_plan(data: SummaryData) -> str:
    if not data.plan:
        return "<p>No plan steps yet.</p>"
    rows = "".join(f"<tr><td>{esc(a.title)}</td><td>{esc(_action_due(a, data.today))}</td>"
                   f"<td>{'Done' if a.done else 'Not yet'}</td></tr>" for a in data.plan)
    return ("<table class='plan'><thead><tr><th scope='col'>Step</th><th scope='col'>Due</th>"
            f"<th scope='col'>Done?</th></tr></thead><tbody>{rows}</tbody></table>")


def _next_steps(data: SummaryData) -> list[str]:
    steps = [f"{a.title}: due {_action_due(a, data.today)}" for a in data.next_actions]
    return steps + [_contact_line(c) for c in data.follow_ups]


def _html_notes(data: SummaryData) -> str:
    if data.notes is None:
        return ""
    items = "".join(f"<li><strong>{esc(nice_date(n.at))}:</strong> {_multiline(n.text)}</li>"
                    for n in data.notes) or "<li>No notes yet.</li>"
    return ("<section class='private'><h2>Counsellor's private notes</h2>"
            f"<ul>{items}</ul></section>")


def to_html(data: SummaryData, title: str) -> str:
    """A complete, printable HTML page (A4 and Letter alike), all text escaped."""
    body = (
        f"<h1>{esc(title)}</h1>"
        f"<p class='meta'>Written on {esc(nice_date(data.today))}.</p>"
        "<section><h2>What we covered</h2>"
        f"{_html_rejections(data)}"
        "<h3>Your self-assessment</h3>"
        f"<p>Strengths to bring out:</p>{_html_list(data.strengths, 'None noted yet.')}"
        f"<p>Things to work on:</p>{_html_list(data.gaps, 'None noted yet.')}"
        f"<h3>How you have been feeling</h3>{_html_moods(data)}</section>"
        f"<section><h2>Your plan</h2>{_html_plan(data)}</section>"
        "<section><h2>Next steps</h2>"
        f"{_html_list(_next_steps(data), 'Nothing is waiting. Well done.')}</section>"
        f"{_html_notes(data)}"
    )
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


# --- Markdown -------------------------------------------------------------------

def _md_list(items: list[str], empty: str) -> list[str]:
    if not items:
        return [md_escape(empty), ""]
    return [f"- {md_escape(item)}" for item in items] + [""]


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md_escape(cell).replace(HARD_BREAK, "<br>") for cell in row) + " |"
              for row in rows]
    return lines + [""]


def _md_rejections(data: SummaryData) -> list[str]:
    if not data.rejections:
        return ["No rejection has been logged yet.", ""]
    lines: list[str] = []
    for item in data.rejections:
        lines += [f"### {md_escape(_rejection_heading(item))}", "", md_escape(_kind_line(item)),
                  ""]
        if item.heard:
            lines += ["What you heard:", ""]
            lines += [f"- **{md_escape(h.who)}:** {md_escape(h.text)}" for h in item.heard]
            lines.append("")
    return lines


def to_markdown(data: SummaryData, title: str) -> str:
    """The same summary in Markdown, with user text escaped."""
    lines = [f"# {md_escape(title)}", "", f"Written on {md_escape(nice_date(data.today))}.", "",
             "## What we covered", "", *_md_rejections(data),
             "### Your self-assessment", "", "Strengths to bring out:", "",
             *_md_list(data.strengths, "None noted yet."), "Things to work on:", "",
             *_md_list(data.gaps, "None noted yet."), "### How you have been feeling", ""]
    if data.moods:
        lines += _md_table(["Date", "Mood", "Note"],
                           [[nice_date(day), mood, note] for day, mood, note in data.moods])
    else:
        lines += ["No mood check-ins yet.", ""]
    lines += ["## Your plan", ""]
    if data.plan:
        lines += _md_table(["Step", "Due", "Done?"],
                           [[a.title, _action_due(a, data.today), "Done" if a.done else "Not yet"]
                            for a in data.plan])
    else:
        lines += ["No plan steps yet.", ""]
    lines += ["## Next steps", "", *_md_list(_next_steps(data), "Nothing is waiting. Well done.")]
    if data.notes is not None:
        lines += ["## Counsellor's private notes", ""]
        lines += [f"- **{md_escape(nice_date(n.at))}:** {md_escape(n.text)}" for n in data.notes]
        lines += [] if data.notes else ["No notes yet."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
