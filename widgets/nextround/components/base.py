"""What every step of the workbook shares.

A component is a view (an ipywidgets box) over a model (a ``HasTraits``
object that owns the state and talks to the store). The view only links
widgets to model traits and calls model methods; the model never imports a
widget. Tests drive either side without a browser.

Three promises hold for every component, so they live here once:

* **labels** — :func:`labelled` gives every input a visible label that
  assistive technology reads (ipywidgets ties ``description`` to the input);
* **plain errors** — :meth:`Component.guard` turns any failure in a
  callback into a short message in the step's status line, never a
  traceback, and says that saved work is safe;
* **escaping** — :func:`esc` is the one way user text reaches HTML.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import ipywidgets as W
from traitlets import HasTraits, Unicode

from ..errors import NextRoundError

log = logging.getLogger("nextround")

#: Wide enough for a label to sit beside its input without being cut off.
LABEL_STYLE = {"description_width": "13em"}
FULL_WIDTH = W.Layout(width="100%", max_width="46em")
#: The width of a labelled input: its column, less the widget margins either side.
FULL = "calc(100% - 2 * var(--jp-widgets-margin, 2px))"


def esc(text: Any) -> str:
    """Escape user text for HTML. Every component uses this and nothing else."""
    return html.escape("" if text is None else str(text), quote=True)


def labelled(widget: W.Widget, label: str, *, hint: str = "") -> W.Widget:
    """Give an input its visible label (and an optional hint under it).

    ipywidgets renders ``description`` as a ``<label for=…>`` bound to the
    input, so screen readers and Playwright's ``get_by_label`` both find it.
    The description is never truncated: long labels wrap above the input.
    """
    widget.description = label
    widget.description_allow_html = False
    widget.style.description_width = "initial" if len(label) > 28 else "13em"
    stack = isinstance(widget, W.Textarea | W.RadioButtons) or (
        len(label) > 28 and not isinstance(widget, W.IntProgress | W.FloatProgress))
    if stack:
        widget.add_class("nr-stacked")  # long labels and big inputs read better on top
    if hasattr(widget.layout, "width") and not isinstance(widget, W.Checkbox | W.Button):
        # The full column less ipywidgets' side margins, so the box never pokes
        # out of its column (and gets cut off) on a narrow screen or at 200% zoom.
        widget.layout.width = FULL
        widget.layout.max_width = "46em"
    if isinstance(widget, W.Checkbox):
        widget.indent = False
    if not hint:
        return widget
    return W.VBox([widget, W.HTML(f'<div class="nr-hint">{esc(hint)}</div>')])


def heading(text: str, level: int = 3) -> W.HTML:
    return W.HTML(f"<h{level} class='nr-heading'>{esc(text)}</h{level}>")


def paragraph(text: str, css: str = "nr-text") -> W.HTML:
    return W.HTML(f"<p class='{css}'>{esc(text)}</p>")


def download_link(label: str, filename: str, data: bytes, mime: str) -> str:
    """An ``<a download>`` with a data URI: Voilà's file route refuses most files."""
    from ..exports import data_uri

    return (f'<a class="nr-download" download="{esc(filename)}" '
            f'href="{esc(data_uri(data, mime))}">{esc(label)}</a>')


def fit_buttons(widget: W.Widget) -> None:
    """Size every button inside ``widget`` to its words.

    ipywidgets gives a button a fixed 148 px, which cuts off "Add an
    application" in JupyterLab (the Voilà page's stylesheet hides this, Lab
    does not load it). A width set on purpose is kept.
    """
    if isinstance(widget, W.Button) and not widget.layout.width:
        widget.layout.width = "auto"
        widget.layout.max_width = "100%"
        if not widget.layout.align_self:
            widget.layout.align_self = "flex-start"  # as wide as its words, not the column
    for child in getattr(widget, "children", ()):
        fit_buttons(child)


