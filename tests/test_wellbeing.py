"""The wellbeing step, driven as a client would: mood, note and thought record."""

from __future__ import annotations

import pytest
from traitlets import TraitError

from nextround import answer_keys as keys
from nextround.components.wellbeing import Wellbeing
from nextround.model import CheckIn, ThoughtRecord

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def client(store):
    return store.create_client("Ada Lovelace")


def make(content, store, client) -> Wellbeing:
    return Wellbeing.create(content=content, store=store, client_id=client.id)


def test_a_note_before_a_mood_is_kept_then_saved_with_the_check_in(content, store, client):
    view = make(content, store, client)
    view.note.value = "Tired today."
    assert store.list(CheckIn, client.id) == []
    assert store.answers(client.id)[keys.NOTE_DRAFT.key()] == "Tired today."
    assert "Choose how you feel" in view.status.text
    assert make(content, store, client).note.value == "Tired today."

    view.mood.value = view.mood.options[1][1]
    [checkin] = store.list(CheckIn, client.id)
    assert (checkin.mood, checkin.note) == (view.mood.options[1][1], "Tired today.")
    assert store.answers(client.id).get(keys.NOTE_DRAFT.key()) is None
    assert view.status.text == "Saved. Today's check-in is saved."


def test_choosing_again_the_same_day_updates_the_one_check_in(content, store, client):
    view = make(content, store, client)
    view.mood.value = view.mood.options[0][1]
    view.mood.value = view.mood.options[2][1]
    view.note.value = "Better now."
    [checkin] = store.list(CheckIn, client.id)
    assert (checkin.mood, checkin.note) == (view.mood.options[2][1], "Better now.")
    again = make(content, store, client)
    assert again.mood.value == view.mood.options[2][1]
    assert again.note.value == "Better now."
    assert len(store.list(CheckIn, client.id)) == 1  # building it wrote nothing


def test_a_mood_off_the_scale_is_refused(content, store, client):
    view = make(content, store, client)
    with pytest.raises(TraitError):
        view.model.mood = content.mood.max + 1
    assert store.list(CheckIn, client.id) == []


def test_the_first_words_create_the_thought_record_and_a_new_one_starts_blank(
        content, store, client):
    view = make(content, store, client)
    view.thought_inputs["situation"].value = "   "
    assert store.list(ThoughtRecord, client.id) == []
    view.thought_inputs["situation"].value = "They said no by email"
    view.thought_inputs["assumption"].value = "they wanted someone younger"
    [thought] = store.list(ThoughtRecord, client.id)
    assert (thought.situation, thought.assumption) == ("They said no by email",
                                                       "they wanted someone younger")
    assert view.model.flags and "This sounds like a guess" in view.flag_box.value

    [new] = [w for w in view.children if getattr(w, "description", "")
             == "Start a new thought record"]
    new.click()
    assert all(w.value == "" for w in view.thought_inputs.values())
    assert view.flag_box.value == ""
    assert store.list(ThoughtRecord, client.id)[0].situation == "They said no by email"
    view.thought_inputs["evidence"].value = "Nothing was said about age."
    records = store.list(ThoughtRecord, client.id)
    assert len(records) == 2 and records[1].evidence == "Nothing was said about age."
    assert records[0].situation == "They said no by email"
    again = make(content, store, client)
    assert again.thought_inputs["evidence"].value == "Nothing was said about age."
    assert again.thought_inputs["situation"].value == ""


def test_hostile_words_are_escaped_in_the_assumption_check(content, store, client):
    view = make(content, store, client)
    view.thought_inputs["assumption"].value = f"they wanted someone younger {HOSTILE}"
    assert "<script" not in view.flag_box.value
