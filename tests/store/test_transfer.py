"""Export and import at the store level: a client read in one snapshot and written
back all or nothing, with every problem in a bad file named."""

from __future__ import annotations

import os

import pytest

from nextround import model
from nextround.errors import WorkbookError

FULL = os.environ.get("NEXTROUND_FULL") == "1"


# --- export and import (store level) -----------------------------------------


def test_export_records_shape_and_notes_flag(store, filled_client):
    data = store.export_records(filled_client.id)
    assert list(data) == ["client", "applications", "feedback", "answers", "checkins",
                          "thoughts", "actions", "contacts"]
    assert data["client"]["name"] == "Ada Lovelace"
    assert [a["company"] for a in data["applications"]] == ["Acme & Sons", "Globex"]
    assert data["applications"][0]["applied_on"] == "2024-03-01"
    assert data["checkins"][0]["at"] == "2024-03-21T09:30:00Z"
    with_notes = store.export_records(filled_client.id, include_notes=True)
    assert [n["text"] for n in with_notes["notes"]] == ["Private: client was upset."]


def test_import_round_trip_is_exact(store, filled_client):
    data = store.export_records(filled_client.id, include_notes=True)
    store.erase_client(filled_client.id)
    client = store.import_records(data)
    assert client == filled_client
    assert store.export_records(client.id, include_notes=True) == data


def test_import_reports_every_problem_and_writes_nothing(store, filled_client, count_rows):
    data = store.export_records(filled_client.id, include_notes=True)
    store.erase_client(filled_client.id)
    data["applications"][1]["applied_on"] = "not a date"
    data["checkins"][0]["client_id"] = "ffffffffffff"
    data["feedback"][0]["application_id"] = "0000000000000000"
    data["contacts"].append(dict(data["contacts"][0]))
    data["extras"] = []
    before = count_rows()
    with pytest.raises(WorkbookError) as caught:
        store.import_records(data)
    assert str(caught.value).splitlines() == [
        "The workbook cannot be imported; nothing was written.",
        "extras: unknown section",
        "applications[1].applied_on: Input should be a valid date or datetime, "
        "invalid character in year",
        "contacts[1].id: the same id appears twice",
        "checkins[0].client_id: does not match the client's id",
        "feedback[0].application_id: no application with this id is in the file",
    ]
    assert count_rows() == before


def test_import_of_a_client_already_present_writes_nothing(store, filled_client, count_rows):
    data = store.export_records(filled_client.id)
    data["client"]["name"] = "Someone else"
    before = count_rows()
    with pytest.raises(WorkbookError, match=r"^This client \(Someone else\) is already in the "
                                            r"store; erase them first"):
        store.import_records(data)
    assert count_rows() == before
    assert store.get_client(filled_client.id).name == "Ada Lovelace"


def test_import_refuses_record_ids_held_by_another_client(store, filled_client, count_rows):
    data = store.export_records(filled_client.id)
    new_id = "abcdefabcdef0000"
    data["client"]["id"] = new_id
    for name in model.CHILD_RECORDS:
        for item in data.get(name, []):
            item["client_id"] = new_id
    before = count_rows()
    with pytest.raises(WorkbookError, match=r"applications\[0\]\.id: a record with this id is "
                                            "already in the store"):
        store.import_records(data)
    assert count_rows() == before


def test_import_of_non_object_is_refused(store):
    with pytest.raises(WorkbookError, match="expected an object"):
        store.import_records(["not", "a", "dict"])


