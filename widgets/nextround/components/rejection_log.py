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

    from nextround.components.rejection_log import RejectionLog
    RejectionLog.create(content=content, store=store, client_id=client.id)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import ipywidgets as W
from traitlets import Int, Unicode

from ..advice import FeedbackReading, read_feedback
from ..email_fields import EmailFields, extract_fields
from ..errors import NextRoundError
from ..model import MAX_TEXT, OUTCOMES, STAGES, Application, Feedback
from .base import Component, StepModel, esc, heading, labelled, paragraph

#: The fields the form edits, in the order they are shown.
TEXT_FIELDS = ("company", "role", "how_heard", "contact_name")
DATE_FIELDS = ("applied_on", "interview_on", "outcome_on")
CHOICE_FIELDS = {"stage": STAGES, "outcome": OUTCOMES}
FIELDS = ("company", "role", "stage", "applied_on", "interview_on", "outcome", "outcome_on",
          "how_heard", "contact_name")
#: ShortText's bound in model.py; checked here so the message can be plain.
MAX_SHORT = 500
#: Where each field found in a pasted email goes in the form, and its label.
PASTE_FIELDS = (("company", "company", "Company"), ("role", "role", "Role"),
                ("contact", "contact_name", "Contact name"),
                ("date", "outcome_on", "Date you heard back"))


def describe(app: Application) -> str:
    """A one-line name for an application, for drop-downs (plain text, not HTML)."""
    name = " – ".join(part for part in (app.company.strip(), app.role.strip()) if part)
    name = name or "A new application (no company yet)"
    if app.applied_on:
        name += f" ({app.applied_on:%d %b %Y})".replace("(0", "(")
    return name


def date_warnings(app: Application, today: date) -> list[str]:
    """Plain warnings about dates that look wrong. They never block saving."""
    warnings = []
    if app.applied_on and app.outcome_on and app.outcome_on < app.applied_on:
        warnings.append("The date you heard back is before the date you applied. "
                        "Check the two dates.")
    if app.interview_on and app.applied_on and app.interview_on < app.applied_on:
        warnings.append("The date you met them is before the date you applied. "
                        "Check the two dates.")
    if app.interview_on and app.outcome_on and app.interview_on > app.outcome_on:
        warnings.append("The date you met them is after the date you heard back. "
                        "Check the two dates.")
    if app.applied_on and app.applied_on > today:
        warnings.append("The date you applied is in the future. Check the date.")
    if app.outcome_on and app.outcome_on > today:
        warnings.append("The date you heard back is in the future. Check the date.")
    return warnings


#: The answer that keeps a pasted email until it is read.
PASTED_EMAIL_KEY = "log.pasted_email"


