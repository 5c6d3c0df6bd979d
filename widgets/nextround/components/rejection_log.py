"""Log the rejection: the applications a client made and how each one ended.

The rest of the workbook works on one rejection at a time: the feedback
request names its company and role, the scenario card reads what was heard
about it. So this step does two jobs: it keeps the log of applications
(saved field by field as the client types, so nothing is lost), and it lets
the client choose the rejection to work on, which is remembered as resume
state and exposed as the model's ``application_id`` trait for the app to
observe. A pasted rejection email shortens this: the company, role, contact
and date found in it fill the empty fields (each listed for the client to
check), the email is saved as the feedback heard, and its reading is shown.

Example::

    from nextround.components import RejectionLog
    RejectionLog.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as W

from ..html_table import html_table
from ..i18n import N_, _
from ..model import Application, choice_label
from ..text import esc
from ._view import heading, paragraph
from .base import Component, labelled
from .rejection_log_model import (  # noqa: F401 - the step's public names live on here
    CHOICE_FIELDS,
    DATE_FIELDS,
    FIELDS,
    MAX_SHORT,
    PASTED_EMAIL_KEY,
    TEXT_FIELDS,
    PastedEmail,
    RejectionLogModel,
    date_warnings,
    describe,
)

#: Each field's label and hint, in the order of :data:`FIELDS` (shown through ``_``).
LABELS = {
    "company": (N_("Company"), ""),
    "role": (N_("Role"), ""),
    "stage": (N_("Stage you reached"), ""),
    "applied_on": (N_("Date you applied"), ""),
    "interview_on": (N_("Date of your interview or meeting"),
                     N_("Leave it empty if you did not meet them. Your emails mention "
                        "it only when it is filled in.")),
    "outcome": (N_("Outcome"), N_("Choose “rejected” when you heard it was a no.")),
    "outcome_on": (N_("Date you heard back"), ""),
    "how_heard": (N_("How you heard"), N_("For example: an email from the recruiter.")),
    "contact_name": (N_("Contact name"), N_("The person you dealt with, or who told you "
                                            "about the job.")),
}

class RejectionLog(Component):
    """Log the rejection: the form, the table of past rejections, and the choice.

    The rest of the workbook works on one rejection at a time, so this step
    keeps the log of applications (saved field by field as the client
    types) and lets the client choose the rejection to work on. A pasted
    rejection email fills the empty fields and is saved as the feedback heard.

    Parameters
    ----------
    model : RejectionLogModel
        The step's state. ``RejectionLog.create(content=..., store=..., client_id=...,
        application_id=None)`` builds it for a client and this view over it
        (see :meth:`Component.create`).

    Events
    ------
    model.application_id
        The rejection chosen in "Which rejection to work on"; observe it to
        open the next steps on it.

    Saves
    -----
    :class:`~nextround.model.Application`
        The form's fields, as typed or chosen (see :class:`RejectionLogModel`).
    :class:`~nextround.model.Feedback`
        The words of a pasted rejection email, once read.
    ``log.pasted_email``
        A pasted email not read yet.
    ``state.{name}``
        The rejection chosen, for resuming.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLog
    >>> step = RejectionLog.create(content=content, store=store, client_id=sam.id)
    >>> step.model.company = "Northwind"        # as if typed into "Company"
    >>> [app.company for app in step.model.logged]
    ['Northwind']
    """

    title = "Log the rejection"

    model_class = RejectionLogModel

    def build(self) -> list[W.Widget]:
        model: RejectionLogModel = self.model
        self.add_button = W.Button(description=_("Add an application"), icon="plus")
        self.on_click(self.add_button, self._add)
        self.editing = W.Dropdown(options=self._editing_options(), value=None)
        self.bind(self.editing, "editing_id")
        self.inputs = self._build_inputs()
        self.warning_box = W.HTML()
        self.table = W.HTML()
        self.chooser = W.Dropdown(options=self._chooser_options(), value=None)
        self.bind(self.chooser, "application_id")
        self.switch_text = W.HTML()
        self.switch_button = W.Button(description=_("Work on this rejection instead"),
                                      button_style="primary", layout=W.Layout(width="auto"))
        self.on_click(self.switch_button, self._switch)
        self.switch_offer = W.VBox([self.switch_text, self.switch_button],
                                   layout=W.Layout(display="none"))
        self._refresh_lists()
        model.observe(lambda _change: self._refresh_lists(), names=["logged", "application_id"])
        model.observe(self._editing_changed, names="editing_id")
        model.observe(self._chosen, names="application_id")
        self.warning_box.value = render_warnings(model.warnings)
        model.observe(lambda change: setattr(self.warning_box, "value",
                                             render_warnings(change["new"])), names="warnings")
        self.paste_box = W.Textarea(rows=6, placeholder=_("Paste the whole email here"))
        self.bind(self.paste_box, "pasted_email")
        self.paste_button = W.Button(description=_("Read this email"), icon="envelope")
        self.on_click(self.paste_button, self._read_email)
        self.paste_result = W.HTML()
        return [
            heading(_("Got a rejection email?")),
            paragraph(_("Paste it here. We fill in what we can find, for you to check, and "
                      "save the email as the feedback you heard.")),
            labelled(self.paste_box, _("The rejection email you received")),
            self.paste_button,
            self.paste_result,
            heading(_("Your applications")),
            paragraph(_("Write down each job you went for and how it ended. "
                      "Everything saves as you type.")),
            self.add_button,
            labelled(self.editing, _("The application you are editing")),
            *(labelled(self.inputs[name], _(LABELS[name][0]),
                       hint=_(LABELS[name][1]) if LABELS[name][1] else "")
              for name in FIELDS),
            self.warning_box,
            self.switch_offer,
            heading(_("Your past rejections")),
            self.table,
            heading(_("Choose the rejection to work on")),
            paragraph(_("The next steps help you ask for feedback about it and make sense "
                      "of what you hear.")),
            labelled(self.chooser, _("The rejection you are working on")),
        ]

    def _build_inputs(self) -> dict[str, W.Widget]:
        inputs: dict[str, W.Widget] = {}
        for name in FIELDS:
            if name in TEXT_FIELDS:
                widget = W.Text()
            elif name in DATE_FIELDS:
                widget = W.DatePicker(value=None)
            else:
                widget = W.Dropdown(options=[(choice_label(v), v) for v in CHOICE_FIELDS[name]])
            self.bind(widget, name)
            inputs[name] = widget
        return inputs

    def _editing_options(self) -> list[tuple[str, str]]:
        return ([(describe(a), a.id) for a in self.model.logged]
                or [(_("No applications yet"), "")])

    def _chooser_options(self) -> list[tuple[str, str]]:
        model: RejectionLogModel = self.model
        # The rejection worked on stays choosable even if its outcome was changed.
        choosable = [a for a in model.logged
                     if a.outcome == "rejected" or a.id == model.application_id]
        return [(_("Choose a rejection"), "")] + [(describe(a), a.id) for a in choosable]

    def _refresh_lists(self) -> None:
        """The drop-downs and the table, from the applications as saved."""
        model: RejectionLogModel = self.model
        self.replace_options(self.editing, self._editing_options())
        self.replace_options(self.chooser, self._chooser_options())
        self.table.value = render_table(model.rejections(), model.application_id)

    # -- what follows the client's changes --

    def saved(self, name: str, value: Any, result: Any) -> None:
        """Say what a save did; logging a rejection may choose it or offer to switch."""
        model: RejectionLogModel = self.model
        if name == "application_id":
            return
        if name == "pasted_email":
            self.status.saved()
            return
        if name == "outcome":
            self._rejection_logged(value == "rejected")
        if model.warnings:
            self.status.warn(_("Your answer is saved, but please check the dates."))
        elif name == "outcome" and value == "rejected" \
                and model.application_id == model.editing_id:
            self.status.saved(_("The next steps will work on this rejection."))
        else:
            self.status.saved()

    def _editing_changed(self, _change: dict) -> None:
        self._offer_switch(False)
        self.status.clear()

    def _chosen(self, change: dict) -> None:
        self._offer_switch(False)
        if change["new"]:
            self.status.saved(_("The next steps will work on this rejection."))
        else:
            self.status.info(_("No rejection is chosen. Choose one to go on."))

    def _rejection_logged(self, rejected: bool) -> None:
        """A rejection was logged: work on it if it is the only one, else offer to switch."""
        model: RejectionLogModel = self.model
        chosen = model.application() if model.application_id else None
        if not rejected:
            self._offer_switch(False)
        elif chosen is None or (chosen.outcome != "rejected" and len(model.rejections()) == 1):
            if len(model.rejections()) == 1:
                model.choose(model.editing_id)
        elif chosen.id != model.editing_id:
            self._offer_switch(True)

    def _offer_switch(self, show: bool) -> None:
        app = self.model.editing()
        if not show or app is None:
            self.switch_offer.layout.display = "none"
            return
        self.switch_text.value = "<p class='nr-info' role='note'><strong>{}</strong> {}</p>".format(
            esc(_("A new rejection.")),
            _("The next steps are working on another one. Work on {rejection} instead?").format(
                rejection=esc(describe(app))))
        self.switch_offer.layout.display = "flex"

    # -- buttons --

    def _add(self) -> None:
        self.model.add_application()
        self.status.info(_("A new application is ready. Fill in what you know; "
                         "it saves as you type."))

    def _read_email(self) -> None:
        result = self.model.read_email(self.paste_box.value)
        self.paste_result.value = render_pasted(self.model.content, result)
        self.status.saved(_("The email is saved as feedback. Check the details below."))

    def _switch(self) -> None:
        self.model.choose(self.model.editing_id)


def render_warnings(warnings: list[str]) -> str:
    check = esc(_("Check this:"))
    return "".join(f"<p class='nr-warn' role='note'><strong>{check}</strong> {esc(w)}</p>"
                   for w in warnings)


def render_table(rejections: list[Application], chosen_id: str = "") -> str:
    """The past rejections as an HTML table; every value is the client's, so escaped."""
    if not rejections:
        return "<p class='nr-text'>{}</p>".format(esc(_(
            "No rejections logged yet. When you set an outcome to “rejected”, it shows here.")))
    columns = (_("Company"), _("Role"), _("Stage"), _("Applied"), _("Interview"),
               _("Heard back"), _("How you heard"), _("Contact"), _("Working on it"))
    rows = [(app.company, app.role, choice_label(app.stage), _date(app.applied_on),
             _date(app.interview_on), _date(app.outcome_on), app.how_heard, app.contact_name,
             _("Yes") if app.id == chosen_id else "")
            for app in rejections]
    return html_table(columns, rows, caption=_("Your past rejections"))


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


