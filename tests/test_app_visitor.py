"""The app follows who its database connection is: client, counsellor or supervisor.

On a real, secured PostgreSQL database, each person's store opens the app
as the hub's servers open it (``App.create``). ``NEXTROUND_ROLE`` is only a
hint: it narrows what an owner's connection shows, never widens a person's.
"""

from __future__ import annotations

import ipywidgets as W
import pytest
from people_service import new_owner_database
from test_client_mode import all_text
from widget_finders import walk

from nextround.app import App
from nextround.components.service_report import ServiceReport
from nextround.store import Store
from nextround.store.access import create_login, secure
from nextround.visitor import ROLE_ENV


@pytest.fixture(scope="module")
def service(postgres) -> dict[str, str]:
    """Two counsellors with a client each, a client who signs in, a supervisor: URLs by login."""
    owner_url = new_owner_database(postgres)
    with Store(owner_url) as store:
        ada, bo = store.create_client("Ada Lovell"), store.create_client("Bo Brightwater")
        people = {"ana": store.add_person("counsellor", "Ana", login="ana"),
                  "ben": store.add_person("counsellor", "Ben", login="ben"),
                  "kim": store.add_person("supervisor", "Kim", login="kim"),
                  "ada": store.add_person("client", "Ada Lovell", login="ada",
                                          client_id=ada.id)}
        store.assign(ada.id, people["ana"].id)
        store.assign(bo.id, people["ben"].id)
    secure(owner_url)
    urls = {login: create_login(owner_url, person.id).url for login, person in people.items()}
    return {**urls, "owner": owner_url, "ada_client": ada.id, "bo_client": bo.id}


def app_as(content, url: str) -> W.Widget:
    return App.create(content=content, store=Store(url))


def test_a_client_gets_their_own_workbook_only(content, service, monkeypatch):
    monkeypatch.setenv(ROLE_ENV, "counsellor")  # a wrong hint widens nothing
    app = app_as(content, service["ada"])
    assert isinstance(app, App)
    assert app.model.locked_to == service["ada_client"] and app.client_picker is None
    app.open_from_query(f"client={service['ada_client']}")
    shown = all_text(app)
    assert "Ada Lovell" in shown and "Bo" not in shown
    assert "Counsellor view" not in shown and "Add client" not in shown
    assert app.model.client_id == service["ada_client"] and app.menu.children


def test_a_link_to_someone_elses_client_opens_nothing_of_theirs(content, service):
    """``?client=`` naming another counsellor's client: Ana's app, and Ada's own
    page, open none of Bo's workbook; the database never gives it to them."""
    counsellor = app_as(content, service["ana"])
    counsellor.open_from_query(f"client={service['bo_client']}")
    assert counsellor.model.client_id != service["bo_client"]
    assert "Bo Brightwater" not in all_text(counsellor)
    assert "not here" in counsellor.status.value

    client = app_as(content, service["ada"])
    client.open_from_query(f"client={service['bo_client']}")
    assert client.model.client_id == service["ada_client"]
    assert "Bo Brightwater" not in all_text(client)


def test_a_counsellor_gets_the_app_with_their_caseload(content, service, monkeypatch):
    monkeypatch.setenv(ROLE_ENV, "client")  # the database's answer wins over the hint
    app = app_as(content, service["ana"])
    assert isinstance(app, App) and not app.model.locked_to
    assert [label for label, _ in app.model.client_options] == ["Ada Lovell"]
    assert app.counsellor_button in app.client_bar.children


def test_a_supervisor_gets_the_report_and_no_workbook(content, service, monkeypatch):
    # The report's own figures under a supervisor's role are the report's concern;
    # here only the routing is checked, through the seam the app builds it with.
    import nextround.components.service_report as report_module

    built = []

    def report_view(*, content, store):
        built.append(store.connected_person().login)
        return W.HTML("the service report")

    monkeypatch.setattr(report_module, "service_report_view", report_view)
    monkeypatch.delenv(ROLE_ENV, raising=False)
    page = app_as(content, service["kim"])
    assert not isinstance(page, App) and built == ["kim"]
    shown = all_text(page)
    assert "the service report" in shown
    assert "Your steps" not in shown and "Counsellor view" not in shown
    assert "Ada" not in shown and "Bo Brightwater" not in shown


def test_a_report_that_cannot_be_read_is_said_in_one_line(content, store, monkeypatch):
    import nextround.components.service_report as report_module
    from nextround.errors import NextRoundError

    def report_view(*, content, store):
        raise NextRoundError("the figures are <not> ready")

    monkeypatch.setattr(report_module, "service_report_view", report_view)
    monkeypatch.setenv(ROLE_ENV, "supervisor")
    page = App.create(content=content, store=store)
    shown = all_text(page)
    assert "Service report" in shown and "The figures are &lt;not&gt; ready" in shown


def test_the_owner_with_no_hint_is_the_counsellor_of_one_machine(content, service,
                                                                 monkeypatch):
    monkeypatch.delenv(ROLE_ENV, raising=False)
    app = app_as(content, service["owner"])
    assert isinstance(app, App)
    assert sorted(label for label, _ in app.model.client_options) == ["Ada Lovell",
                                                                       "Bo Brightwater"]


def test_a_client_hint_on_a_connection_that_is_nobodys_shows_nothing(content, service,
                                                                     monkeypatch):
    monkeypatch.setenv(ROLE_ENV, "client")
    page = app_as(content, service["owner"])
    assert not isinstance(page, App)
    assert "is for a client, but its database connection is not one client" in page.value
    assert "Ada" not in page.value


def test_a_supervisor_hint_narrows_an_owners_page_to_the_report(content, store, monkeypatch):
    store.create_client("Zed")
    monkeypatch.setenv(ROLE_ENV, "supervisor")
    page = App.create(content=content, store=store)
    assert not isinstance(page, App)
    assert any(isinstance(w, ServiceReport) for w in walk(page))
    assert "Zed" not in all_text(page)
