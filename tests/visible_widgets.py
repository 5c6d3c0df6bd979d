"""Finding what a step shows now: visible inputs by label, buttons by name, its HTML.

The rejection log, the feedback request and the scenario card hide parts of
themselves (a card's unused question slots, the switch offer), so these
finders skip hidden widgets, as a person and Playwright's ``get_by_label`` do.
"""

from __future__ import annotations

import ipywidgets as W
from widget_finders import walk

from nextround import model

HOSTILE = "<script>alert(1)</script>"


def shown_html(view) -> str:
    """All the HTML the component shows (HTML widgets and the status line)."""
    return "\n".join(w.value for w in walk(view) if isinstance(w, W.HTML))


def by_label(view, label: str):
    """The one visible input whose label is ``label`` (as get_by_label finds it)."""
    found = [w for w in walk(view) if getattr(w, "description", None) == label
             and not isinstance(w, W.Button) and w.layout.display != "none"]
    assert len(found) == 1, f"{len(found)} inputs labelled {label!r}"
    return found[0]


def buttons(view, name: str) -> list[W.Button]:
    return [w for w in walk(view) if isinstance(w, W.Button) and w.description == name
            and w.layout.display != "none"]


def button(view, name: str) -> W.Button:
    found = buttons(view, name)
    assert len(found) == 1, f"{len(found)} buttons named {name!r}"
    return found[0]


def visible(widget) -> bool:
    return widget.layout.display != "none"


def make(kind, content, store, client):
    return kind.create(content=content, store=store, client_id=client.id)


def logged_rejection(store, client):
    """A logged rejection, chosen as the one being worked on."""
    from datetime import date

    app = store.add(model.Application(client_id=client.id, company="Acme & Sons",
                                      role="Data Analyst", stage="interview",
                                      applied_on=date(2024, 3, 1), outcome="rejected",
                                      outcome_on=date(2024, 3, 20), contact_name="Grace"))
    store.set_state(client.id, application_id=app.id)
    return app