class RejectionLogModel(StepModel):
    """The application being edited and the rejection being worked on.

    ``editing_id`` is the record the form shows; ``application_id`` (from
    :class:`StepModel`) is the rejection the rest of the workbook works on.
    ``revision`` goes up after every save so views can refresh their lists.
    """

    editing_id = Unicode()
    revision = Int(0)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        if self.application_id and self.application() is None:
            self.application_id = ""
        apps = self.applications()
        ids = [app.id for app in apps]
        if self.application_id in ids:
            self.editing_id = self.application_id
        elif ids:
            self.editing_id = ids[-1]

    # -- reading --

    def pasted_draft(self) -> str:
        """What was pasted but not read yet, so a reload does not lose it."""
        return str(self.store.answers(self.client_id).get(PASTED_EMAIL_KEY) or "")

    def save_pasted_draft(self, text: str) -> None:
        self.store.set_answer(self.client_id, PASTED_EMAIL_KEY, text or "")

    def applications(self) -> list[Application]:
        return self.store.list(Application, self.client_id)

    def rejections(self) -> list[Application]:
        """Applications that ended in a rejection: the ones worth working on."""
        return [app for app in self.applications() if app.outcome == "rejected"]

    def editing(self) -> Application | None:
        """The application the form shows, or None when there is none yet."""
        if not self.editing_id:
            return None
        try:
            return self.store.get(Application, self.editing_id)
        except NextRoundError:
            self.editing_id = ""
            return None

    def warnings(self) -> list[str]:
        app = self.editing()
        return date_warnings(app, self.today) if app else []

    # -- writing --

    def add_application(self) -> Application:
        """Start a blank application and edit it; an untouched blank one is reused."""
        current = self.editing()
        if current is not None and _is_blank(current):
            return current
        app = self.store.add(Application(client_id=self.client_id))
        self.editing_id = app.id
        self.revision += 1
        return app

    def edit_application(self, application_id: str) -> Application | None:
        """Show another application in the form."""
        self.editing_id = application_id
        return self.editing()

    def save_field(self, field: str, value: Any) -> Application:
        """Save one field of the application being edited.

        Typing into the form before pressing "Add an application" creates
        the record, so the first words typed are never lost.
        """
        if field not in FIELDS:
            raise ValueError(f"unknown application field {field!r}")
        if field in TEXT_FIELDS:
            value = "" if value is None else str(value)
            if len(value) > MAX_SHORT:
                raise NextRoundError(f"That is longer than {MAX_SHORT} characters, so it was not "
                                     "saved. Please shorten it; your text is still in the box.")
        if field in CHOICE_FIELDS and value not in CHOICE_FIELDS[field]:
            raise NextRoundError(f"Please choose one of the options for the {field}.")
        if self.editing() is None:
            app = self.store.add(Application(client_id=self.client_id, **{field: value}))
            self.editing_id = app.id
        else:
            app = self.store.update(Application, self.editing_id, **{field: value})
        self.revision += 1
        return app

    def read_email(self, text: str) -> PastedEmail:
        """Read a pasted rejection email: fill the form, record it as feedback, read it.

        Only empty fields are filled, and every field found is reported, so
        nothing changes unseen. The email goes to the application being
        edited unless that one names another company, when a new
        application is started. It becomes this rejection's feedback, and
        the rejection is the one worked on from now on.
        """
        text = (text or "").strip()
        if not text:
            raise NextRoundError("Paste the email into the box first.")
        if len(text) > MAX_TEXT:
            raise NextRoundError(f"That is longer than {MAX_TEXT:,} characters, so it was not "
                                 "read. Paste just the email.")
        found = extract_fields(text)
        app = self._target_for(found)
        updates: dict[str, Any] = {}
        report = []
        for name, field, label in PASTE_FIELDS:
            value = getattr(found, name)
            current = getattr(app, field)
            if value is None and field == "outcome_on" and current is None:
                updates[field] = self.today
                report.append((label, f"{self.today:%d %B %Y}".lstrip("0"), "today",
                               "The email gives no date, so today's date is filled in."))
            elif value is None:
                report.append((label, "", "missing", ""))
            elif current in ("", None):
                updates[field] = value.value
                report.append((label, _shown(value), "filled", value.evidence))
            elif str(current).casefold() == str(value).casefold():
                report.append((label, _shown(value), "same", value.evidence))
            else:
                report.append((label, _shown(value), "kept", value.evidence))
        if app.outcome != "rejected":
            updates["outcome"] = "rejected"
        if not app.how_heard:
            updates["how_heard"] = "An email"
        if updates:
            app = self.store.update(Application, app.id, **updates)
        heard_on = found.date.value if found.date is not None else self.today
        feedback = self.store.add(Feedback(
            client_id=self.client_id, application_id=app.id, heard=text, heard_on=heard_on,
            person=str(found.contact) if found.contact is not None else ""))
        self.editing_id = app.id
        self.choose(app.id)
        self.save_pasted_draft("")
        self.revision += 1
        return PastedEmail(app, feedback, tuple(report), read_feedback(text, self.content))

    def _target_for(self, found: EmailFields) -> Application:
        """The application a pasted email belongs to (a new one for another company)."""
        current = self.editing()
        if current is not None and (
                _is_blank(current) or not current.company.strip() or found.company is None
                or current.company.strip().casefold() == str(found.company).casefold()):
            return current
        app = self.store.add(Application(client_id=self.client_id))
        self.editing_id = app.id
        return app

    def choose(self, application_id: str) -> None:
        """Work on this rejection from now on, here and after a reload."""
        if application_id:
            self.store.get(Application, application_id)  # raises NotFound plainly
        self.store.set_state(self.client_id, application_id=application_id)
        self.application_id = application_id


