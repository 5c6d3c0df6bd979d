"""Load and validate the coaching content in ``content/*.yaml``.

Counsellors edit advice, questions and email templates as YAML, with no
Python. A typo there must never reach a client as a traceback, so this
module reads every file with ``yaml.safe_load`` semantics, validates it with
pydantic, and turns every problem into one line a person can act on::

    content/scenarios.yaml:14: scenarios[2].reading: Field required

:func:`load_content` gathers all problems from all files before it raises,
so one run of ``nextround check-content`` shows everything to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    ValidationError,
)

from .content_schema import (
    FILES,
    TONE_CHECK_CUES,
    ActionsFile,
    ArticleFile,
    ArticlePart,
    AssessmentFile,
    AssessmentQuestion,
    Assumption,
    Condition,
    Content,
    Cues,
    EmailsFile,
    EmailTemplate,
    FeedbackSource,
    GraciousFile,
    GraciousStep,
    HelpFile,
    HelpTopic,
    Identifier,
    Item,
    KeepSearching,
    LibraryAction,
    MoodScale,
    NonEmpty,
    PatternSet,
    Question,
    Readings,
    Reminder,
    Scale,
    Scenario,
    ScenariosFile,
    SourcedItem,
    SourcesFile,
    ToneCheck,
    ToneFile,
    ToneRule,
    ToneWords,
    WellbeingFile,
)
from .errors import ContentError
from .text import format_loc

# --- reading YAML with line numbers --------------------------------------------


def _compose(text: str) -> yaml.Node | None:
    """Parse YAML into nodes (which keep their line marks) with the safe loader.

    libyaml's parser is used when PyYAML has it: it reads the shipped content
    about fifty times faster, which every new kernel feels on its first page.
    When it finds a problem, the pure-Python parser reads the text again, so
    the message is the same with or without libyaml.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


#: A YAML file may expand aliases; this bound stops an "alias bomb" from
#: turning a few lines into billions of values.
MAX_NODES = 200_000


class _TooLarge(Exception):
    pass


#: Key under which ``lines`` records where a block scalar's text begins.
_TEXT = "<text>"


def _to_python(node: yaml.Node, path: tuple, lines: dict[tuple, int],
               budget: list[int] | None = None) -> Any:
    """Turn a node tree into plain data, recording each path's 1-based line.

    Only the safe loader's tags are constructed, so no YAML can run code.
    A repeated mapping key keeps its last value, as ``safe_load`` does.
    """
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, path + ("<key>",), {}, budget)
            if not isinstance(key, str | int | float | bool) and key is not None:
                key = str(key)
            result[key] = _to_python(value_node, path + (key,), lines, budget)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, path + (i,), lines, budget)
                for i, child in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        # A block scalar's text starts on the line after its "|" or ">".
        lines[path + (_TEXT,)] = node.start_mark.line + 2
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int:
    """The line of the deepest part of ``loc`` that exists in the file."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _problem(path: Path, line: int, loc: Iterable[Any], message: str) -> str:
    return f"{path}:{line}: {_printable(format_loc(loc))}: {_printable(message)}"


def _printable(text: str) -> str:
    """Keys and values quoted from a file may hold line breaks or control
    characters; escaping them keeps each problem one readable line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


@dataclass
class _Parsed:
    path: Path
    data: Any
    lines: dict[tuple, int]
    model: Item | None = None


def _read_file(path: Path, model: type[Item], problems: list[str]) -> _Parsed | None:
    """Read and validate one file, adding its problems to ``problems``."""
    parsed = _parse_file(path, problems)
    if parsed is None:
        return None
    if not isinstance(parsed.data, dict):
        problems.append(_problem(path, 1, (), "expected a mapping of keys at the top level"))
        return parsed
    parsed.model = _validated(parsed, model, parsed.data, problems)
    return parsed


