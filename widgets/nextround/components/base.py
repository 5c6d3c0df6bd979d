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
* **escaping** — :func:`nextround.text.esc` is the one way user text reaches HTML;
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
  (a ``dlink`` each way), and shows lists that change from ``List`` traits;
* each model's and view's docstring gets a ``Traits`` section made from its
  traits' ``help=`` when the class is made, so ``help(step)`` and the API
  reference list them and never drift.

What this module defines is public (exported from ``nextround.components``)
or named with a leading underscore; the pieces of a page the steps share
(headings, the status line, the guard) are in the private ``_view`` module.

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

import inspect
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import ipywidgets as W
from traitlets import HasTraits, TraitType, Unicode, dlink

from ..errors import NextRoundError
from ..i18n import current_language, speaks, translator
from ..text import esc
from ._view import StatusLine, fit_buttons, guard
from .saving import REFRESH_DELAY, SAVE_DELAY, PendingSaves, saves  # noqa: F401

#: The width of a labelled input: its column, less the widget margins either side.
_FULL = "calc(100% - 2 * var(--jp-widgets-margin, 2px))"

#: Inputs that pick one of their options (and can have none picked).
_CHOICES = (W.Dropdown, W.RadioButtons, W.Select, W.ToggleButtons)


def _is_typed(widget: W.Widget) -> bool:
    """True for the inputs people type into (saved a moment after the last key)."""
    return isinstance(widget, W.Text | W.Textarea)


