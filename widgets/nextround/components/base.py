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
* **escaping** — :func:`esc` is the one way user text reaches HTML;
* **saving as you type** — every key press of a text box reaches the
  kernel and is saved a moment after the last one (:data:`saves`), so
  nothing typed waits for the box to lose focus.

How a step keeps its widgets and its model in step (the binding API):

* every value the client edits is a trait on the model, with ``help=``
  saying what it is, tagged :func:`typed` (a text box: saved
  :data:`SAVE_DELAY` after the last key press) or :func:`chosen` (a choice,
  date or tick: anything still waiting is saved first, then this at once);
* the model's one saving observer writes each edited trait through
  :meth:`StepModel.save_edit`; a value the model loaded or saved last is
  never written again, and :meth:`StepModel.load` records what it loads, so
  a load never writes back;
* the view ties each widget to its trait with :meth:`Component.bind`
  (a ``dlink`` each way), and shows lists that change from ``List`` traits.

Example::

    class NoteModel(StepModel):
        note = typed(Unicode(help="The client's note, as typed."))

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.load(note=self.store.answers(self.client_id).get(NOTE, ""))

        def save_edit(self, name, value):
            self.store.set_answer(self.client_id, NOTE, value)

    class Note(Component):
        model_class = NoteModel

        def build(self):
            box = W.Textarea()
            self.bind(box, "note")
            return [labelled(box, "Your note")]
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import logging
import weakref
from collections.abc import Callable, Iterator
from datetime import date
from functools import wraps
from typing import Any

import ipywidgets as W
from traitlets import HasTraits, TraitType, Unicode, dlink

from ..errors import NextRoundError
from ..text import FALLBACK_MESSAGE, esc

log = logging.getLogger("nextround")

#: Wide enough for a label to sit beside its input without being cut off.
LABEL_STYLE = {"description_width": "13em"}
FULL_WIDTH = W.Layout(width="100%", max_width="46em")
#: The width of a labelled input: its column, less the widget margins either side.
FULL = "calc(100% - 2 * var(--jp-widgets-margin, 2px))"


#: Seconds from the last key press in a text box to its save.
SAVE_DELAY = 0.4
#: Seconds from the last change to refreshing what is made from saved work
#: (such as the workbook file's download link).
REFRESH_DELAY = 0.6


class PendingSaves:
    """Typed answers waiting to be saved: one per text box, on the kernel's event loop.

    Saving on every key press would write to disk many times a second;
    saving only when a box loses focus loses what was typed before a reload.
    So a text box's save waits :data:`SAVE_DELAY` after its last key press,
    and whatever still waits is saved at once when the person does anything
    else (a click, a choice, another step, a download) and when the kernel
    shuts down (:func:`atexit`). Outside an event loop (a plain script or a
    test driving ``.value``) a save runs at once.

    It also tells listeners, a moment after the last change, that saved work
    changed, so downloads made from it can be refreshed.
    """

    def __init__(self, delay: float = SAVE_DELAY, refresh_delay: float = REFRESH_DELAY):
        self.delay = delay
        self.refresh_delay = refresh_delay
        self._waiting: dict[Any, tuple[Callable[[], Any], asyncio.TimerHandle]] = {}
        self._listeners: list[weakref.WeakMethod | Callable[[], Any]] = []
        self._refresh: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> int:
        """How many saves are waiting for their moment."""
        return len(self._waiting)

    def later(self, key: Any, save: Callable[[], Any]) -> None:
        """Run ``save`` soon; a newer save for the same ``key`` replaces it."""
        old = self._waiting.pop(key, None)
        if old is not None:
            old[1].cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            save()
            return
        self._waiting[key] = (save, loop.call_later(self.delay, self._run, key))

    def _run(self, key: Any) -> None:
        item = self._waiting.pop(key, None)
        if item is not None:
            item[0]()

    def flush(self) -> None:
        """Save everything that is waiting, now, in the order it was typed."""
        while self._waiting:
            key = next(iter(self._waiting))
            save, handle = self._waiting.pop(key)
            handle.cancel()
            save()

    def listen(self, callback: Callable[[], Any]) -> None:
        """Call ``callback`` a moment after saved work changes (held weakly if a method)."""
        ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else callback
        self._listeners.append(ref)

    def changed(self) -> None:
        """Saved work changed: tell the listeners once the changes settle."""
        if not self._listeners:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._tell()
            return
        if self._refresh is not None:
            self._refresh.cancel()
        self._refresh = loop.call_later(self.refresh_delay, self._tell)

    def _tell(self) -> None:
        self._refresh = None
        alive = []
        for ref in self._listeners:
            callback = ref() if isinstance(ref, weakref.WeakMethod) else ref
            if callback is None:
                continue
            alive.append(ref)
            try:
                callback()
            except Exception:  # noqa: BLE001 - a refresh must never break saving
                log.exception("refresh after a save failed")
        self._listeners = alive


