"""The records a client's workbook is made of.

These pydantic models are the one description of the data: the store maps
them to tables, the workbook file serialises them, and the components edit
them. Keeping them here, free of widget and database code, lets every layer
validate the same way and lets the logic be tested without Jupyter.

Every record carries a text ``id`` made by :func:`new_id`, not a database
row number, so that a workbook exported from one store imports into another
unchanged and a round trip gives back exactly the same file.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .i18n import N_, _
from .text import MAX_SHORT, number

#: Record ids are short random hex strings. The pattern is checked on every
#: record, so an id from a hostile workbook file can never smuggle in a path,
#: a NUL byte or markup.
RecordId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{6,32}$")]

#: Free text the client types. Long answers are fine (a whole letter can be
#: pasted), but a bound keeps a hostile file from filling the disk.
MAX_TEXT = 2_000_000
ShortText = Annotated[str, StringConstraints(max_length=MAX_SHORT)]
LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]

STAGES = ("applied", "screening", "phone interview", "interview", "final interview", "offer")
OUTCOMES = ("pending", "rejected", "offer", "withdrawn")

#: How each stage and outcome reads on screen (shown through ``_``).
CHOICE_LABELS = {
    "applied": N_("Applied"), "screening": N_("Screening"),
    "phone interview": N_("Phone interview"), "interview": N_("Interview"),
    "final interview": N_("Final interview"), "offer": N_("Offer"),
    "pending": N_("Pending"), "rejected": N_("Rejected"), "withdrawn": N_("Withdrawn"),
}


def choice_label(value: str) -> str:
    """A stage or outcome as the reader's language says it ("Phone interview")."""
    return _(CHOICE_LABELS[value]) if value in CHOICE_LABELS else value.capitalize()



#: Characters that reorder how text is shown ("Trojan Source" tricks): a name
#: holding one can look exactly like another client's.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
#: Characters with no width. Some scripts and emoji need the joiners, so they
#: are kept, but shown visibly wherever names are listed.
INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff")


def name_problem(name: str) -> str | None:
    """Why a client name cannot be kept as typed, or None (in the reader's language)."""
    for ch in name:
        if ch in BIDI_CONTROLS:
            return _("the name holds a text-direction control character ({code}); type the "
                     "name again without it").format(code=f"U+{ord(ch):04X}")
        if unicodedata.category(ch) == "Cc":
            return _("the name holds a control character ({code}); type the name again "
                     "without it").format(code=f"U+{ord(ch):04X}")
    return None


def clean_name(name: str) -> str:
    """A client name as kept: NFC, runs of white space as one space, no control or
    text-direction characters (``ValueError`` names the one found)."""
    folded = " ".join(unicodedata.normalize("NFC", name).split())
    problem = name_problem(folded)
    if problem:
        raise ValueError(problem)
    return folded


def visible_name(name: str) -> str:
    """A name with its invisible characters shown, so two names that look the same
    can be told apart: ``Jo\u200bn`` reads ``Jo⟨U+200B⟩n``."""
    return "".join(f"⟨U+{ord(ch):04X}⟩" if ch in INVISIBLE or ch in BIDI_CONTROLS else ch
                   for ch in name)


def new_id() -> str:
    """A fresh record id: random, so ids never reveal order or count."""
    return secrets.token_hex(8)


#: When the client last changed a record. The store stamps it on every save;
#: it stays empty for records from before it was kept (older databases and
#: workbook files), where the time is simply not known.
EntryTime = datetime | None

#: A language tag as NextRound names its languages: ``en``, ``es``, ``pt-BR``.
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")


def utcnow() -> datetime:
    """The current time in UTC, truncated to seconds so files round-trip exactly."""
    return datetime.now(UTC).replace(microsecond=0)


