"""Action plan: turn what was learned into steps with dates.

A rejection becomes useful when it changes what the client does next. This
step proposes actions from the confirmed scenario and the self-assessment,
lets the client add them (or their own) to a plan with due dates, tick them
off, and take the plan to their calendar. It also keeps the search going:
when too few applications are open, it says so, because one "no" weighs less
when others are in play.

Example::

    from nextround.components import ActionPlan
    ActionPlan.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as W
from traitlets import Bool, Instance, Int, List, Unicode

from .. import answer_keys as keys
from ..advice import ProposedAction, draft_plan
from ..choice_answers import in_language
from ..errors import NextRoundError
from ..i18n import _, client_language, ngettext, using
from ..model import Action, Application, Feedback
from ..text import esc, nice_date
from ._view import download_link, heading, paragraph
from .base import Component, StepModel, chosen, labelled, typed

#: Download names are fixed: a client's name never becomes a file name.
ICS_NAME = "nextround-plan.ics"
MARKDOWN_NAME = "nextround-plan.md"


class ActionRow(StepModel):
    """One step of the plan as the client edits it: its title, due date and tick.

    Each edit is saved to the step's ``Action`` record by this model's
    saving observer (the title a moment after the last key press).
    :class:`ActionPlanModel` makes one per step of the plan (its ``rows``).

    Parameters
    ----------
    action : nextround.model.Action
        The step of the plan this row edits.
    content, store, client_id, application_id
        As for :class:`~nextround.components.StepModel`.

    Events
    ------
    done
        Ticked or unticked; the plan's view reorders nothing while it is open.

    Saves
    -----
    :class:`~nextround.model.Action`
        The step's title, due day and tick.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import ActionPlanModel
    >>> plan = ActionPlanModel(content=content, store=store, client_id=sam.id)
    >>> plan.add_own("Ask Ana for a mock interview").title
    'Ask Ana for a mock interview'
    >>> row = plan.rows[-1]
    >>> row.done = True
    >>> plan.actions[-1].done
    True
    """

    title = typed(Unicode(help="What the client will do."))
    due_on = chosen(Instance(date, allow_none=True, help="The day it is due; None if not set."))
    done = chosen(Bool(False, help="Ticked once the step is done."))

    def __init__(self, *, action: Action, **kwargs: Any):
        super().__init__(**kwargs)
        self.action_id = action.id
        self.load(title=action.title, due_on=action.due_on, done=action.done)

    def save_edit(self, name: str, value: Any) -> Action:
        """The saving observer's write: one field of this step's record."""
        if name == "title":
            value = value.strip()
        return self.store.update(Action, self.action_id, **{name: value})


class ActionPlanModel(StepModel):
    """The plan's steps, the proposals not yet taken, and the search's pulse.

    ``actions`` keeps the order the client saw when the step opened, with
    new steps at the end, so rows do not jump while they are edited; the
    store orders them by due date next time. ``rows`` holds an
    :class:`ActionRow` per step, for editing.

    Parameters
    ----------
    content : nextround.content.Content
        The advice, questions and templates (:func:`nextround.load_content`).
    store : nextround.Store
        Where the client's work is read and saved.
    client_id : str
        The client whose work this is.
    application_id : str, optional
        The rejection to work on; by default the one chosen last, or the only
        one logged.

    Events
    ------
    actions
        Replaced after any step is added, removed or edited.
    rows
        Replaced when steps are added or removed (not when one is edited).
    proposals
        The suggestions not in the plan yet, after each change.

    Saves
    -----
    :class:`~nextround.model.Action`
        Each step of the plan: added from a suggestion (:meth:`adopt`) or
        the client's own (:meth:`add_own`), edited through its row, removed.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import ActionPlanModel
    >>> plan = ActionPlanModel(content=content, store=store, client_id=sam.id)
    >>> first = plan.proposals[0]
    >>> plan.adopt(first.library_id).title == first.title
    True
    >>> len(plan.actions)
    1
    """

    actions = List(help="The plan's Action records, in the order shown.")
    rows = List(help="An ActionRow per step of the plan, in the same order.")
    proposals = List(help="Suggested steps not in the plan yet.")
    scenario_id = Unicode(help="The reading the client confirmed for this rejection.")
    pending = Int(0, help="How many applications are still open.")
    keep_searching = Bool(False, help="True when too few applications are open.")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.set_actions(self.store.list(Action, self.client_id))
        self.refresh()

    def set_actions(self, actions: list[Action]) -> None:
        """Show these steps; a row model is made for each new one, kept for the others."""
        kept = {row.action_id: row for row in self.rows}
        rows = [kept.get(action.id) or self._row(action) for action in actions]
        self.actions = actions
        if [r.action_id for r in rows] != [r.action_id for r in self.rows]:
            self.rows = rows

    def _row(self, action: Action) -> ActionRow:
        row = ActionRow(content=self.content, store=self.store, client_id=self.client_id,
                        application_id=self.application_id, action=action)
        row.attach(self._guard, self._row_saved)
        return row

    def attach(self, guard: Any, after_save: Any) -> None:
        """Report saves to a view, the rows' saves included."""
        super().attach(guard, after_save)
        for row in self.rows:
            row.attach(guard, self._row_saved)

    def _row_saved(self, name: str, value: Any, action: Action) -> None:
        self.actions = [action if a.id == action.id else a for a in self.actions]
        if self._after_save is not None:
            self._after_save(name, value, action)

    def refresh(self) -> None:
        """Re-read the scenario, the open applications and the proposals."""
        self.scenario_id = self._confirmed_scenario()
        self.pending = len(self.store.list(Application, self.client_id, outcome="pending"))
        self.keep_searching = self.pending < self.content.keep_searching.min_active
        self._propose()

    def _confirmed_scenario(self) -> str:
        """The scenario the client confirmed for this rejection, if any."""
        if not self.application_id:
            return ""
        answers = self.store.answers(self.client_id, application_id=self.application_id)
        chosen_id = answers.get(keys.SCENARIO.key())
        if not chosen_id:
            feedback = self.store.list(Feedback, self.client_id,
                                       application_id=self.application_id)
            chosen_id = next((f.scenario_id for f in reversed(feedback) if f.scenario_id), "")
        known = {scenario.id for scenario in self.content.scenarios}
        return chosen_id if isinstance(chosen_id, str) and chosen_id in known else ""

    def _propose(self) -> None:
        answers = in_language(self.content, self.store.answers(
            self.client_id, application_id=self.application_id or None))
        self.proposals = draft_plan(
            self.scenario_id or None, answers, content=self.content, today=self.today,
            active_applications=self.pending,
            exclude=[a.library_id for a in self.actions if a.library_id])

    def adopt(self, library_id: str) -> Action:
        """Add a proposed action to the plan, with its suggested due date."""
        proposal = next((p for p in self.proposals if p.library_id == library_id), None)
        if proposal is None:
            raise NextRoundError(_("That suggestion is already in your plan."))
        action = self.store.add(Action(
            client_id=self.client_id, title=proposal.title, due_on=proposal.due_on,
            application_id=self.application_id, library_id=proposal.library_id))
        self.set_actions([*self.actions, action])
        self._propose()
        return action

    def add_own(self, title: str = "") -> Action:
        """Add a step of the client's own; the title can be filled in after."""
        action = self.store.add(Action(client_id=self.client_id, title=title.strip(),
                                       application_id=self.application_id))
        self.set_actions([*self.actions, action])
        return action

    def remove(self, action_id: str) -> None:
        """Take a step out of the plan; a library step becomes a suggestion again."""
        self.store.delete(Action, action_id)
        self.set_actions([a for a in self.actions if a.id != action_id])
        self._propose()

    def is_overdue(self, action: Action) -> bool:
        """Whether a step not done yet was due before today."""
        return bool(action.due_on and not action.done and action.due_on < self.today)

    def client_name(self) -> str:
        """The client's name, for the plan's downloads."""
        return self.store.get_client(self.client_id).name

    def ics(self) -> bytes:
        """The plan as a calendar file (one all-day event per dated step)."""
        from ..exports import plan_to_ics

        with using(client_language(self.store, self.client_id)):
            return plan_to_ics(list(self.actions), self.client_name())

    def markdown(self) -> str:
        """The plan as Markdown, for printing or pasting."""
        from ..exports import plan_to_markdown

        with using(client_language(self.store, self.client_id)):
            return plan_to_markdown(list(self.actions), self.client_name())


