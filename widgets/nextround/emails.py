"""Email templates: compiled and rendered in a Jinja2 sandbox.

Counsellors write the templates in ``content/emails.yaml``. They are data,
so they are rendered in a sandbox that cannot reach Python internals, and a
value the template asks for but the client has not filled in shows as
``[company]``-style placeholders rather than vanishing or crashing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment


class Placeholder(Undefined):
    """Renders a missing value as ``[name]`` so the client sees what to fill in."""

    def __str__(self) -> str:
        return f"[{self._undefined_name or 'blank'}]"

    def __iter__(self):  # pragma: no cover - loops over a missing list render nothing
        return iter(())

    def __bool__(self) -> bool:
        return False


_ENV = SandboxedEnvironment(undefined=Placeholder, autoescape=False, keep_trailing_newline=False)


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


def render(subject: str, body: str, context: dict[str, Any]) -> RenderedEmail:
    """Render a subject and body; blank context values become placeholders."""
    cleaned = {key: value for key, value in context.items() if value not in (None, "")}
    return RenderedEmail(
        subject=" ".join(_template(subject).render(cleaned).split()),
        body=_template(body).render(cleaned).strip() + "\n",
    )


#: What ``check-content`` renders every template with: one value for each
#: name the app passes, as a real client's workbook would fill them in.
SAMPLE_CONTEXT: dict[str, Any] = {
    "client_name": "Sam Example", "company": "Brightwave", "role": "Data Analyst",
    "contact_name": "Alex Doe", "interview_date": "3 November", "source_name": "the recruiter",
    "heard_on": "26 November", "applied_on": "1 October",
}


def render_problem(source: str, context: dict[str, Any] | None = None
                   ) -> tuple[int, str] | None:
    """Return ``(line, reason)`` if ``source`` compiles but cannot render, else None.

    Rendering runs in the same sandbox as the app, so a template that reaches
    for Python internals fails here, in ``check-content``, rather than on
    every client who opens the step.
    """
    values = SAMPLE_CONTEXT if context is None else context
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