class Record(BaseModel):
    """Base for all records: unknown fields are refused, ids are checked.

    The class variables are each record type's rules for the store and the
    workbook file, kept here so one place says how a kind of record behaves.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    #: What a person calls one record, in messages ("No check-in with id ...").
    label: ClassVar[str] = "record"
    #: The fields a client's records are listed by, before the order they were
    #: saved in. A field that may be empty lists its empty values last.
    list_order: ClassVar[tuple[str, ...]] = ()
    #: Whether the record is the client's own entry, so that its times count as
    #: the client's activity (a counsellor's note is not).
    client_entry: ClassVar[bool] = True
    #: For a record that names an application: what deleting that application
    #: does to it, ``"delete"`` it too or ``"untie"`` it (the link is emptied),
    #: so no record is ever left pointing at nothing.
    when_application_deleted: ClassVar[Literal["delete", "untie"] | None] = None
    #: Sets of fields no two records may share, by the name of what they mean.
    unique_together: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: Who may reach the rows on a shared PostgreSQL database, by the name of one
    #: rule of :mod:`nextround.store.access` (``docs/access.md`` says what each
    #: allows). The default: the client's own work, for the client and for the
    #: counsellor they are assigned to now.
    access: ClassVar[str] = "client_rows"
    #: Fields that name a record of another table, as ``{field: "table.id"}``,
    #: besides ``client_id``, which always names a client.
    links: ClassVar[dict[str, str]] = {}
    #: Whether the record stays when its client is erased (the audit log), so
    #: its ``client_id`` is plain text rather than a link to the client's row.
    outlives_client: ClassVar[bool] = False

    id: RecordId = Field(default_factory=new_id)


#: The longest client name kept, in characters.
MAX_NAME = 200


class Client(Record):
    """A job seeker. The name is data only: it never becomes a file name."""

    label = "client"
    client_entry = False
    access = "clients"

    name: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
    created_at: datetime = Field(default_factory=utcnow)
    #: The language the client reads their workbook in (``"es"``), chosen in the
    #: app and remembered here so every device and export uses it; None is the
    #: service's default language.
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        """A short language tag only: it picks a folder of content and a catalogue."""
        if value is not None and not LANGUAGE_TAG.fullmatch(value):
            raise ValueError(_("{tag} is not a language tag such as 'en' or 'es'").format(
                tag=repr(value[:20])))
        return value


class Application(Record):
    """One job the client went for, and how it ended."""

    label = "application"
    list_order = ("applied_on",)

    client_id: RecordId
    company: ShortText = ""
    role: ShortText = ""
    stage: Literal[STAGES] = "applied"  # type: ignore[valid-type]
    applied_on: date | None = None
    outcome: Literal[OUTCOMES] = "pending"  # type: ignore[valid-type]
    outcome_on: date | None = None
    how_heard: ShortText = ""
    contact_name: ShortText = ""
    #: The day of the interview or meeting, when there was one: emails that
    #: speak of meeting use this date, never the day the client heard back.
    interview_on: date | None = None
    updated_at: EntryTime = None


class Feedback(Record):
    """What one person said (or did not say) about one rejection."""

    label = "feedback record"
    when_application_deleted = "delete"

    client_id: RecordId
    application_id: RecordId
    source_id: ShortText = ""
    person: ShortText = ""
    asked_on: date | None = None
    heard: LongText = ""
    no_reply: bool = False
    heard_on: date | None = None
    scenario_id: ShortText = ""
    updated_at: EntryTime = None


class Answer(Record):
    """One answer to a content question, keyed by the question's id.

    Self-assessment answers, scenario reflections and the gracious-steps
    checklist are all answers: one table keeps "save as you go" uniform.
    ``application_id`` is empty for answers that are about the client in
    general rather than one rejection.
    """

    label = "answer"
    when_application_deleted = "delete"
    #: One answer per question: per client, per application (or none), per key.
    unique_together = {"question": ("client_id", "application_id", "key")}

    client_id: RecordId
    application_id: str = ""
    key: ShortText
    value: Any = None
    updated_at: datetime = Field(default_factory=utcnow)

    @field_validator("value")
    @classmethod
    def _bounded(cls, value: Any, info: ValidationInfo) -> Any:
        """An answer is held to the bound of every other text (:data:`MAX_TEXT`):
        each open sends it to the browser whole. Records read back from a
        database (``context={"stored": True}``) are not refused: an answer kept
        by an older version stays readable."""
        import json

        if info.context and info.context.get("stored"):
            return value
        size = len(json.dumps(value, ensure_ascii=False, default=str))
        if size > MAX_TEXT:
            raise ValueError(_("an answer can be at most {most} characters long; this one "
                               "is {size}").format(most=number(MAX_TEXT), size=number(size)))
        return value


class CheckIn(Record):
    """A mood check-in: a point on the content's scale and an optional note."""

    label = "check-in"
    list_order = ("at",)

    client_id: RecordId
    at: datetime = Field(default_factory=utcnow)
    mood: int = Field(ge=0, le=100)
    note: LongText = ""


class ThoughtRecord(Record):
    """A worry written down and examined: the assumption check's record."""

    label = "thought record"
    list_order = ("at",)

    client_id: RecordId
    at: datetime = Field(default_factory=utcnow)
    situation: LongText = ""
    assumption: LongText = ""
    evidence: LongText = ""
    reframe: LongText = ""
    updated_at: EntryTime = None


class Action(Record):
    """One step of the action plan, optionally tied to a rejection."""

    label = "action"
    list_order = ("due_on", "created_at")
    when_application_deleted = "untie"

    client_id: RecordId
    title: ShortText
    due_on: date | None = None
    done: bool = False
    application_id: str = ""
    library_id: ShortText = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: EntryTime = None


class Contact(Record):
    """Someone met during the search, worth keeping in the network."""

    label = "contact"

    client_id: RecordId
    name: ShortText
    company: ShortText = ""
    how_met: ShortText = ""
    follow_up_on: date | None = None
    updated_at: EntryTime = None


class Note(Record):
    """A counsellor's private session note. Never exported unless asked for."""

    label = "note"
    list_order = ("at",)
    client_entry = False
    #: Private to the counsellor: never the client's to read, on any database.
    access = "counsellor_private"

    client_id: RecordId
    at: datetime = Field(default_factory=utcnow)
    text: LongText


