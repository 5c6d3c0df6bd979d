"""The app's bar when it shows one client only, and the switches in and out of it.

:class:`HandOverSwitch` is the counsellor's "Hand over to the client" button with
the passphrase it asks for; :class:`TakeBack` is the "Back to the counsellor"
button on a handed-over page, which asks for that passphrase again. The rules
(where the handover is kept, how the passphrase is checked) are in
:mod:`nextround.handover`; these widgets only ask and pass on what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W

from ..handover import MIN_PASSPHRASE
from ..i18n import _
from ..text import esc
from .base import labelled


def only_client_html(name: str) -> str:
    """Whose workbook a locked page shows: their own name and nobody else's."""
    return "<p class='nr-only-client'>{}</p>".format(
        _("Workbook of {name}").format(name=f"<strong>{esc(name)}</strong>"))


class _Ask(W.VBox):
    """A button that opens a passphrase box with a confirm and a cancel button."""

    def __init__(self, *, opener: str, label: str, confirm: str, hint: str,
                 on_confirm: Callable[[str], Any], **kwargs: Any):
        super().__init__(**kwargs)
        self.on_confirm = on_confirm
        self.opener = W.Button(description=opener, layout=W.Layout(width="auto"))
        self.passphrase = W.Password()
        self.confirm = W.Button(description=confirm, button_style="primary",
                                layout=W.Layout(width="auto"))
        cancel = W.Button(description=_("Cancel"), layout=W.Layout(width="auto"))
        self.form = W.VBox([labelled(self.passphrase, label, hint=hint),
                            W.HBox([self.confirm, cancel], layout=W.Layout(flex_flow="row wrap"))],
                           layout=W.Layout(display="none"))
        self.form.add_class("nr-confirm")
        self.opener.on_click(lambda _b: self.show(True))
        cancel.on_click(lambda _b: self.show(False))
        self.confirm.on_click(lambda _b: self._confirmed())
        self.children = [self.opener, self.form]

    def show(self, open_: bool) -> None:
        self.passphrase.value = ""
        self.form.layout.display = "flex" if open_ else "none"

    def _confirmed(self) -> None:
        typed, self.passphrase.value = self.passphrase.value, ""
        self.on_confirm(typed)


class HandOverSwitch(_Ask):
    """"Hand over to the client": from then on the page shows only the open workbook."""

    def __init__(self, *, on_confirm: Callable[[str], Any], **kwargs: Any):
        super().__init__(
            opener=_("Hand over to the client"), label=_("Passphrase to take the app back"),
            confirm=_("Hand over now"), on_confirm=on_confirm,
            hint=_("At least {count} characters, typed where the client cannot see. "
                   "The client then sees only this workbook, even after a reload; type the "
                   "passphrase again to take the app back.").format(count=MIN_PASSPHRASE),
            **kwargs)
        self.add_class("nr-handover")


class TakeBack(_Ask):
    """"Back to the counsellor": the passphrase the app was handed over with unlocks it."""

    def __init__(self, *, on_confirm: Callable[[str], Any], **kwargs: Any):
        super().__init__(
            opener=_("Back to the counsellor"), label=_("Counsellor's passphrase"),
            confirm=_("Take the app back"), on_confirm=on_confirm,
            hint=_("For the counsellor: the passphrase typed when the app was handed over."),
            **kwargs)
        self.add_class("nr-take-back")
