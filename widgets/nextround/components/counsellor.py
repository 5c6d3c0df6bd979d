"""The counsellor's view: the caseload, and one client's notes and session summary.

A counsellor needs to see at a glance who is struggling (low mood, overdue
steps, no word for weeks, replies that never came) and, for one client, keep
private session notes and hand over a summary of the session. Notes are the
counsellor's own: they reach the summary only when the counsellor ticks the
box for it, and the box starts unticked.

Example::

    from nextround.components import CounsellorView
    view = CounsellorView.create(content=content, store=store)
    view.client_id = client.id      # open one client's page

The caseload is shown a page at a time (:data:`~nextround.caseload.PAGE_SIZE`
clients, those who need attention first), with "Previous page" and "Next
page" buttons and a "Find a client" box that narrows it by name: a table of a
thousand lines would be slow to draw and long to read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ipywidgets as W
from traitlets import Bool, HasTraits, Int, List, Unicode, link, observe, validate

from ..caseload import CaseloadPage, CaseloadRow, caseload, caseload_page, caseload_row
from ..errors import NextRoundError
from ..html_table import Markup, html_table
from ..i18n import _, ngettext
from ..model import Note
from ..names import client_labels, known_client
from ..store.access import may_see_report
from ..summary import Summary, session_summary
from ..text import esc, nice_date, number
from ._view import download_link, guard, heading, paragraph
from .base import Component, _document_traits, labelled

#: Download names are fixed: a client's name never becomes a file name.
HTML_NAME = "nextround-session-summary.html"
MARKDOWN_NAME = "nextround-session-summary.md"
#: Borders and spacing for the caseload table, scoped to it: the page's own
#: styles leave tables bare, and a grid is easier to scan across.
CASELOAD_STYLE = (
    "<style>.nr-caseload{border-collapse:collapse;margin:.5em 0}"
    ".nr-caseload th,.nr-caseload td{border:1px solid #6b6b6b;padding:.3em .5em;"
    "text-align:left;vertical-align:top}"
    ".nr-caseload caption{text-align:left;font-weight:600;padding:.3em 0}"
    ".nr-caseload-wrap{overflow-x:auto;max-width:100%}"
    ".nr-caseload-showing{margin:.5em 0 0}</style>")


@_document_traits
class CounsellorModel(HasTraits):
    """The caseload rows, the page of them shown, the open client and their notes.

    ``query`` narrows the caseload to the clients whose name holds its words
    and ``page`` picks the page of it shown (from 0); a new search starts at
    the first page. ``client_id`` is empty while the caseload is shown;
    setting it opens that client (an unknown id is refused) and reads their
    notes, and leaving a client re-reads their caseload line. Nothing here is saved as
    it is typed: a note is the counsellor's own and is added with its button.

    Parameters
    ----------
    content : nextround.content.Content
        The advice and scales the caseload's signals are read with.
    store : nextround.Store
        Every client's work.
    today : datetime.date, optional
        The day "overdue" and "weeks without word" count from (today by default).

    Events
    ------
    client_id
        A client opened (their notes read) or closed (their caseload line re-read).
    query
        A new search: the caseload goes back to its first page.
    rows
        The caseload, replaced by :meth:`refresh` and :meth:`refresh_client`.
    notes
        The open client's notes, replaced when one is added.

    Saves
    -----
    :class:`~nextround.model.Note`
        A private session note, added with :meth:`add_note`.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import CounsellorModel
    >>> model = CounsellorModel(content=content, store=store)
    >>> model.open(sam.id)
    >>> model.note_text = "Practised the thank-you email together."
    >>> model.add_note().text
    'Practised the thank-you email together.'
    >>> model.open("")                       # back to the caseload
    >>> [row.client_id == sam.id for row in model.rows]
    [True]
    """

    client_id = Unicode(help="The client whose page is open; empty on the caseload.")
    include_notes = Bool(False, help="Whether the session summary includes the private notes.")
    note_text = Unicode(help="The session note being written, added with Add note.")
    rows = List(help="The caseload, one row per client.")
    query = Unicode(help="Words the clients shown have in their name; empty for everyone.")
    page = Int(0, help="The page of the caseload shown, from 0.")
    notes = List(help="The open client's private notes, oldest first.")

    def __init__(self, *, content, store, today: date | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.content = content
        self.store = store
        self._today = today
        self.refresh()

    @property
    def today(self) -> date:
        """The day the caseload counts from."""
        return self._today or date.today()

    def attach(self, guard: Any, after_save: Any) -> None:
        """Nothing is saved as it is typed here, so there are no saves to report."""

    def refresh(self) -> None:
        """Re-read the whole caseload (one query per table, whatever its size)."""
        self.labels = client_labels(self.store.list_clients())
        self.rows = caseload(self.store, self.content, self.today)

    def label(self, client_id: str) -> str:
        """The client's name, told apart from others with the same name."""
        return self.labels.get(client_id) or self.store.get_client(client_id).name

    def refresh_client(self, client_id: str) -> None:
        """Re-read one client's line (say, after a session with them)."""
        fresh = caseload_row(self.store, self.content, client_id, self.today)
        self.rows = [fresh if row.client_id == client_id else row for row in self.rows]

    def row(self, client_id: str) -> CaseloadRow | None:
        """One client's caseload line, or None when they are not in it."""
        return next((r for r in self.rows if r.client_id == client_id), None)

    def shown(self) -> CaseloadPage:
        """The page of the caseload on screen (the nearest one if ``page`` is past the end)."""
        return caseload_page(self.rows, labels=self.labels, query=self.query, number=self.page)

    def next_page(self) -> None:
        """Show the next page; on the last page, stay there."""
        shown = self.shown()
        if shown.has_next:
            self.page = shown.number + 1

    def previous_page(self) -> None:
        """Show the page before; on the first page, stay there."""
        self.page = max(self.shown().number - 1, 0)

    @observe("query")
    def _new_search(self, _change: dict) -> None:
        self.page = 0

    @validate("client_id")
    def _a_known_client(self, proposal: dict) -> str:
        return known_client(self.store, proposal["value"])

    @observe("client_id")
    def _opened(self, change: dict) -> None:
        """A client's page opened (their notes are read) or closed (their line re-read)."""
        if change["old"] and self.row(change["old"]) is not None:
            self.refresh_client(change["old"])
        self.note_text = ""
        self.notes = self.store.list(Note, change["new"]) if change["new"] else []

    def open(self, client_id: str) -> None:
        """Open one client's page; an empty id goes back to the caseload."""
        self.client_id = client_id

    def client_name(self) -> str:
        """The open client's name ('' on the caseload)."""
        return self.label(self.client_id) if self.client_id else ""

    def add_note(self) -> Note:
        """Save the note being written as a private session note for the open client."""
        if not self.client_id:
            raise NextRoundError(_("Open a client first, then add your note."))
        if not self.note_text.strip():
            raise NextRoundError(_("Write your note in the box first."))
        note = self.store.add(Note(client_id=self.client_id, text=self.note_text.strip()))
        self.notes = [*self.notes, note]
        self.note_text = ""
        return note

    def summary(self) -> Summary:
        """The open client's session summary; private notes only when ticked."""
        return session_summary(self.store, self.content, self.client_id,
                               include_notes=self.include_notes, today=self.today)