#: The child tables of a client, in the order they are exported. The store,
#: the workbook file and the erase path all walk this one list.
CHILD_RECORDS: dict[str, type[Record]] = {
    "applications": Application,
    "feedback": Feedback,
    "answers": Answer,
    "checkins": CheckIn,
    "thoughts": ThoughtRecord,
    "actions": Action,
    "contacts": Contact,
    "notes": Note,
}


# --- people and who works with whom -------------------------------------------

PERSON_KINDS = ("counsellor", "client", "supervisor")

#: A PostgreSQL role name as NextRound makes them: plain lower-case letters,
#: digits and underscores, so it never needs quoting and never smuggles SQL.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RECORD_ID = re.compile(r"[a-z0-9]{6,32}")
#: A hub user name as JupyterHub keeps them (lower-cased by its authenticators):
#: letters, digits and the punctuation e-mail-like names use, no spaces.
LOGIN_NAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{0,99}")


class Person(Record):
    """Someone who signs in to a shared database: a counsellor, a client or a supervisor.

    ``role_name`` is the person's own PostgreSQL role; the database maps the
    role it is connected as to the person through this field, and decides
    what they may read from their kind.

    A client who signs in is a person of kind ``client`` whose ``client_id``
    names their :class:`Client` record. The workbook keeps belonging to the
    client record, as it always has, so nothing changes for a store where
    nobody signs in (one counsellor on one machine, with no people at all),
    and a workbook file exports and imports exactly as before. Counsellors
    and supervisors have no ``client_id``.
    """

    label = "person"
    client_entry = False
    access = "people"
    #: One login per role, and at most one person per client record.
    unique_together = {"role": ("role_name",), "client person": ("client_id",),
                       "login": ("login",)}

    kind: Literal[PERSON_KINDS]  # type: ignore[valid-type]
    name: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
    role_name: str | None = None
    client_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    #: The name the person signs in with at the service's JupyterHub, which
    #: finds their record, and so their database role, by it.
    login: str | None = None

    @field_validator("role_name", "client_id", "login")
    @classmethod
    def _plain(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Optional fields get the checks ``RecordId`` gives required ones (an
        optional annotated field would not map to a plain column type)."""
        pattern = {"role_name": ROLE_NAME, "login": LOGIN_NAME}.get(info.field_name, RECORD_ID)
        if value is not None and not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid {info.field_name.replace('_', ' ')}")
        return value

    @model_validator(mode="after")
    def _client_link(self) -> Person:
        """A client person names their client record; nobody else does."""
        if self.kind == "client" and self.client_id is None:
            raise ValueError("a person of kind client needs the id of their client record")
        if self.kind != "client" and self.client_id is not None:
            raise ValueError(f"a {self.kind} is not a client and has no client record")
        return self


class Assignment(Record):
    """A client's counsellor from one moment (``since``) until another (``until``).

    The current counsellor is the assignment with no ``until``; a client has
    at most one (the store refuses a second). Handing a client over ends the
    current assignment and starts a new one, so the history of who worked
    with the client is kept.
    """

    label = "assignment"
    client_entry = False
    access = "assignments"
    #: At most one open assignment (no ``until``) per client: one current counsellor.
    unique_while_empty: ClassVar[dict[str, tuple[tuple[str, ...], str]]] = {
        "current counsellor": (("client_id",), "until")}
    links = {"counsellor_id": "people.id"}

    client_id: RecordId
    counsellor_id: RecordId
    since: datetime = Field(default_factory=utcnow)
    until: datetime | None = None


#: The tables of who signs in and who works with whom, kept apart from the
#: workbook: they are not part of a client's workbook file.
PEOPLE_RECORDS: dict[str, type[Record]] = {"people": Person, "assignments": Assignment}


#: What the audit log records being done to a client's workbook.
AUDIT_ACTIONS = ("opened", "changed", "exported", "erased", "imported", "handed over")
#: Who acts, on one machine where there are no personal accounts.
COUNSELLOR = "counsellor"
CLIENT = "client"
#: The most an audit detail may say: a few fixed words, never the client's own text.
MAX_AUDIT_DETAIL = 120


class AuditEvent(Record):
    """One line of the audit log: who did what to which client's workbook, and when.

    An event is not part of anyone's workbook: it outlives the client it
    names, so that erasing a client still leaves the record that they were
    erased. It therefore names the client by id only (a random id that says
    nothing about the person) and its ``detail`` is a few fixed words made by
    the program ("workbook file with notes"), never a name or anything the
    client or counsellor typed. ``actor`` is the acting person, or
    :data:`COUNSELLOR` / :data:`CLIENT` on one machine, where there are no
    accounts; ``db_user`` is the database role that wrote the row, filled in
    by PostgreSQL itself (empty on SQLite, which has no roles).
    """

    label = "audit event"
    list_order = ("at",)
    client_entry = False
    outlives_client = True

    at: datetime = Field(default_factory=utcnow)
    actor: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT)]
    db_user: ShortText = ""
    action: Literal[AUDIT_ACTIONS]  # type: ignore[valid-type]
    client_id: RecordId
    detail: Annotated[str, StringConstraints(max_length=MAX_AUDIT_DETAIL)] = ""
