"""Choice answers read in any language: a saved choice shown as the page's language writes it.

A choice question's answer is saved as the text of the choice, in the language
the client answered in ("Mostly", or "Casi siempre" on a Spanish page). A
translated question keeps its choices in the English order (``check-content``
refuses one that does not), so a choice is the same choice in every language
at the same position. Reading an answer, a page in one language takes a choice
saved in another by its position among that language's choices and shows its
own text for it: the answer shows as chosen, and the strengths, gaps and plan
steps that depend on it are found, whichever language it was given in.

Nothing saved is rewritten by reading it: the store keeps the text as the
client chose it until they choose again. An answer that is a choice in no
language (content changed since) is left as it is, for the caller to refuse as
before.

Example::

    >>> from nextround.content import load_content
    >>> spanish = load_content(lang="es")
    >>> question = next(q for q in load_content().questions if q.kind == "choice")
    >>> in_language(spanish, {question.id: question.choices[0]})[question.id] == next(
    ...     q for q in spanish.questions if q.id == question.id).choices[0]
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .content import Content, ContentError, load_content
from .i18n import LANGUAGES


def _other_languages(content: Content) -> list[Content]:
    """The same content folder in every other language NextRound speaks (one that
    cannot be loaded is skipped: it cannot have been answered in)."""
    others = []
    for lang in LANGUAGES:
        if lang == content.lang:
            continue
        try:
            others.append(load_content(content.directory, lang=lang))
        except ContentError:
            continue
    return others


def choice_in(content: Content, question_id: str, value: Any,
              others: list[Content] | None = None) -> Any:
    """``value`` as ``content``'s language writes it, when it is one of the question's
    choices in another language; any other value is given back unchanged."""
    question = next((q for q in content.questions if q.id == question_id), None)
    if (question is None or question.kind != "choice" or not isinstance(value, str)
            or value in question.choices):
        return value
    for other in _other_languages(content) if others is None else others:
        theirs = next((q for q in other.questions if q.id == question_id), None)
        if (theirs is not None and value in theirs.choices
                and len(theirs.choices) == len(question.choices)):
            return question.choices[theirs.choices.index(value)]
    return value


def in_language(content: Content, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers keyed by question id, each choice written as ``content``'s language
    writes it (every other answer, and every other key, unchanged)."""
    choices = {q.id for q in content.questions if q.kind == "choice"}
    if not any(key in choices and isinstance(value, str) for key, value in answers.items()):
        return dict(answers)
    others = _other_languages(content)
    return {key: choice_in(content, key, value, others) if key in choices else value
            for key, value in answers.items()}


__all__ = ["choice_in", "in_language"]
