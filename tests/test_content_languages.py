"""Content per language: ``content/es/`` over ``content/``, item by item, by id.

Broken copies of the shipped folders are made in temporary folders: an item
left out, a structure changed, an id no English item has. Each finding must
name the file and the line, as every content problem does.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from content_folders import drop_judgement_data

from nextround.cli import main
from nextround.content import default_content_dir, load_content
from nextround.content_languages import (
    TEXT_KEYS,
    language_code,
    language_folders,
    validate_translation,
)
from nextround.content_schema import FILES, Item
from nextround.errors import ContentError, NextRoundError


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the shipped content, English and Spanish, to break."""
    target = tmp_path / "content"
    shutil.copytree(default_content_dir(), target)
    return target


def line_of(path: Path, text: str, after: str | None = None) -> int:
    """The 1-based line of the first line containing ``text`` (after ``after``'s line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    return next(i for i, line in enumerate(lines[start:], start) if text in line) + 1


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def remove_item(path: Path, item_id: str) -> None:
    """Cut the list item ``- id: item_id`` (to the next item at the same indent) out."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {item_id}")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and not (lines[end].strip() and
                                    len(lines[end]) - len(lines[end].lstrip()) <= indent):
        end += 1
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check-content", *args])
    out, err = capsys.readouterr()
    return code, out, err


# --- the shipped Spanish ---------------------------------------------------------------


def test_spanish_content_loads_in_spanish():
    spanish = load_content(lang="es")
    english = load_content()
    assert spanish.lang == "es" and english.lang == "en"
    assert spanish.scenario("skill_gap").title == "Faltaba una habilidad concreta"
    assert english.scenario("skill_gap").title == "A specific skill was missing"
    assert spanish.mood.question == "¿Cómo te sientes ahora mismo?"
    assert spanish.email("thank_you").body.startswith("{% if contact_name %}Estimado/a")
    # Structure and references are the English ones; the order is English too.
    assert [s.id for s in spanish.sources] == [s.id for s in english.sources]
    assert spanish.scenario("skill_gap").actions == english.scenario("skill_gap").actions
    assert not english.fallbacks and not english.is_fallback("scenarios.yaml", "skill_gap")


def test_shipped_language_folders_are_complete_and_match_english():
    """Fails on any untranslated item, structure difference or unknown id in any folder."""
    langs = language_folders(default_content_dir())
    assert "es" in langs
    for lang in langs:
        found = validate_translation(default_content_dir(), lang)
        assert found.problems == [], "\n".join(found.problems)
        assert found.missing == [], "\n".join(found.missing)
        assert found.translated == found.total > 80
        assert not found.content.fallbacks


def test_the_english_path_is_the_cached_english_content():
    assert load_content(lang="en") is load_content()
    assert load_content(lang="EN") is load_content()
    assert load_content(lang="es") is load_content(lang="es-ES")


def test_spanish_has_judgement_data_of_its_own():
    """The shipped Spanish cues are tuned on Spanish messages: none is English."""
    spanish, english = load_content(lang="es"), load_content()
    for scenario in english.scenarios:
        assert spanish.scenario(scenario.id).cues != scenario.cues
    assert spanish.readings != english.readings
    assert spanish.readings.not_reasons.patterns and spanish.readings.skill.patterns
    assert spanish.tone_words != english.tone_words
    for rule in english.tone_rules:
        spanish_rule = spanish.find("tone_rules", rule.id, "tone rule")
        assert spanish_rule.patterns != rule.patterns
        assert spanish_rule.check == rule.check  # the same kind of rudeness
        assert spanish_rule.cues != rule.cues or not rule.cues


def test_judgement_data_left_out_of_a_translation_is_the_english_data(folder):
    drop_judgement_data(folder / "es")
    spanish, english = load_content(folder, lang="es"), load_content()
    for scenario in english.scenarios:
        assert spanish.scenario(scenario.id).cues == scenario.cues
    assert spanish.readings == english.readings
    assert spanish.tone_words == english.tone_words
    for rule in english.tone_rules:
        spanish_rule = spanish.find("tone_rules", rule.id, "tone rule")
        assert (spanish_rule.patterns, spanish_rule.check, spanish_rule.cues) == (
            rule.patterns, rule.check, rule.cues)
        assert spanish_rule.alternative != rule.alternative