def labelled(widget: W.Widget, label: str, *, hint: str = "") -> W.Widget:
    """Give an input its visible label (and an optional hint under it).

    ipywidgets renders ``description`` as a ``<label for=…>`` bound to the
    input, so screen readers and Playwright's ``get_by_label`` both find it.
    The description is never truncated: long labels wrap above the input,
    and the input takes its column's width (less its margins), so nothing
    is cut off on a narrow screen or at 200% zoom.

    Parameters
    ----------
    widget : ipywidgets.Widget
        The input to label; its ``description`` and layout are set in place.
    label : str
        The visible label, said in plain words ("Company", "How did you hear?").
    hint : str, optional
        A line of help shown under the input (escaped).

    Returns
    -------
    ipywidgets.Widget
        ``widget`` itself, or a box holding it and its hint when ``hint`` is given.

    Example
    -------
    >>> import ipywidgets as W
    >>> from nextround.components import labelled
    >>> box = labelled(W.Text(), "Company")
    >>> box.description
    'Company'
    >>> with_hint = labelled(W.Text(), "Role", hint="As the advert named it")
    >>> type(with_hint).__name__, with_hint.children[0].description
    ('VBox', 'Role')
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
        widget.layout.width = _FULL
        widget.layout.max_width = "46em"
    if isinstance(widget, W.Checkbox):
        widget.indent = False
    if not hint:
        return widget
    return W.VBox([widget, W.HTML(f'<div class="nr-hint">{esc(hint)}</div>')])


#: How a model trait the client edits is saved (its ``saved`` metadata).
_TYPED = "typed"
_CHOSEN = "chosen"


def typed(trait: TraitType) -> TraitType:
    """Mark a trait edited in a text box: saved a moment after the last key press.

    The model's saving observer writes the trait through
    :meth:`StepModel.save_edit` :data:`~nextround.components.saving.SAVE_DELAY`
    seconds after its last change (at once outside an event loop), and at
    once when the client does anything else first (see :data:`saves`).

    Parameters
    ----------
    trait : traitlets.TraitType
        The trait to mark, usually ``Unicode(help=...)``.

    Returns
    -------
    traitlets.TraitType
        The same trait, tagged ``saved="typed"``.

    Example
    -------
    >>> from traitlets import Unicode
    >>> from nextround.components import typed
    >>> note = typed(Unicode(help="The client's note, as typed."))
    >>> note.metadata["saved"]
    'typed'
    """
    return trait.tag(saved=_TYPED)


def chosen(trait: TraitType) -> TraitType:
    """Mark a trait edited by a choice, a date or a tick: saved at once.

    Anything still waiting to be saved (typing in a text box) is saved
    first, so saves land in the order the client made them.

    Parameters
    ----------
    trait : traitlets.TraitType
        The trait to mark: ``Unicode``, ``Int``, ``Bool``, ``Instance(date)``...

    Returns
    -------
    traitlets.TraitType
        The same trait, tagged ``saved="chosen"``.

    Example
    -------
    >>> from traitlets import Bool
    >>> from nextround.components import chosen
    >>> done = chosen(Bool(False, help="Ticked once the step is done."))
    >>> done.metadata["saved"]
    'chosen'
    """
    return trait.tag(saved=_CHOSEN)


def _own_traits(cls: type) -> dict[str, TraitType]:
    """The traits ``cls`` and its bases declare, in order, less ipywidgets' and traitlets'."""
    found: dict[str, TraitType] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.split(".")[0] in ("builtins", "traitlets", "ipywidgets"):
            continue
        for name, value in vars(klass).items():
            if isinstance(value, TraitType) and not name.startswith("_"):
                found[name] = value
    return found


def _trait_entries(traits: dict[str, TraitType], prefix: str = "") -> list[str]:
    """One reference entry per trait: its name, kind, how it is saved, and its ``help=``."""
    entries = []
    for name, trait in traits.items():
        saved = {_TYPED: ", saved as typed", _CHOSEN: ", saved when chosen"}.get(
            trait.metadata.get("saved"), "")
        entries.append(f"{prefix}{name} : {type(trait).__name__}{saved}")
        entries.append(f"    {trait.help or '(no help= given)'}")
    return entries


def _with_traits_section(doc: str | None, entries: list[str]) -> str:
    """``doc`` with a numpy-style ``Traits`` section, placed before its ``Events`` section.

    The section is made from each trait's ``help=``, so the reference and
    ``help(...)`` in a notebook never drift from the traits themselves.
    """
    lines = _without_traits_section(inspect.cleandoc(doc or "").splitlines())
    if not entries:
        return "\n".join(lines)
    section = ["Traits", "------", *entries, ""]
    where = lines.index("Events") if "Events" in lines else len(lines)
    if where == len(lines):
        section = ["", *section]
    return "\n".join(lines[:where] + section + lines[where:]).rstrip() + "\n"


def _without_traits_section(lines: list[str]) -> list[str]:
    """The docstring's lines less a ``Traits`` section made before (a base class's)."""
    if "Traits" not in lines:
        return lines
    start = lines.index("Traits")
    end = next((index for index in range(start + 2, len(lines) - 1)
                if lines[index] and set(lines[index + 1]) == {"-"}), len(lines))
    return lines[:start] + lines[end:]


def _document_traits(cls: type) -> type:
    """Give a model class's docstring the reference of its traits (see :func:`typed`).

    A class without a docstring of its own (such as the one ``add_traits``
    makes for a model with traits per question) takes its base's words, so
    ``help(model)`` lists those traits too.
    """
    doc = cls.__dict__.get("__doc__") or inspect.getdoc(cls)
    cls.__doc__ = _with_traits_section(doc, _trait_entries(_own_traits(cls)))
    return cls


def _document_view_traits(cls: type) -> type:
    """Give a view's docstring its own traits and its model's (as ``model.<name>``)."""
    entries = _trait_entries(_own_traits(cls))
    entries += _trait_entries(_own_traits(cls.model_class), prefix="model.")
    cls.__doc__ = _with_traits_section(cls.__doc__, entries)
    return cls


def _unguarded(func: Callable[..., Any]) -> Callable[..., Any]:
    return func


class StepModel(HasTraits):
    """Base of component models: the content, the store and whose work it is.

    It owns the one saving observer of the model: every trait tagged
    :func:`typed` or :func:`chosen` is written through :meth:`save_edit`
    when it changes to a value other than the one last loaded or saved.
    Without a view a failed save raises; a view reports it in its status
    line instead (see :meth:`attach`). A model never imports a widget, so a
    test or a script drives it without a browser.

    Parameters
    ----------
    content : nextround.content.Content
        The advice, questions and templates (:func:`nextround.load_content`).
    store : nextround.Store
        Where the client's work is read and saved.
    client_id : str
        The client whose work this is.
    application_id : str, optional
        The rejection to work on. By default the one the client chose last,
        or the only one when exactly one is logged.
    **kwargs
        Initial values of the model's traits.

    Events
    ------
    any trait
        Observe one with ``model.observe(callback, names="...")``; the
        saving observer is already one such observer.

    Saves
    -----
    nothing itself
        Each subclass says in :meth:`save_edit` how its edited traits are saved.

    Example
    -------
    >>> import tempfile
    >>> from traitlets import Unicode
    >>> from nextround import Store, load_content
    >>> from nextround.components import StepModel, typed
    >>> class NoteModel(StepModel):
    ...     note = typed(Unicode(help="The client's note, as typed."))
    ...     def save_edit(self, name, value):
    ...         self.store.set_answer(self.client_id, "my_note", value)
    >>> store = Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> model = NoteModel(content=load_content(), store=store, client_id=sam.id)
    >>> model.note = "Call Ana on Friday"
    >>> store.answers(sam.id)["my_note"]
    'Call Ana on Friday'
    """

    client_id = Unicode(help="The client whose work this is.")
    application_id = Unicode(help="The rejection being worked on ('' when none is chosen yet).")

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        _document_traits(cls)

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
        self.load(application_id=application_id)

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
        """Today's date (a model may fix it, for tests and charts)."""
        return date.today()

    # -- the binding: loading and saving edited traits --

    def edited_traits(self) -> list[str]:
        """The names of the traits the client edits (those tagged typed or chosen)."""
        return [name for name, trait in self.traits().items()
                if trait.metadata.get("saved") in (_TYPED, _CHOSEN)]

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
        if self.trait_metadata(name, "saved") == _TYPED:
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
                context["interview_date"] = translator().day_month(app.interview_on)
        return context


