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
from .i18n import LANGUAGES, _, bound, content_for, supported, using
from .steps import step_by_key
from .text import esc


def _open(lang: str | None = None) -> tuple[Any, Any]:
    from .store import Store

    return content_for(lang), Store()


def start(lang: str | None = None) -> W.Widget:
    """Pick or add the client, and show where their data is kept.

    ``lang`` ("es") is the language of the workbook: this notebook speaks it,
    and the client chosen here keeps it, so every later notebook (and the
    app) speaks it for them. Without it, the client's earlier choice or the
    default language holds.
    """
    chosen_language = supported(lang)
    if lang and chosen_language is None:
        return W.HTML(f"<p class='nr-error' role='alert'>{esc(repr(lang)[:30])} is not a "
                      f"language NextRound speaks ({esc(', '.join(LANGUAGES))}).</p>")
    with using(chosen_language):
        return _start(chosen_language)


def _start(lang: str | None) -> W.Widget:
    try:
        content, store = _open(lang)
    except ContentError as exc:
        return _problems(exc.problems)
    model = AppModel(content=content, store=store)
    picker = W.Dropdown(options=model.clients(), value=model.last_client() or None)
    name = W.Text(placeholder=_("First name is enough"))
    add = W.Button(description=_("Add and choose"))
    status = StatusLine()

    def keep_language(client_id: str) -> None:
        if lang and store.get_client(client_id).language != lang:
            store.set_client_language(client_id, lang)

    def chosen(change: dict) -> None:
        if change["new"]:
            model.open_client(change["new"])
            keep_language(change["new"])
            status.saved(_("Open the next notebook to carry on with this client."))

    def added(_button: W.Button) -> None:
        try:
            client_id = model.add_client(name.value)
        except NextRoundError as exc:
            status.error(str(exc))
            return
        keep_language(client_id)
        picker.options = model.clients()
        picker.value = client_id
        name.value = ""

    picker.observe(bound(chosen), names="value")
    add.on_click(bound(added))
    return W.VBox([
        labelled(picker, _("Who is working through the workbook?")),
        W.HBox([labelled(name, _("Or add a new client")), add]),
        paragraph(store.describe()),
        status,
    ])


def show_step(key: str, lang: str | None = None) -> W.Widget:
    """Build one step of the journey for the client chosen in ``00-start``, in
    ``lang``, else the client's language, else the default one."""
    try:
        content, store = _open(lang)
    except ContentError as exc:
        return _problems(exc.problems)
    client_id = AppModel(content=content, store=store).last_client()
    language = supported(lang) or (
        supported(store.get_client(client_id).language) if client_id else None)
    with using(language):
        if not client_id:
            return W.HTML("<p class='nr-warn' role='status'><strong>{}</strong> {}</p>".format(
                esc(_("No client chosen yet.")),
                _("Open <code>00-start</code> first and choose who you are.")))
        if language != supported(lang):
            content = content_for(language)
        store.set_state(client_id, step=step_by_key(key).key)
        return step_by_key(key).build(content=content, store=store, client_id=client_id)


def app() -> W.Widget:
    """The whole app, for ``app.ipynb``."""
    return App.create()


def _problems(problems: list[str]) -> W.Widget:
    return W.HTML(content_problems_html(problems))


__all__ = ["LAST_CLIENT", "app", "show_step", "start"]
