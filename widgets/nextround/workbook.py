"""Helpers that keep the workbook notebooks to a line or two each.

``00-start`` picks the client; every later notebook opens the same client
through the store's "last client" setting, which the Voilà app shares. So
the chosen client passes from one notebook to the next, and from the
notebooks to the app, with nothing to copy by hand.

Example::

    from nextround.workbook import show_step
    show_step("log")
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W

from .app import LAST_CLIENT, App, AppModel, content_problems_html
from .components._view import StatusLine, paragraph
from .components.base import labelled
from .errors import ContentError, NextRoundError
from .steps import step_by_key


def _open() -> tuple[Any, Any]:
    from .content import load_content
    from .store import Store

    return load_content(), Store()


def start() -> W.Widget:
    """Pick or add the client, and show where their data is kept."""
    try:
        content, store = _open()
    except ContentError as exc:
        return _problems(exc.problems)
    model = AppModel(content=content, store=store)
    picker = W.Dropdown(options=model.clients(), value=model.last_client() or None)
    name = W.Text(placeholder="First name is enough")
    add = W.Button(description="Add and choose")
    status = StatusLine()

    def chosen(change: dict) -> None:
        if change["new"]:
            model.open_client(change["new"])
            status.saved("Open the next notebook to carry on with this client.")

    def added(_button: W.Button) -> None:
        try:
            client_id = model.add_client(name.value)
        except NextRoundError as exc:
            status.error(str(exc))
            return
        picker.options = model.clients()
        picker.value = client_id
        name.value = ""

    picker.observe(chosen, names="value")
    add.on_click(added)
    return W.VBox([
        labelled(picker, "Who is working through the workbook?"),
        W.HBox([labelled(name, "Or add a new client"), add]),
        paragraph(store.describe()),
        status,
    ])


def show_step(key: str) -> W.Widget:
    """Build one step of the journey for the client chosen in ``00-start``."""
    try:
        content, store = _open()
    except ContentError as exc:
        return _problems(exc.problems)
    client_id = AppModel(content=content, store=store).last_client()
    if not client_id:
        return W.HTML("<p class='nr-warn' role='status'><strong>No client chosen yet.</strong>"
                      " Open <code>00-start</code> first and choose who you are.</p>")
    store.set_state(client_id, step=step_by_key(key).key)
    return step_by_key(key).build(content=content, store=store, client_id=client_id)


def app() -> W.Widget:
    """The whole app, for ``app.ipynb``."""
    return App.create()


def _problems(problems: list[str]) -> W.Widget:
    return W.HTML(content_problems_html(problems))


__all__ = ["LAST_CLIENT", "app", "show_step", "start"]