def _validated(parsed: _Parsed, model: type[Item], data: Any, problems: list[str],
               where: Any = None) -> Item | None:
    """``data`` validated by ``model``, or None with one problem per error.

    ``where`` turns an error's location into ``(file, lines, loc)`` to report;
    by default the location is in ``parsed``'s own file.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key (check the spelling)"
            path, lines, loc = where(loc) if where else (parsed.path, parsed.lines, loc)
            problems.append(_problem(path, _line_for(loc, lines), loc, message))
    return None


def _parse_file(path: Path, problems: list[str]) -> _Parsed | None:
    """Read one YAML file into plain data with line marks, or None with its problem."""
    if not path.is_file():
        problems.append(_problem(path, 1, (), "file is missing"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(_problem(path, 1, (), f"cannot be read: {exc}"))
        return None
    try:
        node = _compose(text)
    except RecursionError:
        problems.append(_problem(path, 1, (), "not valid YAML: nested too deeply"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(_problem(path, line, (), f"not valid YAML: {reason}"))
        return None
    lines: dict[tuple, int] = {}
    try:
        data = _to_python(node, (), lines) if node is not None else None
    except (_TooLarge, RecursionError):
        problems.append(_problem(path, 1, (), f"too large: more than {MAX_NODES} values"))
        return None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(_problem(path, line, (), f"not valid YAML: {reason}"))
        return None
    return _Parsed(path, data, lines)


def _items(data: Any, key: str) -> list:
    """``data[key]`` if it is a list, else ``[]``: a wrong type is pydantic's to report."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _duplicates(parsed: _Parsed, list_key: str, problems: list[str]) -> None:
    """Report items in one list that reuse an id already taken above them."""
    seen: dict[str, int] = {}
    for i, item in enumerate(_items(parsed.data, list_key)):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        loc = (list_key, i, "id")
        if item["id"] in seen:
            problems.append(_problem(
                parsed.path, _line_for(loc, parsed.lines), loc,
                f"duplicate id '{item['id']}' (first used at {list_key}[{seen[item['id']]}])",
            ))
        else:
            seen[item["id"]] = i


def _references(parsed: _Parsed, list_key: str, field_name: str, known: set[str],
                what: str, problems: list[str]) -> None:
    """Report references from ``list_key[i].field_name`` to ids that do not exist."""
    for i, item in enumerate(_items(parsed.data, list_key)):
        if not isinstance(item, dict):
            continue
        value = item.get(field_name)
        refs = value if isinstance(value, list) else [value]
        for j, ref in enumerate(refs):
            if not isinstance(ref, str) or ref in known:
                continue
            loc = (list_key, i, field_name, j) if isinstance(value, list) else (
                list_key, i, field_name)
            problems.append(_problem(
                parsed.path, _line_for(loc, parsed.lines), loc,
                f"unknown {what} id '{ref}'",
            ))


def _mapping_reference(parsed: _Parsed, key: str, field_name: str, known: set[str],
                       what: str, problems: list[str]) -> None:
    """Report ``key.field_name`` (one mapping, not a list) naming an id that does not exist."""
    item = parsed.data.get(key)
    if not isinstance(item, dict):
        return
    ref = item.get(field_name)
    if isinstance(ref, str) and ref not in known:
        loc = (key, field_name)
        problems.append(_problem(parsed.path, _line_for(loc, parsed.lines), loc,
                                 f"unknown {what} id '{ref}'"))


def _ids(parsed: _Parsed | None, list_key: str) -> set[str]:
    if parsed is None or not isinstance(parsed.data, dict):
        return set()
    items = _items(parsed.data, list_key)
    return {item["id"] for item in items if isinstance(item, dict) and isinstance(
        item.get("id"), str)}


def _check_patterns(parsed: _Parsed, problems: list[str]) -> None:
    """Every regular expression must compile; a bad one would break matching."""
    for loc, value in _walk(parsed.data, ()):
        if "patterns" in loc[-2:-1] and isinstance(value, str):
            try:
                re.compile(value)
            except re.error as exc:
                problems.append(_problem(parsed.path, _line_for(loc, parsed.lines), loc,
                                         f"pattern does not compile: {exc}"))


def _walk(data: Any, loc: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, loc + (i,))
    else:
        yield loc, data


def _check_templates(parsed: _Parsed, problems: list[str]) -> None:
    """Every email subject and body must compile, render in the app's sandbox, and
    read well with any value unknown."""
    from .emails import compile_template, draft_problems, render_problem

    for i, item in enumerate(_items(parsed.data, "templates")):
        if not isinstance(item, dict):
            continue
        for key in ("subject", "body"):
            if not isinstance(item.get(key), str):
                continue
            error = compile_template(item[key])
            what = "does not compile"
            if error is None:
                error, what = render_problem(item[key]), "cannot be rendered"
            if error is not None:
                template_line, reason = error
                loc = ("templates", i, key)
                first = parsed.lines.get(loc + (_TEXT,), _line_for(loc, parsed.lines))
                line = first + max(template_line - 1, 0)
                problems.append(_problem(parsed.path, line, loc,
                                         f"template {what}: {reason}"))
                continue
            loc = ("templates", i, key)
            for problem in draft_problems(item[key], subject=key == "subject"):
                problems.append(_problem(parsed.path, _line_for(loc, parsed.lines), loc,
                                         problem))


def _check_question_ids(parsed: _Parsed, problems: list[str]) -> None:
    """A question's answer is saved under its id, so the id must not be another answer's key."""
    from .answer_keys import is_reserved

    for i, item in enumerate(_items(parsed.data, "questions")):
        if isinstance(item, dict) and isinstance(item.get("id"), str) \
                and is_reserved(item["id"]):
            loc = ("questions", i, "id")
            problems.append(_problem(
                parsed.path, _line_for(loc, parsed.lines), loc,
                f"the id '{item['id']}' is reserved for another saved answer; "
                "choose another id"))


