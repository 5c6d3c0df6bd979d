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

import html
from dataclasses import dataclass, field
from datetime import date

from .advice import assessment_signals
from .caseload import confirmed_scenarios, scenario_title
from .choice_answers import in_language
from .content import Content
from .html_table import Markup, html_table
from .i18n import _, current_language, using
from .model import Action, Answer, Application, CheckIn, Contact, Feedback, Note, choice_label
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
    return item.person or role or _("Someone you asked")


def _heard_text(item: Feedback) -> str:
    if item.heard.strip():
        return item.heard.strip()
    if item.no_reply:
        return _("No reply came.")
    if item.asked_on:
        return _("Asked on {date}; waiting for a reply.").format(date=nice_date(item.asked_on))
    return _("Not asked yet.")


def _signals(content: Content, answers: list[Answer]) -> tuple[list[str], list[str]]:
    """Strengths and gaps from every self-assessment, each named once."""
    groups: dict[str, dict] = {}
    for answer in answers:
        if not answer.key.startswith(STATE_PREFIX):
            groups.setdefault(answer.application_id, {})[answer.key] = answer.value
    strengths: dict[str, None] = {}
    gaps: dict[str, None] = {}
    for group in groups.values():
        found_strengths, found_gaps = assessment_signals(in_language(content, group), content)
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
    """The session summary as a printable HTML page and as Markdown, in the client's
    language (the page's, when the client has not chosen one)."""
    lang = store.get_client(client_id).language
    with using(lang or current_language()) as speaking:
        data = gather(store, content, client_id, include_notes=include_notes, today=today)
        title = _("Session summary for {name}").format(name=data.client_name)
        return Summary(title=title, html=to_html(data, title, lang=speaking),
                       markdown=to_markdown(data, title))


# --- wording shared by both formats -------------------------------------------


def _rejection_heading(item: Rejection) -> str:
    role = (_("{role} at {company}").format(role=item.role, company=item.company)
            if item.role else item.company)
    stage = choice_label(item.stage).lower()
    if item.outcome_on:
        return _("{role} (reached: {stage}, heard on {date})").format(
            role=role, stage=stage, date=nice_date(item.outcome_on))
    return _("{role} (reached: {stage})").format(role=role, stage=stage)


def _kind_line(item: Rejection) -> str:
    if not item.scenario:
        return _("Kind of feedback: not yet confirmed.")
    return _("Kind of feedback: {kind}.").format(kind=item.scenario)


def _action_due(action: Action, today: date) -> str:
    if action.due_on is None:
        return _("No due date")
    late = _(" (overdue)") if not action.done and action.due_on < today else ""
    return nice_date(action.due_on) + late


def _contact_line(contact: Contact) -> str:
    who = f"{contact.name} ({contact.company})" if contact.company else contact.name
    return _("Follow up with {who} by {date}").format(
        who=who, date=nice_date(contact.follow_up_on, _("no date")))


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
        return "<p>" + esc(_("No rejection has been logged yet.")) + "</p>"
    parts = []
    for item in data.rejections:
        heard = "".join(f"<li><strong>{esc(h.who)}:</strong><blockquote>{_multiline(h.text)}"
                        f"</blockquote></li>" for h in item.heard)
        heard = ("<p>" + esc(_("What you heard:")) + f"</p><ul>{heard}</ul>" if heard else
                 "<p>" + esc(_("No feedback recorded yet.")) + "</p>")
        parts.append(f"<h3>{esc(_rejection_heading(item))}</h3>"
                     f"<p>{esc(_kind_line(item))}</p>{heard}")
    return "".join(parts)


def _html_moods(data: SummaryData) -> str:
    if not data.moods:
        return "<p>" + esc(_("No mood check-ins yet.")) + "</p>"
    rows = [(nice_date(day), mood, Markup(_multiline(note))) for day, mood, note in data.moods]
    return html_table((_("Date"), _("Mood"), _("Note")), rows, css="moods")


def _html_plan(data: SummaryData) -> str:
    if not data.plan:
        return "<p>" + esc(_("No plan steps yet.")) + "</p>"
    rows = [(a.title, _action_due(a, data.today), _done(a)) for a in data.plan]
    return html_table((_("Step"), _("Due"), _("Done?")), rows, css="plan")


def _done(action: Action) -> str:
    return _("Done") if action.done else _("Not yet")