#: The kernel's one list of waiting saves (a kernel serves one page).
saves = PendingSaves()


def _save_before_exit() -> None:
    try:
        saves.flush()
    except Exception:  # noqa: BLE001 - the kernel is going; log, do not raise
        log.exception("saving typed answers at shutdown failed")


atexit.register(_save_before_exit)


def is_typed(widget: W.Widget) -> bool:
    """True for the inputs people type into (saved a moment after the last key)."""
    return isinstance(widget, W.Text | W.Textarea)


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


def guard(func: Callable[..., Any], status: StatusLine) -> Callable[..., Any]:
    """Wrap a callback so a failure becomes a plain message in ``status``.

    A :class:`NextRoundError` shows its own words; anything else is logged
    and shows :data:`~nextround.text.FALLBACK_MESSAGE`, never a traceback.
    Every step, the app and the workbook file box use this one guard.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NextRoundError as exc:
            status.error(str(exc))
        except Exception:  # noqa: BLE001 - the page must never show a traceback
            log.exception("callback failed")
            status.error(FALLBACK_MESSAGE)
        return None

    return wrapper


#: How a model trait the client edits is saved (its ``saved`` metadata).
TYPED = "typed"
CHOSEN = "chosen"


def typed(trait: TraitType) -> TraitType:
    """Mark a trait edited in a text box: saved a moment after the last key press."""
    return trait.tag(saved=TYPED)


def chosen(trait: TraitType) -> TraitType:
    """Mark a trait edited by a choice, a date or a tick: saved at once."""
    return trait.tag(saved=CHOSEN)


def _unguarded(func: Callable[..., Any]) -> Callable[..., Any]:
    return func


class StepModel(HasTraits):
    """Base of component models: the content, the store and whose work it is.

    It owns the one saving observer of the model: every trait tagged
    :func:`typed` or :func:`chosen` is written through :meth:`save_edit`
    when it changes to a value other than the one last loaded or saved.
    Without a view a failed save raises; a view reports it in its status
    line instead (see :meth:`attach`).
    """

    client_id = Unicode()
    application_id = Unicode()

    def __init__(self, *, content, store, client_id: str, application_id: str | None = None,
                 **kwargs: Any):
        super().__init__(client_id=client_id, **kwargs)
        self.content = content
        self.store = store
        self._stored: dict[str, Any] = {}
        self._guard: Callable[[Callable[..., Any]], Callable[..., Any]] = _unguarded
        self._after_save: Callable[[str, Any, Any], None] | None = None
        edited = self.edited_traits()
        if edited:
            self.observe(self._edited, names=edited)
        if application_id is None:
            application_id = str(store.get_state(client_id).get("application_id") or "")
            application_id = self._known_or_only(application_id)
        self.application_id = application_id

    def _known_or_only(self, application_id: str) -> str:
        """The remembered rejection, or the only one when none is remembered.

        With exactly one rejection logged there is nothing to choose, so the
        next steps work on it at once (and remember it) instead of sending
        the client back to choose it.
        """
        from ..model import Application

        if application_id:
            try:
                self.store.get(Application, application_id)
                return application_id
            except NextRoundError:
                pass
        rejections = self.store.list(Application, self.client_id, outcome="rejected")
        if len(rejections) != 1:
            return application_id
        self.store.set_state(self.client_id, application_id=rejections[0].id)
        return rejections[0].id

    @property
    def today(self) -> date:
        return date.today()

    # -- the binding: loading and saving edited traits --

    def edited_traits(self) -> list[str]:
        """The names of the traits the client edits (those tagged typed or chosen)."""
        return [name for name, trait in self.traits().items()
                if trait.metadata.get("saved") in (TYPED, CHOSEN)]

    def attach(self, guard: Callable[[Callable[..., Any]], Callable[..., Any]],
               after_save: Callable[[str, Any, Any], None]) -> None:
        """Report saves to a view: failures through ``guard``, successes to ``after_save``."""
        self._guard, self._after_save = guard, after_save

    def load(self, **values: Any) -> None:
        """Set traits to what the store holds, without writing any of them back.

        Whatever typing still waits is saved first (it belongs to what was
        shown before). Notifications are held until every value is set, so
        observers see the loaded state whole, and each value is recorded as
        stored, so the saving observer leaves it alone.
        """
        saves.flush()
        with self.hold_trait_notifications():
            for name, value in values.items():
                setattr(self, name, value)
                self._stored[name] = getattr(self, name)

    def save_edit(self, name: str, value: Any) -> Any:
        """Write one edited trait to the store; each model says how."""
        raise NotImplementedError(f"{type(self).__name__} does not save {name!r}")

    def is_stored(self, name: str, value: Any) -> bool:
        """True when ``value`` is what was last loaded or saved for ``name``."""
        return name in self._stored and self._stored[name] == value

    def _edited(self, change: dict) -> None:
        name = change["name"]
        if self.is_stored(name, change["new"]):
            return
        if self.trait_metadata(name, "saved") == TYPED:
            saves.later((id(self), name), lambda: self._guard(self._write)(name))
        else:
            saves.flush()
            self._guard(self._write)(name)

    def _write(self, name: str) -> None:
        value = getattr(self, name)
        if self.is_stored(name, value):
            return
        result = self.save_edit(name, value)
        self._stored[name] = value
        if self._after_save is not None:
            self._after_save(name, value, result)

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
    #: True while the view itself sets input values, so those are not saved as typing.
    _quiet = False
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
        model.attach(self.guard, self.saved)
        self.add_class("nextround-step")
        self.children = (*self.build(), self.status)
        fit_buttons(self)

    def build(self) -> list[W.Widget]:
        """The step's widgets, top to bottom; each subclass gives its own."""
        return []

    def saved(self, name: str, value: Any, result: Any) -> None:
        """An edited trait was saved: say so (a step may say more)."""
        self.status.saved()

    def bind(self, widget: W.Widget, trait: str, *, to_widget: Callable[[Any], Any] | None = None,
             to_model: Callable[[Any], Any] | None = None, model: HasTraits | None = None) -> None:
        """Tie ``widget.value`` to a model trait, both ways.

        The model's value flows to the widget through a ``dlink``; the
        client's changes flow back through a second ``dlink`` whose
        transform first saves whatever typing still waits (for any input
        that is not a text box), so saves land in the order they were made.
        The model's saving observer does the rest. ``to_widget`` and
        ``to_model`` convert between the two (they must round-trip).
        """
        source = model or self.model
        if is_typed(widget):
            widget.continuous_update = True
        dlink((source, trait), (widget, "value"), to_widget)
        convert = to_model or (lambda value: value)
        if is_typed(widget):
            dlink((widget, "value"), (source, trait), convert)
            return

        def chosen_value(value: Any) -> Any:
            saves.flush()
            return convert(value)

        dlink((widget, "value"), (source, trait), chosen_value)

    def guard(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a callback so a failure becomes a plain message, not a traceback.

        After a callback that worked, listeners to saved work are told.
        """

        def then_tell(*args: Any, **kwargs: Any) -> Any:
            result = func(*args, **kwargs)
            saves.changed()
            return result

        return guard(wraps(func)(then_tell), self.status)

    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Set input values from the model without those changes counting as typing."""
        was, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = was

    def on_change(self, widget: W.Widget, handler: Callable[[Any], None]) -> None:
        """Call ``handler(new_value)`` when the user changes ``widget``, guarded.

        A text box sends every key press (``continuous_update``) and its
        handler runs :data:`SAVE_DELAY` after the last one, so typing is saved
        without leaving the box. Any other input first saves what is still
        waiting, so saves land in the order the person made them. Changes
        made while the view is :meth:`quietly` setting values are not saved.
        """
        guarded = self.guard(handler)
        if is_typed(widget):
            widget.continuous_update = True

            def typed(change: dict) -> None:
                if not self._quiet:
                    value = change["new"]
                    saves.later(widget, lambda: guarded(value))

            widget.observe(typed, names="value")
            return

        def chosen(change: dict) -> None:
            if not self._quiet:
                saves.flush()
                guarded(change["new"])

        widget.observe(chosen, names="value")

    def on_click(self, button: W.Button, handler: Callable[[], None]) -> None:
        """Call ``handler()`` on a click, after saving whatever typing is waiting."""
        guarded = self.guard(handler)

        def clicked(_button: W.Button) -> None:
            saves.flush()
            guarded()

        button.on_click(clicked)
