"""Email templates: compiled and rendered in a Jinja2 sandbox.

Counsellors write the templates in ``content/emails.yaml``. They are data,
so they are rendered in a sandbox that cannot reach Python internals.

Any value may be unknown (no contact's name, no interview date). A template
says with ``{% if %}`` how each sentence reads without it, and
:func:`draft_problems` renders it with every combination of unknown values
to prove that it does: content that would show a ``[contact_name]``
placeholder, a doubled space or a dangling "on ." is refused when it is
loaded. A value a template uses unguarded renders as nothing at run time,
never as a placeholder the client would have to spot and fix.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

#: The values a template can use, with an example of each for checking. The
#: client's own name is always known (every client has one); any other may not be.
ALWAYS_KNOWN = ("client_name",)
EXAMPLE_CONTEXT: dict[str, str] = {
    "client_name": "Sam Lee",
    "contact_name": "Ms Patel",
    "company": "Acme Ltd",
    "role": "Data Analyst",
    "interview_date": "12 May",
    "source_name": "the hiring manager",
}


class Placeholder(Undefined):
    """Renders a missing value as ``[name]``: used only to find unguarded values."""

    def __str__(self) -> str:
        return f"[{self._undefined_name or 'blank'}]"

    def __iter__(self):  # pragma: no cover - loops over a missing list render nothing
        return iter(())

    def __bool__(self) -> bool:
        return False


class Blank(Undefined):
    """Renders a missing value as nothing: a draft never shows a placeholder."""

    def __str__(self) -> str:
        return ""

    def __iter__(self):  # pragma: no cover - loops over a missing list render nothing
        return iter(())

    def __bool__(self) -> bool:
        return False


_OPTIONS = {"autoescape": False, "keep_trailing_newline": False}
_ENV = SandboxedEnvironment(undefined=Blank, **_OPTIONS)
_CHECK_ENV = SandboxedEnvironment(undefined=Placeholder, **_OPTIONS)


def compile_template(source: str) -> tuple[int, str] | None:
    """Return ``(line, reason)`` if ``source`` does not compile, else None."""
    try:
        _ENV.from_string(source)
    except TemplateSyntaxError as exc:
        return exc.lineno or 1, exc.message or "syntax error"
    return None


@lru_cache(maxsize=256)
def _template(source: str):
    return _ENV.from_string(source)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str

    def __iter__(self):
        """Unpacks as ``subject, body``."""
        return iter((self.subject, self.body))


def _known(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in context.items() if value not in (None, "")}


def render(subject: str, body: str, context: dict[str, Any]) -> RenderedEmail:
    """Render a subject and body; blank context values count as unknown."""
    cleaned = _known(context)
    return RenderedEmail(
        subject=" ".join(_template(subject).render(cleaned).split()),
        body=_template(body).render(cleaned).strip() + "\n",
    )


# --- checking that every draft reads well ------------------------------------------

#: What a badly built sentence looks like, and how to say so.
_FLAWS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[[A-Za-z_]+\]"), "shows a placeholder"),
    (re.compile(r"\S  +\S"), "has a doubled space"),
    (re.compile(r" [,.;:!?]"), "has a space before punctuation"),
    (re.compile(r"[,;:][,.;:!?]|\.[,;:!?]|(?<!\.)\.\.(?!\.)"), "has doubled punctuation"),
    (re.compile(r"\b(?:(?:on|at|about|from|with|to|in|of|by)(?=[.;:!?]|$)"
                r"|(?:the|a|an|and|or|dear)(?=[,.;:!?]|$))",
                re.IGNORECASE | re.MULTILINE),
     "leaves a word dangling"),
    (re.compile(r"^[ \t]*[,.;:!?]", re.MULTILINE), "starts a line with punctuation"),
)


def reading_flaws(text: str) -> list[str]:
    """How a rendered subject or body reads badly (empty when it reads well)."""
    flaws = []
    for pattern, what in _FLAWS:
        found = pattern.search(text)
        if found:
            start = max(0, found.start() - 25)
            excerpt = " ".join(text[start:found.end() + 10].split())  # one line, always
            flaws.append(f"{what}: “{excerpt}”")
    if not text.strip():
        flaws.append("is empty")
    return flaws


def _vocative_flaws(subject: str, context: dict[str, str]) -> list[str]:
    """A subject that greets the job or the company as if it were the person written to
    ("Thank you, Data Analyst at Acme Ltd")."""
    for name in ("role", "company"):
        value = context.get(name)
        if value and f", {value}" in subject:
            return [f"greets the {name} as if it were a person: “{subject}”"]
    return []


def unknown_combinations(names: Iterable[str] = tuple(EXAMPLE_CONTEXT)):
    """Every context with some of ``names`` unknown, all of them known first.

    Names outside :data:`EXAMPLE_CONTEXT` get an example value of their own;
    the client's name is always known.
    """
    names = tuple(names)
    example = {name: EXAMPLE_CONTEXT.get(name, f"Example {name}") for name in names}
    may_vary = [name for name in names if name not in ALWAYS_KNOWN]
    for size in range(len(may_vary) + 1):
        for unknown in itertools.combinations(may_vary, size):
            yield unknown, {name: value for name, value in example.items()
                            if name not in unknown}


def draft_problems(source: str, *, subject: bool = False) -> list[str]:
    """How a template reads badly when values are unknown, one line per distinct flaw.

    The template is rendered with every combination of known and unknown
    values; a value used without an ``{% if %}`` shows as ``[name]`` here,
    so it is caught.
    """
    template = _CHECK_ENV.from_string(source)
    used = meta.find_undeclared_variables(_CHECK_ENV.parse(source)) | set(ALWAYS_KNOWN)
    problems: dict[str, str] = {}
    for unknown, context in unknown_combinations(sorted(used)):
        try:
            text = template.render(context)
        except Exception as exc:  # noqa: BLE001 - any failure is the template's problem
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            return [f"the template cannot be filled in: {reason}"]
        text = " ".join(text.split()) if subject else text.strip()
        flaws = reading_flaws(text)
        if subject:
            flaws += _vocative_flaws(text, context)
        for flaw in flaws:
            kind = flaw.split(":", 1)[0]
            if kind not in problems:
                when = (f"with {', '.join(unknown)} unknown" if unknown
                        else "with every value known")
                problems[kind] = f"{when}, the draft {flaw}"
    return list(problems.values())


def render_problem(source: str, context: dict[str, Any] | None = None
                   ) -> tuple[int, str] | None:
    """Return ``(line, reason)`` if ``source`` compiles but cannot render, else None.

    Rendering runs in the same sandbox as the app, so a template that reaches
    for Python internals fails here, in ``check-content``, rather than on
    every client who opens the step.
    """
    values = EXAMPLE_CONTEXT if context is None else context
    try:
        _ENV.from_string(source).render(values)
        _CHECKING_ENV.from_string(source).render(values)
    except TemplateSyntaxError:
        return None  # compile_template reports these
    except Exception as exc:  # noqa: BLE001 - any failure to render is a content error
        return _template_line(exc), f"{type(exc).__name__}: {exc}"[:300]
    return None


class _ReportingSandbox(SandboxedEnvironment):
    """The app's sandbox, which also reports a blocked attribute instead of quietly
    showing it as a ``[name]`` placeholder: such a template is a content error."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"access to attribute {attribute!r} of "
                            f"{type(obj).__name__!r} object is unsafe.")


_CHECKING_ENV = _ReportingSandbox(undefined=Placeholder, autoescape=False,
                                  keep_trailing_newline=False)


def _template_line(exc: BaseException) -> int:
    """The template line a rendering error happened on (Jinja marks its frames)."""
    line, tb = 1, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
