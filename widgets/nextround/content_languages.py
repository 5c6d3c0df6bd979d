"""Content in another language: ``content/<lang>/`` laid over the English ``content/``.

A language folder holds the same file names with the same YAML structure as
the English folder, but only the items translated so far. Items are matched by
``id`` (a mapping such as ``mood`` or ``how_it_works`` by its key), so the
translated files may list them in any order; the English order is kept. An
English item with no translation is used as it is and recorded in
:attr:`Content.fallbacks <nextround.content_schema.Content.fallbacks>`, so the
counsellor can be shown "not yet translated" beside it.

A translated item must have the English item's structure: the same keys, the
same list lengths, the same ids, references (``source``, ``template``,
``actions``), kinds, numbers and answer values, and the same placeholders in
an email. Only its words differ. Anything else is a *structure difference*,
reported with file and line like every other content problem, and the
content is refused, because answers are saved under question ids and choices.

**Judgement data** (the cue lists of scenarios and assumptions, the scenario
``readings``, and the tone rules' ``patterns``, ``check`` and ``cues`` and
word lists) is not text to translate: each language tunes its own on real
messages in that language. A translated item may leave it out, and then the
English data is kept; when given, it replaces the English data and is not
compared with it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .content_schema import FILES, Content, Item
from .errors import NextRoundError

#: The language the base ``content/`` folder is written in.
BASE_LANGUAGE = "en"

#: A language code as folders are named: ISO 639-1 or 639-2, lowercase.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")

#: Keys whose values are words to translate: they may differ from English in
#: everything but shape (a list keeps its length, a mapping its keys).
TEXT_KEYS = frozenset({
    "title", "summary", "name", "why", "expect", "heard", "reading", "text", "hint",
    "low", "high", "strength", "gap", "question", "labels", "detail", "label", "reframe",
    "control", "choices", "subject", "body", "avoid", "alternative", "message",
})

#: Judgement fields of list items, by file and list: left out, the English is kept.
JUDGEMENT_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("scenarios.yaml", "scenarios"): frozenset({"cues"}),
    ("wellbeing.yaml", "assumptions"): frozenset({"cues"}),
    ("tone.yaml", "rules"): frozenset({"patterns", "check", "cues"}),
}

#: Whole sections that are judgement data only: they hold no text to translate.
JUDGEMENT_SECTIONS = frozenset({("scenarios.yaml", "readings"), ("tone.yaml", "words")})

#: Email fields whose placeholders (``{{ role }}``) must match the English ones.
TEMPLATE_KEYS = frozenset({"subject", "body"})

#: Keys of an assessment condition whose values may name a choice.
CONDITION_KEYS = frozenset({"equals", "one_of"})


def language_code(lang: str) -> str:
    """``lang`` as a folder name: ``"es"`` from ``"es"``, ``"ES"``, ``"es-ES"`` or ``"es_MX"``.

    Raises :class:`~nextround.errors.NextRoundError` for anything that is not a
    language code, so a mistyped ``?lang=`` never reaches the file system.
    """
    if not isinstance(lang, str):
        raise NextRoundError(f"A language is a code such as 'es', not {lang!r}.")
    code = lang.strip().lower().replace("-", "_").split("_")[0]
    if not LANGUAGE_CODE.match(code):
        raise NextRoundError(
            f"Unknown language code {lang!r}: use two or three letters such as 'es'.")
    return code


def language_folders(directory: Path) -> list[str]:
    """The language codes with a folder inside a content folder, sorted.

    A language folder is named by a code and holds at least one content file,
    so a folder such as ``old/`` holding something else is not taken for one.
    """
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir()
                  if p.is_dir() and LANGUAGE_CODE.match(p.name) and p.name != BASE_LANGUAGE
                  and any((p / name).is_file() for name in FILES))


@dataclass
class TranslationCheck:
    """What :func:`validate_translation` found for one language.

    ``problems`` refuse the content: invalid files, structure differences and
    translated ids with no English item. ``missing`` names every English item
    with no translation, at the English item's file and line; those items
    fall back to English. ``translated`` and ``total`` count items.
    """

    lang: str
    content: Content | None
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    translated: int = 0
    total: int = 0


# --- the sections of a file ----------------------------------------------------------


def _sections(model: type[Item]) -> Iterator[tuple[str, bool, type[Item]]]:
    """Each top-level key of a file model: its name, whether it is a list, its item model."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) is list:
            yield name, True, typing.get_args(annotation)[0]
        else:
            yield name, False, annotation


