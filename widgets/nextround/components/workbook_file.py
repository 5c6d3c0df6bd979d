"""Download and upload the workbook file: the client's own copy of their work.

On Binder nothing is kept after the session, and a client may want to move
between computers; the versioned JSON workbook file carries everything. The
download is a data-URI link (Voilà's file route refuses most files), made
again after every change, so one click saves the latest answers. An upload
is checked in full before anything is written; a file for a client who is
already here offers to replace their work or to keep both.

On a page locked to one client (``only_client``), a file naming anyone else is
refused before anything is read into the store, and "keep both" is not
offered: that page never makes or shows another client.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as W

from ..errors import ClientExists, NextRoundError
from ..i18n import N_, _, current_language
from ..text import esc
from ._view import StatusLine, download_link, guard, heading, paragraph
from .base import saves

#: What the link says; the file it saves has a fixed, dated name.
DOWNLOAD_LABEL = N_("Download my workbook file")


class WorkbookFile(W.VBox):
    """A download link that always holds the latest work, and an upload box.

    The link is made again a moment after any change is saved (see
    :meth:`PendingSaves.listen`), so one click downloads everything,
    including what was typed just before. An upload is checked in full
    before anything is written; a file for a client who is already here
    offers to replace their work or to keep both.

    Parameters
    ----------
    store : nextround.Store
        Where the client's work is read, and an uploaded file written.
    client_id : str
        Whose work the link holds ('' for none yet; see :meth:`set_client`).
    on_import : callable, optional
        Called with the client's id after a file is uploaded and saved.

    Events
    ------
    on_import
        ``on_import(client_id)`` after an upload, so an app can open that client.

    Saves
    -----
    :class:`~nextround.model.Client`
        The uploaded file's client (new, replaced, or kept beside the one here).
    every record of that client
        Applications, feedback, answers, check-ins, thought records, actions,
        contacts and (when the file has them) notes, from the uploaded file.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import WorkbookFile
    >>> box = WorkbookFile.create(store=store, client_id=sam.id)
    >>> "Download my workbook file" in box.link.value
    True
    """

    def __init__(self, *, store, client_id: str,
                 on_import: Callable[[str], None] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        #: The language the box speaks: the page's, when it was built.
        self.language = current_language()
        self.store = store
        self.client_id = ""
        #: The one client whose files may be uploaded here ("" for anyone's).
        self.only_client = ""
        self.on_import = on_import
        self._upload: bytes | None = None
        self.add_class("nr-workbook-file")
        self.status = StatusLine()
        self.link = W.HTML()
        self.upload = W.FileUpload(accept=".json,application/json", multiple=False,
                                   description=_("Upload a workbook file"))
        # The page shows the button's name without ipywidgets' "(0)" file counter.
        self.upload.add_class("nr-upload")
        self.choice = W.VBox(layout=W.Layout(display="none"))
        self.choice.add_class("nr-confirm")
        self.upload.observe(lambda change: self._guarded(lambda: self._uploaded(change["new"])),
                            names="value")
        self.children = [
            heading(_("Keep a copy of your work")),
            paragraph(_("Your answers are saved as you type. You can also keep your own copy "
                      "as a file, and upload it again later or on another computer.")),
            self.link,
            self.upload,
            self.choice,
            self.status,
        ]
        saves.listen(self.refresh)
        self.set_client(client_id)

    @classmethod
    def create(cls, **kwargs: Any) -> WorkbookFile:
        """Build the box; the keywords are the class's parameters."""
        return cls(**kwargs)

    def set_client(self, client_id: str) -> None:
        """Point at another client: their file, and none of the last one's messages."""
        if client_id != self.client_id or not self.link.value:
            self.client_id = client_id
            self.status.clear()
            self._guarded(self.make_link)

    def refresh(self) -> None:
        """Saved work changed: make the link again so it holds the change."""
        if self.client_id:
            self._guarded(self.make_link)

    def _guarded(self, func: Callable[[], Any]) -> None:
        guard(func, self.status, language=lambda: self.language)()

    def make_link(self) -> str:
        """The client's work as it is saved now, as a one-click download link."""
        if not self.client_id:
            self.link.value = "<p class='nr-text'>{}</p>".format(esc(_(
                "Choose or add a client, and their workbook file can be downloaded here.")))
            return self.link.value
        from ..exports import build_workbook, workbook_bytes

        saves.flush()
        data = workbook_bytes(build_workbook(self.store, self.client_id))
        filename = f"nextround-workbook-{date.today().isoformat()}.json"
        link = download_link(_(DOWNLOAD_LABEL), filename, data, "application/json")
        saves_as = _("(saves {filename})").format(filename=filename)
        self.link.value = f"<p>{link} <span class='nr-hint'>{esc(saves_as)}</span></p>"
        return self.link.value

    # -- upload --

    def _uploaded(self, value: Any) -> None:
        if not value:
            return
        item = value[0] if isinstance(value, list | tuple) else next(iter(value.values()))
        self._import(bytes(item["content"]))

    def _import(self, raw: bytes, existing: str = "refuse") -> None:
        from ..exports import import_workbook

        self._show_choice(None)
        self._check_whose(raw)
        try:
            client = import_workbook(self.store, raw, existing=existing)
        except ClientExists as exc:
            self._upload = raw
            self._show_choice(exc)
            return
        self._upload = None
        done = {"refuse": _("Workbook for {name} uploaded."),
                "replace": _("{name}'s work now comes from the file."),
                "separate": _("The file is added as a separate client, {name}, "
                              "beside the one already here.")}[existing].format(name=client.name)
        if self.on_import is not None:
            self.on_import(client.id)
        self.set_client(client.id)
        self.status.saved(done)

    def _check_whose(self, raw: bytes) -> None:
        """On a page locked to one client, refuse anyone else's file, naming no one."""
        if not self.only_client:
            return
        from ..exports import parse_workbook

        whose = parse_workbook(raw)["client"].get("id")
        if whose != self.only_client:
            raise NextRoundError(_("this workbook file is someone else's, and this page is for "
                                 "one client's workbook only. Nothing was changed."))

    def _show_choice(self, exc: ClientExists | None, *, confirm: bool = False) -> None:
        """Offer what can be done with a file for a client who is already here."""
        if exc is None:
            self.choice.children = []
            self.choice.layout.display = "none"
            return
        name = esc(exc.name)
        if confirm:
            text = "<p class='nr-warn' role='alert'><strong>{}</strong> {}</p>".format(
                esc(_("Check this:")), _(
                    "everything saved here for {name} will be replaced by what is in the file. "
                    "Anything saved here after the file was made will be lost. Replace it?"
                ).format(name=name))
            first = W.Button(description=_("Yes, replace {name}'s work").format(name=exc.name),
                             button_style="danger", layout=W.Layout(width="auto"))
            first.on_click(lambda _b: self._guarded(lambda: self._import(self._upload or b"",
                                                                         "replace")))
        else:
            text = "<p class='nr-info' role='alert'><strong>{}</strong> {}</p>".format(
                esc(_("Note:")), _("this file holds the work of {name}, who is already here. "
                                   "What would you like to do?").format(name=name))
            first = W.Button(description=_("Replace {name}'s work with the file").format(
                name=exc.name),
                             layout=W.Layout(width="auto"))
            first.on_click(lambda _b: self._guarded(lambda: self._show_choice(exc,
                                                                              confirm=True)))
        both = W.Button(description=_("Keep both as separate clients"),
                        layout=W.Layout(width="auto"))
        both.on_click(lambda _b: self._guarded(lambda: self._import(self._upload or b"",
                                                                    "separate")))
        cancel = W.Button(description=_("Cancel"), layout=W.Layout(width="auto"))
        cancel.on_click(lambda _b: self._guarded(self._cancel))
        buttons = [first, cancel] if self.only_client else [first, both, cancel]
        self.choice.children = [W.HTML(text),
                                W.HBox(buttons, layout=W.Layout(flex_flow="row wrap"))]
        self.choice.layout.display = "flex"
        self.status.clear()

    def _cancel(self) -> None:
        self._upload = None
        self._show_choice(None)
        self.status.info(_("Nothing was changed."))
