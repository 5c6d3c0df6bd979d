"""The app, driven without a browser: picking clients, moving through steps, resuming."""

from __future__ import annotations

import base64
import json
import re
import shutil

import ipywidgets as W
import pytest

from nextround.app import App, AppModel, client_from_query, on_binder
from nextround.components.workbook_file import WorkbookFile
from nextround.content import default_content_dir
from nextround.demo import create_demo
from nextround.settings import LAST_CLIENT
from nextround.steps import STEPS
from nextround.store import Store


@pytest.fixture
def demo(store):
    return create_demo(store)


def make_app(content, store) -> App:
    return App(AppModel(content=content, store=store))


def texts(widget: W.Widget) -> str:
    """Every description and HTML value in a widget tree, for checking what shows."""
    found = []
    for child in getattr(widget, "children", ()):
        found.append(texts(child))
    for attr in ("description", "value"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            found.append(value)
    return "\n".join(found)


def menu_labels(app: App) -> list[str]:
    return [b.description for b in app.menu.children if isinstance(b, W.Button)]


def test_query_string_parsing():
    assert client_from_query("client=abc123&x=1") == "abc123"
    assert client_from_query("") == ""
    assert client_from_query(None) == ""


def test_a_new_store_opens_on_the_welcome(content, store):
    app = make_app(content, store)
    app.open_from_query("")
    assert app.model.client_id == ""
    assert "Choose a client" in texts(app.main)
    assert menu_labels(app) == []
    [box] = app.workbook_box.children
    assert isinstance(box, WorkbookFile)
    assert "<a " not in box.link.value, "nothing to download before a client is chosen"
    assert "Upload a workbook file" in box.upload.description


def test_choosing_a_client_shows_the_steps_in_order(content, store, demo):
    app = make_app(content, store)
    app.client_picker.value = demo[1].id
    labels = menu_labels(app)
    assert len(labels) == len(STEPS)
    assert labels[0] == f"1. {STEPS[0].title} (you are here)"
    assert labels[-1] == f"{len(STEPS)}. {STEPS[-1].title}"
    assert store.get_setting(LAST_CLIENT) == demo[1].id


def test_moving_through_steps_is_saved_and_a_reload_resumes(content, store, demo):
    app = make_app(content, store)
    app.client_picker.value = demo[0].id
    next_button = [b for b in app.main.children[0].children[-1].children
                   if b.description.startswith("Next")][0]
    next_button.click()
    assert app.model.step == STEPS[1].key
    app.model.go_to("wellbeing")
    assert "(you are here)" in menu_labels(app)[STEPS.index(
        next(s for s in STEPS if s.key == "wellbeing"))]

    reloaded = make_app(content, Store(store.url))
    reloaded.open_from_query("")
    assert reloaded.model.client_id == demo[0].id
    assert reloaded.model.step == "wellbeing"
    assert "Look after yourself" in texts(reloaded.main)


def test_a_page_made_before_a_client_was_added_opens_that_client(content, store):
    """A pre-heated page reads the client list before its request comes; a client
    added meanwhile (in another page) is the last client, and must open."""
    early = make_app(content, store)
    other_page = make_app(content, Store(store.url))
    other_page.model.add_client("Noor Haddad")
    early.open_from_query("")
    assert early.model.client_id == store.get_setting(LAST_CLIENT) != ""
    assert early.client_picker.value == early.model.client_id
    assert "Noor Haddad" in [label for label, _ in early.model.client_options]


def test_query_client_wins_over_the_last_client(content, store, demo):
    store.set_setting(LAST_CLIENT, demo[0].id)
    app = make_app(content, store)
    app.open_from_query(f"client={demo[2].id}")
    assert app.model.client_id == demo[2].id
    assert app.client_picker.value == demo[2].id


def test_unknown_query_client_gives_a_plain_message(content, store, demo):
    app = make_app(content, store)
    app.open_from_query("client=doesnotexist")
    assert "names a client who is not here" in app.status.value
    assert app.model.client_id == store.get_setting(LAST_CLIENT)


def test_adding_a_client_needs_a_name(content, store):
    app = make_app(content, store)
    app.new_name.value = "   "
    app.add_button.click()
    assert "type a name first" in app.status.value
    assert store.list_clients() == []
    app.new_name.value = "Dee <b>Lane</b>"
    app.add_button.click()
    [client] = store.list_clients()
    assert client.name == "Dee <b>Lane</b>"
    assert app.model.client_id == client.id
    assert app.new_name.value == ""


def test_counsellor_view_is_built_only_when_asked(content, store, demo, monkeypatch):
    from nextround.components.counsellor import CounsellorView

    built = []
    create = CounsellorView.create.__func__
    monkeypatch.setattr(CounsellorView, "create",
                        classmethod(lambda cls, **kw: built.append(1) or create(cls, **kw)))
    app = make_app(content, store)
    app.client_picker.value = demo[0].id
    assert built == []
    app.counsellor_button.value = True
    assert built == [1]
    assert demo[0].name in texts(app.main)
    app.counsellor_button.value = False
    assert menu_labels(app)


def test_bad_content_stops_the_app_with_file_and_line(tmp_path, store, monkeypatch):
    import nextround.content as content_module

    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder)
    scenarios = folder / "scenarios.yaml"
    scenarios.write_text(scenarios.read_text().replace("reading:", "readin:", 1))
    monkeypatch.setattr(content_module, "default_content_dir", lambda: folder)
    widget = App.create(store=store)
    assert isinstance(widget, W.HTML) and not isinstance(widget, App)
    assert re.search(r"scenarios\.yaml:\d+: scenarios\[0\]\.readin: unknown key", widget.value)
    assert "Traceback" not in widget.value