def _item_id(item: Any) -> str | None:
    return item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) \
        else None


# --- comparing a translated item with the English one ---------------------------------


def _placeholders(source: str) -> set[str]:
    """The variables an email template uses (``role``, ``company``, ...)."""
    from jinja2 import Environment, TemplateSyntaxError, meta

    try:
        return meta.find_undeclared_variables(Environment().parse(source))
    except TemplateSyntaxError:
        return set()  # reported as a template that does not compile


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def differences(english: Any, translated: Any, loc: tuple = (), *, key: Any = None,
                skip: frozenset[str] = frozenset(),
                choices: dict[str, str] | None = None) -> Iterator[tuple[tuple, str]]:
    """Where ``translated`` differs from ``english`` in more than its words.

    Yields ``(loc, message)`` pairs; ``loc`` is a path inside the translated
    item. ``skip`` names top-level judgement keys not to compare, and
    ``choices`` maps an English choice to its translation, so a condition
    naming a choice is compared through it.
    """
    if key in TEXT_KEYS:
        yield from _text_differences(english, translated, loc, key)
        return
    if key in CONDITION_KEYS and choices:
        if isinstance(english, list):
            english = [choices.get(v, v) if isinstance(v, str) else v for v in english]
        elif isinstance(english, str):
            english = choices.get(english, english)
    if isinstance(english, dict):
        if not isinstance(translated, dict):
            yield loc, "a mapping of keys in English, as it must be here"
            return
        for name in english:
            if name not in translated and name not in skip:
                yield loc, f"the key '{name}' is missing (the English item has it)"
        for name in translated:
            if name not in english and name not in skip:
                yield loc + (name,), f"the key '{name}' is not in the English item"
        for name in english:
            if name in translated and name not in skip:
                yield from differences(english[name], translated[name], loc + (name,),
                                       key=name, choices=choices)
    elif isinstance(english, list):
        if not isinstance(translated, list) or len(translated) != len(english):
            yield loc, _length_message(english, translated)
            return
        for i, (en_value, tr_value) in enumerate(zip(english, translated, strict=True)):
            yield from differences(en_value, tr_value, loc + (i,), key=key if isinstance(
                en_value, str | bool | int | float) else None, choices=choices)
    elif english != translated:
        what = "reference" if key in ("source", "template", "actions", "gap_actions") else \
            "value"
        yield loc, (f"{_shown(translated)} here, {_shown(english)} in English: keep the "
                    f"English {what}")


def _length_message(english: list, translated: Any) -> str:
    if not isinstance(translated, list):
        return f"a list of {len(english)} in English, as it must be here"
    return f"{len(translated)} items here, {len(english)} in English"


def _text_differences(english: Any, translated: Any, loc: tuple, key: str
                      ) -> Iterator[tuple[tuple, str]]:
    if isinstance(english, list) and (not isinstance(translated, list)
                                      or len(translated) != len(english)):
        yield loc, _length_message(english, translated)
    elif isinstance(english, dict):
        if not isinstance(translated, dict) or set(translated) != set(english):
            keys = sorted(english, key=str)
            yield loc, f"needs the same keys as in English: {', '.join(map(str, keys))}"
    elif key in TEMPLATE_KEYS and isinstance(english, str) and isinstance(translated, str):
        en_vars, tr_vars = _placeholders(english), _placeholders(translated)
        if en_vars != tr_vars:
            parts = []
            if en_vars - tr_vars:
                parts.append("missing " + ", ".join(sorted(en_vars - tr_vars)))
            if tr_vars - en_vars:
                parts.append("not in English: " + ", ".join(sorted(tr_vars - en_vars)))
            yield loc, f"placeholders differ from English ({'; '.join(parts)})"


