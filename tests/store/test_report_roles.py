"""The service report built by a supervisor's own role on PostgreSQL.

A supervisor's role reads no workbook row (``test_access.py``), so the report
reads through the report functions :func:`nextround.store.access.secure`
makes: de-identified rows, callable by supervisors alone. On generated data
whose answers are known (``service_data`` and a few more clients reaching
other steps), the report a supervisor builds must equal the owner's, figure
for figure; counsellors and clients calling the functions are refused, and
``nextround report`` run with a counsellor's login says so in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import ipywidgets as W
import pytest
from openpyxl import load_workbook
from people_service import new_owner_database
from service_data import INSIDER, SKILL, add_service
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from visible_widgets import buttons, shown_html

from nextround import answer_keys as keys
from nextround import model
from nextround.cli import main
from nextround.components.service_report import ONLY_SUPERVISORS, service_report_view
from nextround.components.service_report import ServiceReport as ServiceReportView
from nextround.report import ReportRefused, build_report, read_inputs, stage_titles
from nextround.store import Store
from nextround.store.access import REPORT_FUNCTIONS, create_login, secure

TODAY = date(2026, 11, 28)
ASSESS, GRACIOUS, UNDERSTAND = stage_titles()[4], stage_titles()[6], stage_titles()[3]
#: Words only the workbook holds: none may reach a supervisor.
PRIVATE = ("Secret strengths", "private note", "Thanked them warmly", "Acme", "Bolt")


@dataclass
class Service:
    owner_url: str
    urls: dict[str, str]
    client_ids: list[str]
    names: list[str]


def _more_clients(store: Store, content) -> None:
    """Five clients at each of three more stages, reached as the workbook saves them.

    * "E": an application and a self-assessment answer: at "assess";
    * "G": an application, a ticked gracious step, an emptied assessment answer
      and resume state: at "gracious" (neither of the last two counts);
    * "S": a rejection on 2 Jun whose feedback reads as a skill gap, confirmed as an
      internal candidate by the scenario answer (the answer wins): at "understand";
    * "U": the same with a scenario answer the content does not know, so the
      feedback's internal candidate stands: at "understand".
    """
    question = keys.ASSESSMENT.key(question=content.questions[0].id)
    done = keys.GRACIOUS_DONE.key(step="thank")
    for group in "EGSU":
        for n in range(5):
            client = store.create_client(f"{group} client {n}")
            app = store.add(model.Application(
                client_id=client.id, company="Acme",
                **({"outcome": "rejected", "outcome_on": date(2026, 6, 2)}
                   if group in "SU" else {})))
            store.add(model.Note(client_id=client.id, text="private note"))
            if group == "E":
                store.set_answer(client.id, question, "Secret strengths", app.id)
            elif group == "G":
                store.set_answer(client.id, done, True, app.id)
                store.set_answer(client.id, keys.GRACIOUS_DRAFT.key(step="thank"),
                                 "Thanked them warmly", app.id)
                store.set_answer(client.id, question, "", app.id)
                store.set_state(client.id, step="gracious")
            else:
                store.add(model.Feedback(client_id=client.id, application_id=app.id,
                                         heard="Bolt wanted SQL", scenario_id=SKILL
                                         if group == "S" else INSIDER))
                store.set_answer(client.id, keys.SCENARIO.key(),
                                 INSIDER if group == "S" else "not_a_scenario", app.id)


@pytest.fixture(scope="module")
def service(postgres) -> Service:
    from nextround.content import load_content

    owner_url = new_owner_database(postgres)
    with Store(owner_url) as store:
        add_service(store)
        _more_clients(store, load_content())
        clients = store.list_clients()
        first = clients[0].id
        people = {"supervisor": store.add_person("supervisor", "Supervisor K"),
                  "counsellor": store.add_person("counsellor", "Counsellor A"),
                  "client": store.add_person("client", clients[0].name, client_id=first)}
        store.assign(first, people["counsellor"].id)
    secure(owner_url)
    secure(owner_url)  # securing again changes nothing the report reads
    urls = {who: create_login(owner_url, person.id).url for who, person in people.items()}
    return Service(owner_url, urls, [c.id for c in clients], [c.name for c in clients])


def _report(url: str, content, since: date | None = None):
    with Store(url) as store:
        return build_report(store, content, since=since, today=TODAY)


@pytest.mark.parametrize("since", [None, date(2026, 4, 15), date(2026, 6, 1)])
def test_the_report_a_supervisor_builds_equals_the_owners(service, content, since):
    owners = _report(service.owner_url, content, since)
    supervisors = _report(service.urls["supervisor"], content, since)
    assert supervisors == owners


def test_the_supervisors_report_matches_the_known_answers(service, content):
    report = _report(service.urls["supervisor"], content)
    stages = report.figure("stages")
    assert stages.cell("All clients", "Clients") == 45
    assert [stages.cell(stage, "Clients") for stage in (ASSESS, GRACIOUS, UNDERSTAND)] == [
        5, 5, 10]
    assert stages.cell(stage_titles()[1], "Clients") == 12
    titles = {s.id: s.title for s in content.scenarios}
    feedback = report.figure("feedback")
    assert feedback.cell(titles[INSIDER], "Rejections") == 12  # 2 + 5 answered + 5 read
    assert feedback.cell("All rejections", "Rejections") == 20
    # The other kinds are 0, so the 8 skill gaps are hidden to protect them.
    assert feedback.cell(titles[SKILL], "Rejections") == "hidden to protect a small count"
    assert report.figure("actions").rows == (("Apr 2026", 16, 8, 8),
                                             ("May 2026", 9, "fewer than 5",
                                              "hidden to protect a small count"))
    assert report.figure("mood").rows[0] == ("Apr 2026", 8, 8, 3.0)


def test_a_supervisor_reads_only_de_identified_rows(service, content):
    with Store(service.urls["supervisor"]) as store:
        with pytest.raises(DBAPIError, match="permission denied"):
            store.list_clients()  # so the figures cannot come from the records
        inputs = read_inputs(store, content)
    seen = repr(inputs)
    for private in (*service.client_ids, *service.names, *PRIVATE):
        assert private not in seen
    keys_given = {row["client"] for row in inputs.checkins + inputs.applications}
    assert keys_given and all(isinstance(key, int) for key in keys_given)


@pytest.mark.parametrize("who", ["counsellor", "client"])
def test_counsellors_and_clients_may_not_call_the_report_functions(service, who):
    engine = create_engine(service.urls[who])
    try:
        for function in REPORT_FUNCTIONS:
            call = function.replace("text[]", "ARRAY[]::text[]")
            with pytest.raises(DBAPIError, match="permission denied"), \
                    engine.connect() as conn:
                conn.execute(text(f"SELECT * FROM {call}"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("who", ["counsellor", "client"])
def test_a_counsellors_or_clients_store_is_refused_the_report(service, content, who):
    with Store(service.urls[who]) as store, pytest.raises(ReportRefused,
                                                          match="only supervisors"):
        build_report(store, content)


def test_nextround_report_with_a_counsellors_login_says_only_supervisors_can(
        service, tmp_path, capsys):
    out = tmp_path / "report.xlsx"
    assert main(["report", "--db", service.urls["counsellor"], "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "nextround report: only supervisors can build the service report, and this "
        "database login is a counsellor's; ask a supervisor for it"]
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()


def test_nextround_report_with_a_supervisors_login_writes_the_workbook(service, tmp_path):
    out = tmp_path / "report.xlsx"
    assert main(["report", "--db", service.urls["supervisor"], "-o", str(out)]) == 0
    book = load_workbook(out)
    assert "Stages" in book.sheetnames


# --- the app's report view ------------------------------------------------------------


def _counsellor_view(url: str, content):
    from nextround.components.counsellor import CounsellorView

    return CounsellorView.create(content=content, store=Store(url))


def test_a_counsellors_app_shows_no_report_button_and_the_owners_does(service, content):
    counsellors = _counsellor_view(service.urls["counsellor"], content)
    assert buttons(counsellors, "Service report") == []
    assert buttons(counsellors, "Update the caseload")  # the caseload is there
    owners = _counsellor_view(service.owner_url, content)
    assert len(buttons(owners, "Service report")) == 1
    for view in (counsellors, owners):
        view.model.store.close()


@pytest.mark.parametrize("who", ["counsellor", "client"])
def test_the_report_view_shows_a_counsellor_or_client_no_figure(service, content, who):
    with Store(service.urls[who]) as store:
        view = service_report_view(content=content, store=store, today=TODAY)
    assert isinstance(view, W.HTML)
    assert view.value == f"<p class='nr-note'>{ONLY_SUPERVISORS}</p>"


def test_the_report_view_shows_a_supervisor_the_figures(service, content):
    with Store(service.urls["supervisor"]) as store:
        view = service_report_view(content=content, store=store, today=TODAY)
        assert isinstance(view, ServiceReportView)
        assert view.model.report == _report(service.owner_url, content)
        assert "Clients by stage of the journey" in shown_html(view)


def test_the_app_opened_with_a_supervisors_login_is_the_report(service, content):
    from nextround.app import App

    with Store(service.urls["supervisor"]) as store:
        page = App.create(content=content, store=store)
        assert not isinstance(page, App) and "nr-supervisor" in page._dom_classes
        assert [type(child) for child in page.children][1:] == [ServiceReportView]
    with Store(service.urls["counsellor"]) as store:
        assert isinstance(App.create(content=content, store=store), App)


def test_the_report_functions_give_only_flags_numbers_and_days(service):
    """Called with no scenario or question ids, every text a function gives is a day
    (or empty): no name, no text anyone wrote, no id, no time of day."""
    day = re.compile(r"\d{4}-\d{2}-\d{2}")
    engine = create_engine(service.urls["supervisor"])
    try:
        with engine.connect() as conn:
            for function in REPORT_FUNCTIONS:
                call = function.replace("text[]", "ARRAY[]::text[]")
                rows = conn.execute(text(f"SELECT * FROM {call}")).all()
                assert rows, function
                for value in (value for row in rows for value in row):
                    assert value is None or isinstance(value, bool | int) or value == "" \
                        or day.fullmatch(value), (function, value)
    finally:
        engine.dispose()