def test_check_content_checks_every_language_folder(capsys):
    code, out, err = check(capsys)
    assert code == 0, out + err
    assert "content is valid" in out
    assert re.search(r"/es: (\d+) of \1 items translated, 0 missing, 0 problem\(s\)", out), out


# --- fallback ----------------------------------------------------------------------------


def test_a_missing_item_falls_back_to_english_and_is_marked(folder, capsys):
    remove_item(folder / "es" / "scenarios.yaml", "skill_gap")
    content = load_content(folder, lang="es")
    assert content.scenario("skill_gap").title == "A specific skill was missing"
    assert content.is_fallback("scenarios.yaml", "skill_gap")
    assert content.scenario("presentation").title == "Un problema con la impresión que diste"
    assert not content.is_fallback("scenarios.yaml", "presentation")
    assert content.fallbacks == {("scenarios.yaml", "skill_gap")}
    assert [s.id for s in content.scenarios] == [s.id for s in load_content().scenarios]

    code, out, err = check(capsys, str(folder), "--lang", "es")
    line = line_of(folder / "scenarios.yaml", "- id: skill_gap")
    assert code == 0, out + err
    assert (f"{folder}/scenarios.yaml:{line}: scenarios[3].id: not translated into 'es' yet: "
            f"no item 'skill_gap' in {folder}/es/scenarios.yaml") in out
    assert "1 missing, 0 problem(s)" in out and "--complete" in out

    code, out, err = check(capsys, str(folder), "--lang", "es", "--complete")
    assert code == 1
    assert f"{folder}/scenarios.yaml:{line}:" in out
    assert "1 missing" in err


def test_a_missing_mapping_and_a_missing_file_fall_back(folder):
    (folder / "es" / "help.yaml").unlink()
    edit(folder / "es" / "wellbeing.yaml", "mood:", "unused_mood:")
    text = (folder / "es" / "wellbeing.yaml").read_text(encoding="utf-8")
    (folder / "es" / "wellbeing.yaml").write_text(
        text[:text.index("unused_mood:")] + text[text.index("reminders:"):], encoding="utf-8")
    content = load_content(folder, lang="es")
    assert content.fallbacks == {("help.yaml", "how_it_works"), ("help.yaml", "who_to_contact"),
                                 ("wellbeing.yaml", "mood")}
    assert content.help.how_it_works.title == "How this works"
    assert content.mood.question == "How are you feeling right now?"
    assert content.reminders[0].text == "No es algo personal."


def test_only_folders_named_by_a_code_and_holding_content_are_languages(folder):
    (folder / "old").mkdir()
    (folder / "old" / "notes.txt").write_text("kept\n", encoding="utf-8")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "help.yaml").write_text("{}\n", encoding="utf-8")
    (folder / "pt").mkdir()
    shutil.copy(folder / "es" / "help.yaml", folder / "pt" / "help.yaml")
    assert language_folders(folder) == ["es", "pt"]


def test_a_language_with_no_folder_is_english_and_all_marked(folder):
    content = load_content(folder, lang="pt")
    english = load_content(folder)
    assert content.lang == "pt"
    assert content.scenarios == english.scenarios
    assert ("emails.yaml", "thank_you") in content.fallbacks
    assert len(content.fallbacks) == validate_translation(folder, "pt").total


# --- structure differences ---------------------------------------------------------------


