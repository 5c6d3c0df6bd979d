"""Answers, resume state and the client's last activity, inside a transaction.

Answers are kept one per question (client, application, key). Resume state
(which step, which application) shares the table under keys starting with
:data:`STATE_PREFIX`, so it saves the same way but never counts as an
answer or as the client's activity.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text, func, select, type_coerce, update
from sqlalchemy.engine import Connection

from .. import answer_keys as keys
from .. import model
from .columns import JsonValue
from .rows import insert_records
from .schema import ENTRY_TIMES, TABLES

#: Answers whose key starts with this hold resume state, not client answers.
#: Defined by the answer-key registry (``state.<name>``).
STATE_PREFIX = keys.STATE.namespace + "."

_JSON = JsonValue()


def upsert_answer(conn: Connection, answer: model.Answer) -> model.Answer:
    """Replace the value of an existing answer (keeping its id) or insert it.

    Saving the same value again changes nothing, not even the time: an
    answer's time is when the client last changed it, so merely opening a
    step that re-saves what it shows is not counted as activity. Values are
    compared as stored JSON text, so ``1`` and ``true`` stay different.
    """
    table = TABLES["answers"]
    stored_text = type_coerce(table.c.value, Text).label("value")
    existing = conn.execute(select(table.c.id, stored_text, table.c.updated_at).where(
        table.c.client_id == answer.client_id,
        table.c.application_id == answer.application_id,
        table.c.key == answer.key)).first()
    if existing is None:
        insert_records(conn, "answers", [answer])
        return answer
    if existing.value == _JSON.process_bind_param(answer.value, None):
        return answer.model_copy(update={"id": existing.id, "updated_at": existing.updated_at})
    conn.execute(update(table).where(table.c.id == existing.id)
                 .values(value=answer.value, updated_at=answer.updated_at))
    return answer.model_copy(update={"id": existing.id})


def state_answers(client_id: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer fields that keep resume state ``values``."""
    return [{"client_id": client_id, "key": STATE_PREFIX + key, "value": value}
            for key, value in values.items()]


def split_state(answers: list[model.Answer]) -> tuple[dict[str, Any], dict[str, Any]]:
    """General answers as ``({key: value}, {state key: value})``: answers, then state."""
    given, state = {}, {}
    for answer in answers:
        if answer.key.startswith(STATE_PREFIX):
            state[answer.key[len(STATE_PREFIX):]] = answer.value
        else:
            given[answer.key] = answer.value
    return given, state


def latest_entries(conn: Connection, client_id: str | None = None) -> dict[str, datetime]:
    """The latest entry time of one client, or of every client (one query per field).

    The fixed-width UTC text the times are kept as sorts as time does, so the
    database's ``max`` is the latest entry.
    """
    latest: dict[str, datetime] = {}
    for table, field in ENTRY_TIMES:
        query = select(table.c.client_id, func.max(table.c[field]))
        if table.name == "answers":
            query = query.where(~table.c.key.startswith(STATE_PREFIX))
        if client_id is not None:
            query = query.where(table.c.client_id == client_id)
        for owner_id, value in conn.execute(query.group_by(table.c.client_id)):
            if value is not None and (owner_id not in latest or value > latest[owner_id]):
                latest[owner_id] = value
    return latest
