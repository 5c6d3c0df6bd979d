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


# --- the assumption check in Spanish ----------------------------------------------------

SPANISH_GUESSES = [
    ("Seguro que querían a alguien más joven.", "younger_candidate"),
    ("Soy demasiado mayor para ellos", "younger_candidate"),
    ("No sé si fue por mi edad", "younger_candidate"),
    ("No sé, creo que querían a alguien mas joven", "younger_candidate"),
    ("Tengo más de 50 años y nadie me llama", "younger_candidate"),
    ("Seguro que era el hijo del jefe", "insider_connections"),
    ("Ya tenían a alguien pensado, fue a dedo", "insider_connections"),
    ("Todo depende de a quién conozcas", "insider_connections"),
    ("Es cuestión de enchufes", "insider_connections"),
    ("No les caí bien", "didnt_like_me"),
    ("La entrevistadora fue muy borde conmigo", "didnt_like_me"),
    ("no hubo química con el panel", "didnt_like_me"),
]

#: Spanish thoughts that make no guess, or deny one.
SPANISH_NO_GUESS = [
    "No creo que fuera por mi edad.",
    "Tengo 10 años de experiencia en ventas",
    "Me preparé bien y el proceso fue justo",
    "Nunca me tuvieron manía; fueron amables",
    "Mi amiga me ayudó a preparar la entrevista",
]


@pytest.fixture(scope="module")
def spanish():
    from nextround.content import load_content

    return load_content(lang="es")


@pytest.mark.parametrize(("thought", "expected"), SPANISH_GUESSES)
def test_spanish_guesses_are_caught_with_spanish_words(spanish, thought, expected):
    from nextround.advice import check_assumptions

    flags = check_assumptions(thought, spanish)
    assert [flag.assumption_id for flag in flags] == [expected], thought
    item = next(a for a in spanish.assumptions if a.id == expected)
    assert flags[0].label == item.label and flags[0].reframe == item.reframe
    assert flags[0].reframe.startswith(("No ", "Quizá")), flags[0].reframe
    assert flags[0].phrases and all(phrase in thought.lower() for phrase in flags[0].phrases)


@pytest.mark.parametrize("thought", SPANISH_NO_GUESS)
def test_spanish_thoughts_without_a_guess_are_left_alone(spanish, thought):
    from nextround.advice import check_assumptions

    assert check_assumptions(thought, spanish) == []


def test_the_spanish_cues_are_content_a_counsellor_can_edit(tmp_path):
    """The Spanish cues live in content/es/wellbeing.yaml: adding one there catches a new
    way of saying it, with no change to the code."""
    import shutil

    import yaml

    from nextround.advice import check_assumptions
    from nextround.content import default_content_dir, load_content

    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder)
    thought = "Me descartaron por las canas"
    assert check_assumptions(thought, load_content(folder, lang="es")) == []
    path = folder / "es" / "wellbeing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    young = next(a for a in data["assumptions"] if a["id"] == "younger_candidate")
    young["cues"]["phrases"].append("por las canas")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    [flag] = check_assumptions(thought, load_content(folder, lang="es"))
    assert flag.assumption_id == "younger_candidate" and flag.phrases == ("por las canas",)


def test_the_spanish_thought_record_shows_its_flag_in_spanish(spanish, store, client):
    from nextround.i18n import using

    with using("es"):
        view = make(spanish, store, client)
        view.thought_inputs["assumption"].value = "creo que no les caí bien"
    assert view.model.flags and "Simplemente no les caí bien" in view.flag_box.value
    assert "(«no les caí bien»)" in view.flag_box.value
    assert "This sounds like a guess" not in view.flag_box.value
