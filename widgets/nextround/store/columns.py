"""How each type of model field is stored: one SQLAlchemy column type per Python type.

Dates and datetimes are stored as ISO text (datetimes in fixed-width UTC) so
they sort correctly and read back exactly on SQLite and PostgreSQL alike;
free-form values are JSON text. Text is the same on both databases: a NUL
character, which PostgreSQL cannot keep in text, and a lone surrogate, which
is not text at all, are refused on both rather than on one. Each conversion
is a ``TypeDecorator``, so SQLAlchemy applies it to every value written,
compared or read, and no query has to remember it.
"""

from __future__ import annotations

import json
import types
import typing
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Boolean, Integer, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine


def datetime_text(value: datetime) -> str:
    """Fixed-width UTC text: sorts as time does and reads back as the same instant.

    A naive datetime is taken to be UTC already, since :func:`model.utcnow`
    is the only clock the package uses.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def storable_text(value: str) -> str:
    """``value`` if both databases can keep it; ``ValueError`` saying why not."""
    if "\x00" in value:
        raise ValueError("text may not hold a NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"text may not hold a lone surrogate (U+{ord(exc.object[exc.start]):04X})"
                         ) from None
    return value


class LookupText(TypeDecorator):
    """Text a column is compared with, such as an id from a URL or the command line.

    Nothing stored holds NUL or a lone surrogate, so a value holding one can
    match only what it is made into here: each such character becomes U+FFFD.
    PostgreSQL would refuse the value itself; this way a lookup of a hostile id
    is "not found" on both databases. Ids never hold U+FFFD, so for them the
    answer is exact.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect | None) -> str | None:
        if value is None or not isinstance(value, str):
            return value
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


class PlainText(TypeDecorator):
    """Text as typed, refused when either database could not keep it (:func:`storable_text`)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect | None) -> str | None:
        return None if value is None else storable_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect | None) -> str | None:
        return value

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine:
        """Values compared with the column are looked up, not stored (:class:`LookupText`)."""
        return LookupText()


class UtcDateTime(TypeDecorator):
    """A datetime, kept as fixed-width UTC text and read back in UTC."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect | None) -> str | None:
        return None if value is None else datetime_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect | None
                             ) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


class IsoDate(TypeDecorator):
    """A calendar date, kept as ``YYYY-MM-DD`` text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Dialect | None) -> str | None:
        return None if value is None else value.isoformat()

    def process_result_value(self, value: str | None, dialect: Dialect | None) -> date | None:
        return None if value is None else date.fromisoformat(value)


class JsonValue(TypeDecorator):
    """Any JSON value, kept as JSON text; ``None`` is stored as ``null``.

    NaN and infinity are refused, since JSON has no words for them and
    another reader of the database could not load them.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect | None) -> str:
        # JSON writes NUL as the escape \u0000, which both databases keep.
        return storable_text(json.dumps(value, ensure_ascii=False, allow_nan=False))

    def process_result_value(self, value: str | None, dialect: Dialect | None) -> Any:
        return None if value is None else json.loads(value)


#: The column type of each plain field type. ``datetime`` comes before
#: ``date``, its base class, although the lookup is by identity.
COLUMN_TYPES: tuple[tuple[type, type[TypeEngine]], ...] = (
    (bool, Boolean), (int, Integer), (datetime, UtcDateTime), (date, IsoDate), (str, PlainText))


def column_type(annotation: Any) -> tuple[type[TypeEngine], bool]:
    """The column type for a model field's annotation, and whether it may be NULL."""
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"no column type for {annotation!r}")
        nullable, annotation = True, args[0]
    if typing.get_origin(annotation) is Literal:
        return Text, nullable
    if annotation is Any:
        return JsonValue, True
    for python_type, sql_type in COLUMN_TYPES:
        if annotation is python_type:
            return sql_type, nullable
    raise TypeError(f"no column type for {annotation!r}; add one to "
                    "nextround.store.columns.COLUMN_TYPES")
