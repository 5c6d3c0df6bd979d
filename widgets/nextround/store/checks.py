"""Checking values before they are saved, with messages for a person.

The record models do the checking; this module turns what pydantic reports
into lines that say where and what (``applications[3].applied_on: ...``),
shared by the store's writes and the workbook file's import.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import ValidationError

from .. import model
from ..errors import NextRoundError
from ..i18n import N_, SOURCE_LANGUAGE, _, current_language, ngettext
from ..text import format_loc, number

R = TypeVar("R", bound=model.Record)


def validation_problems(exc: ValidationError, prefix: str = "") -> list[str]:
    """One ``where: what`` line per pydantic error, the *what* in the reader's language."""
    return [f"{format_loc(err['loc'], prefix)}: {problem_text(err)}" for err in exc.errors()]


#: What each kind of pydantic error means, in words the catalogue translates
#: (pydantic's own messages are English only). Placeholders name the error's context.
PROBLEM_TEXTS: dict[str, str] = {
    "missing": N_("this field is required"),
    "extra_forbidden": N_("this field is not known here"),
    "string_type": N_("should be text"),
    "string_pattern_mismatch": N_("is not in the expected form"),
    "int_type": N_("should be a whole number"),
    "int_parsing": N_("should be a whole number"),
    "int_from_float": N_("should be a whole number"),
    "float_type": N_("should be a number"),
    "float_parsing": N_("should be a number"),
    "bool_type": N_("should be true or false"),
    "bool_parsing": N_("should be true or false"),
    "date_type": N_("should be a date (year-month-day)"),
    "date_parsing": N_("should be a date (year-month-day)"),
    "date_from_datetime_parsing": N_("should be a date (year-month-day)"),
    "date_from_datetime_inexact": N_("should be a date without a time"),
    "datetime_type": N_("should be a date and time"),
    "datetime_parsing": N_("should be a date and time"),
    "datetime_from_date_parsing": N_("should be a date and time"),
    "list_type": N_("should be a list"),
    "dict_type": N_("should be an object"),
    "model_type": N_("should be an object"),
    "model_attributes_type": N_("should be an object"),
    "literal_error": N_("should be one of: {expected}"),
    "enum": N_("should be one of: {expected}"),
    "greater_than_equal": N_("should be at least {ge}"),
    "greater_than": N_("should be more than {gt}"),
    "less_than_equal": N_("should be at most {le}"),
    "less_than": N_("should be less than {lt}"),
}


def problem_text(error: dict[str, Any]) -> str:
    """One pydantic error as a person reads it, in the language in force.

    English is pydantic's own message. In another language, our own validators'
    ``ValueError`` words (already translated) are shown as raised, and a kind of
    error with no words of ours is named generally rather than left in English.
    """
    if current_language() == SOURCE_LANGUAGE:
        return error["msg"]  # English reads exactly as pydantic says it, as it always has
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    if kind in ("string_too_long", "too_long"):
        most = int(context.get("max_length", 0))
        return ngettext("can be at most {count} character long",
                        "can be at most {count} characters long", most).format(
                            count=number(most))
    if kind in ("string_too_short", "too_short"):
        least = int(context.get("min_length", 0))
        if least <= 1:
            return _("cannot be empty")
        return ngettext("needs at least {count} character", "needs at least {count} characters",
                        least).format(count=number(least))
    text = PROBLEM_TEXTS.get(kind)
    if text is None:
        return _("is not a valid value")
    values = {name: (number(value) if isinstance(value, int | float) else str(value))
              for name, value in context.items()}
    if "expected" in values:  # pydantic joins the choices with an English "or"
        values["expected"] = ", ".join(re.findall(r"'[^']*'", values["expected"])) \
            or values["expected"]
    try:
        return _(text).format(**values)
    except (KeyError, IndexError):
        return _("is not a valid value")


def validated(record_type: type[R], data: dict[str, Any]) -> R:
    """Build a record, turning a validation error into a message for a person."""
    try:
        return record_type.model_validate(data)
    except ValidationError as exc:
        raise NextRoundError("; ".join(validation_problems(exc))) from exc


def clean_name(name: Any) -> str:
    """A client name as :func:`model.clean_name` keeps it; a blank name is refused."""
    if not isinstance(name, str) or not name.strip():
        raise NextRoundError(_("A client needs a name."))
    try:
        cleaned = model.clean_name(name)
    except ValueError as exc:
        raise NextRoundError(_("This name cannot be used: {why}.").format(why=exc)) from None
    if len(cleaned) > model.MAX_NAME:
        raise NextRoundError(ngettext(
            "A client's name can be at most {count} character long; this one has {length}.",
            "A client's name can be at most {count} characters long; this one has {length}.",
            model.MAX_NAME).format(count=number(model.MAX_NAME), length=number(len(cleaned))))
    return cleaned


def unchangeable(changes: dict[str, Any]) -> None:
    """Refuse changes to the fields that say which record it is and whose."""
    fixed = sorted({"id", "client_id"} & changes.keys())
    if fixed:
        raise NextRoundError(f"A record's {' and '.join(fixed)} cannot be changed.")