def _choice_map(english: dict, translated: dict) -> dict[str, str]:
    """English choice → translated choice, by position, for conditions."""
    en_choices, tr_choices = english.get("choices"), translated.get("choices")
    if isinstance(en_choices, list) and isinstance(tr_choices, list) \
            and len(en_choices) == len(tr_choices):
        return {en: tr for en, tr in zip(en_choices, tr_choices, strict=True)
                if isinstance(en, str)}
    return {}


#: Words a sentence cannot end on, by language: when a template leaves a value out
#: after one of them ("el puesto de ."), the draft reads badly. English has its own
#: list in :mod:`nextround.emails`, which checks every language's templates too.
DANGLING_WORDS: dict[str, re.Pattern[str]] = {
    "es": re.compile(r"\b(?:de|del|en|con|a|al|para|por|sobre|desde|hasta|el|la|los|las|un|"
                     r"una|y|e|o|u|que|estimado|estimada|estimado/a)(?=\s*[,.;:!?]|\s*$)",
                     re.IGNORECASE | re.MULTILINE),
}


def dangling_words(source: str, lang: str, *, subject: bool = False) -> list[str]:
    """How an email template in ``lang`` leaves a word dangling when a value is unknown.

    The template is rendered as the app renders it, with every combination of
    known and unknown values; one line per combination that reads badly.
    """
    from .emails import ALWAYS_KNOWN, _template, unknown_combinations

    pattern = DANGLING_WORDS.get(lang)
    if pattern is None:
        return []
    from jinja2 import Environment, TemplateSyntaxError, meta

    try:
        used = meta.find_undeclared_variables(Environment().parse(source))
    except TemplateSyntaxError:
        return []
    for unknown, context in unknown_combinations(sorted(used | set(ALWAYS_KNOWN))):
        text = _template(source).render(context)
        text = " ".join(text.split()) if subject else text.strip()
        found = pattern.search(text)
        if found:
            start = max(0, found.start() - 25)
            when = f"with {', '.join(unknown)} unknown" if unknown else "with every value known"
            excerpt = " ".join(text[start:found.end() + 10].split())
            return [f"{when}, the draft leaves a word dangling: “{excerpt}”"]
    return []


def _inherit(english: dict, translated: dict, judgement: frozenset[str]) -> dict:
    """The translated item, with judgement fields it leaves out taken from English."""
    merged = dict(translated)
    for name in judgement:
        if name not in merged and name in english:
            merged[name] = english[name]
    return merged


# --- laying one translated file over the English one ---------------------------------


@dataclass
class _Overlay:
    """Everything found while laying a language folder over the English one."""

    lang: str
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    fallbacks: set[tuple[str, str]] = field(default_factory=set)
    translated: int = 0
    total: int = 0


def _overlay_file(name: str, english, translated, found: _Overlay) -> dict:
    """The English file's data with each translated item put in place of its own.

    ``english`` is the parsed, valid English file; ``translated`` the parsed
    language file, or None when the language has no such file.
    """
    from .content import _line_for, _problem

    merged = dict(english.data)
    tr_data = translated.data if translated is not None else {}
    model = FILES[name]
    if translated is not None and not isinstance(tr_data, dict):
        found.problems.append(_problem(translated.path, 1, (),
                                       "expected a mapping of keys at the top level"))
        tr_data = {}
    known = {section for section, _, _ in _sections(model)}
    for section in tr_data:
        if section not in known:
            loc = (section,)
            found.problems.append(_problem(translated.path, _line_for(loc, translated.lines),
                                           loc, "unknown key (check the spelling)"))
    for section, is_list, _ in _sections(model):
        if section not in english.data:
            continue
        if (name, section) in JUDGEMENT_SECTIONS:
            if section in tr_data:
                merged[section] = tr_data[section]
            continue
        if is_list:
            merged[section] = _overlay_list(name, section, english, translated, found)
        else:
            merged[section] = _overlay_one(name, section, english, translated, found)
    return merged