def _check_conditions(parsed: _Parsed, problems: list[str]) -> None:
    """Question kinds need their settings: choices for a choice, and so on."""
    for i, item in enumerate(_items(parsed.data, "questions")):
        if not isinstance(item, dict):
            continue
        loc = ("questions", i)
        if item.get("kind") == "choice" and len(_items(item, "choices")) < 2:
            problems.append(_problem(parsed.path, _line_for(loc + ("kind",), parsed.lines),
                                     loc + ("choices",), "a choice question needs 2 or more"
                                     " choices"))


#: The list each file holds, by file: checked for duplicate ids and references.
LISTS = {"article.yaml": "parts", "sources.yaml": "sources", "scenarios.yaml": "scenarios",
         "assessment.yaml": "questions", "wellbeing.yaml": "reminders",
         "emails.yaml": "templates", "gracious.yaml": "steps", "tone.yaml": "rules",
         "actions.yaml": "actions"}


def validate_directory(directory: Path) -> tuple[Content | None, list[str]]:
    """Validate a content folder. Returns the content (if valid) and the problems."""
    content, problems, _ = _validate_parsed(directory)
    return content, problems


def _validate_parsed(directory: Path) -> tuple[Content | None, list[str],
                                                dict[str, _Parsed | None]]:
    """:func:`validate_directory`, also returning each file as read (with its lines),
    so a language folder can be compared with it without reading it again."""
    directory = Path(directory)
    problems: list[str] = []
    if not directory.is_dir():
        return None, [f"{directory}:1: (top): content folder not found"], {}
    parsed = {name: _read_file(directory / name, model, problems)
              for name, model in FILES.items()}
    _check_each_file(parsed, problems)
    _check_references(parsed, problems)
    if problems:
        return None, problems, parsed
    return _content(directory, {name: p.model for name, p in parsed.items()}), [], parsed


def _usable(parsed: _Parsed | None) -> bool:
    """True when a file was read into a mapping, so its parts can be checked."""
    return parsed is not None and isinstance(parsed.data, dict)


def _check_each_file(parsed: dict[str, _Parsed | None], problems: list[str]) -> None:
    """What one file can get wrong alone: duplicate ids, patterns, templates, questions."""
    for name, key in LISTS.items():
        if _usable(parsed[name]):
            _duplicates(parsed[name], key, problems)
            _check_patterns(parsed[name], problems)
    if _usable(parsed["wellbeing.yaml"]):
        _duplicates(parsed["wellbeing.yaml"], "assumptions", problems)
    if _usable(parsed["emails.yaml"]):
        _check_templates(parsed["emails.yaml"], problems)
    if _usable(parsed["assessment.yaml"]):
        _check_conditions(parsed["assessment.yaml"], problems)
        _check_question_ids(parsed["assessment.yaml"], problems)


def _check_references(parsed: dict[str, _Parsed | None], problems: list[str]) -> None:
    """Ids that point into another file: article parts, actions, email templates."""
    def valid(name: str) -> bool:
        return parsed[name] is not None and parsed[name].model is not None

    if valid("article.yaml"):
        parts = _ids(parsed["article.yaml"], "parts")
        for name, key in LISTS.items():
            if _usable(parsed[name]):
                _references(parsed[name], key, "source", parts, "article part", problems)
        if _usable(wellbeing := parsed["wellbeing.yaml"]):
            _references(wellbeing, "assumptions", "source", parts, "article part", problems)
            _mapping_reference(wellbeing, "mood", "source", parts, "article part", problems)
        if _usable(actions := parsed["actions.yaml"]):
            _mapping_reference(actions, "keep_searching", "source", parts, "article part",
                               problems)
    if valid("actions.yaml"):
        action_ids = _ids(parsed["actions.yaml"], "actions")
        for name, key, fld in (("scenarios.yaml", "scenarios", "actions"),
                               ("assessment.yaml", "questions", "gap_actions")):
            if _usable(parsed[name]):
                _references(parsed[name], key, fld, action_ids, "action", problems)
    if valid("emails.yaml"):
        email_ids = _ids(parsed["emails.yaml"], "templates")
        for name, key in (("sources.yaml", "sources"), ("gracious.yaml", "steps")):
            if _usable(parsed[name]):
                _references(parsed[name], key, "template", email_ids, "email template",
                            problems)