class CounsellorView(Component):
    """The counsellor's view: the caseload table and client picker, or one client's page.

    ``client_id`` names the open client (empty on the caseload) and is
    linked to the model's: setting it opens that client, so an app can link
    it to its own client picker. An unknown id is refused with a message.
    Unlike the steps it is built with ``create(content=..., store=...)``:
    it covers every client, not one.

    Parameters
    ----------
    model : CounsellorModel
        The caseload and the open client. ``CounsellorView.create(content=...,
        store=..., today=None)`` builds it and this view over it.

    Events
    ------
    client_id
        The client whose page is open; link it to a picker of your own.

    Saves
    -----
    :class:`~nextround.model.Note`
        Private session notes, added with "Add note" (see :class:`CounsellorModel`).

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import CounsellorView
    >>> view = CounsellorView.create(content=content, store=store)
    >>> view.client_id = sam.id               # open Sam's page
    >>> view.model.client_name()
    'Sam'
    """

    title = "Counsellor view"
    model_class = CounsellorModel
    client_id = Unicode(help="The client whose page is open; empty on the caseload.")

    @classmethod
    def create(cls, *, content, store, today: date | None = None) -> CounsellorView:
        """Build the caseload's model and the view over it (see :class:`CounsellorModel`)."""
        return cls(CounsellorModel(content=content, store=store, today=today))

    def build(self) -> list[W.Widget]:
        self.page = W.VBox()
        self.caseload_page = self._caseload_page()
        self.client_page = self._client_page()
        self.report_page: W.Widget | None = None
        model: CounsellorModel = self.model
        self._show_caseload()  # the picker's options, before it is bound
        # Choosing the "Choose a client" line (or the picker's reset when the
        # rows change) leaves the open page as it is; the back button closes it.
        # The picker lists the clients on the page of the table shown.
        self.bind(self.picker, "client_id",
                  to_widget=lambda cid: cid if cid in self.picker_ids else "",
                  to_model=lambda cid: cid or model.client_id)
        self.bind(self.find, "query")
        self.bind(self.note_input, "note_text")
        self.bind(self.include, "include_notes")
        link((model, "client_id"), (self, "client_id"))
        self.on_click(self.refresh_button, self._refresh)
        self.on_click(self.previous_button, model.previous_page)
        self.on_click(self.next_button, model.next_page)
        self.on_click(self.back, lambda: model.open(""))
        self.on_click(self.report_button, self._show_report)
        self.on_click(self.add_button, self._add_note)
        model.observe(lambda _c: self._show_caseload(), names=["rows", "query", "page"])
        model.observe(lambda _c: self._show_notes(), names="notes")
        model.observe(self.guard(lambda _c: self._show_page()), names="client_id")
        model.observe(self.guard(self._include_changed), names="include_notes")
        self._show_page()
        return [self.page]

    def _caseload_page(self) -> W.Widget:
        self.find = W.Text(placeholder=_("Part of a name"))
        self.showing = W.HTML()
        self.table = W.HTML()
        self.previous_button = W.Button(description=_("Previous page"))
        self.next_button = W.Button(description=_("Next page"))
        self.picker = W.Dropdown()
        self.picker_ids: set[str] = set()
        self.refresh_button = W.Button(description=_("Update the caseload"))
        self.report_button = W.Button(description=_("Service report"))
        return W.VBox([
            heading(_("Your caseload"), 2),
            paragraph(_("Clients who may need you come first, marked “Yes” under "
                      "“Needs attention”, with the reason.")),
            labelled(self.find, _("Find a client"),
                     hint=_("Type part of a name to show only the clients it matches.")),
            self.showing,
            self.table,
            W.HBox([self.previous_button, self.next_button],
                   layout=W.Layout(flex_flow="row wrap")),
            labelled(self.picker, _("Open a client"),
                     hint=_("Lists the clients in the table above.")),
            W.HBox([self.refresh_button, *self._report_buttons()],
                   layout=W.Layout(flex_flow="row wrap")),
        ])

    def _client_page(self) -> W.Widget:
        self.client_heading = W.HTML()
        self.client_attention = W.HTML()
        self.back = W.Button(description=_("Back to caseload"))
        self.notes_html = W.HTML()
        self.note_input = W.Textarea(placeholder=_("What happened in the session, what to "
                                                 "pick up next time"))
        self.add_button = W.Button(description=_("Add note"), button_style="primary")
        self.include = W.Checkbox()
        self.links = W.HTML()
        return W.VBox([
            self.back,
            self.client_heading,
            self.client_attention,
            heading(_("Private session notes")),
            paragraph(_("Only you see these notes. They are left out of the client's "
                      "summary and workbook file unless you choose to include them.")),
            self.notes_html,
            labelled(self.note_input, _("New session note")),
            self.add_button,
            heading(_("Session summary")),
            paragraph(_("A printable summary of what you covered, the plan and the next "
                      "steps, to give to your client.")),
            labelled(self.include, _("Include my private notes in the summary")),
            self.links,
        ])

    @validate("client_id")
    def _a_known_client(self, proposal: dict) -> str:
        """An unknown id is refused with a plain message; the open page stays."""
        opened = guard(self.model.store.get_client, self.status)
        if proposal["value"] and opened(proposal["value"]) is None:
            return self.model.client_id
        return proposal["value"]

    # -- caseload --

    def _show_caseload(self) -> None:
        """Draw the page of the caseload shown, and offer its clients in the picker."""
        model: CounsellorModel = self.model
        shown = model.shown()
        self.showing.value = (f"<p class='nr-text nr-caseload-showing' role='status'>"
                              f"{esc(shown.showing())}</p>" if model.rows else "")
        self.table.value = (caseload_table(shown.rows, model.today, model.content.mood.max,
                                           model.labels, everyone=model.rows)
                            if shown.rows or not model.rows else "")
        self.previous_button.disabled = not shown.has_previous
        self.next_button.disabled = not shown.has_next
        self.picker_ids = {row.client_id for row in shown.rows}
        self.picker.options = [(_("Choose a client"), ""),
                               *((model.labels.get(row.client_id, row.name), row.client_id)
                                 for row in shown.rows)]
        self.picker.value = model.client_id if model.client_id in self.picker_ids else ""

    def _refresh(self) -> None:
        self.model.refresh()
        self.status.info(_("The caseload is up to date."))

    # -- the service report --

    def _report_buttons(self) -> list[W.Widget]:
        """"Service report", for those who may see it (:func:`may_see_report`): anyone
        on one machine; on a shared database, supervisors and the owner only."""
        return [self.report_button] if may_see_report(self.model.store) else []

    def _show_report(self) -> None:
        """Open the service report, built on first use (it brings pandas and plotly)."""
        from .service_report import service_report_view

        if self.report_page is None:
            report_back = W.Button(description=_("Back to caseload"))
            self.on_click(report_back, self._show_page)
            self.report_view = service_report_view(content=self.model.content,
                                                   store=self.model.store,
                                                   today=self.model.today)
            self.report_page = W.VBox([report_back, self.report_view])
        else:
            self.report_view.model.refresh()
        self.page.children = [self.report_page]

    # -- one client --

    def _show_page(self) -> None:
        model: CounsellorModel = self.model
        if not model.client_id:
            self.picker.value = ""
            self.page.children = [self.caseload_page]
            return
        self.client_heading.value = (f"<h2 class='nr-heading'>{esc(model.client_name())}"
                                     "</h2>")
        self.client_attention.value = attention_html(model.row(model.client_id))
        self._show_notes()
        self._show_links()
        self.page.children = [self.client_page]

    def _show_notes(self) -> None:
        self.notes_html.value = notes_html(self.model.notes)

    def _add_note(self) -> None:
        self.model.add_note()
        self._show_links()  # the note may belong in the summary
        self.status.saved(_("Your note is saved. It stays private."))

    def _include_changed(self, change: dict) -> None:
        self._show_links()
        if change["new"]:
            self.status.info(_("The summary now includes your private notes."))
        else:
            self.status.info(_("The summary leaves out your private notes."))

    def _show_links(self) -> None:
        summary = self.model.summary()
        as_html = download_link(_("Download the summary as a web page (HTML)"), HTML_NAME,
                                summary.html.encode("utf-8"), "text/html")
        as_markdown = download_link(_("Download the summary as Markdown"), MARKDOWN_NAME,
                                    summary.markdown.encode("utf-8"), "text/markdown")
        notes = (_("It includes your private notes.") if self.model.include_notes
                 else _("It does not include your private notes."))
        self.links.value = (f"<ul class='nr-downloads'><li>{as_html}</li>"
                            f"<li>{as_markdown}</li></ul><p class='nr-hint'>{esc(notes)}</p>")


