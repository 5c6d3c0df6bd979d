"""Checking values before they are saved, with messages for a person.

The record models do the checking; this module turns what pydantic reports
into lines that say where and what (``applications[3].applied_on: ...``),
shared by the store's writes and the workbook file's import.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from .. import model
from ..errors import NextRoundError
from ..text import format_loc

R = TypeVar("R", bound=model.Record)


def validation_problems(exc: ValidationError, prefix: str = "") -> list[str]:
    """One ``where: what`` line per pydantic error."""
    return [f"{format_loc(err['loc'], prefix)}: {err['msg']}" for err in exc.errors()]


def validated(record_type: type[R], data: dict[str, Any]) -> R:
    """Build a record, turning a validation error into a message for a person."""
    try:
        return record_type.model_validate(data)
    except ValidationError as exc:
        raise NextRoundError("; ".join(validation_problems(exc))) from exc


def clean_name(name: Any) -> str:
    """A client name as :func:`model.clean_name` keeps it; a blank name is refused."""
    if not isinstance(name, str) or not name.strip():
        raise NextRoundError("A client needs a name.")
    try:
        return model.clean_name(name)
    except ValueError as exc:
        raise NextRoundError(f"This name cannot be used: {exc}.") from None


def unchangeable(changes: dict[str, Any]) -> None:
    """Refuse changes to the fields that say which record it is and whose."""
    fixed = sorted({"id", "client_id"} & changes.keys())
    if fixed:
        raise NextRoundError(f"A record's {' and '.join(fixed)} cannot be changed.")
