"""Finding a component's widgets as a person (and Playwright) would: by label, by name."""

from __future__ import annotations

import html
import re

import ipywidgets as W

HOSTILE = "<img src=x onerror=alert(1)>"


def walk(widget):
    """Every widget inside ``widget``, itself included."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def html_values(view) -> list[str]:
    """Every piece of HTML the component shows (HTML widgets and the status line)."""
    return [w.value for w in walk(view) if isinstance(w, W.HTML)]


def assert_escaped(view, text: str = HOSTILE) -> None:
    """``text`` appears only escaped, in every HTML the view shows."""
    shown = "\n".join(html_values(view))
    assert text not in shown
    assert "<img" not in shown


def by_label(view, label: str):
    """The one input whose visible label is ``label`` (as get_by_label finds it)."""
    found = [w for w in walk(view) if getattr(w, "description", None) == label
             and not isinstance(w, W.Button)]
    assert len(found) == 1, f"{len(found)} inputs labelled {label!r}"
    return found[0]


def button(view, name: str) -> W.Button:
    found = [w for w in walk(view) if isinstance(w, W.Button) and w.description == name]
    assert len(found) == 1, f"{len(found)} buttons named {name!r}"
    return found[0]


def buttons_starting(view, prefix: str) -> list[W.Button]:
    return [w for w in walk(view) if isinstance(w, W.Button) and w.description.startswith(prefix)]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))
