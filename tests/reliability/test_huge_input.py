"""Huge input is handled without a hang.

* A 1 MB answer is saved and read back exactly, through the store and
  through the components that take long text: a thought record and the
  day's note in *Look after yourself*, a reflection on a scenario card, and
  1 MB of feedback that the scenario suggestions then read. The session
  summary and the workbook file carry it too.
* A client with 10,000 applications: listing, export, import, the
  counsellor's caseload and the log and progress steps all complete.

There are no timing asserts (speed belongs in benchmarks); each test has a
generous ``timeout`` that only a hang would reach, and the durations are
recorded in the figures for ``docs/reliability.md``.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

import pytest
from reliability_support import scaled

from nextround import model
from nextround.caseload import caseload
from nextround.components.progress import Progress
from nextround.components.rejection_log import RejectionLog
from nextround.components.scenario_advice import ScenarioAdvice, reflection_key
from nextround.components.wellbeing import Wellbeing
from nextround.exports import build_workbook, import_workbook, parse_workbook, workbook_bytes
from nextround.store import Store
from nextround.summary import session_summary

MEGABYTE = 1_000_000
APPLICATIONS = scaled(10_000, 10_000)

#: Words the advice looks for, mixed with markup and other scripts, so the
#: big text exercises cue matching, escaping and UTF-8 (2-4 byte) handling.
WORDS = ("internal candidate", "different direction", "better qualified", "missing skill",
         "rapport", "they wanted someone younger", "it was an insider", "didn't like me",
         "<script>", "&amp;", "$x$", "**bold**", "naïve", "日本語", "שלום", "🙂", "\n", "word")


def big_text(size: int = MEGABYTE, seed: int = 1) -> str:
    rng = random.Random(seed)
    parts, length = [], 0
    while length < size:
        word = rng.choice(WORDS)
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)[:size]


@pytest.fixture
def client(store) -> model.Client:
    return store.create_client("Big Answers")


@pytest.mark.timeout(300)
def test_a_1mb_answer_round_trips_through_the_store(store, client, figures):
    text = big_text()
    assert len(text) == MEGABYTE
    started = time.perf_counter()
    store.set_answer(client.id, "story", text)
    assert store.answers(client.id)["story"] == text
    store.set_answer(client.id, "story", text[::-1])  # replacing it, too
    assert store.answers(client.id)["story"] == text[::-1]
    raw = workbook_bytes(build_workbook(store, client.id))
    store.erase_client(client.id)
    assert import_workbook(store, raw).id == client.id
    assert store.answers(client.id)["story"] == text[::-1]
    figures["huge.answer_1mb.store_seconds"] = round(time.perf_counter() - started, 2)


@pytest.mark.timeout(300)
def test_a_1mb_thought_record_and_note_through_wellbeing(store, content, client, figures):
    text = big_text(seed=2)
    started = time.perf_counter()
    view = Wellbeing.create(content=content, store=store, client_id=client.id)
    view.thought_inputs["situation"].value = text
    view.thought_inputs["assumption"].value = text  # the assumption check reads all of it
    view.mood.value = view.mood.options[0][1]
    view.note.value = text
    assert "error" not in view.status.value.lower()
    flags = [flag.assumption_id for flag in view.model.flags]
    assert flags, "the assumption check found none of the worries in 1 MB of them"

    again = Wellbeing.create(content=content, store=store, client_id=client.id)
    assert again.thought_inputs["situation"].value == text
    assert again.thought_inputs["assumption"].value == text
    assert again.note.value == text
    thought = store.list(model.ThoughtRecord, client.id)[-1]
    assert (thought.situation, thought.assumption) == (text, text)
    figures["huge.answer_1mb.wellbeing_seconds"] = round(time.perf_counter() - started, 2)


@pytest.mark.timeout(300)
def test_a_1mb_feedback_and_reflection_through_scenario_advice(store, content, client,
                                                                figures):
    text = big_text(seed=3)
    app = store.add(model.Application(client_id=client.id, company="Acme", outcome="rejected",
                                      stage="interview"))
    store.add(model.Feedback(client_id=client.id, application_id=app.id, heard=text,
                             person="Hiring manager"))
    started = time.perf_counter()
    view = ScenarioAdvice.create(content=content, store=store, client_id=client.id,
                                 application_id=app.id)
    suggested = [s.scenario_id for s in view.model.suggestions]
    assert suggested, "1 MB of feedback full of cues suggested nothing"
    view.answers[0].value = text  # the first reflection question on the card shown
    scenario = view.model.selected_id
    question = view.model.content.scenario(scenario).questions[0].id
    assert store.answers(client.id, app.id)[reflection_key(scenario, question)] == text

    again = ScenarioAdvice.create(content=content, store=store, client_id=client.id,
                                  application_id=app.id)
    assert again.answers[0].value == text
    summary = session_summary(store, content, client.id)
    assert "&lt;script&gt;" in summary.html and "<script>" not in summary.html
    figures["huge.answer_1mb.scenario_advice_seconds"] = round(time.perf_counter() - started, 2)


def _caseload_client(n_apps: int) -> dict:
    """A client with ``n_apps`` applications, a third of them rejected, and their records."""
    rng = random.Random(7)
    client = model.Client(name="Ten Thousand")
    start = date(2020, 1, 1)
    apps, feedback, answers, actions = [], [], [], []
    scenarios = ["internal_candidate", "different_direction", "better_qualified", "skill_gap",
                 "presentation", "no_feedback"]
    for n in range(n_apps):
        rejected = n % 3 == 0
        app = model.Application(client_id=client.id, company=f"Company {n}", role="Analyst",
                                stage=rng.choice(model.STAGES[:5]),
                                applied_on=start + timedelta(days=n % 1500),
                                outcome="rejected" if rejected else "pending",
                                outcome_on=start + timedelta(days=n % 1500 + 20)
                                if rejected else None)
        apps.append(app)
        if rejected:
            feedback.append(model.Feedback(client_id=client.id, application_id=app.id,
                                           heard="They hired an internal candidate.",
                                           asked_on=app.outcome_on))
            answers.append(model.Answer(client_id=client.id, application_id=app.id,
                                        key="scenario", value=scenarios[n % 6]))
        if n % 10 == 0:
            actions.append(model.Action(client_id=client.id, title=f"Follow up {n}",
                                        due_on=start + timedelta(days=n % 2000),
                                        application_id=app.id))
    checkins = [model.CheckIn(client_id=client.id, mood=rng.randint(1, 5)) for _ in range(200)]
    return {"client": client.model_dump(mode="json"),
            "applications": [r.model_dump(mode="json") for r in apps],
            "feedback": [r.model_dump(mode="json") for r in feedback],
            "answers": [r.model_dump(mode="json") for r in answers],
            "checkins": [r.model_dump(mode="json") for r in checkins],
            "actions": [r.model_dump(mode="json") for r in actions]}


@pytest.mark.timeout(600)
def test_a_client_with_10000_applications(tmp_path, content, figures):
    data = _caseload_client(APPLICATIONS)
    seconds: dict[str, float] = {}

    def timed(step: str, work):
        started = time.perf_counter()
        result = work()
        seconds[step] = round(time.perf_counter() - started, 2)
        return result

    with Store(tmp_path / "big.db") as store, Store(tmp_path / "other.db") as other:
        other_client = other.create_client("Someone else")  # the import goes beside them
        client = timed("import (store)", lambda: store.import_records(data))
        listed = timed("list", lambda: store.list(model.Application, client.id))
        assert len(listed) == APPLICATIONS
        assert [a.company for a in listed[:2]] == ["Company 0", "Company 1500"]
        doc = timed("export (build)", lambda: build_workbook(store, client.id))
        raw = timed("export (bytes)", lambda: workbook_bytes(doc))
        assert len(parse_workbook(raw)["records"]["applications"]) == APPLICATIONS
        imported = timed("import (workbook file)", lambda: import_workbook(other, raw))
        assert imported.id == client.id
        assert len(other.list(model.Application, client.id)) == APPLICATIONS
        rows = timed("caseload", lambda: caseload(other, content))
        assert [r.name for r in rows] == ["Someone else", "Ten Thousand"]
        big = rows[1]
        assert sum(big.rejections_by_scenario.values()) == len(range(0, APPLICATIONS, 3))
        assert big.awaiting_replies == 0 and big.latest_mood is not None
        log = timed("log step", lambda: RejectionLog.create(content=content, store=other,
                                                            client_id=client.id))
        assert len(log.model.applications()) == APPLICATIONS
        progress = timed("progress step", lambda: Progress.create(content=content, store=other,
                                                                  client_id=client.id))
        assert progress.model.charts
        timed("erase", lambda: other.erase_client(client.id))
        assert other.list_clients() == [other_client]
    figures["huge.applications"] = APPLICATIONS
    figures["huge.workbook_file_megabytes"] = round(len(raw) / 1e6, 1)
    figures["huge.applications_seconds"] = seconds
