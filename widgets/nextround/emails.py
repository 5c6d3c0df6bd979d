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
