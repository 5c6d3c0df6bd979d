"""Every key an answer is saved under, defined once.

The ``Answer`` table holds a client's small pieces of work as
``(client, application or "", key, JSON value)``. Many parts of the
workbook write there, so the keys need one owner: otherwise two parts can
pick the same key and silently overwrite each other (a self-assessment
question with the id ``scenario`` would have replaced the chosen reading).
Each :class:`KeyFamily` names one kind of answer: its key pattern, what the
value holds and whether it belongs to one rejection. Components build keys
and readers recognise them only through these families, and content
validation refuses a question id that :func:`is_reserved` says is taken.

Example::

    from nextround import answer_keys as keys
    keys.DRAFT.key(source="recruiter")           # "draft.recruiter"
    keys.REFLECTION.parse("reflect.no_feedback.why")
    # {"scenario": "no_feedback", "question": "why"}
    keys.is_reserved("scenario")                 # True: not a question id
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from string import Formatter


@dataclass(frozen=True)
class KeyFamily:
    """One kind of answer: a key pattern such as ``"draft.{source}"``.

    ``per_application`` says whether the answer is saved against the
    rejection being worked on (else it is the client's, across rejections).
    Parts are single words without dots, so families never overlap.
    """

    pattern: str
    holds: str
    per_application: bool
    parts: tuple[str, ...] = field(init=False)
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parts = tuple(name for _text, name, _spec, _conv in Formatter().parse(self.pattern)
                      if name)
        regex = "".join(
            re.escape(text) + (f"(?P<{name}>[^.]+)" if name else "")
            for text, name, _spec, _conv in Formatter().parse(self.pattern))
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "_regex", re.compile(f"^{regex}$"))

    def key(self, **parts: str) -> str:
        """The key for these parts; a part with a dot or nothing in it is refused."""
        if set(parts) != set(self.parts):
            raise ValueError(f"{self.pattern!r} needs {self.parts}, got {tuple(parts)}")
        for name, value in parts.items():
            if not value or "." in str(value):
                raise ValueError(f"{name} {value!r} cannot be part of an answer key")
        return self.pattern.format(**parts)

    def parse(self, key: str) -> dict[str, str] | None:
        """The parts of ``key`` when it belongs to this family, else None."""
        found = self._regex.match(key)
        return found.groupdict() if found else None

    def matches(self, key: str) -> bool:
        return self.parse(key) is not None

    @property
    def namespace(self) -> str:
        """The fixed first word of the key (``"draft"``, ``"scenario"``)."""
        return self.pattern.split(".", 1)[0]


#: The reading of a rejection the client confirmed (a scenario id).
SCENARIO = KeyFamily("scenario", "the confirmed scenario id", per_application=True)
#: The kind of person the feedback request is being written to.
CURRENT_DRAFT = KeyFamily("draft.current", "the source id of the draft shown",
                          per_application=True)
#: The feedback request to one kind of person, the only copy of that message.
DRAFT = KeyFamily("draft.{source}", "{subject, body, person} of the request",
                  per_application=True)
#: A reflection written under a scenario card.
REFLECTION = KeyFamily("reflect.{scenario}.{question}", "the reflection text",
                       per_application=True)
#: A gracious step ticked as done.
GRACIOUS_DONE = KeyFamily("gracious.{step}", "true once the step is done",
                          per_application=True)
#: The client's own wording of a gracious step's message.
GRACIOUS_DRAFT = KeyFamily("gracious.{step}.draft", "the edited message",
                           per_application=True)
#: One field of a contact being added, kept until it is added.
CONTACT_DRAFT = KeyFamily("contact_draft.{field}", "the field as typed",
                          per_application=False)
#: A rejection email pasted into the log but not read yet.
PASTED_EMAIL = KeyFamily("log.pasted_email", "the pasted text", per_application=False)
#: A wellbeing note typed before today's mood was chosen.
NOTE_DRAFT = KeyFamily("checkin.note_draft", "the note as typed", per_application=False)
#: Where the client was (step, chosen rejection), kept by the store for resuming.
STATE = KeyFamily("state.{name}", "a resume value", per_application=False)
#: A self-assessment answer: the key is the question id itself.
ASSESSMENT = KeyFamily("{question}", "the answer as given", per_application=True)

#: Every family but the assessment answers, whose keys are whatever is left.
NAMED = (SCENARIO, CURRENT_DRAFT, DRAFT, REFLECTION, GRACIOUS_DONE, GRACIOUS_DRAFT,
         CONTACT_DRAFT, PASTED_EMAIL, NOTE_DRAFT, STATE)
FAMILIES = (*NAMED, ASSESSMENT)
#: Words a self-assessment question id may not be: each starts a family's keys.
RESERVED_WORDS = frozenset(family.namespace for family in NAMED)


def family_of(key: str) -> KeyFamily | None:
    """The family a saved key belongs to (the first named one that fits)."""
    for family in FAMILIES:
        if family.matches(key):
            return family
    return None


def is_reserved(question_id: str) -> bool:
    """True when a question id would collide with, or read as, a named family's key."""
    return question_id in RESERVED_WORDS or any(f.matches(question_id) for f in NAMED)


def is_gracious_done(key: str) -> bool:
    """True for a gracious step's tick (not its draft)."""
    return GRACIOUS_DONE.matches(key)
