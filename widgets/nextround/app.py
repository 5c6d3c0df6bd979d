"""The one-page app that Voilà serves: a client picker, the steps, the counsellor view.

The first view is deliberately small: a header, the client picker and the
menu of steps. A step's component is built the first time it is opened and
kept for the rest of the session, so nothing heavy (plotly, pandas, the
caseload) is paid for until somebody asks for it.

Where the client is (which client, which step) is saved in the store as
they move, so a reload or a kernel restart opens the same place again.

A page can be locked to one client (``nextround serve --client``, or the
counsellor's "Hand over to the client" switch; see :mod:`nextround.handover`):
it then has no client picker, no counsellor view and no other name, and
refuses to open anyone else. Each visit records in the audit log the clients
it opens and its first change to each (:class:`~nextround.store.audit.Visit`).

Example (in a notebook)::

    from nextround.app import App
    app = App.create()
    app
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import ipywidgets as W
from traitlets import Bool, HasTraits, List, Unicode, dlink, observe, validate

from .app_lock import ONE_CLIENT_ONLY, LockedPage
from .app_pages import (
    binder_notice,
    content_problems_html,
    header_html,
    on_binder,
    welcome_html,
)
from .components._view import StatusLine, guard
from .components.base import saves
from .components.handover import HandOverSwitch, TakeBack
from .errors import ContentError, NextRoundError
from .handover import Lock, current_lock, handed_over
from .i18n import (
    LANGUAGES,
    _,
    content_for,
    default_language,
    language_from_query,
    speaks,
    supported,
    using,
)
from .model import CLIENT, COUNSELLOR
from .settings import LAST_CLIENT
from .steps import STEPS, Step, step_by_key
from .text import esc
from .visitor import role_hint, visitor_of

log = logging.getLogger("nextround")



def client_from_query(query: str | None) -> str:
    """The ``client`` parameter of a query string, or "" when absent."""
    from urllib.parse import parse_qs

    values = parse_qs(query or "").get("client") or [""]
    return values[0].strip()


class AppModel(HasTraits):
    """Which client is open, which step they are on, and which view shows."""

    client_id = Unicode(help="The open client; empty until one is chosen.")
    client_options = List(help="(label, id) per client, for the client picker.")
    step = Unicode(STEPS[0].key, help="The key of the step on screen.")
    view = Unicode("client", help="'client' for the workbook, 'counsellor' for the caseload.")
    locked_to = Unicode(help="The one client the page shows; empty when it is not locked.")
    can_take_back = Bool(False, help="Whether the counsellor may unlock the page here.")
    language = Unicode(help="The language the page speaks ('en', 'es'); follows the open "
                            "client's choice unless the address names one (?lang=).")
    #: Set when the page's address chose the language: it then outranks the client's.
    language_from_address = Bool(False, help="Whether ?lang= chose the page's language.")

    def __init__(self, *, content, store, lock: Lock | None = None, **kwargs: Any):
        from .store.audit import Visit, VisitStore

        kwargs.setdefault("language", default_language())
        super().__init__(**kwargs)
        self.content = content
        self.store = store
        self.visit = Visit(store)
        #: The store the steps write through: their first change per client is logged.
        self.steps_store = VisitStore(store, self.visit)
        if lock is not None:
            self.lock(lock)
        else:
            self.client_options = self.clients()

    @property
    def actor(self) -> str:
        return self.visit.actor

    @actor.setter
    def actor(self, actor: str) -> None:
        """Who is at the keyboard, for the audit log (imports and erases included)."""
        self.visit.actor = self.store.actor = actor

    def lock(self, lock: Lock) -> None:
        """Show ``lock.client_id`` only, to the client, from now on."""
        self.actor = CLIENT
        self.view = "client"
        self.can_take_back = lock.undo
        self.locked_to = lock.client_id  # first: a locked page builds no picker
        self.client_options = []

    def unlock(self) -> None:
        """Back to the counsellor's app, with every client to choose from."""
        self.actor = COUNSELLOR
        self.client_options = self.clients()  # first: the new picker needs its options
        self.can_take_back = False
        self.locked_to = ""

    def clients(self) -> list[tuple[str, str]]:
        """(label, id) per client; clients with the same name are told apart."""
        from .names import client_labels

        clients = self.store.list_clients()
        labels = client_labels(clients)
        return [(labels[client.id], client.id) for client in clients]

    def same_name(self, name: str) -> list[str]:
        """When each client already called ``name`` was added, to ask before adding another."""
        from .names import added_on, same_name

        return [_("added {date}").format(date=added_on(c.created_at))
                for c in same_name(self.store.list_clients(), name)]

    def lock_in_force(self) -> str:
        """The client the page is locked to, also when another page handed over since."""
        if self.locked_to:
            return self.locked_to
        other_page = handed_over(self.store)
        return other_page.client_id if other_page else ""

    @validate("client_id")
    def _a_known_client(self, proposal: dict) -> str:
        from .names import known_client

        only = self.lock_in_force()
        if only and proposal["value"] not in ("", only):
            message = _(ONE_CLIENT_ONLY)
            raise NextRoundError(message[0].upper() + message[1:])
        return known_client(self.store, proposal["value"])

    @observe("language")
    def _content_in_language(self, change: dict) -> None:
        """The steps show the content written for the language the page speaks."""
        if change["old"]:
            self.content = content_for(change["new"], self.content.directory)

    @observe("client_id")
    def _opened(self, change: dict) -> None:
        if change["new"]:
            self.visit.opened(change["new"])
            self._speak_clients_language(change["new"])
            self._resume(change["new"])

    def _speak_clients_language(self, client_id: str) -> None:
        """The client chose a language before: speak it, unless the address says otherwise."""
        chosen = supported(getattr(self.store.get_client(client_id), "language", None))
        if chosen and not self.language_from_address:
            self.language = chosen

    def choose_language(self, lang: str) -> None:
        """The page speaks ``lang`` from now on, and the open client keeps it as theirs."""
        chosen = supported(lang)
        if chosen is None:
            raise NextRoundError(_("NextRound does not speak {language!r}.").format(
                language=str(lang)[:20]))
        self.language_from_address = False
        self.language = chosen
        if self.client_id and getattr(self.store.get_client(self.client_id), "language",
                                      None) != chosen:
            self.steps_store.set_client_language(self.client_id, chosen)

    def _resume(self, client_id: str) -> None:
        """Go to the step the client left off at, and remember them for next time.

        A page locked to one client remembers nothing store-wide: it always
        opens its client, and a client's own database role may not write the
        counsellors' settings.
        """
        saved_step = str(self.store.get_state(client_id).get("step") or STEPS[0].key)
        if not self.locked_to:
            self.store.set_setting(LAST_CLIENT, client_id)
        self.step = step_by_key(saved_step).key

    def open_client(self, client_id: str) -> None:
        """Open a client where they left off (again, if they are open already)."""
        if client_id and client_id == self.client_id:
            self._resume(client_id)
        self.client_id = client_id

    def refresh_clients(self) -> None:
        """Read the list of clients again (one was added or came from a file)."""
        self.client_options = [] if self.locked_to else self.clients()

    def add_client(self, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise NextRoundError(_("type a name first."))
        client = self.store.create_client(name)
        self.refresh_clients()
        self.open_client(client.id)
        return client.id

    def go_to(self, key: str) -> None:
        """Move to a step and save it, so a reload comes back here."""
        step = step_by_key(key)
        if self.client_id:
            self.store.set_state(self.client_id, step=step.key)
        self.step = step.key

    def last_client(self) -> str:
        client_id = str(self.store.get_setting(LAST_CLIENT) or "")
        try:
            return self.store.get_client(client_id).id if client_id else ""
        except NextRoundError:
            return ""


class App(LockedPage, W.VBox):
    """The whole app: header, client bar, step menu and the open step, or the caseload.

    ``nextround serve`` shows this in Voilà; a notebook can show it too.
    A counsellor picks or adds a client, and both work through the steps;
    "Counsellor view" shows the caseload instead.

    Parameters
    ----------
    model : AppModel
        Which client is open, which step and which view. :meth:`create`
        builds it on the shipped content and the default store.

    Events
    ------
    model.client_id
        The open client; the step and the workbook file box follow it.
    model.step
        The key of the step on screen; saved as the client's resume state.
    model.view
        ``"client"`` or ``"counsellor"``.

    Saves
    -----
    ``state.{name}``
        Where each client was (step, rejection), so the app resumes there.
    every record
        Through the steps it shows (see each step's own reference).

    Example
    -------
    >>> import tempfile
    >>> from nextround import App, Store, load_content
    >>> store = Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> app = App.create(content=load_content(), store=store)
    >>> app.model.client_id = sam.id         # as if Sam was picked
    >>> app.model.step
    'log'
    """

    def __init__(self, model: AppModel, **kwargs: Any):
        super().__init__(**kwargs)
        self.model = model
        self.add_class("nextround-app")
        self._current: W.Widget | None = None
        self._counsellor: W.Widget | None = None
        self.status = StatusLine()
        self._picker_links: tuple[dlink, ...] = ()
        with using(model.language):
            self._build()

    def _build(self) -> None:
        """Every widget of the page, in the model's language."""
        model = self.model
        self.client_picker = None if model.locked_to else self._client_picker()
        # Sent when the box is left (by pressing "Add client"): a name is not saved
        # work, and key-by-key updates could reach the kernel after the click.
        self.new_name = W.Text(continuous_update=False,
                               layout=W.Layout(flex="1 1 16em", width="auto",
                                               max_width="28em", min_width="0"))
        self.new_name.style.description_width = "initial"
        self.new_name.add_class("nextround-no-print")
        self.add_button = W.Button()
        self.same_name_box = W.VBox(layout=W.Layout(display="none"))
        self.same_name_box.add_class("nr-confirm")
        self.counsellor_button = W.ToggleButton(value=False)
        self.hand_over = HandOverSwitch(on_confirm=self.guard(self._hand_over))
        self.take_back = TakeBack(on_confirm=self.guard(self._take_back))
        self.only_client = W.HTML()
        self.header = W.HTML(layout=W.Layout(flex="1 1 20em", min_width="0"))
        self.binder = binder_notice()
        self.language_picker = W.Dropdown(
            options=[(name, tag) for tag, name in LANGUAGES.items()], value=model.language,
            layout=W.Layout(width="auto"))
        self.language_picker.style.description_width = "initial"
        self.language_picker.add_class("nr-language")
        self.menu = W.VBox(layout=W.Layout(min_width="15em", max_width="20em"))
        self.menu.add_class("nr-menu")
        self.main = W.VBox(layout=W.Layout(flex="1 1 30em", min_width="0"))
        self.main.add_class("nr-main")
        self.workbook_box = W.VBox()
        self._label()
        self._wire()
        self.client_bar = W.HBox(layout=W.Layout(flex_flow="row wrap",
                                                 align_items="flex-end"))
        self._show_bar()
        header_row = W.HBox([self.header, self.language_picker],
                            layout=W.Layout(flex_flow="row wrap", align_items="flex-start",
                                            justify_content="space-between"))
        header_row.add_class("nr-header-row")
        self.children = [
            header_row,
            self.binder,
            self.client_bar,
            self.same_name_box,
            self.status,
            W.HBox([self.menu, self.main], layout=W.Layout(flex_flow="row wrap",
                                                           align_items="flex-start")),
            self.workbook_box,
        ]
        self._render()
        speaks(self, model.language)

    def _label(self) -> None:
        """Give the fixed parts of the page their words, in the language in force."""
        self.header.value = header_html(self.model.content.help)
        self.binder.value = binder_notice().value
        self.new_name.description = _("New client's name")
        self.new_name.placeholder = _("First name is enough")
        self.add_button.description = _("Add client")
        self.counsellor_button.description = _("Counsellor view")
        self.language_picker.description = _("Language")
        if self.client_picker is not None:
            self.client_picker.description = _("Client")

    def _language_changed(self, _change: dict) -> None:
        """The page now speaks another language: every word on it is said again."""
        with using(self.model.language):
            self.language_picker.value = self.model.language
            self._label()
            for old in (self.hand_over, self.take_back):
                old.close()
            self.hand_over = HandOverSwitch(on_confirm=self.guard(self._hand_over))
            self.take_back = TakeBack(on_confirm=self.guard(self._take_back))
            self._show_bar()
            self.status.clear()
            self._ask_same_name(None)
            if self._counsellor is not None:
                close_tree(self._counsellor)
                self._counsellor = None
            for box in self.workbook_box.children:
                close_tree(box)
            self.workbook_box.children = []
            self._render()
            speaks(self, self.model.language)

    @classmethod
    def create(cls, *, content=None, store=None) -> W.Widget:
        """Build the app on the shipped content and default store.

        Bad content stops the app with the same one-line-per-problem
        messages as ``nextround check-content``, shown on the page. Who the
        page is for comes first (:mod:`nextround.visitor`): a client's page is
        locked to their own record, a supervisor gets the service report
        only. A page locked to one client
        (:func:`~nextround.handover.current_lock`) is locked before anything
        is shown.
        """
        from .store import Store

        try:
            content = content or content_for(default_language())
        except ContentError as exc:
            return W.HTML(content_problems_html(exc.problems))
        store = store or Store()
        try:
            visitor = visitor_of(store, role_hint())
        except NextRoundError as exc:
            return W.HTML(refusal_html(str(exc)))
        if visitor.kind == "supervisor":
            return supervisor_page(content, store)
        lock = (Lock(visitor.client_id, undo=False) if visitor.kind == "client"
                else current_lock(store))
        return cls(AppModel(content=content, store=store, lock=lock))

    # --- wiring ------------------------------------------------------------------

    def guard(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a callback: typing still waiting is saved first; failures are plain words."""
        def saved_first(*args: Any) -> Any:
            saves.flush()
            self._follow_handover()
            return func(*args)

        return guard(saved_first, self.status, language=lambda: self.model.language)

    def _wire(self) -> None:
        self.model.observe(self.guard(self._show_client_options), names="client_options")
        self.add_button.on_click(self.guard(lambda _b: self._add_client()))
        self.counsellor_button.observe(self.guard(self._toggle_counsellor), names="value")
        self.model.observe(self.guard(self._moved), names=["client_id", "step", "view"])
        self.model.observe(self.guard(self._show_client_options), names="locked_to")
        self.model.observe(self.guard(self._language_changed), names="language")
        self.language_picker.observe(
            self.guard(lambda change: self.model.choose_language(change["new"])),
            names="value")

    def _moved(self, _change: dict) -> None:
        """Another client, step or view: its messages belong to what was left."""
        self.status.clear()
        self._ask_same_name(None)
        self._render()

    def _client_picker(self) -> W.Dropdown:
        """The client picker, linked both ways to the model's open client.

        It is made with its options and its choice together: replacing a
        drop-down's options selects the first one on the way, which the link
        would take for a choice. So a changed list of clients gets a new
        picker (:meth:`_show_client_options`) rather than new options.
        """
        picker = W.Dropdown(options=self.model.client_options,
                            value=self.model.client_id or None, description=_("Client"))
        picker.style.description_width = "initial"
        self._picker_links = (
            dlink((self.model, "client_id"), (picker, "value"), lambda cid: cid or None),
            dlink((picker, "value"), (self.model, "client_id"), self._chosen))
        return picker

    def _chosen(self, client_id: str | None) -> str:
        """A client chosen in the picker: typing still waiting is saved first.

        One who has gone meanwhile (erased elsewhere) is refused with a plain
        message, the open client stays, and the list is read again.
        """
        saves.flush()
        found = guard(self.model.store.get_client, self.status)
        if client_id and self.model.lock_in_force() not in ("", client_id):
            with using(self.model.language):
                self.status.error(_(ONE_CLIENT_ONLY))
            return self.model.client_id
        if client_id and found(client_id) is None:
            self.model.refresh_clients()
            return self.model.client_id
        return client_id or ""

    def _show_client_options(self, _change: dict | None = None) -> None:
        """Clients came or went, or the page was locked or unlocked: a new picker with
        the new list (see :meth:`_client_picker`), or none at all on a locked page."""
        old = self.client_picker
        for old_link in self._picker_links:
            old_link.unlink()
        self._picker_links = ()
        self.client_picker = None if self.model.locked_to else self._client_picker()
        if self.model.locked_to and self._counsellor is not None:
            close_tree(self._counsellor)  # the caseload names everyone: gone, not hidden
            self._counsellor = None
        self._show_bar()
        if old is not None:
            close_tree(old)

    def _add_client(self, *, confirmed: bool = False) -> None:
        name = " ".join(self.new_name.value.split())
        existing = self.model.same_name(name) if name else []
        if existing and not confirmed:
            self._ask_same_name(name, existing)
            return
        self.model.add_client(name)
        self.new_name.value = ""
        self._ask_same_name(None)
        self.status.saved(_("New client added."))

    def _ask_same_name(self, name: str | None, existing: list[str] | None = None) -> None:
        """Ask before adding a second client with a name already in the list."""
        if name is None:
            self.same_name_box.children = []
            self.same_name_box.layout.display = "none"
            return
        listed = ", ".join(existing or [])
        add = W.Button(description=_("Add another {name}").format(name=name),
                       button_style="primary", layout=W.Layout(width="auto"))
        cancel = W.Button(description=_("Cancel"), layout=W.Layout(width="auto"))
        add.on_click(self.guard(lambda _b: self._add_client(confirmed=True)))
        cancel.on_click(self.guard(lambda _b: self._ask_same_name(None)))
        self.same_name_box.children = [
            W.HTML("<p class='nr-warn' role='alert'><strong>{check}</strong> {text}</p>".format(
                check=esc(_("Check this:")),
                text=_("there is already a client called {name} ({when}). To open them, "
                       "choose them in the Client list. Or add a new client with the same "
                       "name; the lists then show when each was added.").format(
                           name=esc(name), when=esc(listed)))),
            W.HBox([add, cancel], layout=W.Layout(flex_flow="row wrap")),
        ]
        self.same_name_box.layout.display = "flex"

    def _toggle_counsellor(self, change: dict) -> None:
        self.model.view = "counsellor" if change["new"] else "client"

    # --- rendering ---------------------------------------------------------------

    def _render(self) -> None:
        self._show_parts()
        self.menu.layout.display = "flex" if self.menu.children else "none"

    def _show_parts(self) -> None:
        if self.model.view == "counsellor":
            self.menu.children = []
            self.main.children = [self._counsellor_view()]
            self.workbook_box.layout.display = "none"
            return
        self._show_workbook_file()
        if not self.model.client_id:
            self.menu.children = []
            self.main.children = [W.HTML(welcome_html())]
            return
        self.menu.children = self._menu_buttons()
        self.main.children = [self._step_widget(step_by_key(self.model.step))]

    def _show_workbook_file(self) -> None:
        """The download and upload box; upload works before any client exists."""
        self.workbook_box.layout.display = "flex"
        if not self.workbook_box.children:
            from .components.workbook_file import WorkbookFile

            self.workbook_box.children = [WorkbookFile.create(
                store=self.model.steps_store, client_id=self.model.client_id,
                on_import=self.guard(self._imported))]
        self.workbook_box.children[0].only_client = self.model.locked_to
        self.workbook_box.children[0].set_client(self.model.client_id)

    def _imported(self, client_id: str) -> None:
        self.model.refresh_clients()
        self.model.open_client(client_id)

    def _menu_buttons(self) -> list[W.Widget]:
        buttons = [W.HTML("<h2 class='nr-menu-title'>" + esc(_("Your steps")) + "</h2>")]
        for number, step in enumerate(STEPS, start=1):
            current = step.key == self.model.step
            title = _(step.title)
            button = W.Button(description=f"{number}. {title}", tooltip=_(step.blurb),
                              layout=W.Layout(width="100%"))
            button.add_class("nr-step-button")
            if current:
                button.add_class("nr-current")
                button.description = _("{number}. {title} (you are here)").format(
                    number=number, title=title)
            button.on_click(self.guard(lambda _b, key=step.key: self.model.go_to(key)))
            buttons.append(button)
        return buttons

    def _step_widget(self, step: Step) -> W.Widget:
        """Build the step afresh each time it opens, so it shows what other steps saved.

        The previous copy is closed so its widgets do not linger in the kernel.
        """
        if self._current is not None:
            close_tree(self._current)
        title, blurb = _(step.title), _(step.blurb)
        self._current = W.VBox([
            W.HTML(f"<h2 class='nr-step-title'>{esc(title)}</h2>"
                   f"<p class='nr-step-blurb'>{esc(blurb)}</p>"),
            step.build(content=self.model.content, store=self.model.steps_store,
                       client_id=self.model.client_id),
            self._next_back(step),
        ])
        return self._current

    def _next_back(self, step: Step) -> W.Widget:
        index = STEPS.index(step)
        buttons = []
        if index > 0:
            back = W.Button(description=_("Back: {step}").format(
                step=_(STEPS[index - 1].title)))
            back.on_click(self.guard(lambda _b: self.model.go_to(STEPS[index - 1].key)))
            buttons.append(back)
        if index < len(STEPS) - 1:
            nxt = W.Button(description=_("Next: {step}").format(
                step=_(STEPS[index + 1].title)), button_style="primary")
            nxt.on_click(self.guard(lambda _b: self.model.go_to(STEPS[index + 1].key)))
            buttons.append(nxt)
        return W.HBox(buttons, layout=W.Layout(flex_flow="row wrap", margin="1.5em 0 0 0"))

    def _counsellor_view(self) -> W.Widget:
        if self._counsellor is None:
            from .components.counsellor import CounsellorView

            self._counsellor = CounsellorView.create(content=self.model.content,
                                                     store=self.model.steps_store)
            self._counsellor.model.observe(
                lambda change: change["new"] and self.model.visit.opened(change["new"]),
                names="client_id")
        else:  # clients added or changed since it was last shown; old messages go
            self._counsellor.model.refresh()
            self._counsellor.status.clear()
        return self._counsellor

    def open_from_query(self, query: str | None = None) -> None:
        """Open the client named in ``?client=``, else the last client opened, in the
        language named by ``?lang=`` when there is one.

        The list of clients is read again first: a page made ahead of its
        request (a pre-heated kernel) may have read it before a client was
        added elsewhere, and that client is the one the page must open.
        """
        query = query if query is not None else os.environ.get("QUERY_STRING", "")
        client_id = client_from_query(query)
        lang = language_from_query(query)
        if lang:
            self.model.language_from_address = True
            self.model.language = lang
        self.model.refresh_clients()
        if self.model.locked_to:
            self.model.open_client(self.model.locked_to)
            if client_id and client_id != self.model.locked_to:
                with using(self.model.language):
                    self.status.warn(_(ONE_CLIENT_ONLY))
            return
        unknown = False
        if client_id:
            try:
                self.model.open_client(client_id)
                return
            except NextRoundError:
                unknown = True
        last = self.model.last_client()
        if last:
            self.model.open_client(last)
        if unknown:  # said after opening, which clears the messages of the last view
            with using(self.model.language):
                self.status.info(_("that link names a client who is not here. "
                                   "Choose one from the list."))


def wait_and_open(app: W.Widget) -> None:
    """In Voilà, wait for the page request (preheated kernels), then open its client."""
    if not isinstance(app, App):
        return
    if os.environ.get("VOILA_PREHEAT", "False") != "False":
        from .voila_request import wait_for_request

        wait_for_request()
    app.open_from_query()


# --- small pieces ----------------------------------------------------------------------


def refusal_html(reason: str) -> str:
    """Why the page shows nothing, in the words of the error, escaped."""
    return (f"<div class='nr-refused' role='alert'><p>{esc(reason[:1].upper() + reason[1:])}"
            "</p></div>")


def supervisor_page(content: Any, store: Any) -> W.Widget:
    """A supervisor's landing page: the header and the service report, no workbook."""
    from sqlalchemy.exc import DBAPIError

    from .components.service_report import service_report_view

    try:
        report = service_report_view(content=content, store=store)
    except (NextRoundError, DBAPIError) as exc:
        log.warning("The service report could not be built: %s", exc)
        reason = (str(exc) if isinstance(exc, NextRoundError) else
                  _("the figures could not be read with this database login; ask your "
                    "administrator to check the service's setup."))
        title = esc(_("Service report"))
        report = W.HTML(f"<h2>{title}</h2>" + refusal_html(reason))
    page = W.VBox([W.HTML(header_html(content.help)), report])
    page.add_class("nextround-app")
    page.add_class("nr-supervisor")
    return page


def close_tree(widget: W.Widget) -> None:
    """Close a widget and everything inside it, freeing their comms."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


__all__ = ["App", "AppModel", "client_from_query", "on_binder", "wait_and_open", "STEPS"]