def _content(directory: Path, models: dict[str, Any]) -> Content:
    """The validated files as one :class:`Content`."""
    wellbeing: WellbeingFile = models["wellbeing.yaml"]
    actions: ActionsFile = models["actions.yaml"]
    return Content(
        directory=directory,
        parts=tuple(models["article.yaml"].parts),
        sources=tuple(models["sources.yaml"].sources),
        scenarios=tuple(models["scenarios.yaml"].scenarios),
        questions=tuple(models["assessment.yaml"].questions),
        mood=wellbeing.mood,
        reminders=tuple(wellbeing.reminders),
        assumptions=tuple(wellbeing.assumptions),
        emails=tuple(models["emails.yaml"].templates),
        gracious_steps=tuple(models["gracious.yaml"].steps),
        tone_rules=tuple(models["tone.yaml"].rules),
        actions=tuple(actions.actions),
        keep_searching=actions.keep_searching,
        tone_words=models["tone.yaml"].words,
        readings=models["scenarios.yaml"].readings,
        help=models["help.yaml"],
    )


def default_content_dir() -> Path:
    """The shipped content folder; see :mod:`nextround.paths`."""
    from .paths import content_dir

    return content_dir()


def _signature(directory: Path) -> tuple:
    """File names, sizes and modification times: changes when any file does."""
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                            for p in directory.glob("*.yaml")))
    except OSError:
        return ()


@lru_cache(maxsize=8)
def _load_cached(directory: Path, signature: tuple) -> Content:
    content, problems = validate_directory(directory)
    if content is None:
        raise ContentError(problems)
    return content


def load_content(directory: str | Path | None = None, lang: str = "en") -> Content:
    """Load and validate content, raising :class:`ContentError` with every problem.

    Results are cached until a file in the folder changes, so components can
    call this freely without re-reading YAML on every render.

    Parameters
    ----------
    directory : str or pathlib.Path, optional
        A content folder of your own (a copy of the shipped ``content/``,
        edited); None loads the shipped content (or ``NEXTROUND_CONTENT``).
    lang : str, optional
        ``"en"`` (the default) loads the English folder itself. Another code,
        such as ``"es"``, lays ``directory/es/`` over it item by item, by id
        (see :mod:`nextround.content_languages`): an item with no translation
        stays in English and is listed in ``Content.fallbacks`` as
        ``(file, id)``, and ``Content.is_fallback(file, id)`` says so. A
        language with no folder at all gives English content with every item
        listed there. Codes are read loosely: ``"es-ES"`` and ``"ES"`` mean ``"es"``.

    Returns
    -------
    Content
        The advice, questions, templates and help, validated.

    Raises
    ------
    ContentError
        With one ``file:LINE: field: message`` line per problem found,
        including a translated item whose structure differs from English.
    NextRoundError
        When ``lang`` is not a language code.

    Example
    -------
    >>> from nextround import load_content
    >>> content = load_content()
    >>> content.source("recruiter").id
    'recruiter'
    >>> load_content() is content        # cached until a file changes
    True
    >>> spanish = load_content(lang="es")
    >>> spanish.lang, spanish.scenario("skill_gap").title
    ('es', 'Faltaba una habilidad concreta')
    >>> spanish.is_fallback("scenarios.yaml", "skill_gap")
    False
    """
    path = Path(directory) if directory is not None else default_content_dir()
    path = path.resolve()
    if lang == "en":
        return _load_cached(path, _signature(path))
    from .content_languages import BASE_LANGUAGE, language_code

    code = language_code(lang)
    if code == BASE_LANGUAGE:
        return _load_cached(path, _signature(path))
    return _load_translation_cached(path, code, _signature(path), _signature(path / code))


@lru_cache(maxsize=8)
def _load_translation_cached(directory: Path, lang: str, signature: tuple,
                             translation_signature: tuple) -> Content:
    from .content_languages import validate_translation

    check = validate_translation(directory, lang)
    if check.content is None:
        raise ContentError(check.problems)
    return check.content


#: The content's models are defined in :mod:`nextround.content_schema` and
#: named here too, so readers import everything content from one place.
__all__ = [
    "ActionsFile", "ArticleFile", "ArticlePart", "AssessmentFile", "AssessmentQuestion",
    "HelpFile", "HelpTopic",
    "Assumption", "Condition", "Content", "ContentError", "Cues", "default_content_dir",
    "EmailsFile", "EmailTemplate", "FeedbackSource", "FILES", "format_loc", "GraciousFile",
    "GraciousStep", "Identifier", "Item", "KeepSearching", "LibraryAction", "load_content",
    "MoodScale", "NonEmpty", "PatternSet", "Question", "Readings", "Reminder", "Scale",
    "Scenario", "ScenariosFile", "SourcedItem", "SourcesFile", "TONE_CHECK_CUES", "ToneCheck",
    "ToneFile", "ToneRule", "ToneWords", "validate_directory", "WellbeingFile",
]
