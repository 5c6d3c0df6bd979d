"""The binding API every step uses: model traits own state, widgets are tied to them.

A small model with one typed and one chosen trait is bound to real widgets;
the tests check when the store is written, that a load never writes back,
that waiting typing is saved before a choice, and that a failed save is a
plain message in the view while the text stays in the box.
"""

from __future__ import annotations

import asyncio

import ipywidgets as W
import pytest
from traitlets import Unicode

from nextround.components.base import (
    SAVE_DELAY,
    Component,
    StepModel,
    chosen,
    labelled,
    saves,
    typed,
)
from nextround.errors import NextRoundError

NOTE, COLOUR = "test.note", "test.colour"


class NoteModel(StepModel):
    note = typed(Unicode(help="A note, as typed."))
    colour = chosen(Unicode(help="A colour, as chosen."))
    shown = Unicode(help="Not edited by the client, so never saved.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.writes: list[tuple[str, str]] = []
        answers = self.store.answers(self.client_id)
        self.load(note=answers.get(NOTE) or "", colour=answers.get(COLOUR) or "")

    def save_edit(self, name, value):
        if value == "refuse":
            raise NextRoundError("That cannot be saved.")
        self.writes.append((name, value))
        self.store.set_answer(self.client_id, NOTE if name == "note" else COLOUR, value)
        return len(value)


class NoteView(Component):
    model_class = NoteModel

    def build(self):
        self.box = W.Textarea()
        self.picker = W.Dropdown(options=["", "red", "blue"])
        self.bind(self.box, "note")
        self.bind(self.picker, "colour")
        self.results: list[tuple[str, str, int]] = []
        return [labelled(self.box, "Note"), labelled(self.picker, "Colour")]

    def saved(self, name, value, result):
        self.results.append((name, value, result))
        super().saved(name, value, result)


@pytest.fixture
def client(store):
    return store.create_client("Ada")


def make(content, store, client) -> NoteView:
    return NoteView.create(content=content, store=store, client_id=client.id,
                           application_id="")


def test_edited_traits_are_the_tagged_ones(content, store, client):
    assert sorted(make(content, store, client).model.edited_traits()) == ["colour", "note"]


def test_a_load_shows_saved_values_and_never_writes_them_back(content, store, client):
    store.set_answer(client.id, NOTE, "kept")
    store.set_answer(client.id, COLOUR, "blue")
    view = make(content, store, client)
    assert (view.box.value, view.picker.value) == ("kept", "blue")
    assert view.model.writes == []
    view.model.load(note="from elsewhere")
    assert view.box.value == "from elsewhere"
    assert view.model.writes == []
    assert view.box.continuous_update


def test_widget_and_model_move_together_and_each_edit_is_saved(content, store, client):
    view = make(content, store, client)
    view.box.value = "hello"
    assert view.model.note == "hello"
    assert store.answers(client.id)[NOTE] == "hello"
    view.picker.value = "red"
    assert store.answers(client.id)[COLOUR] == "red"
    assert view.results == [("note", "hello", 5), ("colour", "red", 3)]
    assert view.status.text.startswith("Saved.")
    view.model.note = "from the model"
    assert view.box.value == "from the model"
    view.picker.value = "red"  # the same value again is not written twice
    assert view.model.writes == [("note", "hello"), ("colour", "red"),
                                 ("note", "from the model")]
    view.model.shown = "display only"
    assert len(view.model.writes) == 3


def test_typing_waits_for_the_pause_and_a_choice_saves_it_first(content, store, client):
    async def scenario():
        view = make(content, store, client)
        view.box.value = "h"
        view.box.value = "hi"
        assert view.model.note == "hi"  # the model knows at once...
        assert NOTE not in store.answers(client.id)  # ...the store after the pause
        view.picker.value = "blue"
        assert view.model.writes == [("note", "hi"), ("colour", "blue")]
        view.box.value = "hi there"
        await asyncio.sleep(SAVE_DELAY * 2)
        assert store.answers(client.id)[NOTE] == "hi there"
        view.box.value = "waiting"
        view.model.load(note="another record")  # a load saves what waits first
        assert ("note", "waiting") in view.model.writes
        assert view.model.writes[-1] == ("note", "waiting")
        assert saves.waiting == 0

    asyncio.run(scenario())


def test_a_refused_save_is_a_plain_message_and_the_text_stays(content, store, client):
    view = make(content, store, client)
    view.box.value = "first"
    view.box.value = "refuse"
    assert view.status.text.startswith("Sorry:")
    assert "cannot be saved" in view.status.text
    assert "Traceback" not in view.status.value
    assert view.box.value == "refuse"
    assert store.answers(client.id)[NOTE] == "first"


def test_without_a_view_a_refused_save_raises(content, store, client):
    model = NoteModel(content=content, store=store, client_id=client.id, application_id="")
    with pytest.raises(NextRoundError):
        model.note = "refuse"
    model.note = "fine"
    assert store.answers(client.id)[NOTE] == "fine"