@dataclass(frozen=True)
class PastedEmail:
    """What reading a pasted email did: each field's fate, the feedback, the reading.

    ``fields`` holds, per form field, ``(label, value, what_happened, evidence)``
    where ``what_happened`` is "filled", "same", "kept" (the client's own
    value differs and stays) or "missing".
    """

    application: Application
    feedback: Feedback
    fields: tuple[tuple[str, str, str, str], ...]
    reading: FeedbackReading


def _shown(found) -> str:
    """A found value as the client reads it: dates as "14 October 2025"."""
    if isinstance(found.value, date):
        return f"{found.value:%d %B %Y}".lstrip("0")
    return str(found)


def _is_blank(app: Application) -> bool:
    blank = Application(client_id=app.client_id)
    return all(getattr(app, name) == getattr(blank, name) for name in FIELDS)


class RejectionLog(Component):
    """The view: the form, the table of past rejections, and the choice."""

    title = "Log the rejection"

    model_class = RejectionLogModel

    def build(self) -> list[W.Widget]:
        self._quiet = False
        self.add_button = W.Button(description="Add an application", icon="plus")
        self.on_click(self.add_button, self._add)
        self.editing = W.Dropdown(options=[])
        self.on_change(self.editing, self._edit_other)
        self.inputs = self._build_inputs()
        self.warning_box = W.HTML()
        self.table = W.HTML()
        self.chooser = W.Dropdown(options=[])
        self.on_change(self.chooser, self._choose)
        self.switch_text = W.HTML()
        self.switch_button = W.Button(description="Work on this rejection instead",
                                      button_style="primary", layout=W.Layout(width="auto"))
        self.on_click(self.switch_button, self._switch)
        self.switch_offer = W.VBox([self.switch_text, self.switch_button],
                                   layout=W.Layout(display="none"))
        self.model.observe(lambda _change: self._refresh_lists(), names="revision")
        self._refresh_lists()
        self._load_form()
        labels = {
            "company": ("Company", ""),
            "role": ("Role", ""),
            "stage": ("Stage you reached", ""),
            "applied_on": ("Date you applied", ""),
            "interview_on": ("Date of your interview or meeting",
                             "Leave it empty if you did not meet them. Your emails mention "
                             "it only when it is filled in."),
            "outcome": ("Outcome", "Choose “rejected” when you heard it was a no."),
            "outcome_on": ("Date you heard back", ""),
            "how_heard": ("How you heard", "For example: an email from the recruiter."),
            "contact_name": ("Contact name", "The person you dealt with, or who told you "
                                             "about the job."),
        }
        self.paste_box = W.Textarea(value=self.model.pasted_draft(), rows=6,
                                    placeholder="Paste the whole email here")
        self.on_change(self.paste_box, self.model.save_pasted_draft)
        self.paste_button = W.Button(description="Read this email", icon="envelope")
        self.on_click(self.paste_button, self._read_email)
        self.paste_result = W.HTML()
        return [
            heading("Got a rejection email?"),
            paragraph("Paste it here. We fill in what we can find, for you to check, and "
                      "save the email as the feedback you heard."),
            labelled(self.paste_box, "The rejection email you received"),
            self.paste_button,
            self.paste_result,
            heading("Your applications"),
            paragraph("Write down each job you went for and how it ended. "
                      "Everything saves as you type."),
            self.add_button,
            labelled(self.editing, "The application you are editing"),
            *(labelled(self.inputs[name], labels[name][0], hint=labels[name][1])
              for name in FIELDS),
            self.warning_box,
            self.switch_offer,
            heading("Your past rejections"),
            self.table,
            heading("Choose the rejection to work on"),
            paragraph("The next steps help you ask for feedback about it and make sense "
                      "of what you hear."),
            labelled(self.chooser, "The rejection you are working on"),
        ]

    def _build_inputs(self) -> dict[str, W.Widget]:
        inputs: dict[str, W.Widget] = {}
        for name in FIELDS:
            if name in TEXT_FIELDS:
                widget = W.Text()
            elif name in DATE_FIELDS:
                widget = W.DatePicker(value=None)
            else:
                widget = W.Dropdown(options=[(v.capitalize(), v) for v in CHOICE_FIELDS[name]])
            self.on_change(widget, lambda value, name=name: self._field_changed(name, value))
            inputs[name] = widget
        return inputs

    # -- keeping widgets in step with the model, without echoing saves --

    def _set_quietly(self, widget: W.Widget, **values: Any) -> None:
        self._quiet = True
        try:
            for key, value in values.items():
                setattr(widget, key, value)
        finally:
            self._quiet = False

    def _load_form(self) -> None:
        app = self.model.editing()
        values = app.model_dump() if app else Application(client_id=self.model.client_id
                                                          ).model_dump()
        for name, widget in self.inputs.items():
            self._set_quietly(widget, value=values[name])
        self._show_warnings()

    def _refresh_lists(self) -> None:
        model: RejectionLogModel = self.model
        apps = model.applications()
        ids = [a.id for a in apps]
        self._set_quietly(self.editing, options=[(describe(a), a.id) for a in apps]
                          or [("No applications yet", "")],
                          value=model.editing_id if model.editing_id in ids else
                          (None if apps else ""))
        rejections = [a for a in apps if a.outcome == "rejected"]
        # The rejection worked on stays choosable even if its outcome was changed.
        choosable = [a for a in apps if a.outcome == "rejected" or a.id == model.application_id]
        options = [("Choose a rejection", "")] + [(describe(a), a.id) for a in choosable]
        chosen = model.application_id if model.application_id in ids else ""
        self._set_quietly(self.chooser, options=options, value=chosen)
        self.table.value = render_table(rejections, model.application_id)

    def _show_warnings(self) -> None:
        warnings = self.model.warnings()
        self.warning_box.value = "".join(
            f"<p class='nr-warn' role='note'><strong>Check this:</strong> {esc(w)}</p>"
            for w in warnings)

    # -- user actions --

    def _add(self) -> None:
        self.model.add_application()
        self._refresh_lists()
        self._load_form()
        self.status.info("A new application is ready. Fill in what you know; "
                         "it saves as you type.")

    def _edit_other(self, application_id: str) -> None:
        if self._quiet or not application_id:
            return
        self.model.edit_application(application_id)
        self._load_form()
        self._offer_switch(False)
        self.status.clear()

    def _field_changed(self, name: str, value: Any) -> None:
        if self._quiet:
            return
        model: RejectionLogModel = self.model
        model.save_field(name, value)
        self._show_warnings()
        if name == "outcome":
            self._rejection_logged(value == "rejected")
        if model.warnings():
            self.status.warn("Your answer is saved, but please check the dates.")
        elif name == "outcome" and value == "rejected" \
                and model.application_id == model.editing_id:
            self.status.saved("The next steps will work on this rejection.")
        else:
            self.status.saved()

    def _read_email(self) -> None:
        result = self.model.read_email(self.paste_box.value)
        with self.quietly():
            self.paste_box.value = ""
        self._refresh_lists()
        self._load_form()
        self.paste_result.value = render_pasted(self.model.content, result)
        self.status.saved("The email is saved as feedback. Check the details below.")

    def _rejection_logged(self, rejected: bool) -> None:
        """A rejection was logged: work on it if it is the only one, else offer to switch."""
        model: RejectionLogModel = self.model
        chosen = model.application() if model.application_id else None
        if not rejected:
            self._offer_switch(False)
        elif chosen is None or (chosen.outcome != "rejected" and len(model.rejections()) == 1):
            if len(model.rejections()) == 1:
                model.choose(model.editing_id)
                self._refresh_lists()
        elif chosen.id != model.editing_id:
            self._offer_switch(True)

    def _offer_switch(self, show: bool) -> None:
        app = self.model.editing()
        if not show or app is None:
            self.switch_offer.layout.display = "none"
            return
        self.switch_text.value = (
            f"<p class='nr-info' role='note'><strong>A new rejection.</strong> The next steps "
            f"are working on another one. Work on {esc(describe(app))} instead?</p>")
        self.switch_offer.layout.display = "flex"

    def _switch(self) -> None:
        self.model.choose(self.model.editing_id)
        self._refresh_lists()
        self._offer_switch(False)
        self.status.saved("The next steps will work on this rejection.")

    def _choose(self, application_id: str) -> None:
        if self._quiet:
            return
        self.model.choose(application_id or "")
        self._offer_switch(False)
        self.table.value = render_table(self.model.rejections(), self.model.application_id)
        if application_id:
            self.status.saved("The next steps will work on this rejection.")
        else:
            self.status.info("No rejection is chosen. Choose one to go on.")