def test_structure_differences_are_reported_at_the_translated_line(folder, capsys):
    es = folder / "es"
    # A question left out, a question id changed, a reference changed.
    remove_item(es / "scenarios.yaml", "how_to_learn")
    edit(es / "scenarios.yaml", "- id: habits", "- id: habitos")
    edit(es / "scenarios.yaml", "    source: better_qualified", "    source: skill_gap")
    # An email that drops a placeholder, a changed number, a key English does not have.
    edit(es / "emails.yaml", "Un placer conocerte", "Un placer conocerte{% if role %} "
         "({{ role }}, {{ salary }}){% endif %}")
    edit(es / "actions.yaml", "    due_days: 30", "    due_days: 31")
    edit(es / "sources.yaml", "    candour: high\n    template: ask_insider",
         "    candour: high\n    template: ask_insider\n    note: extra", 1)

    found = validate_translation(folder, "es")
    problems = "\n".join(found.problems)
    s_path, e_path, a_path, src = (es / "scenarios.yaml", es / "emails.yaml",
                                   es / "actions.yaml", es / "sources.yaml")
    expected = [
        f"{s_path}:{line_of(s_path, 'questions:', after='- id: skill_gap')}: "
        "scenarios[3].questions: 3 items here, 4 in English",
        f"{s_path}:{line_of(s_path, '- id: habitos')}: scenarios[4].questions[1].id: "
        "'habitos' here, 'habits' in English: keep the English value",
        f"{s_path}:{line_of(s_path, 'source: skill_gap', after='- id: better_qualified')}: "
        "scenarios[2].source: 'skill_gap' here, 'better_qualified' in English: keep the "
        "English reference",
        f"{e_path}:{line_of(e_path, 'subject: Un placer')}: templates[4].subject: "
        "placeholders differ from English (not in English: role, salary)",
        f"{a_path}:{line_of(a_path, 'due_days: 31')}: actions[13].due_days: 31 here, 30 in "
        "English",
        f"{src}:{line_of(src, 'note: extra')}: sources[2].note: the key 'note' is not in the "
        "English item",
    ]
    for line in expected:
        assert line in problems, f"{line!r} not in:\n{problems}"
    # Each names the English item to compare with.
    english_line = line_of(folder / "scenarios.yaml", "- id: better_qualified")
    assert f"(English: {folder}/scenarios.yaml:{english_line})" in problems

    with pytest.raises(ContentError) as raised:
        load_content(folder, lang="es")
    assert raised.value.problems == found.problems

    code, out, err = check(capsys, str(folder), "--lang", "es")
    assert code == 1
    assert expected[0] in out
    assert f"{len(found.problems)} problem(s)" in err


def test_a_condition_must_name_the_choice_in_the_same_place(folder):
    path = folder / "es" / "assessment.yaml"
    edit(path, "    strength_when:\n      equals: La tengo, pero no la mostré",
         "    strength_when:\n      equals: De verdad me falta")
    found = validate_translation(folder, "es")
    line = line_of(path, "equals: De verdad me falta")
    assert any(p.startswith(f"{path}:{line}: questions[5].strength_when.equals: "
                            "'De verdad me falta' here, 'La tengo, pero no la mostré' in")
               for p in found.problems), found.problems


def test_a_yes_no_answer_value_stays_as_in_english(folder):
    path = folder / "es" / "assessment.yaml"
    edit(path, '      equals: "yes"', '      equals: "sí"')
    found = validate_translation(folder, "es")
    line = line_of(path, 'equals: "sí"')
    assert any(f"{path}:{line}: questions[1].strength_when.equals:" in p
               for p in found.problems), found.problems


def test_an_id_with_no_english_item_is_reported(folder, capsys):
    path = folder / "es" / "actions.yaml"
    edit(path, "- id: self_care", "- id: self_kare")
    found = validate_translation(folder, "es")
    assert found.problems == [f"{path}:{line_of(path, '- id: self_kare')}: actions[22].id: "
                              "no English item has the id 'self_kare'"]
    english = folder / "actions.yaml"
    assert found.missing == [f"{english}:{line_of(english, '- id: self_care')}: actions[22].id: "
                             f"not translated into 'es' yet: no item 'self_care' in {path}"]
    code, _, _ = check(capsys, str(folder), "--lang", "es")
    assert code == 1


def test_a_file_that_is_not_a_content_file_is_reported(folder):
    (folder / "es" / "scenario.yaml").write_text("scenarios: []\n", encoding="utf-8")
    found = validate_translation(folder, "es")
    assert any(p.startswith(f"{folder}/es/scenario.yaml:1: (top): not a content file")
               for p in found.problems), found.problems


# --- the English checks hold for translated files -----------------------------------------


def test_a_translated_field_is_validated_at_its_line(folder):
    path = folder / "es" / "gracious.yaml"
    edit(path, "    title: Pide una valoración", '    title: ""')
    found = validate_translation(folder, "es")
    line = line_of(path, 'title: ""')
    assert found.problems == [f"{path}:{line}: steps[1].title: String should have at least 1 "
                              "character"]


def test_invalid_yaml_in_a_translated_file_is_reported_and_the_rest_still_checked(folder):
    path = folder / "es" / "article.yaml"
    edit(path, "    title: Cuídate", "    title: [Cuídate")
    edit(folder / "es" / "actions.yaml", "- id: self_care", "- id: self_kare")
    found = validate_translation(folder, "es")
    assert any(p.startswith(f"{path}:") and "not valid YAML" in p for p in found.problems)
    assert any("no English item has the id 'self_kare'" in p for p in found.problems)