_FATES = {
    "filled": N_("filled in"),
    "today": N_("filled in"),
    "same": N_("already there"),
    "kept": N_("not changed: you had written something else"),
    "missing": N_("not found in the email"),
}


def render_pasted(content, result: PastedEmail) -> str:
    """What reading the email did, field by field, and what the email most likely means."""
    rows = []
    for label, value, fate, evidence in result.fields:
        shown = f"<strong>{esc(value)}</strong> – " if value else ""
        quoted = _("from “{words}”").format(words=esc(evidence))
        where = f" <span class='nr-hint'>({quoted})</span>" if (
            evidence and fate != "today") else (
            f" <span class='nr-hint'>({esc(evidence)})</span>" if evidence else "")
        label_words, fate_words = esc(_(label)), esc(_(_FATES[fate]))
        rows.append(f"<li>{label_words}: {shown}{fate_words}{where}</li>")
    reading = result.reading
    if reading.form_letter:
        meaning = "<p><strong>{}</strong> {}</p>".format(esc(_("What it means:")), esc(_(
            "no specific reason was given. It reads as a standard message, so the advice "
            "for “No feedback at all” applies.")))
    else:
        titles = _(" or ").join(f"“{esc(content.scenario(s.scenario_id).title)}”"
                                for s in reading.choices)
        meaning = "<p><strong>{}</strong> {}.</p>".format(
            esc(_("What it most likely means:")), titles)
        spans = [span for s in reading.choices for span in s.evidence]
        if spans:
            meaning += ("<blockquote class='nr-quote'>"
                        + " … ".join(f"<mark>{esc(reading.text[s:e])}</mark>"
                                     for s, e in sorted(set(spans)))
                        + "</blockquote>")
    region = esc(_("What the email says"))
    check = esc(_("Please check these details in the form below."))
    more = esc(_("The step “Make sense of it” has more on this reading."))
    return (f"<div class='nr-card' role='region' aria-label='{region}'>"
            f"<p><strong>{check}</strong></p>"
            f"<ul>{''.join(rows)}</ul>{meaning}"
            f"<p class='nr-hint'>{more}</p></div>")
