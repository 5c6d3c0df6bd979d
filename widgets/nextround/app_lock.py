"""The app's client bar when a page is locked to one client, and the switches in and out.

A mixin of :class:`nextround.app.App`, kept apart because it is one concern:
what a locked page shows (its client's name, and "Back to the counsellor" after
a handover) and what handing over and taking back do. The rules are in
:mod:`nextround.handover`.
"""

from __future__ import annotations

from typing import Any

from .components._view import guard
from .components.handover import only_client_html
from .errors import NextRoundError
from .handover import hand_over, handed_over, take_back
from .i18n import N_, _

#: Said when a page locked to one client is asked for someone else.
ONE_CLIENT_ONLY = N_("this page shows one client's workbook only; it cannot open anyone "
                     "else's, so nothing of theirs is shown.")


class LockedPage:
    """What :class:`~nextround.app.App` does about locking (its attributes are the app's)."""

    model: Any
    status: Any

    def _show_bar(self) -> None:
        """The client bar: the counsellor's controls, or only whose workbook this is."""
        if not self.model.locked_to:
            self.client_bar.children = [self.client_picker, self.new_name, self.add_button,
                                        self.counsellor_button, self.hand_over]
            return
        self.new_name.value = ""
        self._ask_same_name(None)
        self.counsellor_button.value = False
        self.hand_over.show(False)
        self.take_back.show(False)
        name = guard(lambda: self.model.store.get_client(self.model.locked_to).name,
                     self.status)()
        self.only_client.value = only_client_html(name or "")
        self.client_bar.children = [self.only_client, *(
            [self.take_back] if self.model.can_take_back else [])]

    def _follow_handover(self) -> None:
        """Another page handed the app over since this one opened: lock this one too."""
        lock = None if self.model.locked_to else handed_over(self.model.store)
        if lock is not None:
            self.model.lock(lock)
            self.model.open_client(lock.client_id)

    def _hand_over(self, passphrase: str) -> None:
        """Lock every page to the open client; the counsellor, who acts, is logged."""
        client_id = self.model.client_id
        if not client_id:
            raise NextRoundError(_("open the client's workbook first, then hand it over."))
        lock = hand_over(self.model.store, client_id, passphrase)
        self.model.visit.record("handed over", client_id, "to the client on this machine")
        self.model.lock(lock)
        self.status.saved(_("The app now shows only this workbook."))

    def _take_back(self, passphrase: str) -> None:
        """Unlock with the handover's passphrase; logged as the counsellor's, once unlocked."""
        client_id = take_back(self.model.store, passphrase)
        self.model.unlock()
        self.model.visit.record("handed over", client_id, "back to the counsellor")
        self.status.saved(_("The app is back with the counsellor."))