def render_table(rejections: list[Application], chosen_id: str = "") -> str:
    """The past rejections as an HTML table; every value is the client's, so escaped."""
    if not rejections:
        return ("<p class='nr-text'>No rejections logged yet. When you set an outcome to "
                "“rejected”, it shows here.</p>")
    head = ("<tr><th scope='col'>Company</th><th scope='col'>Role</th>"
            "<th scope='col'>Stage</th><th scope='col'>Applied</th>"
            "<th scope='col'>Interview</th>"
            "<th scope='col'>Heard back</th><th scope='col'>How you heard</th>"
            "<th scope='col'>Contact</th><th scope='col'>Working on it</th></tr>")
    rows = []
    for app in rejections:
        cells = (app.company, app.role, app.stage.capitalize(), _date(app.applied_on),
                 _date(app.interview_on), _date(app.outcome_on), app.how_heard, app.contact_name,
                 "Yes" if app.id == chosen_id else "")
        rows.append("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in cells) + "</tr>")
    return (f"<table class='nr-table'><caption>Your past rejections</caption>"
            f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


_FATES = {
    "filled": "filled in",
    "today": "filled in",
    "same": "already there",
    "kept": "not changed: you had written something else",
    "missing": "not found in the email",
}


def render_pasted(content, result: PastedEmail) -> str:
    """What reading the email did, field by field, and what the email most likely means."""
    rows = []
    for label, value, fate, evidence in result.fields:
        shown = f"<strong>{esc(value)}</strong> – " if value else ""
        where = f" <span class='nr-hint'>(from “{esc(evidence)}”)</span>" if (
            evidence and fate != "today") else (
            f" <span class='nr-hint'>({esc(evidence)})</span>" if evidence else "")
        rows.append(f"<li>{esc(label)}: {shown}{esc(_FATES[fate])}{where}</li>")
    reading = result.reading
    if reading.form_letter:
        meaning = ("<p><strong>What it means:</strong> no specific reason was given. It reads "
                   "as a standard message, so the advice for “No feedback at all” applies.</p>")
    else:
        titles = " or ".join(f"“{esc(content.scenario(s.scenario_id).title)}”"
                             for s in reading.choices)
        meaning = f"<p><strong>What it most likely means:</strong> {titles}.</p>"
        spans = [span for s in reading.choices for span in s.evidence]
        if spans:
            meaning += ("<blockquote class='nr-quote'>"
                        + " … ".join(f"<mark>{esc(reading.text[s:e])}</mark>"
                                     for s, e in sorted(set(spans)))
                        + "</blockquote>")
    return (f"<div class='nr-card' role='region' aria-label='What the email says'>"
            f"<p><strong>Please check these details in the form below.</strong></p>"
            f"<ul>{''.join(rows)}</ul>{meaning}"
            f"<p class='nr-hint'>The step “Make sense of it” has more on this reading.</p></div>")
