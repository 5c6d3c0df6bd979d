"""The app's fixed pieces of page: its header with help, the welcome, and notices.

Kept apart from :mod:`nextround.app`, which is about moving between clients
and steps: these pieces only say things, and every text in them that did
not come from this file is escaped.
"""

from __future__ import annotations

import os

import ipywidgets as W

from .i18n import _
from .text import esc


def on_binder() -> bool:
    """True on Binder, where nothing the client types outlives the session."""
    return any(key.startswith("BINDER_") for key in os.environ)


def header_html(help_file=None) -> str:
    # A plain div: the page's main landmark holds the app, and a <header>
    # inside it would be a banner landmark nested in main.
    tagline = _("A no is not the end. Work through what happened, one step at a time.")
    return ("<div class='nr-header'><div><h1>NextRound</h1>"
            f"<p>{esc(tagline)}</p></div>{help_html(help_file)}</div>")


def help_html(help_file) -> str:
    """The two help topics from ``content/help.yaml``, opened in place.

    They sit in the header, which stays the same on every step, so help is
    always found in the same place (WCAG 3.2.6 Consistent Help).
    """
    if help_file is None:
        return ""
    topics = []
    for key, topic in (("how-it-works", help_file.how_it_works),
                       ("who-to-contact", help_file.who_to_contact)):
        paragraphs = "".join(f"<p>{esc(part.strip())}</p>"
                             for part in topic.text.split("\n\n") if part.strip())
        topics.append(f"<details class='nr-help-topic nr-help-{key}'>"
                      f"<summary>{esc(topic.title)}</summary>{paragraphs}</details>")
    return "<nav class='nr-help nextround-no-print' aria-label='{}'>{}</nav>".format(
        esc(_("Help")), "".join(topics))


def welcome_html() -> str:
    return ("<div class='nr-welcome'><h2>{}</h2><p>{}</p></div>".format(
        esc(_("Welcome")),
        esc(_("Choose a client above, or add a new one. Everything you type is saved as "
              "you go."))))


def binder_notice() -> W.Widget:
    if not on_binder():
        return W.HTML("")
    return W.HTML("<div class='nr-binder' role='note'><strong>{}</strong> {}</div>".format(
        esc(_("This is a temporary online copy.")),
        esc(_("Nothing you type is kept after you close the page. Once you have chosen or "
              "added a client, use “Download my workbook file” at the bottom of the page to "
              "keep your work. Coming back? Use “Upload a workbook file” there first."))))


def content_problems_html(problems: list[str]) -> str:
    items = "".join(f"<li><code>{esc(line)}</code></li>" for line in problems)
    return ("<div class='nr-error' role='alert'><h2>{}</h2><p>{}</p><ul>{}</ul></div>".format(
        esc(_("The coaching content has problems")),
        esc(_("NextRound will not start until they are fixed. Each line names the file, "
              "the line and the field.")), items))


__all__ = ["binder_notice", "content_problems_html", "header_html", "help_html", "on_binder",
           "welcome_html"]