def test_a_translated_email_is_checked_like_an_english_one(folder):
    path = folder / "es" / "emails.yaml"
    edit(path, "Le agradezco que me haya comunicado su decisión sobre el puesto{% if role %}"
               " de {{ role }}{% endif %}.",
         "Le agradezco que me haya comunicado su decisión sobre el puesto de {{ role }}.")
    found = validate_translation(folder, "es")
    assert any(p.startswith(f"{path}:{line_of(path, '- id: thank_you') + 4}: templates[0].body:"
                            " with role unknown, the draft shows a placeholder")
               for p in found.problems), found.problems


def test_duplicate_translated_ids_are_reported(folder):
    path = folder / "es" / "gracious.yaml"
    edit(path, "- id: keep_in_mind", "- id: thank")
    found = validate_translation(folder, "es")
    assert any(p.startswith(f"{path}:{line_of(path, '- id: thank', after='id: ask_feedback')}:"
                            " steps[2].id: duplicate id 'thank'") for p in found.problems)


def test_judgement_data_given_in_a_translation_replaces_the_english(folder):
    path = folder / "es" / "scenarios.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_id = {item["id"]: item for item in data["scenarios"]}
    by_id["internal_candidate"]["cues"] = {"phrases": ["candidato interno"]}
    del by_id["different_direction"]["cues"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    content = load_content(folder, lang="es")
    assert content.scenario("internal_candidate").cues.phrases == ["candidato interno"]
    assert content.scenario("different_direction").cues == load_content().scenario(
        "different_direction").cues


# --- language codes and the schema --------------------------------------------------------


@pytest.mark.parametrize(("given", "code"), [("es", "es"), ("ES", "es"), ("es-ES", "es"),
                                             ("es_MX", "es"), (" pt ", "pt")])
def test_language_codes_are_read_loosely(given, code):
    assert language_code(given) == code


@pytest.mark.parametrize("given", ["", "../es", "español", "e", "es/../../etc", None, 3])
def test_a_bad_language_code_is_one_clear_error(given):
    with pytest.raises(NextRoundError, match="language"):
        load_content(lang=given)


def _text_fields() -> set[str]:
    """Every field of the content models that holds words (not ids, kinds or numbers)."""
    models, seen, names = list(FILES.values()), set(), set()
    while models:
        model = models.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            shown = str(info.annotation)
            inner = _models_in(info.annotation)
            models += inner
            if inner or "pattern='" in repr(info.metadata) + shown:
                continue
            if re.search(r"\bstr\b|min_length=1", shown + repr(info.metadata)) \
                    and "Literal" not in shown:
                names.add(name)
    return names


def _models_in(annotation) -> list[type[Item]]:
    import typing

    found = []
    if isinstance(annotation, type) and issubclass(annotation, Item):
        found.append(annotation)
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def test_every_field_of_words_is_compared_as_text():
    """A new field of words in the schema must be added to TEXT_KEYS (or it would be
    compared as a value that must equal the English one)."""
    judgement_or_values = {"phrases", "patterns", "fallback", "equals", "one_of", "reader",
                           "feelings", "help", "template", "check", "cues"}
    missing = _text_fields() - TEXT_KEYS - judgement_or_values
    assert not missing, f"fields of words not in TEXT_KEYS: {sorted(missing)}"
    assert {"title", "reading", "body", "choices", "labels", "control"} <= _text_fields()


def test_spanish_files_keep_the_english_file_names():
    es = default_content_dir() / "es"
    assert sorted(p.name for p in es.glob("*.yaml")) == sorted(FILES)
    for name in FILES:
        data = yaml.safe_load((es / name).read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data, name


def test_a_spanish_email_that_leaves_a_word_dangling_is_reported(folder):
    path = folder / "es" / "emails.yaml"
    edit(path, "su decisión sobre el puesto{% if role %} de {{ role }}{% endif %}.",
         "su decisión sobre el puesto de{% if role %} {{ role }}{% endif %}.")
    found = validate_translation(folder, "es")
    line = line_of(path, "    body: |", after="- id: thank_you")
    assert len(found.problems) == 1, found.problems
    assert found.problems[0].startswith(
        f"{path}:{line}: templates[0].body: with role unknown, the draft leaves a word "
        "dangling: “decisión sobre el puesto de. Sé"), found.problems