def test_workbook_file_download_then_upload_elsewhere(content, store, demo, tmp_path):
    box = WorkbookFile.create(store=store, client_id=demo[0].id)
    href = re.search(r'href="data:application/json;base64,([^"]+)"', box.link.value).group(1)
    document = json.loads(base64.b64decode(href))
    assert document["client"]["name"] == demo[0].name

    other = Store(tmp_path / "other.db")
    imported = []
    upload = WorkbookFile.create(store=other, client_id="", on_import=imported.append)
    upload._uploaded([{"name": "w.json", "content": memoryview(base64.b64decode(href))}])
    assert imported == [demo[0].id]
    assert other.get_client(demo[0].id).name == demo[0].name


def test_workbook_upload_of_a_damaged_file_is_a_plain_message(store, demo):
    upload = WorkbookFile.create(store=store, client_id=demo[0].id)
    before = [c.id for c in store.list_clients()]
    upload._guarded(lambda: upload._uploaded([{"name": "w.json",
                                               "content": memoryview(b'{"format": 1')}]))
    assert "Sorry" in upload.status.value and "Traceback" not in upload.status.value
    assert [c.id for c in store.list_clients()] == before


def test_binder_is_detected_from_its_environment(monkeypatch):
    for key in [k for k in __import__("os").environ if k.startswith("BINDER_")]:
        monkeypatch.delenv(key)
    assert not on_binder()
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://example.invalid/")
    assert on_binder()


@pytest.mark.parametrize("name", ["Aaron First", "Mia Middle", "Zed Last"])
def test_adding_a_client_opens_that_client_among_many(content, store, demo, name):
    app = make_app(content, store)
    app.client_picker.value = demo[1].id
    opened = []
    app.model.observe(lambda change: opened.append(change["new"]), names="client_id")
    app.new_name.value = name
    app.add_button.click()
    new = next(c for c in store.list_clients() if c.name == name)
    assert app.model.client_id == new.id
    assert app.client_picker.value == new.id
    assert opened == [new.id], "no other client is opened on the way"
    assert store.get_setting(LAST_CLIENT) == new.id


def test_a_client_erased_elsewhere_is_refused_in_the_picker(content, store, demo):
    app = make_app(content, store)
    app.client_picker.value = demo[0].id
    store.erase_client(demo[1].id)
    app.client_picker.value = demo[1].id
    assert app.model.client_id == demo[0].id
    assert app.client_picker.value == demo[0].id
    assert "Sorry:" in app.status.text and "erased" in app.status.text
    assert demo[1].id not in [cid for _label, cid in app.client_picker.options]


def test_a_new_list_of_clients_keeps_the_open_client_and_its_step(content, store, demo):
    app = make_app(content, store)
    app.client_picker.value = demo[2].id
    app.model.go_to(STEPS[3].key)
    changes = []
    app.model.observe(changes.append, names=["client_id", "step"])
    store.create_client("Aaron Early")  # sorts first: the picker's first option changes
    app.model.refresh_clients()
    assert changes == []
    assert (app.model.client_id, app.model.step) == (demo[2].id, STEPS[3].key)
    assert app.client_picker.value == demo[2].id
    assert app.client_picker in app.client_bar.children
    assert "Aaron Early" in [label for label, _id in app.client_picker.options]