# --- HTML pieces -----------------------------------------------------------------------


def _when(value: datetime | None, today: date) -> str:
    if value is None:
        return _("No entries yet")
    days = (today - value.date()).days
    if days <= 0:
        ago = _("today")
    elif days == 1:
        ago = _("yesterday")
    else:
        ago = ngettext("{count} day ago", "{count} days ago", days).format(count=days)
    return f"{nice_date(value)} ({ago})"


def _scenarios(counts: dict[str, int]) -> str:
    if not counts:
        return esc(_("None"))
    return "<br>".join(f"{esc(title)}: {n}" for title, n in counts.items())


def caseload_table(rows: list[CaseloadRow], today: date, mood_max: int,
                   labels: dict[str, str] | None = None, *,
                   everyone: list[CaseloadRow] | None = None) -> str:
    """The caseload as an accessible table; every name and reason escaped.

    ``labels`` tell apart clients with the same name (see :func:`client_labels`).
    ``rows`` may be one page of the caseload: the caption counts ``everyone``
    (by default, the rows shown).
    """
    labels = labels or {}
    everyone = rows if everyone is None else everyone
    if not rows:
        empty = _("No clients yet. Add one with the client picker.")
        return f"<p class='nr-text'>{esc(empty)}</p>"
    head = (_("Client"), _("Last activity"), _("Rejections by kind of feedback"),
            _("Awaiting replies"), _("Overdue actions"), _("Latest mood"),
            _("Needs attention"))
    yes, no = esc(_("Yes")), esc(_("No"))
    cells = []
    for row in rows:
        mood = (_("None yet") if row.latest_mood is None
                else _("{mood} of {most}").format(mood=row.latest_mood, most=mood_max))
        attention = (f"<strong>{yes}</strong>: " + esc("; ".join(row.reasons))
                     if row.needs_attention else no)
        cells.append((labels.get(row.client_id, row.name), _when(row.last_activity, today),
                      Markup(_scenarios(row.rejections_by_scenario)), row.awaiting_replies,
                      row.overdue_actions, mood, Markup(attention)))
    flagged = sum(row.needs_attention for row in everyone)
    caption = ngettext("{count} client; {flagged} may need attention",
                       "{count} clients; {flagged} may need attention", len(everyone)).format(
        count=number(len(everyone)), flagged=number(flagged))
    table = html_table(head, cells, css="nr-table nr-caseload", row_headers=True,
                       caption=caption)
    region = esc(_("Caseload"))
    return (f"{CASELOAD_STYLE}<div class='nr-caseload-wrap' role='region' "
            f"aria-label='{region}' tabindex='0'>"
            f"{table}</div>")


def attention_html(row: CaseloadRow | None) -> str:
    if row is None or not row.needs_attention:
        calm = _("Nothing needs your attention right now.")
        return f"<p class='nr-text'>{esc(calm)}</p>"
    items = "".join(f"<li>{esc(reason)}</li>" for reason in row.reasons)
    needs = esc(_("Needs attention:"))
    return f"<div class='nr-card' role='note'><p><strong>{needs}</strong></p>" \
           f"<ul>{items}</ul></div>"


def notes_html(notes: list[Note]) -> str:
    """The private notes, newest first, escaped, line breaks kept."""
    if not notes:
        empty = _("No notes yet.")
        return f"<p class='nr-text'>{esc(empty)}</p>"
    items = "".join(
        f"<li><strong>{esc(nice_date(note.at))}:</strong> "
        + "<br>".join(esc(line) for line in note.text.splitlines()) + "</li>"
        for note in reversed(notes))
    return f"<ul class='nr-notes'>{items}</ul>"