def _english_line(english, loc: tuple) -> int:
    from .content import _line_for

    return _line_for(loc, english.lines)


def _missing(name: str, item_id: str, english, loc: tuple, translated, found: _Overlay
             ) -> None:
    from .content import _problem

    where = translated.path if translated is not None else f"{found.lang}/{name}"
    found.missing.append(_problem(english.path, _english_line(english, loc), loc,
                                  f"not translated into '{found.lang}' yet: no item "
                                  f"'{item_id}' in {where}"))
    found.fallbacks.add((name, item_id))


def _compare(name: str, english_item: Any, english_loc: tuple, english, translated_item: Any,
             translated_loc: tuple, translated, found: _Overlay,
             judgement: frozenset[str] = frozenset()) -> None:
    """Report every structure difference of one translated item, at its own line."""
    from .content import _line_for, _problem

    choices = _choice_map(english_item, translated_item) if isinstance(
        english_item, dict) and isinstance(translated_item, dict) else {}
    english_at = f"{english.path}:{_english_line(english, english_loc)}"
    for loc, message in differences(english_item, translated_item, translated_loc,
                                    skip=judgement, choices=choices):
        found.problems.append(_problem(translated.path, _line_for(loc, translated.lines), loc,
                                       f"{message} (English: {english_at})"))


def _overlay_list(name: str, section: str, english, translated, found: _Overlay) -> list:
    """One list section: translated items by id, English ones where none is given."""
    from .content import _line_for, _problem

    en_items = english.data.get(section) or []
    tr_items = translated.data.get(section, []) if translated is not None and isinstance(
        translated.data, dict) else []
    if not isinstance(tr_items, list):
        loc = (section,)
        found.problems.append(_problem(translated.path, _line_for(loc, translated.lines), loc,
                                       "a list in English, as it must be here"))
        tr_items = []
    en_ids = {_item_id(item) for item in en_items}
    by_id: dict[str, int] = {}
    for j, item in enumerate(tr_items):
        item_id = _item_id(item)
        loc = (section, j, "id")
        if item_id is None:
            found.problems.append(_problem(translated.path, _line_for(loc, translated.lines),
                                           loc, "each item needs the id of an English item"))
        elif item_id not in en_ids:
            found.problems.append(_problem(translated.path, _line_for(loc, translated.lines),
                                           loc, f"no English item has the id '{item_id}'"))
        elif item_id not in by_id:
            by_id[item_id] = j  # a repeated id is reported as a duplicate
    judgement = JUDGEMENT_FIELDS.get((name, section), frozenset())
    result = []
    for i, en_item in enumerate(en_items):
        item_id = _item_id(en_item)
        found.total += 1
        if item_id not in by_id:
            _missing(name, item_id, english, (section, i, "id"), translated, found)
            result.append(en_item)
            continue
        j = by_id[item_id]
        found.translated += 1
        _compare(name, en_item, (section, i), english, tr_items[j], (section, j), translated,
                 found, judgement)
        result.append(_inherit(en_item, tr_items[j], judgement))
    return result


def _overlay_one(name: str, section: str, english, translated, found: _Overlay) -> Any:
    """One mapping section (``mood``, ``keep_searching``, a help topic) as one item."""
    en_item = english.data[section]
    found.total += 1
    if translated is None or not isinstance(translated.data, dict) \
            or section not in translated.data:
        _missing(name, section, english, (section,), translated, found)
        return en_item
    found.translated += 1
    tr_item = translated.data[section]
    _compare(name, en_item, (section,), english, tr_item, (section,), translated, found)
    return tr_item


