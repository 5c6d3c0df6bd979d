"""The rejection log's model: the applications a client made and the one worked on.

Every field of the form is a trait of :class:`RejectionLogModel`, saved by
its one saving observer as the client edits it (the first thing typed
creates the record). The rejection worked on is ``application_id``, saved
as resume state when it changes, so the app can observe it. A pasted
rejection email is read here too (:meth:`RejectionLogModel.read_email`).

Example::

    from nextround.components import RejectionLogModel
    model = RejectionLogModel(content=content, store=store, client_id=client.id)
    model.company = "Acme"          # saved (at once outside a kernel's loop)
    model.application_id = model.editing_id   # work on it from now on
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from traitlets import Instance, List, TraitError, Unicode, observe, validate

from .. import answer_keys as keys
from ..advice import FeedbackReading, read_feedback
from ..email_fields import EmailFields, extract_fields
from ..errors import NextRoundError
from ..i18n import N_, _, translator
from ..model import MAX_TEXT, OUTCOMES, STAGES, Application, Feedback
from ..text import MAX_SHORT, nice_date, short_date
from .base import StepModel, chosen, saves, typed

#: The fields the form edits, in the order they are shown.
TEXT_FIELDS = ("company", "role", "how_heard", "contact_name")
DATE_FIELDS = ("applied_on", "interview_on", "outcome_on")
CHOICE_FIELDS = {"stage": STAGES, "outcome": OUTCOMES}
FIELDS = ("company", "role", "stage", "applied_on", "interview_on", "outcome", "outcome_on",
          "how_heard", "contact_name")
#: The choice fields as a sentence names them.
FIELD_NAMES = {"stage": N_("stage"), "outcome": N_("outcome")}
#: ShortText's bound in model.py; checked here so the message can be plain.
#: Where each field found in a pasted email goes in the form, and its label.
PASTE_FIELDS = (("company", "company", N_("Company")), ("role", "role", N_("Role")),
                ("contact", "contact_name", N_("Contact name")),
                ("date", "outcome_on", N_("Date you heard back")))


def describe(app: Application) -> str:
    """A one-line name for an application, for drop-downs (plain text, not HTML)."""
    name = " – ".join(part for part in (app.company.strip(), app.role.strip()) if part)
    name = name or _("A new application (no company yet)")
    if app.applied_on:
        name += f" ({short_date(app.applied_on)})"
    return name


def date_warnings(app: Application, today: date) -> list[str]:
    """Plain warnings about dates that look wrong. They never block saving."""
    warnings = []
    if app.applied_on and app.outcome_on and app.outcome_on < app.applied_on:
        warnings.append(_("The date you heard back is before the date you applied. "
                          "Check the two dates."))
    if app.interview_on and app.applied_on and app.interview_on < app.applied_on:
        warnings.append(_("The date you met them is before the date you applied. "
                          "Check the two dates."))
    if app.interview_on and app.outcome_on and app.interview_on > app.outcome_on:
        warnings.append(_("The date you met them is after the date you heard back. "
                          "Check the two dates."))
    if app.applied_on and app.applied_on > today:
        warnings.append(_("The date you applied is in the future. Check the date."))
    if app.outcome_on and app.outcome_on > today:
        warnings.append(_("The date you heard back is in the future. Check the date."))
    return warnings


#: The answer that keeps a pasted email until it is read.
PASTED_EMAIL_KEY = keys.PASTED_EMAIL.key()


def _form_trait(name: str, help_text: str):
    """The trait for one form field: text is typed, the rest is chosen."""
    if name in TEXT_FIELDS:
        return typed(Unicode(help=help_text))
    if name in DATE_FIELDS:
        return chosen(Instance(date, allow_none=True, help=help_text))
    return chosen(Unicode(CHOICE_FIELDS[name][0], help=help_text))


class RejectionLogModel(StepModel):
    """The application being edited and the rejection being worked on.

    ``editing_id`` is the record the form shows; the form's fields are the
    traits named in :data:`FIELDS`. ``application_id`` is the rejection the
    rest of the workbook works on; changing it saves it as resume state.
    ``logged`` holds the client's applications as saved, refreshed after
    every save, and ``warnings`` the date warnings of the one edited.

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
    application_id
        The rejection the next steps work on; the app observes it to open them on it.
    editing_id
        Another application shown: the form's traits are loaded from it.
    logged
        Replaced after every save, so a table of the applications can follow it.

    Saves
    -----
    :class:`~nextround.model.Application`
        Each form field, as typed or chosen; the first words typed create the record.
    :class:`~nextround.model.Feedback`
        What a pasted rejection email said (:meth:`read_email`).
    ``log.pasted_email``
        A pasted email not read yet.
    ``state.{name}``
        ``state.application_id``: the rejection chosen, for resuming.

    Example
    -------
    >>> import tempfile
    >>> from nextround import Store, load_content
    >>> content, store = load_content(), Store(tempfile.mkdtemp() + "/notes.db")
    >>> sam = store.create_client("Sam")
    >>> from nextround.components import RejectionLogModel
    >>> log = RejectionLogModel(content=content, store=store, client_id=sam.id)
    >>> log.company, log.role, log.outcome = "Northwind", "Data analyst", "rejected"
    >>> [(app.company, app.outcome) for app in log.rejections()]
    [('Northwind', 'rejected')]
    """

    application_id = chosen(Unicode(help="The rejection the next steps work on ('' for "
                                         "none); saved as resume state."))
    editing_id = Unicode(help="The application the form shows ('' before any exists).")
    company = _form_trait("company", "The company applied to.")
    role = _form_trait("role", "The role applied for.")
    stage = _form_trait("stage", "The furthest stage reached.")
    applied_on = _form_trait("applied_on", "The day the client applied.")
    interview_on = _form_trait("interview_on", "The day of the interview or meeting.")
    outcome = _form_trait("outcome", "How the application ended so far.")
    outcome_on = _form_trait("outcome_on", "The day the client heard back.")
    how_heard = _form_trait("how_heard", "How the client heard the outcome.")
    contact_name = _form_trait("contact_name", "The person the client dealt with.")
    pasted_email = typed(Unicode(help="A rejection email pasted but not read yet."))
    logged = List(help="The client's applications as saved, oldest first.")
    warnings = List(help="Plain warnings about the edited application's dates.")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        if self.application_id and self.application() is None:
            self.load(application_id="")
        self.load(pasted_email=str(self.store.answers(self.client_id).get(PASTED_EMAIL_KEY)
                                   or ""))
        self.logged = self.applications()
        ids = [app.id for app in self.logged]
        if self.application_id in ids:
            self.editing_id = self.application_id
        elif ids:
            self.editing_id = ids[-1]
        self._show_editing()

    @validate("stage", "outcome")
    def _one_of_the_options(self, proposal: dict) -> str:
        name, value = proposal["trait"].name, proposal["value"]
        if value not in CHOICE_FIELDS[name]:
            raise TraitError(f"{value!r} is not a {name}")
        return value

    @observe("editing_id")
    def _editing_changed(self, _change: dict) -> None:
        self._show_editing()

    def _show_editing(self) -> None:
        """Fill the form with the application edited (a blank one when there is none)."""
        saves.flush()  # typing still waiting belongs to the application shown until now
        app = self.editing() or Application(client_id=self.client_id)
        self.load(**{name: getattr(app, name) for name in FIELDS})
        self.warnings = date_warnings(app, self.today)

    # -- reading --

    def pasted_draft(self) -> str:
        """What was pasted but not read yet, so a reload does not lose it."""
        return self.pasted_email

    def applications(self) -> list[Application]:
        """The client's applications as saved, oldest first."""
        return self.store.list(Application, self.client_id)

    def rejections(self) -> list[Application]:
        """Applications that ended in a rejection: the ones worth working on."""
        return [app for app in self.logged if app.outcome == "rejected"]

    def editing(self) -> Application | None:
        """The application the form shows, or None when there is none yet."""
        if not self.editing_id:
            return None
        try:
            return self.store.get(Application, self.editing_id)
        except NextRoundError:
            self.editing_id = ""
            return None

    # -- writing --

    def save_edit(self, name: str, value: Any) -> Any:
        """The saving observer's write: a form field, the pasted email or the choice."""
        if name == "pasted_email":
            return self.store.set_answer(self.client_id, PASTED_EMAIL_KEY, value or "")
        if name == "application_id":
            return self._remember_choice(value)
        return self.save_field(name, value)

    def add_application(self) -> Application:
        """Start a blank application and edit it; an untouched blank one is reused."""
        current = self.editing()
        if current is not None and _is_blank(current):
            return current
        app = self.store.add(Application(client_id=self.client_id))
        self.logged = self.applications()
        self.editing_id = app.id
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
                raise NextRoundError(_(
                    "That is longer than {limit} characters, so it was not saved. Please "
                    "shorten it; your text is still in the box.").format(limit=MAX_SHORT))
        if field in CHOICE_FIELDS and value not in CHOICE_FIELDS[field]:
            raise NextRoundError(_("Please choose one of the options for the {field}.").format(
                field=_(FIELD_NAMES[field])))
        if self.editing() is None:
            app = self.store.add(Application(client_id=self.client_id, **{field: value}))
            self.logged = self.applications()
            self.editing_id = app.id
        else:
            app = self.store.update(Application, self.editing_id, **{field: value})
            self.logged = self.applications()
            self.warnings = date_warnings(app, self.today)
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
            raise NextRoundError(_("Paste the email into the box first."))
        if len(text) > MAX_TEXT:
            raise NextRoundError(_("That is longer than {limit} characters, so it was not "
                                   "read. Paste just the email.").format(
                                       limit=translator().number(MAX_TEXT)))
        found = extract_fields(text)
        app = self._target_for(found)
        updates, report = self._updates_from(found, app)
        if updates:
            app = self.store.update(Application, app.id, **updates)
        heard_on = found.date.value if found.date is not None else self.today
        feedback = self.store.add(Feedback(
            client_id=self.client_id, application_id=app.id, heard=text, heard_on=heard_on,
            person=str(found.contact) if found.contact is not None else ""))
        self.logged = self.applications()
        self.editing_id = app.id
        self._show_editing()
        self.choose(app.id)
        self.pasted_email = ""
        return PastedEmail(app, feedback, tuple(report), read_feedback(text, self.content))

    def _updates_from(self, found: EmailFields, app: Application
                      ) -> tuple[dict[str, Any], list[tuple[str, str, str, str]]]:
        """What the email fills in (empty fields only), and each field's fate for the client."""
        updates: dict[str, Any] = {}
        report = []
        for name, field, label in PASTE_FIELDS:
            value = getattr(found, name)
            current = getattr(app, field)
            if value is None and field == "outcome_on" and current is None:
                updates[field] = self.today
                report.append((label, nice_date(self.today), "today",
                               _("The email gives no date, so today's date is filled in.")))
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
            updates["how_heard"] = _("An email")
        return updates, report

    def _target_for(self, found: EmailFields) -> Application:
        """The application a pasted email belongs to (a new one for another company)."""
        current = self.editing()
        if current is not None and (
                _is_blank(current) or not current.company.strip() or found.company is None
                or current.company.strip().casefold() == str(found.company).casefold()):
            return current
        return self.store.add(Application(client_id=self.client_id))

    def choose(self, application_id: str) -> None:
        """Work on this rejection from now on, here and after a reload."""
        if application_id:
            self.store.get(Application, application_id)  # raises NotFound plainly
        saves.flush()
        self.application_id = application_id

    def _remember_choice(self, application_id: str) -> None:
        if application_id:
            self.store.get(Application, application_id)  # raises NotFound plainly
        self.store.set_state(self.client_id, application_id=application_id)


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
    """A found value as the client reads it: dates as "14 October 2025" ("14 de octubre
    de 2025" on a Spanish page)."""
    if isinstance(found.value, date):
        return nice_date(found.value)
    return str(found)


def _is_blank(app: Application) -> bool:
    blank = Application(client_id=app.client_id)
    return all(getattr(app, name) == getattr(blank, name) for name in FIELDS)


