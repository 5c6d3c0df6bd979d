"""People and the assignment of clients to counsellors, through the store's API.

On SQLite as on PostgreSQL: adding people, assigning a client, handing them
over with the history kept, one current counsellor at most, and erasing a
client taking their person and assignments with them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from nextround import model
from nextround.errors import NextRoundError, NotFound
from nextround.store import Store
from nextround.store.people import ASSIGNMENTS, PEOPLE


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):
    """A store on SQLite, then on a new PostgreSQL database as its owner."""
    url = (tmp_path / "nextround.db" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    with Store(url) as opened:
        yield opened


def test_a_store_with_no_people_works_as_before(store):
    client = store.create_client("Ada")
    assert store.list_people() == []
    assert store.current_counsellor(client.id) is None
    assert store.connected_person() is None
    assert [c.name for c in store.list_clients()] == ["Ada"]


def test_people_of_each_kind_are_added_and_listed(any_store):
    store = any_store
    ada = store.create_client("Ada Lovelace")
    sam = store.add_person("counsellor", "Sam Okafor")
    kim = store.add_person("supervisor", "Kim Tan")
    client_person = store.add_person("client", "", client_id=ada.id)
    assert client_person.name == "Ada Lovelace"  # taken from the client record
    assert [p.name for p in store.list_people()] == ["Ada Lovelace", "Kim Tan", "Sam Okafor"]
    assert store.list_people("counsellor") == [sam]
    assert store.get_person(kim.id) == kim


@pytest.mark.parametrize(("kind", "client_id", "problem"), [
    ("client", None, "needs the id of their client record"),
    ("counsellor", "c0ffee000001", "is not a client"),
    ("janitor", None, "kind"),
])
def test_a_person_who_does_not_fit_their_kind_is_refused(store, kind, client_id, problem):
    with pytest.raises(NextRoundError, match=problem):
        store.add_person(kind, "Someone", client_id=client_id)
    assert store.list_people() == []


def test_a_client_has_one_person_and_a_role_one_owner(store):
    ada = store.create_client("Ada")
    store.add_person("client", "Ada", client_id=ada.id, role_name="nextround_client_x1")
    with pytest.raises(NextRoundError, match="already has a person"):
        store.add_person("client", "Ada again", client_id=ada.id)
    with pytest.raises(NextRoundError, match="role already belongs"):
        store.add_person("counsellor", "Sam", role_name="nextround_client_x1")
    with pytest.raises(NextRoundError, match="not a valid role name"):
        store.add_person("counsellor", "Sam", role_name='x"; DROP TABLE people; --')


def test_assigning_and_handing_over_keeps_the_history(any_store):
    store = any_store
    ada, bo = store.create_client("Ada"), store.create_client("Bo")
    sam = store.add_person("counsellor", "Sam")
    lee = store.add_person("counsellor", "Lee")
    first = store.assign(ada.id, sam.id)
    store.assign(bo.id, sam.id)
    assert [c.name for c in store.counsellor_clients(sam.id)] == ["Ada", "Bo"]
    assert store.current_counsellor(ada.id) == sam

    second = store.hand_over(ada.id, lee.id)
    assert store.current_counsellor(ada.id) == lee
    assert [c.name for c in store.counsellor_clients(sam.id)] == ["Bo"]
    assert [c.name for c in store.counsellor_clients(lee.id)] == ["Ada"]
    history = store.assignments(ada.id)
    assert [(a.id, a.counsellor_id) for a in history] == [(first.id, sam.id),
                                                         (second.id, lee.id)]
    assert history[0].until == history[1].since and history[1].until is None


def test_a_client_never_has_two_current_counsellors(any_store):
    store = any_store
    ada = store.create_client("Ada")
    sam, lee = store.add_person("counsellor", "Sam"), store.add_person("counsellor", "Lee")
    store.assign(ada.id, sam.id)
    with pytest.raises(NextRoundError, match="hand them over instead"):
        store.assign(ada.id, lee.id)
    with pytest.raises(NextRoundError, match="already with that counsellor"):
        store.hand_over(ada.id, sam.id)
    # The database refuses a second open assignment even when asked directly.
    with pytest.raises(IntegrityError, match="(?i)unique"), store.engine.begin() as conn:
        conn.execute(ASSIGNMENTS.insert().values(
            id="f00d00000001", client_id=ada.id, counsellor_id=lee.id,
            since=model.utcnow(), until=None, seq=99))
    assert store.current_counsellor(ada.id) == sam


def test_only_a_counsellor_is_given_clients_and_only_known_clients(any_store):
    store = any_store
    ada = store.create_client("Ada")
    kim = store.add_person("supervisor", "Kim")
    with pytest.raises(NextRoundError, match="not a counsellor"):
        store.assign(ada.id, kim.id)
    sam = store.add_person("counsellor", "Sam")
    with pytest.raises(NotFound):
        store.assign("c0ffee0000ff", sam.id)
    with pytest.raises(NextRoundError, match="no counsellor yet"):
        store.hand_over(ada.id, sam.id)


def test_erasing_a_client_takes_their_person_and_assignments(any_store):
    store = any_store
    ada, bo = store.create_client("Ada"), store.create_client("Bo")
    sam = store.add_person("counsellor", "Sam")
    lee = store.add_person("counsellor", "Lee")
    store.add_person("client", "Ada", client_id=ada.id)
    store.assign(ada.id, sam.id)
    store.hand_over(ada.id, lee.id)
    store.assign(bo.id, sam.id)
    store.erase_client(ada.id)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ASSIGNMENTS).where(
            ASSIGNMENTS.c.client_id == ada.id)).scalar() == 0
        assert conn.execute(select(PEOPLE.c.name)).scalars().all().count("Ada") == 0
    assert [c.name for c in store.counsellor_clients(sam.id)] == ["Bo"]
    assert store.counsellor_clients(lee.id) == []


def test_importing_over_a_client_keeps_their_counsellor_and_person(any_store):
    """Replacing a client's work from a workbook file writes the client row again;
    the deferred links keep who they are and who works with them."""
    store = any_store
    ada = store.create_client("Ada")
    sam = store.add_person("counsellor", "Sam")
    person = store.add_person("client", "Ada", client_id=ada.id)
    store.assign(ada.id, sam.id)
    store.add(model.Application(client_id=ada.id, company="Brightwave"))
    exported = store.export_records(ada.id)
    store.add(model.Application(client_id=ada.id, company="Later"))
    store.import_records(exported, existing="replace")
    assert [a.company for a in store.list(model.Application, ada.id)] == ["Brightwave"]
    assert store.current_counsellor(ada.id) == sam
    assert store.get_person(person.id) == person


def test_a_person_is_found_by_their_hub_login_and_no_two_share_one(store):
    ana = store.add_person("counsellor", "Ana", login="ana")
    assert store.person_by_login("ana") == ana
    with pytest.raises(NotFound, match="No person signs in as 'bea'"):
        store.person_by_login("bea")
    with pytest.raises(NextRoundError, match="The login 'ana' is taken"):
        store.add_person("supervisor", "Another Ana", login="ana")
    assert [p.name for p in store.list_people()] == ["Ana"]