# --- the whole language folder ----------------------------------------------------------


def validate_translation(directory: Path, lang: str) -> TranslationCheck:
    """Validate ``directory/<lang>/`` against the English ``directory``.

    The English folder is validated first; its problems are returned alone,
    since a translation cannot be compared with content that does not load.
    Then every translated file is read with the same checks as an English
    one (each problem with file and line), compared item by item, and laid
    over the English content.
    """
    from .content import (
        LISTS,
        _check_conditions,
        _check_patterns,
        _check_templates,
        _content,
        _duplicates,
        _parse_file,
        _problem,
        _validate_parsed,
        _validated,
    )

    directory = Path(directory)
    lang = language_code(lang)
    base, problems, english = _validate_parsed(directory)
    if base is None:
        return TranslationCheck(lang, None, problems)
    found = _Overlay(lang)
    folder = directory / lang
    translated: dict[str, Any] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml") and path.name not in FILES:
                found.problems.append(_problem(
                    path, 1, (), "not a content file (the files are: "
                    + ", ".join(FILES) + ")"))
        for name in FILES:
            if (folder / name).is_file():
                translated[name] = _parse_file(folder / name, found.problems)
                if translated[name] is None:
                    translated[name] = _Unreadable()
    models: dict[str, Any] = {}
    for name, model in FILES.items():
        tr = translated.get(name)
        if isinstance(tr, _Unreadable):
            # Reported already; its items fall back so the rest can be checked.
            tr = None
        merged = _overlay_file(name, english[name], tr, found)
        if tr is not None and isinstance(tr.data, dict):
            if name in LISTS:
                _duplicates(tr, LISTS[name], found.problems)
                _check_patterns(tr, found.problems)
            if name == "wellbeing.yaml":
                _duplicates(tr, "assumptions", found.problems)
            if name == "emails.yaml":
                _check_templates(tr, found.problems)
                _check_dangling(tr, lang, found.problems)
            if name == "assessment.yaml":
                _check_conditions(tr, found.problems)
        models[name] = _validated(english[name], model, merged, found.problems,
                                  where=_locator(name, english[name], tr, merged))
    check = TranslationCheck(lang, None, found.problems, found.missing,
                             found.translated, found.total)
    if found.problems:
        return check
    content = _content(directory, models)
    check.content = replace(content, lang=lang, fallbacks=frozenset(found.fallbacks))
    return check


def _check_dangling(translated, lang: str, problems: list[str]) -> None:
    """Each translated email subject and body, read for the language's dangling words."""
    from .content import _line_for, _problem

    for i, item in enumerate(translated.data.get("templates") or []):
        if not isinstance(item, dict):
            continue
        for key in ("subject", "body"):
            if isinstance(item.get(key), str):
                loc = ("templates", i, key)
                for problem in dangling_words(item[key], lang, subject=key == "subject"):
                    problems.append(_problem(translated.path,
                                             _line_for(loc, translated.lines), loc, problem))


class _Unreadable:
    """A translated file that exists but could not be read (its problem is reported)."""


def _locator(name: str, english, translated, merged: dict):
    """Map a validation error in the merged data to the file and line it came from."""
    def where(loc: tuple):
        if translated is None or not loc:
            return english.path, english.lines, loc
        section = loc[0]
        value = merged.get(section)
        if isinstance(value, list) and len(loc) > 1 and isinstance(loc[1], int) \
                and loc[1] < len(value):
            item_id = _item_id(value[loc[1]])
            tr_items = translated.data.get(section)
            if isinstance(tr_items, list):
                for j, item in enumerate(tr_items):
                    if _item_id(item) == item_id:
                        return translated.path, translated.lines, (section, j) + loc[2:]
            return english.path, english.lines, loc
        if isinstance(translated.data, dict) and section in translated.data:
            return translated.path, translated.lines, loc
        return english.path, english.lines, loc
    return where