def _next_steps(data: SummaryData) -> list[str]:
    steps = [_("{step}: due {date}").format(step=a.title, date=_action_due(a, data.today))
             for a in data.next_actions]
    return steps + [_contact_line(c) for c in data.follow_ups]


def _html_notes(data: SummaryData) -> str:
    if data.notes is None:
        return ""
    items = "".join(f"<li><strong>{esc(nice_date(n.at))}:</strong> {_multiline(n.text)}</li>"
                    for n in data.notes) or "<li>" + esc(_("No notes yet.")) + "</li>"
    heading = html.escape(_("Counsellor's private notes"), quote=False)  # its ' as before
    return (f"<section class='private'><h2>{heading}</h2>"
            f"<ul>{items}</ul></section>")


def to_html(data: SummaryData, title: str, lang: str = "en") -> str:
    """A complete, printable HTML page (A4 and Letter alike), all text escaped."""
    none_yet = _("None noted yet.")
    body = (
        f"<h1>{esc(title)}</h1>"
        "<p class='meta'>{}</p>".format(esc(_("Written on {date}.").format(
            date=nice_date(data.today))))
        + "<section><h2>{}</h2>".format(esc(_("What we covered")))
        + _html_rejections(data)
        + "<h3>{}</h3><p>{}</p>".format(esc(_("Your self-assessment")),
                                       esc(_("Strengths to bring out:")))
        + _html_list(data.strengths, none_yet)
        + "<p>{}</p>".format(esc(_("Things to work on:"))) + _html_list(data.gaps, none_yet)
        + "<h3>{}</h3>".format(esc(_("How you have been feeling"))) + _html_moods(data)
        + "</section><section><h2>{}</h2>".format(esc(_("Your plan"))) + _html_plan(data)
        + "</section><section><h2>{}</h2>".format(esc(_("Next steps")))
        + _html_list(_next_steps(data), _("Nothing is waiting. Well done.")) + "</section>"
        + _html_notes(data)
    )
    return (f"<!DOCTYPE html>\n<html lang=\"{esc(lang)}\"><head><meta charset=\"utf-8\">"
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
        return [md_escape(_("No rejection has been logged yet.")), ""]
    lines: list[str] = []
    for item in data.rejections:
        lines += [f"### {md_escape(_rejection_heading(item))}", "", md_escape(_kind_line(item)),
                  ""]
        if item.heard:
            lines += [md_escape(_("What you heard:")), ""]
            lines += [f"- **{md_escape(h.who)}:** {md_escape(h.text)}" for h in item.heard]
            lines.append("")
    return lines


def to_markdown(data: SummaryData, title: str) -> str:
    """The same summary in Markdown, with user text escaped."""
    none_yet = _("None noted yet.")
    written = _("Written on {date}.").format(date=nice_date(data.today))
    lines = [f"# {md_escape(title)}", "", md_escape(written), "",
             "## " + md_escape(_("What we covered")), "", *_md_rejections(data),
             "### " + md_escape(_("Your self-assessment")), "",
             md_escape(_("Strengths to bring out:")), "",
             *_md_list(data.strengths, none_yet), md_escape(_("Things to work on:")), "",
             *_md_list(data.gaps, none_yet),
             "### " + md_escape(_("How you have been feeling")), ""]
    if data.moods:
        lines += _md_table([_("Date"), _("Mood"), _("Note")],
                           [[nice_date(day), mood, note] for day, mood, note in data.moods])
    else:
        lines += [md_escape(_("No mood check-ins yet.")), ""]
    lines += ["## " + md_escape(_("Your plan")), ""]
    if data.plan:
        lines += _md_table([_("Step"), _("Due"), _("Done?")],
                           [[a.title, _action_due(a, data.today), _done(a)] for a in data.plan])
    else:
        lines += [md_escape(_("No plan steps yet.")), ""]
    lines += ["## " + md_escape(_("Next steps")), "",
              *_md_list(_next_steps(data), _("Nothing is waiting. Well done."))]
    if data.notes is not None:
        lines += ["## " + md_escape(_("Counsellor's private notes")), ""]
        lines += [f"- **{md_escape(nice_date(n.at))}:** {md_escape(n.text)}" for n in data.notes]
        lines += [] if data.notes else [md_escape(_("No notes yet."))]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