class ActionPlan(Component):
    """Action plan: suggestions to add, the plan as editable rows, and downloads.

    What the client learnt becomes dated steps: suggested from the reading
    they confirmed and their self-assessment, or their own. The plan can be
    downloaded as a calendar file and as Markdown.

    Parameters
    ----------
    model : ActionPlanModel
        The step's state. ``ActionPlan.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    model.actions
        The plan's steps, replaced after each change.

    Saves
    -----
    :class:`~nextround.model.Action`
        Each step of the plan (see :class:`ActionPlanModel`).

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> from nextround.components import ActionPlan
    >>> step = ActionPlan.create(content=content, store=store, client_id=sam.id)
    >>> action = step.model.add_own("Update my portfolio")
    >>> step.model.rows[0].title = "Update my portfolio with two projects"
    >>> step.model.actions[0].title
    'Update my portfolio with two projects'
    """

    title = "Action plan"

    model_class = ActionPlanModel

    def build(self) -> list[W.Widget]:
        model: ActionPlanModel = self.model
        self.nudge = W.HTML()
        self.proposal_box = W.VBox()
        self.rows_box = W.VBox()
        self.rows_box.add_class("nr-screen-only")
        # Text boxes cut long titles short on paper: print the plan as a list.
        self.printed = W.HTML()
        self.printed.add_class("nr-print-only")
        self.downloads = W.HTML()
        self.rows: dict[str, dict[str, W.Widget]] = {}
        add_own = W.Button(description=_("Add your own step"), layout=W.Layout(width="auto"))
        self.add_own_button = add_own
        self.on_click(add_own, self._add_own)
        model.observe(lambda _c: self._show_nudge(), names=["keep_searching", "pending"])
        model.observe(lambda _c: self._show_proposals(), names="proposals")
        model.observe(lambda _c: self._build_rows(), names="rows")
        model.observe(lambda _c: self._plan_changed(), names="actions")
        self._show_nudge()
        self._show_proposals()
        self._build_rows()
        self._plan_changed()
        plan_heading = heading(_("My plan"), 4)
        plan_heading.add_class("nr-screen-only")  # the printed list carries its own
        return [
            heading(_("Plan what you will do")),
            paragraph(_("Pick the steps that fit, give each a date, and tick them off as you "
                      "go. Everything saves as you work.")),
            self.nudge,
            heading(_("Suggested steps"), 4),
            self.proposal_box,
            plan_heading,
            self.rows_box,
            self.printed,
            add_own,
            heading(_("Take your plan with you"), 4),
            self.downloads,
        ]

    # -- nudge and proposals --

    def _show_nudge(self) -> None:
        model: ActionPlanModel = self.model
        if not model.keep_searching:
            self.nudge.value = ""
            return
        keep = model.content.keep_searching
        have = ngettext("You have {count} open application.",
                        "You have {count} open applications.", model.pending)
        self.nudge.value = (
            "<div class='nr-card nr-nudge' role='note'><p><strong>{}</strong> {}</p>".format(
                esc(_("Keep your search going.")), esc(have.format(count=model.pending)))
            + f"<p>{esc(keep.message)}</p></div>")

    def _show_proposals(self) -> None:
        proposals: list[ProposedAction] = self.model.proposals
        if not proposals:
            self.proposal_box.children = [paragraph(
                _("No more suggestions for now. You can add your own step below."))]
            return
        items = []
        for proposal in proposals:
            button = W.Button(description=_("Add to my plan: {step}").format(
                step=proposal.title), layout=W.Layout(width="auto"))
            self.on_click(button, lambda lid=proposal.library_id: self._adopt(lid))
            by = _("(by {date})").format(date=nice_date(proposal.due_on))
            info = W.HTML(
                f"<p><strong>{esc(proposal.title)}</strong> {esc(by)}</p>"
                f"<p class='nr-text nr-proposal-detail'>{esc(proposal.detail)}</p>"
                f"<p class='nr-hint nr-proposal-reason'>{esc(proposal.reason)}</p>")
            box = W.VBox([info, button])
            box.add_class("nr-card")
            items.append(box)
        self.proposal_box.children = items

    def _adopt(self, library_id: str) -> None:
        action = self.model.adopt(library_id)
        self.status.saved(_("“{step}” is in your plan.").format(step=action.title))

    def _add_own(self) -> None:
        self.model.add_own()
        number = len(self.model.actions)
        self.status.saved(_("Step {number} added. Give it a title and a date.").format(
            number=number))

    # -- the plan --

    def _plan_changed(self) -> None:
        """A step was added, removed or edited: refresh marks, the printed plan and links."""
        self._show_marks()
        self._show_printed()
        self._show_downloads()

    def saved(self, name: str, value: Any, result: Any) -> None:
        self.status.saved(_("Your plan is saved."))

    def _build_rows(self) -> None:
        """Row widgets for each step, bound to its row model; made when steps come or go."""
        self.rows = {}
        rows = [self._row(number, row) for number, row in enumerate(self.model.rows, start=1)]
        if not rows:
            rows = [paragraph(_("Your plan is empty. Add a suggested step or one of your own."))]
        self.rows_box.children = rows

    def _row(self, number: int, row: ActionRow) -> W.Widget:
        title = W.Text(placeholder=_("What will you do?"))
        due = W.DatePicker()
        done = W.Checkbox()
        for widget, trait in ((title, "title"), (due, "due_on"), (done, "done")):
            self.bind(widget, trait, model=row)
        mark = W.HTML()
        remove = W.Button(description=_("Remove step {number}").format(number=number),
                          layout=W.Layout(width="auto"))
        self.rows[row.action_id] = {"title": title, "due": due, "done": done, "mark": mark,
                                    "remove": remove}
        self.on_click(remove, lambda: self._remove(row.action_id))
        box = W.VBox([
            labelled(title, _("Step {number} title").format(number=number)),
            labelled(due, _("Step {number} due date").format(number=number)),
            labelled(done, _("Step {number} done").format(number=number)),
            mark,
            remove,
        ])
        box.add_class("nr-card")
        return box

    def _remove(self, action_id: str) -> None:
        self.model.remove(action_id)
        self.status.saved(_("The step is removed from your plan."))

    def _show_marks(self) -> None:
        """Mark late steps with a word, never by colour alone."""
        for action in self.model.actions:
            widgets = self.rows.get(action.id)
            if widgets is None:
                continue
            if self.model.is_overdue(action):
                widgets["mark"].value = "<p class='nr-warn'><strong>{}</strong>: {}</p>".format(
                    esc(_("Overdue")), esc(_(
                        "this was due on {date}. Pick a new date if you need to.").format(
                            date=nice_date(action.due_on))))
            elif action.done:
                widgets["mark"].value = "<p class='nr-ok'><strong>{}</strong>. {}</p>".format(
                    esc(_("Done")), esc(_("Well done.")))
            else:
                widgets["mark"].value = ""

    def _show_printed(self) -> None:
        """The plan as plain text for print: every title whole, with its date and state."""
        items = []
        for action in self.model.actions:
            if action.done:
                state = _("Done")
            elif self.model.is_overdue(action):
                state = _("Overdue")
            else:
                state = _("To do")
            due = (esc(_(", by {date}").format(date=nice_date(action.due_on)))
                   if action.due_on else "")
            title = esc(action.title) or esc(_("Untitled step"))
            items.append(f"<li><strong>{title}</strong>{due}. {esc(state)}.</li>")
        listed = (f"<ol class='nr-print-plan'>{''.join(items)}</ol>" if items
                  else "<p class='nr-text'>" + esc(_("Your plan is empty.")) + "</p>")
        # The heading sits with the list, so a page never ends on the heading alone.
        self.printed.value = "<h4 class='nr-heading'>" + esc(_("My plan")) + f"</h4>{listed}"

    def _show_downloads(self) -> None:
        model: ActionPlanModel = self.model
        if not model.actions:
            self.downloads.value = "<p class='nr-text'>{}</p>".format(esc(_(
                "Add a step and you can download your plan here.")))
            return
        calendar = download_link(_("Download for your calendar (.ics)"), ICS_NAME,
                                 model.ics(), "text/calendar")
        markdown = download_link(_("Download as a checklist (Markdown)"), MARKDOWN_NAME,
                                 model.markdown().encode("utf-8"), "text/markdown")
        self.downloads.value = (f"<ul class='nr-downloads'><li>{calendar}</li>"
                                f"<li>{markdown}</li></ul>")