_document_traits(StepModel)


class Component(W.VBox):
    """Base of every step's view: an ipywidgets box over a :class:`StepModel`.

    A subclass names its model in :attr:`model_class` and gives its widgets
    in :meth:`build`, tying each input to a model trait with :meth:`bind`.
    The base adds the status line (the one place a step speaks, a polite
    live region), turns any failure in a callback into a plain message in it
    (:meth:`guard`), says "Saved." after each save (:meth:`saved`) and sizes
    buttons to their words.

    Parameters
    ----------
    model : StepModel
        The state this view shows and edits. :meth:`create` builds one for a
        client and the view over it.
    **kwargs
        Passed on to :class:`ipywidgets.VBox` (``layout``...).

    Events
    ------
    model's traits
        The view follows them through its bindings; observe them on
        ``step.model`` to follow the client's work.

    Saves
    -----
    nothing itself
        Saving is the model's: edited traits go through :meth:`StepModel.save_edit`.

    Example
    -------
    >>> import tempfile
    >>> import ipywidgets as W
    >>> from traitlets import Unicode
    >>> from nextround import Store, load_content
    >>> from nextround.components import Component, StepModel, labelled, typed
    >>> class NoteModel(StepModel):
    ...     note = typed(Unicode(help="The client's note, as typed."))
    ...     def save_edit(self, name, value):
    ...         self.store.set_answer(self.client_id, "my_note", value)
    >>> class Note(Component):
    ...     title = "A note"
    ...     model_class = NoteModel
    ...     def build(self):
    ...         box = W.Textarea()
    ...         self.bind(box, "note")
    ...         return [labelled(box, "Your note")]
    >>> store = Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> step = Note.create(content=load_content(), store=store, client_id=sam.id)
    >>> step.children[0].value = "Ask Ana for a referral"
    >>> store.answers(sam.id)["my_note"], step.status.text
    ('Ask Ana for a referral', 'Saved. Your answer is saved.')
    """

    title = "Step"
    #: The model this view shows; :meth:`create` builds one for a client.
    model_class: type[HasTraits] = StepModel

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        _document_view_traits(cls)

    @classmethod
    def create(cls, *, content, store, client_id: str, application_id: str | None = None,
               **options: Any) -> Component:
        """Build the step for one client: its model first, then the view over it.

        Parameters
        ----------
        content : nextround.content.Content
            The advice, questions and templates (:func:`nextround.load_content`).
        store : nextround.Store
            Where the client's work is read and saved.
        client_id : str
            The client whose work it is.
        application_id : str, optional
            The rejection to work on; by default the one chosen last (or the
            only one logged).
        **options
            Initial values of the model's traits.

        Returns
        -------
        Component
            The view; its state is on ``.model``.
        """
        return cls(cls.model_class(content=content, store=store, client_id=client_id,
                                   application_id=application_id, **options))

    def __init__(self, model: StepModel, **kwargs: Any):
        super().__init__(**kwargs)
        #: The language the step speaks (the page's when it was built); its callbacks
        #: and saves answer in it, whatever else the kernel shows.
        self.language = current_language()
        self.model = model
        self.status = StatusLine()
        self._bindings: dict[W.Widget, tuple[HasTraits, str, Callable[[Any], Any]]] = {}
        if isinstance(model, StepModel):  # the counsellor's view has a model of its own kind
            model.attach(self.guard, self.saved)
        self.add_class("nextround-step")
        self.children = (*self.build(), self.status)
        fit_buttons(self)
        speaks(self, self.language)

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
        transform first saves whatever typing still waits (for a new value
        of any input that is not a text box), so saves land in the order
        they were made. The model's own values echoed back save nothing.
        The model's saving observer does the rest. ``to_widget`` and
        ``to_model`` convert between the two (they must round-trip).
        """
        source = model or self.model
        if _is_typed(widget):
            widget.continuous_update = True
        self._bindings[widget] = (source, trait, to_widget or (lambda value: value))
        dlink((source, trait), (widget, "value"), to_widget)
        convert = to_model or (lambda value: value)
        if isinstance(widget, _CHOICES) and to_model is None:
            # A choice with nothing selected (while its options are replaced) changes nothing.
            def convert(value: Any) -> Any:
                return getattr(source, trait) if value is None else value
        if _is_typed(widget):
            dlink((widget, "value"), (source, trait), convert)
            return

        def chosen_value(value: Any) -> Any:
            new = convert(value)
            if new != getattr(source, trait):  # the client's choice, not the model's echo
                saves.flush()
            return new

        dlink((widget, "value"), (source, trait), chosen_value)

    def replace_options(self, dropdown: W.Dropdown, options: list[tuple[str, Any]]) -> None:
        """Give a bound drop-down new options, still showing the model's value.

        ipywidgets selects the first option whenever the options change,
        unless nothing is selected; that passing choice would reach the
        model as if the client had made it. So the drop-down is emptied
        first (its binding reads "nothing selected" as no change), then
        shows the model's value again among the new options.
        """
        source, trait, to_widget = self._bindings[dropdown]
        dropdown.index = None
        dropdown.options = options
        value = to_widget(getattr(source, trait))
        if value in [option_value for _label, option_value in options]:
            dropdown.value = value

    def guard(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a callback so a failure becomes a plain message, not a traceback.

        After a callback that worked, listeners to saved work are told.
        """

        def then_tell(*args: Any, **kwargs: Any) -> Any:
            result = func(*args, **kwargs)
            saves.changed()
            return result

        return guard(wraps(func)(then_tell), self.status, language=lambda: self.language)

    def on_click(self, button: W.Button, handler: Callable[[], None]) -> None:
        """Call ``handler()`` on a click, after saving whatever typing is waiting."""
        guarded = self.guard(handler)

        def clicked(_button: W.Button) -> None:
            saves.flush()
            guarded()

        button.on_click(clicked)


_document_view_traits(Component)
