"""A page locked to one client (``serve --client`` or a handover), driven without a browser.

The browser side (what the page really shows) is in tests/browser/test_client_mode_page.py.
"""

from __future__ import annotations

import ipywidgets as W
import pytest

from nextround import handover
from nextround.app import App, AppModel
from nextround.errors import NextRoundError
from nextround.exports import build_workbook, workbook_bytes
from nextround.handover import Lock

PASSPHRASE = "blue heron 42"


@pytest.fixture
def three(store):
    return [store.create_client(name) for name in
            ("Zelda Quince", "Yusuf Okonkwo", "Wren Abernathy")]


def all_text(widget: W.Widget) -> str:
    """Every description, value and option of a widget tree: what the page could show."""
    found = [all_text(child) for child in getattr(widget, "children", ())]
    for attr in ("description", "value", "placeholder", "tooltip"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            found.append(value)
    found += [str(option) for option in getattr(widget, "options", ())]
    return "\n".join(found)


def served_app(content, store, client_id: str) -> App:
    app = App(AppModel(content=content, store=store, lock=Lock(client_id, undo=False)))
    app.open_from_query("")
    return app


def test_a_served_page_shows_one_workbook_and_no_other_name(content, store, three):
    zelda, yusuf, wren = three
    app = served_app(content, store, zelda.id)
    shown = all_text(app)
    assert "Zelda Quince" in shown
    assert "Yusuf" not in shown and "Wren" not in shown
    assert app.client_picker is None and app.model.client_options == []
    assert "Counsellor view" not in shown and "Add client" not in shown
    assert "Hand over" not in shown and "Back to the counsellor" not in shown
    assert app.model.client_id == zelda.id and app.menu.children
    assert [(e.action, e.actor) for e in store.audit_events()] == [("opened", "client")]


def test_a_served_page_refuses_another_client_from_the_link_or_the_model(content, store,
                                                                         three):
    zelda, yusuf, _ = three
    app = served_app(content, store, zelda.id)
    app.open_from_query(f"client={yusuf.id}")
    assert app.model.client_id == zelda.id
    assert "one client's workbook only" in app.status.text
    assert "Yusuf" not in all_text(app)
    with pytest.raises(NextRoundError, match="one client's workbook only"):
        app.model.client_id = yusuf.id
    assert {e.client_id for e in store.audit_events()} == {zelda.id}


def upload(box, raw: bytes) -> None:
    """What the upload widget does with a chosen file (failures shown as the page shows them)."""
    box._guarded(lambda: box._uploaded([{"name": "w.json", "content": memoryview(raw)}]))


def test_an_uploaded_file_naming_another_client_is_refused(content, store, three):
    zelda, yusuf, _ = three
    app = served_app(content, store, zelda.id)
    [box] = app.workbook_box.children
    before = store.list_clients()
    upload(box, workbook_bytes(build_workbook(store, yusuf.id)))
    assert "someone else's" in box.status.text and "Yusuf" not in all_text(app)
    assert store.list_clients() == before
    upload(box, workbook_bytes(build_workbook(store, zelda.id)))  # their own: replace only
    buttons = [b.description for b in box.choice.children[1].children]
    assert buttons == ["Replace Zelda Quince's work with the file", "Cancel"]


def counsellor_app(content, store, client_id: str) -> App:
    app = App.create(content=content, store=store)
    app.client_picker.value = client_id
    return app


def test_handing_over_needs_a_passphrase_and_locks_every_page_until_it_is_typed(
        content, store, three, caplog):
    zelda, yusuf, wren = three
    app = counsellor_app(content, store, zelda.id)
    app.counsellor_button.value = True  # the caseload, with every name, was open
    app.counsellor_button.value = False
    app.hand_over.opener.click()
    app.hand_over.passphrase.value = "short"
    app.hand_over.confirm.click()
    assert "at least 6 characters" in app.status.text
    assert app.model.locked_to == ""
    app.hand_over.passphrase.value = PASSPHRASE
    app.hand_over.confirm.click()
    assert app.model.locked_to == zelda.id and app.client_picker is None
    assert app._counsellor is None
    shown = all_text(app)
    assert "Yusuf" not in shown and "Wren" not in shown and PASSPHRASE not in shown
    assert "Counsellor view" not in shown and "Back to the counsellor" in shown

    reloaded = App.create(content=content, store=store)  # a reload, or another tab
    reloaded.open_from_query(f"client={wren.id}")
    assert reloaded.model.client_id == zelda.id and "Wren" not in all_text(reloaded)
    reloaded.take_back.opener.click()
    reloaded.take_back.passphrase.value = "guess"
    reloaded.take_back.confirm.click()
    assert "not the passphrase" in reloaded.status.text
    assert reloaded.model.locked_to == zelda.id
    reloaded.take_back.passphrase.value = PASSPHRASE
    reloaded.take_back.confirm.click()
    assert reloaded.model.locked_to == "" and reloaded.client_picker is not None
    assert "Wren Abernathy" in all_text(reloaded)
    assert App.create(content=content, store=store).model.locked_to == ""
    assert "callback failed" not in caplog.text
    assert [(e.action, e.actor, e.detail) for e in store.audit_events(zelda.id)
            if e.action == "handed over"] == [
        ("handed over", "counsellor", "to the client on this machine"),
        ("handed over", "counsellor", "back to the counsellor")]


def test_a_page_opened_before_the_handover_follows_it_on_its_next_action(content, store,
                                                                         three):
    zelda, yusuf, _ = three
    other_tab = counsellor_app(content, store, yusuf.id)
    handover.hand_over(store, zelda.id, PASSPHRASE)
    other_tab.menu.children[2].click()
    assert other_tab.model.locked_to == zelda.id
    assert other_tab.model.client_id == zelda.id
    assert "Yusuf" not in all_text(other_tab)


def test_wrong_passphrases_are_counted_in_the_store_so_a_reload_does_not_reset_them(store,
                                                                                    three):
    handover.hand_over(store, three[0].id, PASSPHRASE)
    for n in range(handover.FREE_TRIES):
        with pytest.raises(NextRoundError, match="not the passphrase"):
            handover.take_back(store, f"guess {n}", now=1000.0 + n)
    with pytest.raises(NextRoundError, match="too many wrong passphrases"):
        handover.take_back(store, PASSPHRASE, now=1010.0)
    assert handover.handed_over(store) == Lock(three[0].id, undo=True)
    later = 1004.0 + handover.WAIT_AFTER_FAILURES + 1
    assert handover.take_back(store, PASSPHRASE, now=later) == three[0].id
    assert handover.handed_over(store) is None
    assert PASSPHRASE not in str(store.get_setting(handover.HANDED_OVER))


def test_the_first_change_of_a_visit_to_each_client_goes_in_the_audit_log(content, store,
                                                                          three):
    zelda = three[0]
    app = counsellor_app(content, store, zelda.id)
    store_used = app.model.steps_store
    for n in range(3):
        store_used.set_answer(zelda.id, "story", f"draft {n}")
    app.model.go_to(app.model.step)  # moving is not a change
    assert [(e.action, e.actor) for e in store.audit_events(zelda.id)] == [
        ("opened", "counsellor"), ("changed", "counsellor")]


def test_the_locked_pages_name_is_escaped(content, store):
    hostile = store.create_client("<img src=x onerror=alert(1)>")
    app = served_app(content, store, hostile.id)
    assert "<img" not in app.only_client.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in app.only_client.value