class StatusLine(W.HTML):
    """A polite live region: saves and warnings reach screen readers.

    Messages carry a word ("Saved", "Check this") as well as a colour, so
    nothing is told by colour alone.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.add_class("nr-status")
        self.clear()

    def _show(self, kind: str, prefix: str, message: str) -> None:
        self.value = (f'<div role="status" aria-live="polite" class="nr-{kind}">'
                      f"<strong>{esc(prefix)}</strong> {esc(message)}</div>")

    def saved(self, message: str = "Your answer is saved.") -> None:
        self._show("ok", "Saved.", message)

    def info(self, message: str) -> None:
        self._show("info", "Note:", message)

    def warn(self, message: str) -> None:
        self._show("warn", "Check this:", message)

    def error(self, message: str) -> None:
        self._show("error", "Sorry:", message)

    def clear(self) -> None:
        self.value = '<div role="status" aria-live="polite"></div>'

    @property
    def text(self) -> str:
        """The message without markup, for tests and logs."""
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.value)).strip()


class StepModel(HasTraits):
    """Base of component models: the content, the store and whose work it is."""

    client_id = Unicode()
    application_id = Unicode()

    def __init__(self, *, content, store, client_id: str, application_id: str | None = None,
                 **kwargs: Any):
        super().__init__(client_id=client_id, **kwargs)
        self.content = content
        self.store = store
        if application_id is None:
            application_id = str(store.get_state(client_id).get("application_id") or "")
        self.application_id = application_id

    @property
    def today(self) -> date:
        return date.today()

    def application(self):
        """The rejection being worked on, or None when none is chosen yet."""
        from ..model import Application

        if not self.application_id:
            return None
        try:
            return self.store.get(Application, self.application_id)
        except NextRoundError:
            return None

    def email_context(self) -> dict[str, str]:
        """Names, company, role and meeting day from the log, for filling email templates.

        ``interview_date`` is the day of the interview or meeting, and only
        that: the day the client heard back is not a day they met anyone.
        """
        client = self.store.get_client(self.client_id)
        app = self.application()
        context = {"client_name": client.name}
        if app is not None:
            context.update(company=app.company, role=app.role, contact_name=app.contact_name)
            if app.interview_on:
                context["interview_date"] = f"{app.interview_on.day} {app.interview_on:%B}"
        return context


class Component(W.VBox):
    """Base of every step's view. Subclasses build widgets in ``build()``."""

    title = "Step"
    #: The model this view shows; :meth:`create` builds one for a client.
    model_class: type[StepModel] = StepModel

    @classmethod
    def create(cls, *, content, store, client_id: str, application_id: str | None = None,
               **options: Any) -> Component:
        """Build the step for one client: its model first, then the view over it."""
        return cls(cls.model_class(content=content, store=store, client_id=client_id,
                                   application_id=application_id, **options))

    def __init__(self, model: StepModel, **kwargs: Any):
        super().__init__(**kwargs)
        self.model = model
        self.status = StatusLine()
        self.add_class("nextround-step")
        self.children = (*self.build(), self.status)
        fit_buttons(self)

    def build(self) -> list[W.Widget]:
        """The step's widgets, top to bottom; each subclass gives its own."""
        return []

    def guard(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a callback so a failure becomes a plain message, not a traceback."""

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except NextRoundError as exc:
                self.status.error(str(exc))
            except Exception:  # noqa: BLE001 - a step must never show a traceback
                log.exception("step callback failed")
                self.status.error("something went wrong there. Everything you saved "
                                  "before is safe; please try again.")
            return None

        return wrapper

    def on_change(self, widget: W.Widget, handler: Callable[[Any], None]) -> None:
        """Call ``handler(new_value)`` when the user changes ``widget``, guarded."""
        guarded = self.guard(handler)
        widget.observe(lambda change: guarded(change["new"]), names="value")

    def on_click(self, button: W.Button, handler: Callable[[], None]) -> None:
        guarded = self.guard(handler)
        button.on_click(lambda _button: guarded())
