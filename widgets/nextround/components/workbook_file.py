"""Download and upload the workbook file: the client's own copy of their work.

On Binder nothing is kept after the session, and a client may want to move
between computers; the versioned JSON workbook file carries everything. The
download is a data-URI link (Voilà's file route refuses most files), made
fresh when asked so it always holds the latest answers. An upload is checked
in full before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as W

from ..errors import NextRoundError
from .base import StatusLine, download_link, heading, paragraph


class WorkbookFile(W.VBox):
    """A "prepare download" button with its link, and an upload box."""

    def __init__(self, *, store, client_id: str,
                 on_import: Callable[[str], None] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.store = store
        self.client_id = client_id
        self.on_import = on_import
        self.add_class("nr-workbook-file")
        self.status = StatusLine()
        self.prepare = W.Button(description="Download my workbook file")
        self.link = W.HTML()
        self.upload = W.FileUpload(accept=".json,application/json", multiple=False,
                                   description="Upload a workbook file")
        self.prepare.on_click(lambda _b: self._guarded(self.make_link))
        self.upload.observe(lambda change: self._guarded(lambda: self._uploaded(change["new"])),
                            names="value")
        self.children = [
            heading("Keep a copy of your work"),
            paragraph("Your answers are saved as you type. You can also keep your own copy "
                      "as a file, and upload it again later or on another computer."),
            W.HBox([self.prepare, self.link], layout=W.Layout(flex_flow="row wrap",
                                                              align_items="center")),
            self.upload,
            self.status,
        ]
        self.set_client(client_id)

    @classmethod
    def create(cls, **kwargs: Any) -> WorkbookFile:
        return cls(**kwargs)

    def set_client(self, client_id: str) -> None:
        """Point at another client; an old link must not offer the wrong file."""
        if client_id != self.client_id:
            self.client_id = client_id
            self.link.value = ""
        self.prepare.disabled = not client_id
        self.prepare.tooltip = "" if client_id else "Choose or add a client first"

    def _guarded(self, func: Callable[[], Any]) -> None:
        try:
            func()
        except NextRoundError as exc:
            self.status.error(str(exc))
        except Exception:  # noqa: BLE001 - never a traceback on the page
            self.status.error("that did not work. Nothing you saved has changed.")

    def make_link(self) -> str:
        """Export the client now and offer the file as a link."""
        from ..exports import build_workbook, workbook_bytes

        data = workbook_bytes(build_workbook(self.store, self.client_id))
        filename = f"nextround-workbook-{date.today().isoformat()}.json"
        self.link.value = download_link(f"Save {filename}", filename, data, "application/json")
        self.status.saved("Your workbook file is ready: use the link to save it.")
        return self.link.value

    def _uploaded(self, value: Any) -> None:
        if not value:
            return
        item = value[0] if isinstance(value, list | tuple) else next(iter(value.values()))
        raw = bytes(item["content"])
        from ..exports import import_workbook

        client = import_workbook(self.store, raw)
        self.status.saved(f"Workbook for {client.name} uploaded.")
        if self.on_import is not None:
            self.on_import(client.id)
